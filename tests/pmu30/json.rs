//! The `serde` shape of every message type: exactly `{"type": ..., "fields": {...}}` of
//! the decode JSON contract.
#![cfg(feature = "serde")]

use serde_json::{Value, json};
use serial_dialects::SliceDecoder;
use serial_dialects::pmu30::{
    ChannelAck, ChannelState, ConfigAck, ConfigChunk, DeviceError, FaultFlags, InfoResp, Message, Pmu30, SetChannel,
    SubscribeTelemetry, Success, TelemetryPacket,
};

fn to_json(msg: &Message<'_>) -> Value {
    serde_json::to_value(msg).unwrap()
}

#[test]
fn empty_payloads_have_empty_fields() {
    for (msg, name) in [
        (Message::Ping {}, "PING"),
        (Message::Pong {}, "PONG"),
        (Message::GetInfo {}, "GET_INFO"),
        (Message::GetConfig {}, "GET_CONFIG"),
        (Message::UnsubscribeTelemetry {}, "UNSUBSCRIBE_TELEMETRY"),
    ] {
        assert_eq!(to_json(&msg), json!({"type": name, "fields": {}}));
        assert_eq!(msg.msg_type().name(), name);
    }
}

#[test]
fn info_resp_json() {
    let info = InfoResp::new([1, 0, 0], 2, "PMU30-0001A2B3", "PMU-30 Race Car").unwrap();
    assert_eq!(
        to_json(&Message::InfoResp(info)),
        json!({"type": "INFO_RESP", "fields": {
            "firmware_version": "1.0.0", "hw_revision": 2,
            "serial_number": "PMU30-0001A2B3", "device_name": "PMU-30 Race Car"}})
    );
    // Invalid UTF-8 is shown lossily.
    let mut raw = info;
    raw.device_name[..3].copy_from_slice(&[b'a', 0xFF, b'b']);
    raw.device_name[3] = 0;
    assert_eq!(to_json(&Message::InfoResp(raw))["fields"]["device_name"], "a\u{FFFD}b");
}

#[test]
fn config_chunks_json() {
    let chunk = ConfigChunk { chunk_index: 3, total_chunks: 5, data: b"{\"a\"" };
    let fields = json!({"chunk_index": 3, "total_chunks": 5, "data_hex": "7b226122"});
    assert_eq!(to_json(&Message::ConfigData(chunk)), json!({"type": "CONFIG_DATA", "fields": fields}));
    assert_eq!(to_json(&Message::SetConfig(chunk)), json!({"type": "SET_CONFIG", "fields": fields}));
    let empty = ConfigChunk { chunk_index: 0, total_chunks: 1, data: b"" };
    assert_eq!(to_json(&Message::SetConfig(empty))["fields"]["data_hex"], "");
}

#[test]
fn acks_json_success_is_a_bool() {
    assert_eq!(
        to_json(&Message::ConfigAck(ConfigAck { success: Success(2), error_code: 0x20 })),
        json!({"type": "CONFIG_ACK", "fields": {"success": true, "error_code": 32}})
    );
    assert_eq!(
        to_json(&Message::ChannelAck(ChannelAck { success: Success(0), channel_id: 7 })),
        json!({"type": "CHANNEL_ACK", "fields": {"success": false, "channel_id": 7}})
    );
}

#[test]
fn set_channel_value_prints_as_the_f64_of_the_f32() {
    let v = to_json(&Message::SetChannel(SetChannel { channel_id: 29, value: 33.3 }));
    assert_eq!(v, json!({"type": "SET_CHANNEL", "fields": {"channel_id": 29, "value": 33.29999923706055}}));
    assert_eq!(serde_json::to_string(&v["fields"]["value"]).unwrap(), "33.29999923706055");
    for bad in [f32::NAN, f32::INFINITY] {
        let v = to_json(&Message::SetChannel(SetChannel { channel_id: 1, value: bad }));
        assert_eq!(v["fields"]["value"], Value::Null);
    }
}

#[test]
fn subscribe_and_error_json() {
    assert_eq!(
        to_json(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 50 })),
        json!({"type": "SUBSCRIBE_TELEMETRY", "fields": {"rate_hz": 50}})
    );
    assert_eq!(
        to_json(&Message::Error(DeviceError { error_code: 0xFF, message: "température 85°C".as_bytes() })),
        json!({"type": "ERROR", "fields": {"error_code": 255, "message": "température 85°C"}})
    );
    assert_eq!(
        to_json(&Message::Error(DeviceError { error_code: 0x30, message: b"" })),
        json!({"type": "ERROR", "fields": {"error_code": 48, "message": ""}})
    );
}

#[test]
fn telemetry_json() {
    let mut t = TelemetryPacket {
        timestamp_ms: 123_456,
        input_voltage: 13_600,
        temperature: -12,
        fault_flags: FaultFlags::OVERTEMPERATURE
            | FaultFlags::CHANNEL_FAULT_1_8
            | FaultFlags::from_bits_retain(1 << 31),
        crc: 60179,
        ..TelemetryPacket::default()
    };
    t.channel_states[0] = ChannelState::On;
    t.channel_states[29] = ChannelState::Unknown(9);
    t.analog_values[7] = 43690;
    t.output_currents[0] = 500;
    let mut states = vec![0; 30];
    states[0] = 1;
    states[29] = 9;
    let mut currents = vec![0; 30];
    currents[0] = 500;
    assert_eq!(
        to_json(&Message::TelemetryData(t)),
        json!({"type": "TELEMETRY_DATA", "fields": {
            "timestamp_ms": 123456,
            "channel_states": states,
            "analog_values": [0, 0, 0, 0, 0, 0, 0, 43690],
            "output_currents": currents,
            "input_voltage": 13600,
            "temperature": -12,
            "fault_flags": 0x8001_0004u32,
            "crc": 60179}})
    );
}

#[test]
fn capture_messages_serialize_with_the_real_tools_values() {
    let bin = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/captures/pmu30/set_channel.bin")).unwrap();
    let values: Vec<Value> = SliceDecoder::new(Pmu30::default(), &bin).filter_map(|e| e.frame().map(to_json)).collect();
    assert_eq!(values[4], json!({"type": "SET_CHANNEL", "fields": {"channel_id": 29, "value": 33.29999923706055}}));
    assert_eq!(values[7], json!({"type": "CHANNEL_ACK", "fields": {"success": false, "channel_id": 7}}));
    assert_eq!(values[9], json!({"type": "ERROR", "fields": {"error_code": 16, "message": "Channel out of range"}}));
}
