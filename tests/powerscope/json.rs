//! The `type` + `fields` JSON shape of every message type (docs/decode-json.md).
#![cfg(feature = "serde")]

use serde_json::{Value, json};
use serial_dialects::SliceDecoder;
use serial_dialects::powerscope::{
    Ack, Cmd, Command, ErrorCode, Ina219Sample, Message, Nack, PowerScope, Reply, SensorList, SensorPacket, Stream, r0,
};

fn to_json<'a>(m: impl Into<Message<'a>>) -> Value {
    serde_json::to_value(m.into()).unwrap()
}

const SAMPLE: Ina219Sample = Ina219Sample { runtime_id: 2, bus_mv: 12_304, current_ua: -23_600 };

#[test]
fn r0_stream_json() {
    let s = r0::Stream { seq: 7, ts_ms: 40, reserved: 0x1234, payload: &[0x07, 0x08, 0xAB], gap: 1 };
    assert_eq!(
        to_json(Message::R0Stream(s)),
        json!({"type": "STREAM", "fields": {"ver": 0, "seq": 7, "ts_ms": 40, "payload_len": 3, "gap": 1, "payload_hex": "0708ab"}})
    );
}

#[test]
fn r0_command_json() {
    assert_eq!(to_json(Message::R0Command(r0::Command::Start)), json!({"type": "CMD", "fields": {"cmd": "START"}}));
    assert_eq!(to_json(Message::R0Command(r0::Command::Stop)), json!({"type": "CMD", "fields": {"cmd": "STOP"}}));
}

#[test]
fn r1_stream_json() {
    let s = Stream { gap: 3, ..Stream::new(4, 235, SensorPacket::Ina219(SAMPLE)) };
    assert_eq!(
        to_json(Message::Stream(s)),
        json!({"type": "STREAM", "fields": {
            "ver": 0, "seq": 4, "ts_ms": 235, "payload_len": 7, "cmd_id": 255, "gap": 3,
            "runtime_id": 2, "bus_mv": 12304, "current_ua": -23600}})
    );
    let raw = Stream::new(1, 2, SensorPacket::Raw { runtime_id: 9, sample: &[0xDE, 0xAD] });
    assert_eq!(
        to_json(Message::Stream(raw)),
        json!({"type": "STREAM", "fields": {
            "ver": 0, "seq": 1, "ts_ms": 2, "payload_len": 3, "cmd_id": 255, "gap": 0,
            "runtime_id": 9, "sample_hex": "dead"}})
    );
}

#[test]
fn r1_cmd_json() {
    let base =
        |cmd_id: u8, len: usize| json!({"ver": 0, "seq": 8, "ts_ms": 1994041479, "payload_len": len, "cmd_id": cmd_id});
    let with = |mut v: Value, extra: Value| {
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"type": "CMD", "fields": v})
    };
    let cases = [
        (Command::StartStream { sensor: 1 }, with(base(1, 1), json!({"cmd": "START_STREAM", "sensor": 1}))),
        (Command::StopStream { sensor: 1 }, with(base(2, 1), json!({"cmd": "STOP_STREAM", "sensor": 1}))),
        (
            Command::SetPeriod { sensor: 1, period_ms: 20 },
            with(base(3, 3), json!({"cmd": "SET_PERIOD", "sensor": 1, "period_ms": 20})),
        ),
        (Command::GetPeriod { sensor: 2 }, with(base(4, 1), json!({"cmd": "GET_PERIOD", "sensor": 2}))),
        (Command::Ping, with(base(5, 0), json!({"cmd": "PING"}))),
        (Command::GetSensors, with(base(6, 0), json!({"cmd": "GET_SENSORS"}))),
        (Command::ReadSensor { sensor: 2 }, with(base(7, 1), json!({"cmd": "READ_SENSOR", "sensor": 2}))),
        (Command::GetUptime, with(base(8, 0), json!({"cmd": "GET_UPTIME"}))),
        (Command::GetBoardUid, with(base(9, 0), json!({"cmd": "GET_BOARD_UID"}))),
    ];
    for (command, want) in cases {
        assert_eq!(to_json(Message::Cmd(Cmd::new(8, 1_994_041_479, command))), want, "{command:?}");
    }
}

