//! The real captures decode to exactly what the real tools reported (clean captures), and
//! every intact frame is recovered and every invalid one rejected (error captures).

use serde_json::Value;
use serial_dialects::powerscope::{
    Command, Error, Ina219Sample, Message, PowerScope, Reply, Revision, SensorPacket, r0,
};
use serial_dialects::{ErrorKind, Event, SliceDecoder};

use crate::common;

type Ev<'a> = Event<Message<'a>, Error>;

fn capture(name: &str) -> (Vec<u8>, Vec<Value>) {
    common::capture_with_records("powerscope", name)
}

fn decode(dialect: PowerScope, input: &[u8]) -> (Vec<Ev<'_>>, u64) {
    let mut decoder = SliceDecoder::new(dialect, input);
    let events: Vec<Ev<'_>> = decoder.by_ref().collect();
    common::assert_tiles(&events.iter().map(common::summarize).collect::<Vec<_>>(), input.len());
    (events, decoder.stats().lost_frames)
}

fn u(v: &Value, key: &str) -> u64 {
    v.get(key).and_then(Value::as_u64).unwrap_or_else(|| panic!("`{key}` in {v}"))
}

fn i(v: &Value, key: &str) -> i64 {
    v.get(key).and_then(Value::as_i64).unwrap_or_else(|| panic!("`{key}` in {v}"))
}

fn s<'v>(v: &'v Value, key: &str) -> &'v str {
    v.get(key).and_then(Value::as_str).unwrap_or_else(|| panic!("`{key}` in {v}"))
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The frame's event is where the jsonl says, and the message re-encodes to its bytes.
fn check_placement(event: &Ev<'_>, expected: &Value, input: &[u8]) {
    assert_eq!(event.offset, u(expected, "offset"), "offset of {expected}");
    assert_eq!(event.len as u64, u(expected, "frame_len"), "length of {expected}");
    let message = event.frame().unwrap_or_else(|| panic!("expected a frame at {expected}, got {:?}", event.item));
    let mut out = [0u8; 600];
    let n = message.emit(&mut out).expect("re-encode");
    let start = event.offset as usize;
    assert_eq!(&out[..n], &input[start..start + event.len], "re-encoding of {message:?}");
}

/// Header fields every revision-1 frame carries.
fn check_r1_header(m: &Message<'_>, expected: &Value) {
    assert_eq!(m.frame_type().name(), s(expected, "type_name"));
    let header = m.header().expect("a revision-1 message has a header");
    assert_eq!(u64::from(header.seq), u(expected, "seq"));
    assert_eq!(u64::from(header.ts_ms), u(expected, "ts_ms"));
    assert_eq!(u64::from(header.cmd_id), u(expected, "cmd_id"));
    assert_eq!(u64::from(header.len), u(expected, "len"));
    assert_eq!(u64::from(header.ver), u(expected, "ver"));
    assert_eq!(u(expected, "ver"), 0);
}

/// An INA219 sample equals the jsonl's raw integers, and its units are the firmware's.
fn check_sample(sample: &Ina219Sample, expected: &Value, runtime_key: &str) {
    if let Some(id) = expected.get(runtime_key) {
        assert_eq!(Some(u64::from(sample.runtime_id)), id.as_u64());
    }
    assert_eq!(u64::from(sample.bus_mv), u(expected, "bus_mV"));
    assert_eq!(i64::from(sample.current_ua), i(expected, "current_uA"));
    let close = |a: f32, key: &str| {
        let b = expected[key].as_f64().unwrap();
        assert!((f64::from(a) - b).abs() <= 1e-4 * b.abs().max(1.0), "{key}: {a} vs {b}");
    };
    close(sample.bus_volts(), "bus_V");
    close(sample.current_ma(), "current_mA");
    close(sample.power_mw(), "power_mW_firmware_units");
    // The real host shows the current 10x too small; the raw value it starts from is ours.
    if let Some(current) = expected.pointer("/host_channels/Current/raw") {
        assert_eq!(current.as_f64(), Some(sample.current_ua as f64));
    }
}

fn r1_message<'e, 'a>(event: &'e Ev<'a>) -> &'e Message<'a> {
    match event.frame() {
        Some(m) if m.revision() == Revision::R1 => m,
        other => panic!("expected a revision-1 message, got {other:?}"),
    }
}

