//! The `type` + `fields` JSON shape of the decode contract, for every packet type, from
//! both the typed payload and the message (the zero-copy view of the wire bytes).
#![cfg(feature = "serde")]

use serde_json::{Value, json};
use serial_dialects::stream::SliceDecoder;
use serial_dialects::vectordebug::{Message, Payload, Record, Records, VectorDebug};

/// JSON of the payload and of the message its encoding decodes to; they must agree.
fn both(msg: &Payload<'_>) -> Value {
    let mut out = vec![0; msg.buffer_len()];
    let n = msg.emit(&mut out).unwrap();
    let wire = Message::new_checked(&out[..n], 1 << 20).unwrap();
    let a = serde_json::to_value(msg).unwrap();
    let b = serde_json::to_value(wire).unwrap();
    assert_eq!(a, b, "Payload and Message serialize alike");
    a
}

#[test]
fn dbg_frame1_json_shape() {
    let recs = [Record { seq: 0, payload: [i16::MIN, i16::MAX, 0, -1, 1, 2] }, Record { seq: 65535, payload: [0; 6] }];
    let v = both(&Payload::DbgFrame1 { records: Records::new(&recs) });
    assert_eq!(
        v,
        json!({"type": "DBG_FRAME1", "fields": {"frames": [
            {"seq": 0, "payload": [-32768, 32767, 0, -1, 1, 2]},
            {"seq": 65535, "payload": [0, 0, 0, 0, 0, 0]},
        ]}})
    );
    let empty = both(&Payload::DbgFrame1 { records: Records::new(&[]) });
    assert_eq!(empty, json!({"type": "DBG_FRAME1", "fields": {"frames": []}}));
}

#[test]
fn dbg_frame1_json_has_only_the_contract_keys_even_with_trailing_bytes() {
    let recs = [Record { seq: 5, payload: [1, 2, 3, 4, 5, 6] }];
    let v = both(&Payload::DbgFrame1 { records: Records::with_trailing(&recs, &[0xAB, 0x00, 0x01]) });
    assert_eq!(v, json!({"type": "DBG_FRAME1", "fields": {"frames": [{"seq": 5, "payload": [1, 2, 3, 4, 5, 6]}]}}));
}

#[test]
fn cli_json_shape() {
    let v = both(&Payload::Cli { data: b"help\r\n\x1b[32mOK\x1b[0m" });
    assert_eq!(
        v,
        json!({"type": "CLI", "fields": {"data_hex": "68656c700d0a1b5b33326d4f4b1b5b306d", "text": "help\r\n\u{1b}[32mOK\u{1b}[0m"}})
    );
    assert_eq!(both(&Payload::Cli { data: b"" }), json!({"type": "CLI", "fields": {"data_hex": "", "text": ""}}));
}

#[test]
fn cli_text_is_lossy_utf8_like_std() {
    let data: &[u8] = b"bin\0zero\xFF\xC3\x28 \xF0\x9F\x98\x80 \xE2\x82";
    let v = both(&Payload::Cli { data });
    assert_eq!(v["fields"]["text"], String::from_utf8_lossy(data).as_ref());
    // A long text crosses the writer's internal batches, also at multi-byte characters.
    let long = "Ток A: 12.5 А\r\n".repeat(40);
    let v = both(&Payload::Cli { data: long.as_bytes() });
    assert_eq!(v["fields"]["text"], long);
}

#[test]
fn unknown_json_shape() {
    // The contract names only `packet_type` for UNKNOWN.
    let v = both(&Payload::Unknown { packet_type: 0, payload: &[0xDE, 0xAD] });
    assert_eq!(v, json!({"type": "UNKNOWN", "fields": {"packet_type": 0}}));
    let v = both(&Payload::Unknown { packet_type: 255, payload: &[] });
    assert_eq!(v, json!({"type": "UNKNOWN", "fields": {"packet_type": 255}}));
}

#[test]
fn capture_cli_text_matches_the_real_tool() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/captures/vectordebug");
    let bin = std::fs::read(format!("{dir}/02_cli_interleaved.bin")).unwrap();
    let jsonl = std::fs::read_to_string(format!("{dir}/02_cli_interleaved.jsonl")).unwrap();
    let expected: Vec<Value> =
        jsonl.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).filter(|v| v["result"] == "cli").collect();
    let got: Vec<Value> = SliceDecoder::new(VectorDebug::default(), &bin)
        .filter_map(|e| e.into_frame())
        .map(|p| serde_json::to_value(p).unwrap())
        .filter(|v| v["type"] == "CLI")
        .collect();
    assert_eq!(got.len(), expected.len());
    for (g, e) in got.iter().zip(&expected) {
        assert_eq!(g["fields"]["data_hex"], e["cli_hex"]);
        if let Some(text) = e["cli"].as_str() {
            assert_eq!(g["fields"]["text"], text);
        }
    }
}

#[test]
fn capture_frames_json_matches_the_real_tool() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/captures/vectordebug");
    let bin = std::fs::read(format!("{dir}/09_zero_heavy_payload.bin")).unwrap();
    let jsonl = std::fs::read_to_string(format!("{dir}/09_zero_heavy_payload.jsonl")).unwrap();
    let chunks: Vec<Value> =
        jsonl.lines().map(|l| serde_json::from_str::<Value>(l).unwrap()).filter(|v| v["result"] == "dbg").collect();
    let packets: Vec<Value> = SliceDecoder::new(VectorDebug::default(), &bin)
        .filter_map(|e| e.into_frame())
        .map(|p| serde_json::to_value(p).unwrap())
        .collect();
    assert_eq!(packets.len(), chunks.len());
    for (p, c) in packets.iter().zip(&chunks) {
        assert_eq!(p["type"], "DBG_FRAME1");
        let frames = p["fields"]["frames"].as_array().unwrap();
        let want = c["frames"].as_array().unwrap();
        assert_eq!(frames.len(), want.len());
        for (f, w) in frames.iter().zip(want) {
            let w = w.as_array().unwrap();
            assert_eq!(f["seq"], w[0]);
            assert_eq!(f["payload"].as_array().unwrap()[..], w[1..]);
        }
    }
}
