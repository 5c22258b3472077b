//! `serial-dialects encode`, run as a program: every message type of every dialect is
//! encoded with representative and extreme values and decoded again with
//! `serial-dialects decode`; plus the error cases and `--list`.

use std::process::Output;

use serde_json::{Value, json};
use serial_dialects::vectordebug;

mod common;

fn run(args: &[&str], stdin: &[u8]) -> Output {
    common::run_stdin(args, stdin)
}

/// `encode DIALECT ARGS...`: the frame's bytes (the command must succeed quietly).
fn encode(dialect: &str, args: &[&str]) -> Vec<u8> {
    let mut all = vec!["encode", dialect];
    all.extend_from_slice(args);
    let out = run(&all, b"");
    assert!(out.status.success(), "encode {dialect} {args:?} failed: {}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "encode {dialect} {args:?} wrote to stderr");
    assert!(!out.stdout.is_empty(), "encode {dialect} {args:?} wrote nothing");
    out.stdout
}

/// `decode --dialect DIALECT -` of `bytes`: its JSON events.
fn decode(dialect: &str, bytes: &[u8]) -> Vec<Value> {
    let out = run(&["decode", "--dialect", dialect, "-"], bytes);
    assert!(out.status.success(), "decode failed: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout)
        .expect("UTF-8 JSON lines")
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Asserts that `event` is a `ty` frame at `offset` spanning `len` bytes whose fields
/// include `fields` with equal values.
fn assert_event(event: &Value, ty: &str, offset: usize, len: usize, fields: &Value) {
    assert_eq!(event["type"], ty, "{event}");
    assert_eq!(event["offset"], offset, "{event}");
    assert_eq!(event["len"], len, "{event}");
    for (key, want) in fields.as_object().expect("fields object") {
        assert_eq!(&event["fields"][key], want, "field {key} of {event}");
    }
}

/// Encodes `ty` with `args`, decodes the bytes, and checks that they are one `ty` event
/// over all of them with `fields`. Returns the bytes.
fn round_trip(dialect: &str, ty: &str, args: &[&str], fields: Value) -> Vec<u8> {
    let mut all = vec![ty];
    all.extend_from_slice(args);
    let bytes = encode(dialect, &all);
    let events = decode(dialect, &bytes);
    assert_eq!(events.len(), 1, "{dialect} {ty} {args:?}: {events:?}");
    assert_event(&events[0], ty, 0, bytes.len(), &fields);
    bytes
}

/// Runs `encode ARGS...` expecting a usage error: exit status 2, one line on stderr that
/// contains `needle`, nothing on stdout.
fn assert_refused(args: &[&str], needle: &str) {
    let mut all = vec!["encode"];
    all.extend_from_slice(args);
    let out = run(&all, b"");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {stderr}");
    assert!(out.stdout.is_empty(), "{args:?} wrote to stdout");
    assert_eq!(stderr.lines().count(), 1, "{args:?}: {stderr}");
    assert!(stderr.starts_with("serial-dialects: "), "{stderr}");
    assert!(stderr.contains(needle), "{args:?}: {stderr:?} lacks {needle:?}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

fn list(items: impl IntoIterator<Item = impl ToString>) -> String {
    items.into_iter().map(|i| i.to_string()).collect::<Vec<_>>().join(",")
}

// ---------------------------------------------------------------------------------------
// pmu30

#[test]
fn pmu30_every_type_in_both_crc_variants() {
    for dialect in ["pmu30", "pmu30:crc-with-length"] {
        for ty in ["PING", "PONG", "GET_INFO", "GET_CONFIG", "UNSUBSCRIBE_TELEMETRY"] {
            let bytes = round_trip(dialect, ty, &[], json!({}));
            assert_eq!(bytes.len(), 6);
        }
        round_trip(
            dialect,
            "INFO_RESP",
            &["firmware_version=1.2.3", "hw_revision=2", "serial_number=PMU30-0001", "device_name=PMU-30 front"],
            json!({"firmware_version": "1.2.3", "hw_revision": 2, "serial_number": "PMU30-0001", "device_name": "PMU-30 front"}),
        );
        for ty in ["CONFIG_DATA", "SET_CONFIG"] {
            round_trip(
                dialect,
                ty,
                &["chunk_index=3", "total_chunks=0x10", "data_hex=7B2261223A317D"],
                json!({"chunk_index": 3, "total_chunks": 16, "data_hex": "7b2261223a317d"}),
            );
        }
        round_trip(
            dialect,
            "CONFIG_ACK",
            &["success=false", "error_code=0x21"],
            json!({"success": false, "error_code": 33}),
        );
        round_trip(dialect, "SET_CHANNEL", &["channel_id=5", "value=75"], json!({"channel_id": 5, "value": 75.0}));
        round_trip(dialect, "CHANNEL_ACK", &["channel_id=29"], json!({"success": true, "channel_id": 29}));
        round_trip(dialect, "SUBSCRIBE_TELEMETRY", &["rate_hz=10"], json!({"rate_hz": 10}));
        round_trip(dialect, "TELEMETRY_DATA", &["timestamp_ms=1000"], json!({"timestamp_ms": 1000, "crc": 0}));
        round_trip(
            dialect,
            "ERROR",
            &["error_code=0x10", "message=Channel out of range"],
            json!({"error_code": 16, "message": "Channel out of range"}),
        );
    }
}

#[test]
fn pmu30_crc_variants_differ_on_the_wire() {
    let seed = encode("pmu30", &["SET_CHANNEL", "channel_id=5", "value=75"]);
    assert_eq!(seed, [0xAA, 6, 0, 0x30, 5, 0, 0, 0, 0x96, 0x42, 0x89, 0x31]);
    let real = encode("pmu30:crc-with-length", &["SET_CHANNEL", "channel_id=5", "value=75"]);
    assert_eq!(seed[..10], real[..10]);
    assert_ne!(seed[10..], real[10..]);
    // Each variant's CRC is wrong for the other.
    assert_eq!(decode("pmu30", &real)[0]["error"], "crc_mismatch");
}

#[test]
fn pmu30_extreme_values() {
    round_trip("pmu30", "SET_CHANNEL", &["channel_id=0", "value=0"], json!({"channel_id": 0, "value": 0.0}));
    round_trip("pmu30", "SET_CHANNEL", &["channel_id=29", "value=100.0"], json!({"channel_id": 29, "value": 100.0}));
    // The f32 of 33.3, shown as its f64.
    round_trip("pmu30", "SET_CHANNEL", &["channel_id=1", "value=33.3"], json!({"value": f64::from(33.3f32)}));
    round_trip("pmu30", "SUBSCRIBE_TELEMETRY", &["rate_hz=1"], json!({"rate_hz": 1}));
    round_trip("pmu30", "SUBSCRIBE_TELEMETRY", &["rate_hz=100"], json!({"rate_hz": 100}));
    round_trip(
        "pmu30",
        "CONFIG_ACK",
        &["success=1", "error_code=65535"],
        json!({"success": true, "error_code": 65535}),
    );
    round_trip(
        "pmu30",
        "CHANNEL_ACK",
        &["success=false", "channel_id=0xFFFF"],
        json!({"success": false, "channel_id": 65535}),
    );
    let serial = "S".repeat(16);
    let name = "N".repeat(32);
    round_trip(
        "pmu30",
        "INFO_RESP",
        &[
            "firmware_version=255.0.255",
            "hw_revision=255",
            &format!("serial_number={serial}"),
            &format!("device_name={name}"),
        ],
        json!({"firmware_version": "255.0.255", "hw_revision": 255, "serial_number": serial, "device_name": name}),
    );
    round_trip(
        "pmu30",
        "INFO_RESP",
        &["firmware_version=0.0.0", "hw_revision=0"],
        json!({"serial_number": "", "device_name": ""}),
    );
    // Empty and largest configuration chunks.
    round_trip("pmu30", "SET_CONFIG", &["data_hex="], json!({"chunk_index": 0, "total_chunks": 1, "data_hex": ""}));
    let big = "ab".repeat(4092);
    let bytes = round_trip("pmu30", "CONFIG_DATA", &[&format!("data_hex={big}")], json!({"data_hex": big}));
    assert_eq!(bytes.len(), 4096 + 6);
    let message = "m".repeat(255);
    round_trip("pmu30", "ERROR", &["error_code=65535", &format!("message={message}")], json!({"message": message}));
    round_trip("pmu30", "ERROR", &["error_code=0"], json!({"error_code": 0, "message": ""}));

    let states: Vec<u32> = (0..30).map(|i| if i == 29 { 255 } else { i % 8 }).collect();
    let analog: Vec<u32> = (0..8).map(|i| if i == 0 { 65535 } else { i * 100 }).collect();
    let currents: Vec<u32> = (0..30).map(|i| i * 1000).collect();
    round_trip(
        "pmu30",
        "TELEMETRY_DATA",
        &[
            "timestamp_ms=4294967295",
            &format!("channel_states={}", list(&states)),
            &format!("analog_values={}", list(&analog)),
            &format!("output_currents={}", list(&currents)),
            "input_voltage=65535",
            "temperature=-128",
            "fault_flags=0xFFFFFFFF",
            "crc=65535",
        ],
        json!({
            "timestamp_ms": 4294967295u32, "channel_states": states, "analog_values": analog,
            "output_currents": currents, "input_voltage": 65535, "temperature": -128,
            "fault_flags": 4294967295u32, "crc": 65535
        }),
    );
    // crc=auto fills the inner CRC: not 0 for this packet, and stable.
    let a = encode("pmu30", &["TELEMETRY_DATA", "temperature=127", "crc=auto"]);
    let event = &decode("pmu30", &a)[0];
    assert_eq!(event["fields"]["temperature"], 127);
    assert_ne!(event["fields"]["crc"], 0);
    assert_eq!(a, encode("pmu30", &["TELEMETRY_DATA", "temperature=127", "crc=auto"]));
}

// ---------------------------------------------------------------------------------------
// vectordebug

#[test]
fn vectordebug_dbg_frame1() {
    round_trip(
        "vectordebug",
        "DBG_FRAME1",
        &["frames=41:-1046,1048,21,1182,0,0;42:-1060,1007,11,1183,492,-7"],
        json!({"frames": [
            {"seq": 41, "payload": [-1046, 1048, 21, 1182, 0, 0]},
            {"seq": 42, "payload": [-1060, 1007, 11, 1183, 492, -7]}
        ]}),
    );
    round_trip(
        "vectordebug",
        "DBG_FRAME1",
        &["frames=0:-32768,32767,0,-1,0x7FFF,-0x8000;65535:0,0,0,0,0,0", "trailing_hex=00ff00"],
        json!({"frames": [
            {"seq": 0, "payload": [-32768, 32767, 0, -1, 32767, -32768]},
            {"seq": 65535, "payload": [0, 0, 0, 0, 0, 0]}
        ]}),
    );
    // The trailing bytes are not in the JSON contract: check them with the library.
    let bytes = encode("vectordebug", &["DBG_FRAME1", "frames=1:1,2,3,4,5,6", "trailing_hex=00ff00"]);
    let mut packet = [0u8; 64];
    match vectordebug::Payload::decode_wire(&bytes, &mut packet).unwrap() {
        vectordebug::Payload::DbgFrame1 { records } => assert_eq!(records.trailing(), [0x00, 0xFF, 0x00]),
        other => panic!("{other:?}"),
    }
    round_trip("vectordebug", "DBG_FRAME1", &["frames="], json!({"frames": []}));
    // The most records a packet holds (16384 decoded bytes at most).
    let max = (16384 - 7) / 14;
    let records: Vec<String> = (0..max).map(|i| format!("{i}:{i},0,0,0,0,-{i}")).collect();
    let frames: Vec<Value> = (0..max).map(|i| json!({"seq": i, "payload": [i, 0, 0, 0, 0, -(i as i64)]})).collect();
    round_trip("vectordebug", "DBG_FRAME1", &[&format!("frames={}", records.join(";"))], json!({"frames": frames}));
}

#[test]
fn vectordebug_cli_and_unknown() {
    round_trip(
        "vectordebug",
        "CLI",
        &["text=help motor"],
        json!({"text": "help motor", "data_hex": "68656c70206d6f746f72"}),
    );
    // Bytes with 0x00 in them (COBS) and a CR LF.
    round_trip("vectordebug", "CLI", &["data_hex=00006f6b0d0a00"], json!({"data_hex": "00006f6b0d0a00"}));
    round_trip("vectordebug", "CLI", &["text="], json!({"text": "", "data_hex": ""}));
    round_trip("vectordebug", "CLI", &["text=grüße"], json!({"text": "grüße"}));
    // An unknown type's payload is not in the JSON contract: check it with the library.
    let unknown_payload = |bytes: &[u8]| {
        let mut packet = vec![0u8; 16384];
        match vectordebug::Payload::decode_wire(bytes, &mut packet).unwrap() {
            vectordebug::Payload::Unknown { packet_type, payload } => (packet_type, payload.to_vec()),
            other => panic!("{other:?}"),
        }
    };
    let bytes =
        round_trip("vectordebug", "UNKNOWN", &["packet_type=7", "payload_hex=0102ff"], json!({"packet_type": 7}));
    assert_eq!(unknown_payload(&bytes), (7, vec![1, 2, 0xFF]));
    let bytes = round_trip("vectordebug", "UNKNOWN", &["packet_type=0"], json!({"packet_type": 0}));
    assert_eq!(unknown_payload(&bytes), (0, vec![]));
    let long = "5a".repeat(16384 - 7);
    let bytes = round_trip(
        "vectordebug",
        "UNKNOWN",
        &["packet_type=255", &format!("payload_hex={long}")],
        json!({"packet_type": 255}),
    );
    assert_eq!(unknown_payload(&bytes), (255, vec![0x5A; 16384 - 7]));
}

// ---------------------------------------------------------------------------------------
// plot

#[test]
fn plot_data_and_labels() {
    let bytes = round_trip("plot", "DATA", &["values=100,2000,-500"], json!({"values": [100, 2000, -500]}));
    assert_eq!(bytes, [0xAA, 0x03, 0x64, 0x00, 0xD0, 0x07, 0x0C, 0xFE]);
    round_trip("plot", "DATA", &["values=-32768"], json!({"values": [-32768]}));
    let values: Vec<i32> = (0..32).map(|i| if i % 2 == 0 { 32767 } else { -32768 }).collect();
    round_trip("plot", "DATA", &[&format!("values={}", list(&values))], json!({"values": values}));
    let bytes = round_trip(
        "plot",
        "LABEL",
        &["labels=0:Temp,1:Humidity"],
        json!({"labels": [{"index": 0, "name": "Temp"}, {"index": 1, "name": "Humidity"}]}),
    );
    assert_eq!(bytes, b"\xAB\x02\x00\x04Temp\x01\x08Humidity");
    // A 16-byte name, multi-byte UTF-8, the last channel.
    round_trip(
        "plot",
        "LABEL",
        &["labels=31:ABCDEFGHIJKLMNOP,5:Temp °C"],
        json!({"labels": [{"index": 31, "name": "ABCDEFGHIJKLMNOP"}, {"index": 5, "name": "Temp °C"}]}),
    );
}

#[test]
fn plot_64_channels() {
    let values: Vec<i32> = (0..64).map(|i| i * 100 - 3200).collect();
    round_trip("plot:64", "DATA", &[&format!("values={}", list(&values))], json!({"values": values}));
    round_trip("plot:64", "LABEL", &["labels=63:Last"], json!({"labels": [{"index": 63, "name": "Last"}]}));
    // Out of the seed's range.
    assert_refused(&["plot", "DATA", &format!("values={}", list(&values))], "field `COUNT` is out of range");
    assert_refused(&["plot", "LABEL", "labels=63:Last"], "field `CH_INDEX` is out of range");
}

#[test]
fn plot_text_and_commands() {
    let bytes = round_trip("plot", "TEXT", &["line=boot ok"], json!({"line": "boot ok"}));
    assert_eq!(bytes, b"boot ok\r\n");
    round_trip("plot", "TEXT", &["line="], json!({"line": ""}));

    let bytes = encode(
        "plot",
        &["COMMANDS", "commands=start|-|state|Start the motor;speed|<rpm>|param|Set the speed;help|-|sys|"],
    );
    let events = decode("plot", &bytes);
    // The table's lines are TEXT events that tile the bytes; the help row ends the table,
    // and a zero-length COMMANDS event follows it.
    let mut at = 0;
    let mut commands = None;
    for e in &events {
        assert_eq!(e["offset"], at, "{e}");
        match e["type"].as_str() {
            Some("TEXT") => at += e["len"].as_u64().expect("len") as usize,
            Some("COMMANDS") => commands = Some(e),
            _ => panic!("{e}"),
        }
    }
    assert_eq!(at, bytes.len());
    let help_row_end = bytes.windows(6).position(|w| w == b"help  ").expect("help row");
    let commands = commands.expect("a COMMANDS event");
    let offset = commands["offset"].as_u64().expect("offset") as usize;
    assert!(offset > help_row_end && bytes[offset - 1] == b'\n', "{commands}");
    assert_event(
        commands,
        "COMMANDS",
        offset,
        0,
        &json!({"commands": [
            {"cmd": "start", "args": "-", "cat": "state", "description": "Start the motor"},
            {"cmd": "speed", "args": "<rpm>", "cat": "param", "description": "Set the speed"},
            {"cmd": "help", "args": "-", "cat": "sys", "description": ""}
        ]}),
    );
    // Without a help row, the closing separator ends the table: COMMANDS comes last.
    let bytes = encode("plot", &["COMMANDS", "commands=start|-|state|Start"]);
    let events = decode("plot", &bytes);
    let last = events.last().expect("events");
    assert_event(
        last,
        "COMMANDS",
        bytes.len(),
        0,
        &json!({"commands": [{"cmd": "start", "args": "-", "cat": "state", "description": "Start"}]}),
    );
}

// ---------------------------------------------------------------------------------------
// ascii-crc8

#[test]
fn ascii_crc8_requests() {
    let bytes =
        round_trip("ascii-crc8", "VIEW", &["id=4", "offset=0", "count=2"], json!({"id": 4, "offset": 0, "count": 2}));
    assert_eq!(bytes, b"&PC_STM0400613000202*");
    round_trip("ascii-crc8", "VIEW", &["id=99", "offset=99", "count=99"], json!({"id": 99, "offset": 99, "count": 99}));
    round_trip("ascii-crc8", "VIEW", &["count=1"], json!({"id": 0, "offset": 0, "count": 1}));
    for ty in ["START", "STOP", "DOWNLOAD", "GET_INTERVAL", "GET_MODE", "I2C_SCAN"] {
        round_trip("ascii-crc8", ty, &["id=7"], json!({"id": 7, "src": "PC_", "dst": "STM"}));
        round_trip("ascii-crc8", ty, &[], json!({"id": 0}));
    }
    assert_eq!(encode("ascii-crc8", &["START", "id=1"]), b"&PC_STM010031000F*");
    round_trip("ascii-crc8", "SET_INTERVAL", &["id=5", "interval_ms=1"], json!({"interval_ms": 1}));
    round_trip("ascii-crc8", "SET_INTERVAL", &["id=5", "interval_ms=9999"], json!({"interval_ms": 9999}));
    round_trip("ascii-crc8", "SET_MODE", &["mode=1"], json!({"mode": 1}));
    round_trip("ascii-crc8", "SET_MODE", &["id=99", "mode=6"], json!({"mode": 6, "id": 99}));
}

/// Encodes a request and a reply, decodes both together; the reply is read against the
/// request and has `fields`.
fn reply_after(request: &[&str], reply: &[&str], fields: Value) {
    let first = encode("ascii-crc8", request);
    let mut args = vec!["REPLY"];
    args.extend_from_slice(reply);
    let second = encode("ascii-crc8", &args);
    let events = decode("ascii-crc8", &[first.clone(), second.clone()].concat());
    assert_eq!(events.len(), 2, "{events:?}");
    assert_event(&events[1], "REPLY", first.len(), second.len(), &fields);
}

#[test]
fn ascii_crc8_replies() {
    reply_after(
        &["SET_MODE", "id=4", "mode=2"],
        &["id=4", "status=0"],
        json!({"request": "SET_MODE", "status": 0, "src": "STM", "dst": "PC_"}),
    );
    reply_after(&["START", "id=0"], &["status=99"], json!({"id": 0, "status": 99}));
    reply_after(&["DOWNLOAD", "id=3"], &["id=3", "lux=2600"], json!({"request": "DOWNLOAD", "lux": 2600}));
    reply_after(&["DOWNLOAD", "id=3"], &["id=3", "lux=9999"], json!({"lux": 9999}));
    reply_after(&["DOWNLOAD", "id=3"], &["id=3", "lux=0"], json!({"lux": 0}));
    reply_after(
        &["VIEW", "id=4", "offset=10", "count=3"],
        &["id=4", "offset=10", "values=1,9999,0"],
        json!({"request": "VIEW", "offset": 10, "values": [1, 9999, 0]}),
    );
    let values: Vec<u32> = (0..63).map(|i| i * 150).collect();
    reply_after(
        &["VIEW", "id=4", "count=63"],
        &["id=4", &format!("values={}", list(&values))],
        json!({"offset": 0, "values": values}),
    );
    reply_after(
        &["GET_INTERVAL", "id=6"],
        &["id=6", "interval_ms=500"],
        json!({"request": "GET_INTERVAL", "interval_ms": 500}),
    );
    reply_after(&["GET_INTERVAL", "id=6"], &["id=6", "interval_ms=9999"], json!({"interval_ms": 9999}));
    reply_after(&["GET_MODE", "id=8"], &["id=8", "mode=6"], json!({"request": "GET_MODE", "mode": 6}));
    reply_after(&["I2C_SCAN", "id=9"], &["id=9", "address=0x23"], json!({"request": "I2C_SCAN", "address": 0x23}));
    reply_after(&["I2C_SCAN", "id=9"], &["id=9", "address=0"], json!({"address": 0}));
    reply_after(&["I2C_SCAN", "id=9"], &["id=9", "address=0xFF"], json!({"address": 255}));
    reply_after(&["DOWNLOAD", "id=1"], &["id=1", "data=ABC"], json!({"request": "DOWNLOAD", "data": "ABC"}));
    // Alone, a reply has no request to be read against: its frame fields only.
    round_trip("ascii-crc8", "REPLY", &["id=4", "status=0"], json!({"id": 4, "data": "00"}));
}

#[test]
fn ascii_crc8_frames_and_device_lines() {
    round_trip(
        "ascii-crc8",
        "FRAME",
        &["src=DBG", "dst=PC_", "id=7", "data=hello"],
        json!({"src": "DBG", "dst": "PC_", "id": 7, "data": "hello"}),
    );
    let data = "x".repeat(256);
    round_trip("ascii-crc8", "FRAME", &["src=abc", "dst=xyz", "id=99", &format!("data={data}")], json!({"data": data}));
    round_trip("ascii-crc8", "FRAME", &["src=PC_", "dst=STM", "data=99"], json!({"data": "99"}));
    let bytes = round_trip("ascii-crc8", "DEVICE_ERROR", &["text=ERR_CRC"], json!({"text": "ERR_CRC"}));
    assert_eq!(bytes, b"ERR_CRC\r\n");
    round_trip("ascii-crc8", "DEVICE_TEXT", &["text=SYSTEM START"], json!({"text": "SYSTEM START"}));
    let long = "t".repeat(1022);
    round_trip("ascii-crc8", "DEVICE_TEXT", &[&format!("text={long}")], json!({"text": long}));
}

// ---------------------------------------------------------------------------------------
// powerscope

const R1_COMMANDS: [&str; 9] = [
    "START_STREAM",
    "STOP_STREAM",
    "SET_PERIOD",
    "GET_PERIOD",
    "PING",
    "GET_SENSORS",
    "READ_SENSOR",
    "GET_UPTIME",
    "GET_BOARD_UID",
];

#[test]
fn powerscope_r1_every_command() {
    for (i, cmd) in R1_COMMANDS.iter().enumerate() {
        let mut args = vec![format!("cmd={cmd}"), "seq=4294967295".to_string(), "ts_ms=123456".to_string()];
        let mut fields = json!({"cmd": cmd, "cmd_id": i + 1, "seq": 4294967295u32, "ts_ms": 123456, "ver": 0});
        if matches!(*cmd, "START_STREAM" | "STOP_STREAM" | "SET_PERIOD" | "GET_PERIOD" | "READ_SENSOR") {
            args.push("sensor=255".into());
            fields["sensor"] = json!(255);
        }
        if *cmd == "SET_PERIOD" {
            args.push("period_ms=10000".into());
            fields["period_ms"] = json!(10000);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        let bytes = round_trip("powerscope", "CMD", &args, fields);
        // The command name as the message name is the same CMD.
        let mut alias = vec![*cmd];
        alias.extend(args.iter().skip(1));
        assert_eq!(encode("powerscope", &alias), bytes);
        assert_eq!(encode("powerscope:r1", &alias), bytes);
    }
    let bytes = encode("powerscope", &["SET_PERIOD", "sensor=0", "period_ms=5"]);
    assert_event(
        &decode("powerscope", &bytes)[0],
        "CMD",
        0,
        bytes.len(),
        &json!({"cmd": "SET_PERIOD", "sensor": 0, "period_ms": 5, "seq": 0, "ts_ms": 0}),
    );
}

#[test]
fn powerscope_r1_every_ack() {
    for cmd in ["START_STREAM", "STOP_STREAM", "SET_PERIOD", "PING"] {
        round_trip(
            "powerscope",
            "ACK",
            &[&format!("cmd={cmd}"), "seq=7"],
            json!({"cmd": cmd, "seq": 7, "payload_len": 0}),
        );
    }
    round_trip(
        "powerscope",
        "ACK",
        &["cmd=GET_PERIOD", "period_ms=4294967295"],
        json!({"cmd": "GET_PERIOD", "period_ms": 4294967295u32}),
    );
    round_trip("powerscope", "ACK", &["cmd=GET_UPTIME", "uptime_ms=86400000"], json!({"uptime_ms": 86400000}));
    round_trip(
        "powerscope",
        "ACK",
        &["cmd=GET_BOARD_UID", "uid_hex=00112233445566778899aabb"],
        json!({"uid_hex": "00112233445566778899aabb"}),
    );
    round_trip(
        "powerscope",
        "ACK",
        &["cmd=GET_SENSORS", "sensors=1:1,2:1"],
        json!({"sensors": [{"runtime_id": 1, "type_id": 1}, {"runtime_id": 2, "type_id": 1}]}),
    );
    round_trip("powerscope", "ACK", &["cmd=GET_SENSORS", "sensors="], json!({"sensors": []}));
    let pairs: Vec<String> = (0..23).map(|i| format!("{i}:{}", 255 - i)).collect();
    let sensors: Vec<Value> = (0..23).map(|i| json!({"runtime_id": i, "type_id": 255 - i})).collect();
    round_trip(
        "powerscope",
        "ACK",
        &["cmd=GET_SENSORS", &format!("sensors={}", pairs.join(","))],
        json!({"sensors": sensors}),
    );
    round_trip(
        "powerscope",
        "ACK",
        &["cmd=READ_SENSOR", "runtime_id=1", "bus_mv=65535", "current_ua=-2147483648"],
        json!({"cmd": "READ_SENSOR", "runtime_id": 1, "bus_mv": 65535, "current_ua": -2147483648i64}),
    );
    round_trip(
        "powerscope",
        "ACK",
        &["cmd=READ_SENSOR", "runtime_id=2", "sample_hex=0102"],
        json!({"runtime_id": 2, "sample_hex": "0102"}),
    );
}

#[test]
fn powerscope_r1_nack_and_stream() {
    round_trip(
        "powerscope",
        "NACK",
        &["cmd_id=3", "error_code=3", "seq=7"],
        json!({"cmd_id": 3, "error_code": 3, "seq": 7}),
    );
    round_trip("powerscope", "NACK", &["cmd_id=0xEE", "error_code=255"], json!({"cmd_id": 238, "error_code": 255}));
    round_trip(
        "powerscope",
        "STREAM",
        &["runtime_id=1", "bus_mv=12012", "current_ua=-22300", "seq=7", "ts_ms=59"],
        json!({"runtime_id": 1, "bus_mv": 12012, "current_ua": -22300, "seq": 7, "ts_ms": 59, "cmd_id": 255, "gap": 0}),
    );
    round_trip(
        "powerscope",
        "STREAM",
        &["runtime_id=255", "bus_mv=0", "current_ua=2147483647", "seq=4294967295", "ts_ms=4294967295", "cmd_id=0"],
        json!({"runtime_id": 255, "bus_mv": 0, "current_ua": 2147483647, "seq": 4294967295u32, "cmd_id": 0}),
    );
    let sample = "ab".repeat(45);
    round_trip(
        "powerscope",
        "STREAM",
        &["runtime_id=9", &format!("sample_hex={sample}")],
        json!({"runtime_id": 9, "sample_hex": sample}),
    );
    round_trip("powerscope", "STREAM", &["runtime_id=9", "sample_hex="], json!({"runtime_id": 9, "sample_hex": ""}));
}

#[test]
fn powerscope_r0() {
    round_trip(
        "powerscope:r0",
        "STREAM",
        &["payload_hex=00010203", "seq=1", "ts_ms=59"],
        json!({"payload_hex": "00010203", "seq": 1, "ts_ms": 59, "payload_len": 4}),
    );
    let payload = "ff".repeat(512);
    round_trip(
        "powerscope:r0",
        "STREAM",
        &[&format!("payload_hex={payload}"), "seq=4294967295"],
        json!({"payload_hex": payload, "payload_len": 512}),
    );
    round_trip("powerscope:r0", "STREAM", &["payload_hex=00"], json!({"seq": 0, "ts_ms": 0}));
    for (name, byte) in [("START", 0x01), ("STOP", 0x02)] {
        let bytes = round_trip("powerscope:r0", "CMD", &[&format!("cmd={name}")], json!({"cmd": name}));
        assert_eq!(bytes, [byte]);
        assert_eq!(encode("powerscope:r0", &[name]), [byte]);
    }
    assert_refused(&["powerscope:r0", "STREAM", "payload_hex="], "field `len` is out of range");
    assert_refused(
        &["powerscope:r0", "STREAM", &format!("payload_hex={payload}00")],
        "cannot encode powerscope:r0 STREAM",
    );
    assert_refused(&["powerscope:r0", "SET_PERIOD"], "unknown message type");
}

// ---------------------------------------------------------------------------------------
// Output destinations.

#[test]
fn hex_and_output_file() {
    let out = run(&["encode", "pmu30", "PING", "--hex"], b"");
    assert!(out.status.success());
    assert_eq!(out.stdout, b"aa000001d1f1\n");

    let dir = std::env::temp_dir().join(format!("serial-dialects-encode-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let file = dir.join("frame.bin");
    let path = file.to_str().expect("UTF-8 path");
    let out = run(&["encode", "plot", "DATA", "values=1,-1", "--output", path], b"");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(out.stdout.is_empty());
    assert_eq!(std::fs::read(&file).expect("written"), [0xAA, 2, 1, 0, 0xFF, 0xFF]);
    std::fs::remove_dir_all(&dir).expect("cleaned up");
}

// ---------------------------------------------------------------------------------------
// Errors: exit status 2, one line on stderr, nothing on stdout.

#[test]
fn usage_errors() {
    assert_refused(&["pmu31", "PING"], "unknown dialect \"pmu31\"");
    assert_refused(&["plot:65", "DATA", "values=1"], "unknown variant \"65\"");
    assert_refused(&["auto", "PING"], "unknown dialect \"auto\"");
    assert_refused(&["pmu30"], "missing MESSAGE");
    assert_refused(&["pmu30", "FOO"], "unknown message type \"FOO\" for pmu30");
    assert_refused(&["pmu30", "SET_CHANNEL", "channel_id=5", "value=1", "colour=red"], "unknown field `colour`");
    assert_refused(&["pmu30", "PING", "seq=1"], "unknown field `seq` for pmu30 PING (fields: it has no fields)");
    assert_refused(&["pmu30", "SET_CHANNEL", "channel_id=5"], "missing required field `value`");
    assert_refused(
        &["pmu30", "SET_CHANNEL", "channel_id=five", "value=1"],
        "field `channel_id`: \"five\" is not an integer",
    );
    assert_refused(&["pmu30", "SET_CHANNEL", "channel_id=70000", "value=1"], "out of range for u16");
    assert_refused(&["pmu30", "SET_CHANNEL", "channel_id=1", "value=x"], "field `value`: \"x\" is not a number");
    assert_refused(&["pmu30", "SET_CHANNEL", "channel_id", "value=1"], "expected FIELD=VALUE");
    assert_refused(&["pmu30", "SET_CHANNEL", "value=1", "value=2"], "field `value` is given twice");
    assert_refused(&["pmu30", "CONFIG_DATA", "data_hex=abc"], "field `data_hex`");
    assert_refused(&["pmu30", "TELEMETRY_DATA", "analog_values=1,2,3"], "field `analog_values` needs 8 values, got 3");
    assert_refused(&["pmu30", "INFO_RESP", "firmware_version=1.2", "hw_revision=1"], "MAJOR.MINOR.PATCH");
    assert_refused(&["vectordebug", "CLI", "text=a", "data_hex=00"], "exclude each other");
    assert_refused(&["vectordebug", "CLI"], "give one of text, data_hex");
    assert_refused(&["vectordebug", "DBG_FRAME1", "frames=1:1,2,3"], "record 1: needs 6 values, got 3");
    assert_refused(&["ascii-crc8", "REPLY", "id=1", "status=0", "lux=5"], "exclude each other");
    assert_refused(&["ascii-crc8", "REPLY", "offset=3", "status=0"], "field `offset` goes with `values`");
    assert_refused(&["ascii-crc8", "FRAME", "src=PC", "dst=STM"], "field `src`: \"PC\" is not 3 bytes");
    assert_refused(&["plot", "TEXT", "line=a\nb"], "cannot hold");
    assert_refused(&["plot", "COMMANDS", "commands=a|b|c"], "is not CMD|ARGS|CAT|DESCRIPTION");
    assert_refused(&["plot", "COMMANDS", "commands=|-|sys|x"], "a row cannot be written");
    assert_refused(&["plot", "LABEL", "labels=0:ABCDEFGHIJKLMNOPQ"], "17 bytes, at most 16");
    assert_refused(&["powerscope", "PING", "sensor=1"], "field `sensor` does not apply to CMD PING");
    assert_refused(&["powerscope", "CMD", "cmd=JUMP"], "unknown command \"JUMP\"");
    assert_refused(&["powerscope", "SET_PERIOD", "cmd=PING", "sensor=1"], "already names the CMD `cmd`");
    assert_refused(&["powerscope", "ACK", "cmd=PING", "period_ms=5"], "field `period_ms` does not apply to ACK PING");
    assert_refused(&["powerscope", "ACK", "cmd=GET_BOARD_UID", "uid_hex=00"], "needs exactly 12 bytes, got 1");
    assert_refused(
        &["pmu30", "PING", "--port", "/nonexistent/tty-serial-dialects"],
        "cannot open /nonexistent/tty-serial-dialects",
    );
    assert_refused(
        &["pmu30", "PING", "--output", "/nonexistent/dir/frame.bin"],
        "cannot create /nonexistent/dir/frame.bin",
    );
}

#[test]
fn the_library_refuses_values_with_its_own_words() {
    assert_refused(&["pmu30", "SET_CHANNEL", "channel_id=30", "value=75"], "field `channel_id` is out of range");
    assert_refused(&["pmu30", "SET_CHANNEL", "channel_id=1", "value=100.5"], "field `value` is out of range");
    assert_refused(&["pmu30", "SET_CHANNEL", "channel_id=1", "value=NaN"], "field `value` is out of range");
    assert_refused(&["pmu30", "SUBSCRIBE_TELEMETRY", "rate_hz=0"], "field `rate_hz` is out of range");
    assert_refused(
        &[
            "pmu30",
            "INFO_RESP",
            "firmware_version=1.0.0",
            "hw_revision=1",
            &format!("serial_number={}", "s".repeat(17)),
        ],
        "field `serial_number` is too long: 17 bytes, at most 16",
    );
    assert_refused(
        &["pmu30", "ERROR", "error_code=1", &format!("message={}", "m".repeat(256))],
        "field `message` is too long",
    );
    assert_refused(&["pmu30", "CONFIG_DATA", &format!("data_hex={}", "00".repeat(4093))], "field `data` is too long");
    assert_refused(&["vectordebug", "UNKNOWN", "packet_type=3"], "field `type` is out of range");
    assert_refused(
        &["vectordebug", "DBG_FRAME1", "frames=", &format!("trailing_hex={}", "00".repeat(14))],
        "field `trailing` is too long",
    );
    assert_refused(
        &["vectordebug", "CLI", &format!("data_hex={}", "00".repeat(16384 - 6))],
        "field `payload` is too long",
    );
    assert_refused(&["plot", "DATA", "values="], "field `COUNT` is out of range");
    assert_refused(&["plot", "LABEL", "labels=0:"], "field `LENGTH` is out of range");
    assert_refused(&["ascii-crc8", "VIEW", "count=0"], "field `count` is out of range");
    assert_refused(&["ascii-crc8", "VIEW", "offset=100", "count=1"], "field `offset` is out of range");
    assert_refused(&["ascii-crc8", "SET_INTERVAL", "interval_ms=10000"], "field `interval_ms` is out of range");
    assert_refused(&["ascii-crc8", "SET_MODE", "mode=7"], "field `mode` is out of range");
    assert_refused(&["ascii-crc8", "START", "id=100"], "field `ID` is out of range");
    assert_refused(&["ascii-crc8", "REPLY", "status=100"], "field `status` is out of range");
    assert_refused(&["ascii-crc8", "REPLY", "lux=10000"], "field `lux` is out of range");
    assert_refused(
        &["ascii-crc8", "REPLY", &format!("values={}", list(vec![1; 64]))],
        "field `values` is out of range",
    );
    assert_refused(
        &["ascii-crc8", "FRAME", "src=a&b", "dst=STM"],
        "field `SRC` contains a byte the format cannot carry",
    );
    assert_refused(
        &["ascii-crc8", "FRAME", "src=PC_", "dst=S M"],
        "field `DST` contains a byte the format cannot carry",
    );
    assert_refused(&["ascii-crc8", "DEVICE_TEXT", "text=a*b"], "field `text` contains a byte");
    assert_refused(&["powerscope", "SET_PERIOD", "sensor=1", "period_ms=4"], "field `period_ms` is out of range");
    assert_refused(
        &["powerscope", "STREAM", "runtime_id=1", "sample_hex=000000000000"],
        "field `sample` is out of range",
    );
    assert_refused(
        &["powerscope", "ACK", "cmd=GET_SENSORS", &format!("sensors={}", list((0..24).map(|i| format!("{i}:1"))))],
        "field `sensors` is too long",
    );
}

#[test]
fn frames_that_would_decode_as_something_else_are_refused() {
    assert_refused(&["ascii-crc8", "FRAME", "src=PC_", "dst=STM", "data=100"], "would decode as START, not FRAME");
    assert_refused(&["ascii-crc8", "FRAME", "src=STM", "dst=PC_", "data=00"], "would decode as REPLY, not FRAME");
    assert_refused(&["ascii-crc8", "DEVICE_TEXT", "text=ERR_X"], "would decode as DEVICE_ERROR, not DEVICE_TEXT");
    assert_refused(&["ascii-crc8", "DEVICE_ERROR", "text=OK"], "would decode as DEVICE_TEXT, not DEVICE_ERROR");
    assert_refused(&["plot", "TEXT", &format!("line={}", "x".repeat(1100))], "cannot encode plot TEXT");
}

// ---------------------------------------------------------------------------------------
// --list.

#[test]
fn list_shows_every_message_of_every_dialect() {
    let pmu30 = [
        "PING",
        "PONG",
        "GET_INFO",
        "INFO_RESP",
        "GET_CONFIG",
        "CONFIG_DATA",
        "SET_CONFIG",
        "CONFIG_ACK",
        "SET_CHANNEL",
        "CHANNEL_ACK",
        "SUBSCRIBE_TELEMETRY",
        "UNSUBSCRIBE_TELEMETRY",
        "TELEMETRY_DATA",
        "ERROR",
    ];
    let ascii = [
        "START",
        "STOP",
        "DOWNLOAD",
        "VIEW",
        "SET_INTERVAL",
        "GET_INTERVAL",
        "SET_MODE",
        "GET_MODE",
        "I2C_SCAN",
        "REPLY",
        "FRAME",
        "DEVICE_ERROR",
        "DEVICE_TEXT",
    ];
    let cases: [(&str, &[&str], &[&str]); 9] = [
        ("pmu30", &pmu30, &["channel_id", "u16, 0..=29", "rate_hz", "1..=100", "default 0"]),
        ("pmu30:crc-with-length", &pmu30, &["data_hex"]),
        (
            "vectordebug",
            &["DBG_FRAME1", "CLI", "UNKNOWN"],
            &["frames", "trailing_hex", "text", "data_hex", "packet_type"],
        ),
        ("plot", &["DATA", "LABEL", "TEXT", "COMMANDS"], &["values", "list of 1..=32 i16", "labels"]),
        ("plot:64", &["DATA", "LABEL", "TEXT", "COMMANDS"], &["list of 1..=64 i16", "index 0..=63"]),
        ("ascii-crc8", &ascii, &["count", "interval_ms", "lux", "address", "one of status"]),
        (
            "powerscope",
            &["STREAM", "CMD", "ACK", "NACK"],
            &["period_ms", "5..=10000", "sensor", "uid_hex", "error_code"],
        ),
        ("powerscope:r1", &["STREAM", "CMD", "ACK", "NACK"], &["SET_PERIOD"]),
        ("powerscope:r0", &["STREAM", "CMD"], &["payload_hex", "1..=512", "START or STOP"]),
    ];
    for (dialect, types, words) in cases {
        let out = run(&["encode", dialect, "--list"], b"");
        assert!(out.status.success(), "{dialect}: {}", String::from_utf8_lossy(&out.stderr));
        let text = String::from_utf8(out.stdout).expect("UTF-8");
        let headings: Vec<&str> = text
            .lines()
            .filter(|l| !l.starts_with(' ') && l.contains("  "))
            .filter_map(|l| l.split("  ").next())
            .collect();
        assert_eq!(headings, types, "{dialect}:\n{text}");
        for word in words {
            assert!(text.contains(word), "{dialect} --list lacks {word:?}:\n{text}");
        }
        // Each message shows an example command line.
        assert_eq!(
            text.matches(&format!("e.g. serial-dialects encode {}", dialect.replace(":r1", ""))).count(),
            types.len()
        );
    }
}

#[test]
fn list_of_one_message_and_list_errors() {
    let out = run(&["encode", "pmu30", "set_channel", "--list"], b"");
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).expect("UTF-8");
    assert!(text.starts_with("SET_CHANNEL  "), "{text}");
    assert!(text.contains("value") && !text.contains("PING"), "{text}");
    assert_refused(&["nope", "--list"], "unknown dialect");
    assert_refused(&["pmu30", "NOPE", "--list"], "unknown message type");
}