#[test]
fn head_stream_clean_every_frame_and_field() {
    let (input, expected) = capture("head_stream_clean");
    let (events, lost) = decode(PowerScope::r1(), &input);
    assert_eq!(expected.len(), 154);
    assert_eq!(events.len(), 154, "one event per frame, no errors");
    let mut first_seen = [false; 256];
    for (event, exp) in events.iter().zip(&expected) {
        check_placement(event, exp, &input);
        let m = r1_message(event);
        check_r1_header(m, exp);
        let Message::Stream(stream) = m else { panic!("STREAM expected") };
        let Some(sample) = stream.packet.ina219() else { panic!("INA219 sample expected") };
        check_sample(sample, exp, "sensor_runtime_id");
        assert_eq!(hex(&sample.to_bytes()), s(exp, "payload_hex"));
        let id = usize::from(sample.runtime_id);
        assert_eq!(stream.gap, if first_seen[id] { 1 } else { 0 }, "gap of {exp}");
        first_seen[id] = true;
    }
    assert_eq!(lost, 0);
}

#[test]
fn head_commands_host2dev_every_command() {
    let (input, expected) = capture("head_commands_host2dev");
    let (events, _) = decode(PowerScope::r1(), &input);
    assert_eq!(events.len(), 12);
    assert_eq!(expected.len(), 12);
    for (event, exp) in events.iter().zip(&expected) {
        check_placement(event, exp, &input);
        let m = r1_message(event);
        check_r1_header(m, exp);
        let Message::Cmd(cmd) = m else { panic!("CMD expected") };
        assert_eq!(cmd.command.id().name(), s(exp, "cmd_name"));
        // The host's label carries the parameters as JSON after the command name.
        let label = s(exp, "host_label");
        let params: Value = match label.find('{') {
            Some(at) => serde_json::from_str(&label[at..]).unwrap(),
            None => Value::Object(Default::default()),
        };
        assert_eq!(
            cmd.command.sensor().map(u64::from),
            params.get("sensor_runtime_id").and_then(Value::as_u64),
            "{label}"
        );
        let period = match cmd.command {
            Command::SetPeriod { period_ms, .. } => Some(u64::from(period_ms)),
            _ => None,
        };
        assert_eq!(period, params.get("period_ms").and_then(Value::as_u64), "{label}");
        assert_eq!(cmd.command.validate(), Ok(()));
    }
}

