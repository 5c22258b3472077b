//! The `serde` shape of every ascii-crc8 message type: `{"type": ..., "fields": {...}}` as in
//! the decode JSON contract, with absent keys omitted.
#![cfg(feature = "serde")]

use serde_json::{Value, json};
use serial_dialects::SliceDecoder;
use serial_dialects::ascii_crc8::{AsciiCrc8, Message};

/// The JSON of every decoded message of `input`.
fn json_of(input: &[u8]) -> Vec<Value> {
    SliceDecoder::new(AsciiCrc8::default(), input)
        .filter_map(|e| e.into_frame())
        .map(|m: Message<'_>| serde_json::to_value(m).unwrap())
        .collect()
}

fn frame(src: &str, dst: &str, id: u8, data: &str, crc: u8) -> Value {
    json!({"src": src, "dst": dst, "id": id, "data": data, "crc": crc})
}

fn with(mut base: Value, extra: Value) -> Value {
    let map = base.as_object_mut().unwrap();
    for (k, v) in extra.as_object().unwrap() {
        map.insert(k.clone(), v.clone());
    }
    base
}

#[test]
fn parameterless_requests() {
    let got = json_of(
        b"&PC_STM010031000F*&PC_STM020031107C*&PC_STM030031209C*&PC_STM060031505D*&PC_STM0800317051*&PC_STM090031804D*",
    );
    let types: Vec<&str> = got.iter().map(|v| v["type"].as_str().unwrap()).collect();
    assert_eq!(types, ["START", "STOP", "DOWNLOAD", "GET_INTERVAL", "GET_MODE", "I2C_SCAN"]);
    assert_eq!(got[0], json!({"type": "START", "fields": frame("PC_", "STM", 1, "100", 0x0F)}));
}

#[test]
fn view_set_interval_set_mode_requests() {
    let got = json_of(b"&PC_STM0400613000202*&PC_STM0200614050092*&PC_STM07003161BA*");
    assert_eq!(
        got[0],
        json!({"type": "VIEW", "fields": with(frame("PC_", "STM", 4, "130002", 0x02), json!({"offset": 0, "count": 2}))})
    );
    assert_eq!(
        got[1],
        json!({"type": "SET_INTERVAL", "fields": with(frame("PC_", "STM", 2, "140500", 0x92), json!({"interval_ms": 500}))})
    );
    assert_eq!(
        got[2],
        json!({"type": "SET_MODE", "fields": with(frame("PC_", "STM", 7, "161", 0xBA), json!({"mode": 1}))})
    );
}

#[test]
fn unreadable_parameters_are_omitted() {
    let mut buf = [0u8; 64];
    let mut input = Vec::new();
    for data in [&b"13"[..], b"14050", b"16"] {
        let n = serial_dialects::ascii_crc8::emit_frame(
            &mut buf,
            serial_dialects::ascii_crc8::Address::PC,
            serial_dialects::ascii_crc8::Address::STM,
            1,
            data,
        )
        .unwrap();
        input.extend_from_slice(&buf[..n]);
    }
    for v in json_of(&input) {
        let mut keys: Vec<&String> = v["fields"].as_object().unwrap().keys().collect();
        keys.sort();
        assert_eq!(keys, ["crc", "data", "dst", "id", "src"], "{v}");
    }
}

#[test]
fn replies_matched_and_unmatched() {
    // DOWNLOAD then its reply; I2C_SCAN then its reply; VIEW then its reply; a status.
    let got = json_of(
        b"&PC_STM040031208F*&STMPC_040042600C4*&PC_STM090031804D*&STMPC_090022390*\
          &PC_STM0400613000202*&STMPC_04010002600259988*&PC_STM0200614050092*&STMPC_020020087*\
          &PC_STM060031505D*&STMPC_060041000A5*&PC_STM0800317051*&STMPC_08001157*",
    );
    assert_eq!(
        got[1],
        json!({"type": "REPLY", "fields": with(frame("STM", "PC_", 4, "2600", 0xC4), json!({"request": "DOWNLOAD", "lux": 2600}))})
    );
    assert_eq!(
        got[3],
        json!({"type": "REPLY", "fields": with(frame("STM", "PC_", 9, "23", 0x90), json!({"request": "I2C_SCAN", "address": 35}))})
    );
    assert_eq!(
        got[5],
        json!({"type": "REPLY", "fields": with(frame("STM", "PC_", 4, "0026002599", 0x88), json!({"request": "VIEW", "offset": 0, "values": [2600, 2599]}))})
    );
    assert_eq!(
        got[7],
        json!({"type": "REPLY", "fields": with(frame("STM", "PC_", 2, "00", 0x87), json!({"request": "SET_INTERVAL", "status": 0}))})
    );
    assert_eq!(got[9]["fields"]["interval_ms"], 1000);
    assert_eq!(got[11]["fields"]["mode"], 1);
    // Without the request: no `request`, no answer keys.
    let alone = json_of(b"&STMPC_040042600C4*");
    assert_eq!(alone[0], json!({"type": "REPLY", "fields": frame("STM", "PC_", 4, "2600", 0xC4)}));
}

#[test]
fn other_frames_and_device_lines() {
    let got = json_of(b"&ABCSTM01002197A*\r\nSYSTEM START\r\nERR_CRC\r\n");
    assert_eq!(got[0]["type"], "FRAME");
    assert_eq!(got[0]["fields"].as_object().unwrap().len(), 5);
    assert_eq!(got[1], json!({"type": "DEVICE_TEXT", "fields": {"text": "SYSTEM START"}}));
    assert_eq!(got[2], json!({"type": "DEVICE_ERROR", "fields": {"text": "ERR_CRC"}}));
}