#[test]
fn r1_ack_json() {
    let uid = [0x48, 0x35, 0x8A, 0xB4, 0xA2, 0x91, 0x92, 0x5A, 0xFC, 0x00, 0xE4, 0xF0];
    let sensors = SensorList::new(&[1, 1, 2, 1]).unwrap();
    let base = |cmd_id: u8, len: usize| json!({"ver": 0, "seq": 3, "ts_ms": 110, "payload_len": len, "cmd_id": cmd_id});
    let with = |mut v: Value, extra: Value| {
        v.as_object_mut().unwrap().extend(extra.as_object().unwrap().clone());
        json!({"type": "ACK", "fields": v})
    };
    let cases = [
        (Reply::StartStream, with(base(1, 0), json!({"cmd": "START_STREAM"}))),
        (Reply::StopStream, with(base(2, 0), json!({"cmd": "STOP_STREAM"}))),
        (Reply::SetPeriod, with(base(3, 0), json!({"cmd": "SET_PERIOD"}))),
        (Reply::GetPeriod { period_ms: 1000 }, with(base(4, 4), json!({"cmd": "GET_PERIOD", "period_ms": 1000}))),
        (Reply::Ping, with(base(5, 0), json!({"cmd": "PING"}))),
        (
            Reply::GetSensors(sensors),
            with(
                base(6, 4),
                json!({"cmd": "GET_SENSORS", "sensors": [{"runtime_id": 1, "type_id": 1}, {"runtime_id": 2, "type_id": 1}]}),
            ),
        ),
        (
            Reply::ReadSensor(SensorPacket::Ina219(SAMPLE)),
            with(base(7, 7), json!({"cmd": "READ_SENSOR", "runtime_id": 2, "bus_mv": 12304, "current_ua": -23600})),
        ),
        (Reply::GetUptime { uptime_ms: 250 }, with(base(8, 4), json!({"cmd": "GET_UPTIME", "uptime_ms": 250}))),
        (
            Reply::GetBoardUid { uid },
            with(base(9, 12), json!({"cmd": "GET_BOARD_UID", "uid_hex": "48358ab4a291925afc00e4f0"})),
        ),
    ];
    for (reply, want) in cases {
        assert_eq!(to_json(Message::Ack(Ack::new(3, 110, reply))), want, "{reply:?}");
    }
    let empty = Reply::GetSensors(SensorList::new(&[]).unwrap());
    assert_eq!(to_json(Message::Ack(Ack::new(3, 110, empty)))["fields"]["sensors"], json!([]));
}

#[test]
fn r1_nack_json() {
    for (code, byte) in [(ErrorCode::SensorBusy, 4), (ErrorCode::UnknownError, 255), (ErrorCode::Unknown(77), 77)] {
        assert_eq!(
            to_json(Message::Nack(Nack::new(6, 130, 0x42, code))),
            json!({"type": "NACK", "fields": {"ver": 0, "seq": 6, "ts_ms": 130, "payload_len": 1, "cmd_id": 0x42, "error_code": byte}})
        );
    }
}

#[test]
fn capture_json_agrees_with_the_real_decoder() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/captures/powerscope/");
    let bin = std::fs::read(format!("{dir}head_commands_dev2host.bin")).unwrap();
    let text = std::fs::read_to_string(format!("{dir}head_commands_dev2host.jsonl")).unwrap();
    let expected: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    let events: Vec<_> = SliceDecoder::new(PowerScope::r1(), &bin).collect();
    assert_eq!(events.len(), expected.len());
    for (event, exp) in events.iter().zip(&expected) {
        let v = to_json(*event.frame().unwrap());
        let f = &v["fields"];
        assert_eq!(v["type"], exp["type_name"]);
        for key in ["ver", "seq", "ts_ms", "cmd_id"] {
            assert_eq!(f[key], exp[key], "{key}");
        }
        assert_eq!(f["payload_len"], exp["len"]);
        if let Some(name) = exp.get("cmd_name") {
            assert_eq!(&f["cmd"], name);
        }
        if let Some(d) = exp.get("decoded") {
            for key in ["period_ms", "uptime_ms"] {
                if let Some(x) = d.get(key) {
                    assert_eq!(&f[key], x);
                }
            }
        }
        if exp.get("bus_mV").is_some() {
            assert_eq!(f["bus_mv"], exp["bus_mV"]);
            assert_eq!(f["current_ua"], exp["current_uA"]);
        }
        if exp["cmd_name"] == "GET_BOARD_UID" {
            assert_eq!(f["uid_hex"], exp["payload_hex"]);
        }
    }
}

#[test]
fn r0_capture_json_agrees_with_the_real_decoder() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/captures/powerscope/");
    let bin = std::fs::read(format!("{dir}seed_stream_truncated.bin")).unwrap();
    let text = std::fs::read_to_string(format!("{dir}seed_stream_truncated.jsonl")).unwrap();
    let expected: Vec<Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|v: &Value| v.get("frame_len").is_some())
        .collect();
    let frames: Vec<Value> =
        SliceDecoder::new(PowerScope::r0(), &bin).filter_map(|e| e.into_frame()).map(to_json).collect();
    assert_eq!(frames.len(), expected.len());
    for (v, exp) in frames.iter().zip(&expected) {
        assert_eq!(v["type"], "STREAM");
        for key in ["ver", "seq", "ts_ms", "gap"] {
            assert_eq!(v["fields"][key], exp[key], "{key}");
        }
        assert_eq!(v["fields"]["payload_len"], exp["len"]);
        assert_eq!(v["fields"].as_object().unwrap().len(), 6);
        assert!(v["fields"].get("cmd_id").is_none(), "revision 0 has no cmd_id");
    }
}