#[test]
fn head_commands_dev2host_every_answer_and_sample() {
    let (input, expected) = capture("head_commands_dev2host");
    let (events, lost) = decode(PowerScope::r1(), &input);
    assert_eq!(events.len(), expected.len());
    assert_eq!(events.len(), 17);
    let mut checked = [0usize; 4];
    for (event, exp) in events.iter().zip(&expected) {
        check_placement(event, exp, &input);
        let m = r1_message(event);
        check_r1_header(m, exp);
        match m {
            Message::Stream(stream) => {
                check_sample(stream.packet.ina219().expect("INA219"), exp, "sensor_runtime_id");
                assert_eq!(stream.gap, u32::from(stream.seq != 0));
                checked[0] += 1;
            }
            Message::Ack(ack) => {
                assert_eq!(ack.reply.id().name(), s(exp, "cmd_name"));
                let decoded = &exp["decoded"];
                assert_eq!(u64::from(ack.seq), u(decoded, "seq"));
                assert_eq!(u64::from(ack.ts_ms), u(decoded, "ts_ms"));
                match &ack.reply {
                    Reply::GetPeriod { period_ms } => assert_eq!(u64::from(*period_ms), u(decoded, "period_ms")),
                    Reply::GetUptime { uptime_ms } => assert_eq!(u64::from(*uptime_ms), u(decoded, "uptime_ms")),
                    Reply::GetBoardUid { uid } => {
                        assert_eq!(hex(uid), s(exp, "payload_hex"));
                        let words = ack.reply.uid_words().unwrap();
                        let want = ["uid_w0", "uid_w1", "uid_w2"].map(|k| u(decoded, k) as u32);
                        assert_eq!(words, want);
                    }
                    Reply::GetSensors(list) => {
                        let want: Vec<(u64, u64)> = decoded["sensors"]
                            .as_array()
                            .unwrap()
                            .iter()
                            .map(|e| (u(e, "sensor_runtime_id"), u(e, "type_id")))
                            .collect();
                        let got: Vec<(u64, u64)> =
                            list.iter().map(|e| (u64::from(e.runtime_id), u64::from(e.type_id))).collect();
                        assert_eq!(got, want);
                    }
                    Reply::ReadSensor(SensorPacket::Ina219(sample)) => {
                        assert_eq!(u64::from(sample.runtime_id), u(decoded, "sensor_runtime_id"));
                        assert_eq!(hex(&sample.to_bytes()[1..]), s(decoded, "raw_readings"));
                        check_sample(sample, exp, "sensor_runtime_id");
                    }
                    Reply::ReadSensor(other) => panic!("INA219 sample expected, got {other:?}"),
                    Reply::StartStream | Reply::StopStream | Reply::SetPeriod | Reply::Ping => {
                        assert_eq!(s(exp, "payload_hex"), "");
                        // Nothing but seq and ts_ms was decoded.
                        assert_eq!(decoded.as_object().unwrap().len(), 2);
                    }
                }
                checked[2] += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(checked, [5, 0, 12, 0]);
    assert_eq!(lost, 0);
}

#[test]
fn head_stream_bad_crc_recovers_9_frames_and_rejects_3() {
    let (input, expected) = capture("head_stream_bad_crc");
    let (events, _) = decode(PowerScope::r1(), &input);
    let frames: Vec<&Value> = expected.iter().filter(|e| e.get("frame_len").is_some()).collect();
    let mismatches: Vec<&Value> =
        expected.iter().filter(|e| e.get("event").and_then(Value::as_str) == Some("crc_mismatch")).collect();
    assert_eq!((frames.len(), mismatches.len()), (9, 3));
    assert_eq!(events.len(), 12);
    let mut f = frames.iter();
    let mut m = mismatches.iter();
    for event in &events {
        match &event.item {
            serial_dialects::Item::Frame(message) => {
                let exp = f.next().unwrap();
                check_placement(event, exp, &input);
                let m = r1_message(event);
                check_r1_header(m, exp);
                let Message::Stream(stream) = message else { panic!() };
                check_sample(stream.packet.ina219().unwrap(), exp, "sensor_runtime_id");
            }
            serial_dialects::Item::Error(error) => {
                let exp = m.next().unwrap();
                // The rejection covers exactly the corrupted frame: the magic the peer
                // skipped plus the 23 bytes it discarded silently.
                assert_eq!(event.offset, u(exp, "offset"));
                assert_eq!(event.len, 25);
                let expected_error =
                    Error::CrcMismatch { received: u(exp, "rx_crc") as u16, computed: u(exp, "calc_crc") as u16 };
                assert_eq!(error, &expected_error);
                assert_eq!(event.error_kind(), Some(ErrorKind::CrcMismatch));
            }
        }
    }
    // Sensor 1 lost seq 1, 3 and 4 (gap 2, then 3); sensor 2 lost none... as the seqs say.
    let mut last = std::collections::HashMap::new();
    let mut lost = 0u64;
    for exp in &frames {
        let id = u(exp, "sensor_runtime_id");
        if let Some(prev) = last.insert(id, u(exp, "seq")) {
            lost += u(exp, "seq") - prev - 1;
        }
    }
    let (_, decoder_lost) = decode(PowerScope::r1(), &input);
    assert_eq!(decoder_lost, lost);
    assert_eq!(lost, 3);
}

fn r0_stream<'e, 'a>(event: &'e Ev<'a>) -> &'e r0::Stream<'a> {
    match event.frame() {
        Some(Message::R0Stream(s)) => s,
        other => panic!("expected a revision-0 STREAM frame, got {other:?}"),
    }
}

fn check_r0_frame(event: &Ev<'_>, exp: &Value, input: &[u8]) {
    check_placement(event, exp, input);
    let stream = r0_stream(event);
    assert_eq!(u64::from(stream.seq), u(exp, "seq"));
    assert_eq!(u64::from(stream.ts_ms), u(exp, "ts_ms"));
    assert_eq!(stream.payload.len() as u64, u(exp, "len"));
    assert_eq!(u64::from(stream.reserved), u(exp, "rsv"));
    assert_eq!(u64::from(stream.gap), u(exp, "gap"));
    assert_eq!(stream.shell_line().to_string(), s(exp, "printed"));
    // The original firmware's test ramp: payload[i] = (phase + i) & 0xFF.
    let phase = u(exp, "payload_phase") as u8;
    let is_ramp = stream.payload.iter().enumerate().all(|(i, &b)| b == phase.wrapping_add(i as u8));
    assert_eq!(Some(is_ramp), exp["payload_is_test_ramp"].as_bool());
}

/// The shell's stdout, minus its two banner lines.
fn shell_lines(expected: &[Value]) -> Vec<String> {
    let stdout = expected.last().unwrap()["shell_stdout"].as_array().unwrap();
    stdout.iter().skip(2).map(|l| l.as_str().unwrap().to_owned()).collect()
}

#[test]
fn seed_stream_clean_every_frame_gap_and_shell_line() {
    let (input, expected) = capture("seed_stream_clean");
    let (events, lost) = decode(PowerScope::r0(), &input);
    let frames = &expected[..expected.len() - 1];
    assert_eq!(frames.len(), 150);
    assert_eq!(events.len(), 150);
    for (event, exp) in events.iter().zip(frames) {
        check_r0_frame(event, exp, &input);
    }
    let ours: Vec<String> = events.iter().map(|e| r0_stream(e).shell_line().to_string()).collect();
    assert_eq!(ours, shell_lines(&expected));
    assert_eq!(lost, 0);
}

#[test]
fn seed_stream_truncated_10_frames_and_one_truncated_event() {
    let (input, expected) = capture("seed_stream_truncated");
    let (events, _) = decode(PowerScope::r0(), &input);
    let frames: Vec<&Value> = expected.iter().filter(|e| e.get("frame_len").is_some()).collect();
    assert_eq!(frames.len(), 10);
    assert_eq!(events.len(), 11);
    for (event, exp) in events.iter().zip(&frames) {
        check_r0_frame(event, exp, &input);
    }
    let cut = expected.iter().find(|e| e["event"] == "truncated_payload").unwrap();
    let last = events.last().unwrap();
    assert_eq!(last.offset, u(cut, "offset"));
    assert_eq!(last.len, input.len() - last.offset as usize);
    assert_eq!(last.len as u64, 16 + u(cut, "available"));
    assert_eq!(
        last.error(),
        Some(&Error::Truncated { frame_len: Some(16 + u(cut, "expected_payload") as usize), available: last.len })
    );
    let ours: Vec<String> =
        events.iter().filter_map(|e| e.frame()).filter_map(|m| m.shell_line()).map(|l| l.to_string()).collect();
    assert_eq!(ours, shell_lines(&expected));
}

#[test]
fn seed_commands_host2dev_raw_command_bytes() {
    let (input, expected) = capture("seed_commands_host2dev");
    assert_eq!(input, [0x02, 0x05, 0x01, 0x02, 0x01]);
    let (events, _) = decode(PowerScope::r0(), &input);
    assert_eq!(events.len(), 5);
    for (event, exp) in events.iter().zip(&expected) {
        assert_eq!(event.offset, u(exp, "offset"));
        assert_eq!(event.len, 1);
        match r0::Command::from_byte(u(exp, "opcode") as u8) {
            Some(command) => assert_eq!(event.frame(), Some(&Message::R0Command(command))),
            // The firmware ignores other bytes: they are garbage here.
            None => assert_eq!(event.error(), Some(&Error::Garbage { len: 1 })),
        }
    }
    let names: Vec<&str> = events
        .iter()
        .map(|e| match e.frame() {
            Some(Message::R0Command(c)) => c.name(),
            _ => "garbage",
        })
        .collect();
    assert_eq!(names, ["STOP", "garbage", "START", "STOP", "START"]);
}

#[test]
fn every_capture_is_chunking_invariant() {
    for (name, make) in [
        ("head_commands_dev2host", PowerScope::r1 as fn() -> PowerScope),
        ("head_commands_host2dev", PowerScope::r1),
        ("head_stream_bad_crc", PowerScope::r1),
        ("head_stream_clean", PowerScope::r1),
        ("seed_commands_host2dev", PowerScope::r0),
        ("seed_stream_clean", PowerScope::r0),
        ("seed_stream_truncated", PowerScope::r0),
    ] {
        let (input, _) = capture(name);
        common::assert_chunking_invariant(make, &input);
    }
}

#[test]
fn revision_0_decoder_on_revision_1_capture_does_not_panic_and_tiles() {
    // The wrong revision is a configuration error, but it must stay harmless.
    for name in ["head_stream_clean", "head_commands_dev2host"] {
        let (input, _) = capture(name);
        let _ = decode(PowerScope::r0(), &input);
    }
    for name in ["seed_stream_clean", "seed_commands_host2dev"] {
        let (input, _) = capture(name);
        let (events, _) = decode(PowerScope::r1(), &input);
        assert!(events.iter().all(|e| e.frame().is_none()), "{name}: no r0 frame passes as r1");
    }
}
