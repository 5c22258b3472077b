//! The real captures of `tests/captures/pmu30/`, decoded and compared field by field with
//! what the real tool (rakyury/pmu_30 @ cf222cd, default CRC rule) reported in the `.jsonl`
//! files.

use crate::common;

use serde_json::Value;
use serial_dialects::pmu30::{
    ChannelState, CrcCoverage, DEFAULT_MAX_PAYLOAD, FaultFlags, Message, MsgType, Pmu30, TelemetryPacket,
};
use serial_dialects::{ErrorKind, Event, SliceDecoder};

const CAPTURES: [&str; 7] = [
    "bad_crc",
    "config_upload",
    "connect_sequence",
    "error_messages",
    "set_channel",
    "telemetry_stream",
    "truncated_tail",
];

fn capture(name: &str) -> (Vec<u8>, Vec<Value>) {
    common::capture_with_records("pmu30", name)
}

type Ev<'a> = Event<Message<'a>, serial_dialects::pmu30::Error>;

fn decode(bin: &[u8]) -> Vec<Ev<'_>> {
    let events: Vec<Ev<'_>> = SliceDecoder::new(Pmu30::default(), bin).collect();
    let mut at = 0u64;
    for e in &events {
        assert_eq!(e.offset, at, "events must tile the input");
        at += e.len as u64;
    }
    assert_eq!(at, bin.len() as u64);
    events
}

fn int(v: &Value) -> i64 {
    v.as_i64().unwrap_or_else(|| panic!("integer expected, got {v}"))
}

fn ints(v: &Value) -> Vec<i64> {
    v.as_array().expect("array").iter().map(int).collect()
}

fn hex_u16(v: &Value) -> u16 {
    let s = v.as_str().expect("hex string");
    u16::from_str_radix(s.trim_start_matches("0x"), 16).expect("hex")
}

/// The real tool's names for fault bits 16–19 differ from the original documentation's.
fn peer_flag_name(name: &str) -> &str {
    match name {
        "CHANNEL_FAULT_1_8" => "CHANNEL_FAULT_1",
        "CHANNEL_FAULT_9_16" => "CHANNEL_FAULT_2",
        "CHANNEL_FAULT_17_24" => "CHANNEL_FAULT_3",
        "CHANNEL_FAULT_25_30" => "CHANNEL_FAULT_4",
        other => other,
    }
}

fn check_telemetry(t: &TelemetryPacket, f: &Value) {
    assert_eq!(i64::from(t.timestamp_ms), int(&f["timestamp_ms"]));
    let states: Vec<i64> = t.channel_states.iter().map(|s| i64::from(s.to_u8())).collect();
    assert_eq!(states, ints(&f["channel_state_values"]));
    let names: Vec<&str> = t.channel_states.iter().map(|s| s.name()).collect();
    let peer_names: Vec<&str> = f["channel_states"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(names, peer_names);
    assert_eq!(t.analog_values.iter().map(|&v| i64::from(v)).collect::<Vec<_>>(), ints(&f["analog_values"]));
    assert_eq!(t.output_currents.iter().map(|&v| i64::from(v)).collect::<Vec<_>>(), ints(&f["output_currents_ma"]));
    assert_eq!(i64::from(t.input_voltage), int(&f["input_voltage_mv"]));
    assert!((f64::from(t.input_volts()) - f["input_voltage_v"].as_f64().unwrap()).abs() < 1e-6);
    assert_eq!(i64::from(t.temperature), int(&f["temperature_c"]));
    assert_eq!(i64::from(t.fault_flags.bits()), int(&f["fault_flags"]));
    let flag_names: Vec<&str> = t.fault_flags.iter_names().map(|(n, _)| peer_flag_name(n)).collect();
    let peer_flags: Vec<&str> = f["fault_flag_names"].as_array().unwrap().iter().map(|v| v.as_str().unwrap()).collect();
    assert_eq!(flag_names, peer_flags);
    assert_eq!(t.active_channels().map(|c| c as i64).collect::<Vec<_>>(), ints(&f["active_channels"]));
    assert_eq!(t.faulted_channels().map(|c| c as i64).collect::<Vec<_>>(), ints(&f["faulted_channels"]));
    assert_eq!(i64::from(t.total_current_ma()), int(&f["total_current_ma"]));
    assert_eq!(i64::from(t.crc), int(&f["inner_crc"]));
    assert_eq!(t.inner_crc_matches(), f["inner_crc_matches_crc16_of_bytes_0_116"].as_bool().unwrap());
}

/// Compares one decoded message with the `fields` the real tool reported.
fn check_fields(msg: &Message<'_>, f: &Value) {
    match msg {
        Message::Ping {}
        | Message::Pong {}
        | Message::GetInfo {}
        | Message::GetConfig {}
        | Message::UnsubscribeTelemetry {} => {
            assert_eq!(f, &serde_json::json!({}));
        }
        Message::InfoResp(i) => {
            assert_eq!(i.version().to_string(), f["firmware_version"].as_str().unwrap());
            assert_eq!(i64::from(i.hw_revision), int(&f["hardware_revision"]));
            assert_eq!(String::from_utf8_lossy(i.serial_number()), f["serial_number"].as_str().unwrap());
            assert_eq!(String::from_utf8_lossy(i.device_name()), f["device_name"].as_str().unwrap());
        }
        Message::ConfigData(c) | Message::SetConfig(c) => {
            assert_eq!(i64::from(c.chunk_index), int(&f["chunk_index"]));
            assert_eq!(i64::from(c.total_chunks), int(&f["total_chunks"]));
            assert_eq!(c.data.len() as i64, int(&f["data_len"]));
            assert_eq!(std::str::from_utf8(c.data).unwrap(), f["data"].as_str().unwrap());
        }
        Message::ConfigAck(a) => {
            assert_eq!(a.success.is_success(), f["success"].as_bool().unwrap());
            assert_eq!(i64::from(a.error_code), int(&f["error_code"]));
        }
        Message::SetChannel(s) => {
            assert_eq!(i64::from(s.channel_id), int(&f["channel_id"]));
            assert_eq!(f64::from(s.value), f["value"].as_f64().unwrap());
        }
        Message::ChannelAck(a) => {
            // The peer's parser wants its own 5-byte layout; the jsonl adds the layout of the
            // original documentation (as `seed_layout`).
            assert_eq!(f["seed_layout"].as_str(), Some("success u8, channel_id u16"));
            assert_eq!(a.success.is_success(), f["success"].as_bool().unwrap());
            assert_eq!(i64::from(a.channel_id), int(&f["channel_id"]));
        }
        Message::SubscribeTelemetry(s) => assert_eq!(i64::from(s.rate_hz), int(&f["rate_hz"])),
        Message::TelemetryData(t) => check_telemetry(t, f),
        Message::Error(e) => {
            assert_eq!(i64::from(e.error_code), int(&f["error_code"]));
            assert_eq!(e.message.len() as i64, int(&f["msg_length"]));
            assert_eq!(String::from_utf8_lossy(e.message), f["message"].as_str().unwrap());
        }
    }
}

/// Every frame the real tool reported is a frame of ours at the same offset, with the same
/// length, type, CRC and fields; returns how many.
fn check_reported_frames(name: &str, bin: &[u8], events: &[Ev<'_>], expected: &[Value]) -> usize {
    let mut n = 0;
    for want in expected.iter().filter(|e| e["event"] == "frame") {
        let offset = int(&want["offset"]) as u64;
        let got = events.iter().find(|e| e.offset == offset).unwrap_or_else(|| panic!("{name}: no event at {offset}"));
        let msg = got.frame().unwrap_or_else(|| panic!("{name}@{offset}: expected a frame, got {:?}", got.item));
        assert_eq!(got.len as i64, int(&want["frame_len"]), "{name}@{offset}");
        assert_eq!(msg.msg_type().name(), want["msg_name"].as_str().unwrap(), "{name}@{offset}");
        assert_eq!(i64::from(msg.msg_type().id()), int(&want["msg_id"]));
        assert_eq!(msg.payload_len() as i64, int(&want["length"]));
        let end = (offset as usize) + got.len;
        let crc = u16::from_le_bytes([bin[end - 2], bin[end - 1]]);
        assert_eq!(crc, hex_u16(&want["crc"]), "{name}@{offset}");
        check_fields(msg, &want["fields"]);
        n += 1;
    }
    n
}

#[test]
fn clean_captures_match_the_real_tool_exactly() {
    for name in ["config_upload", "connect_sequence", "error_messages", "set_channel", "telemetry_stream"] {
        let (bin, expected) = capture(name);
        let events = decode(&bin);
        let reported = check_reported_frames(name, &bin, &events, &expected);
        assert_eq!(events.len(), reported, "{name}: exactly the frames the real tool reported");
        assert!(events.iter().all(|e| e.frame().is_some()), "{name}: no errors in a clean capture");
        let end = expected.last().unwrap();
        assert_eq!(end["event"], "end");
        assert_eq!(int(&end["offset"]) as usize, bin.len());
    }
}

#[test]
fn telemetry_stream_has_all_60_packets_with_every_field() {
    let (bin, expected) = capture("telemetry_stream");
    let events = decode(&bin);
    let telemetry: Vec<&TelemetryPacket> = events
        .iter()
        .filter_map(|e| match e.frame() {
            Some(Message::TelemetryData(t)) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(telemetry.len(), 60);
    let want: Vec<&Value> = expected.iter().filter(|e| e["msg_name"] == "TELEMETRY_DATA").collect();
    assert_eq!(want.len(), 60);
    for (t, w) in telemetry.iter().zip(&want) {
        check_telemetry(t, &w["fields"]);
    }
    // Frames 9, 19, … carry an inner crc of 0: accepted all the same.
    assert_eq!(telemetry.iter().filter(|t| t.crc == 0 && !t.inner_crc_matches()).count(), 6);
    assert!(telemetry.iter().any(|t| t.channel_states[3] == ChannelState::FaultOverheat));
    assert!(telemetry.iter().any(|t| t.fault_flags.contains(FaultFlags::LUA_ERROR | FaultFlags::CAN1_ERROR)));
    assert_eq!(telemetry.iter().map(|t| t.temperature).min(), Some(-12));
}

#[test]
fn bad_crc_capture_gives_ping_two_crc_mismatches_and_get_info() {
    let (bin, expected) = capture("bad_crc");
    let events = decode(&bin);
    let summary: Vec<(u64, usize, Option<ErrorKind>)> =
        events.iter().map(|e| (e.offset, e.len, e.error_kind())).collect();
    assert_eq!(
        summary,
        [(0, 6, None), (6, 6, Some(ErrorKind::CrcMismatch)), (12, 125, Some(ErrorKind::CrcMismatch)), (137, 6, None)]
    );
    assert!(matches!(events[0].frame(), Some(Message::Ping {})));
    assert!(matches!(events[3].frame(), Some(Message::GetInfo {})));
    // The received and computed CRCs are the ones the real tool printed.
    let errors: Vec<String> = events.iter().filter_map(|e| e.error().map(|e| e.to_string())).collect();
    let peer_errors: Vec<&str> =
        expected.iter().filter(|e| e["event"] == "error").map(|e| e["error"].as_str().unwrap()).collect();
    assert_eq!(errors.len(), peer_errors.len());
    for (ours, theirs) in errors.iter().zip(peer_errors) {
        let theirs = theirs.replace("calculated", "computed");
        assert_eq!(ours, &theirs);
    }
    check_reported_frames("bad_crc", &bin, &events, &expected);
}

#[test]
fn truncated_tail_capture_ends_with_a_truncated_candidate() {
    let (bin, expected) = capture("truncated_tail");
    let events = decode(&bin);
    assert_eq!(check_reported_frames("truncated_tail", &bin, &events, &expected), 2);
    let end = expected.last().unwrap();
    let tail_at = int(&end["offset"]) as u64;
    // The 100 buffered bytes: the telemetry candidate is truncated; the 0xAA bytes of its
    // analog values are rescanned as candidates of their own, and the last one is cut off
    // by the end of the input too. No frame is invented from them.
    let tail: Vec<(u64, usize, Option<ErrorKind>)> =
        events[2..].iter().map(|e| (e.offset, e.len, e.error_kind())).collect();
    assert_eq!(
        tail,
        [
            (tail_at, 50, Some(ErrorKind::Truncated)),
            (62, 2, Some(ErrorKind::BadLength)),
            (64, 1, Some(ErrorKind::BadLength)),
            (65, 47, Some(ErrorKind::Truncated)),
        ]
    );
    assert_eq!(
        events[2].error(),
        Some(&serial_dialects::pmu30::Error::Truncated {
            needed: serial_dialects::pmu30::Needed(Some(125)),
            available: 100
        })
    );
    assert_eq!(int(&end["buffered_bytes"]), 100);
}

#[test]
fn config_upload_reassembles_to_the_json_byte_for_byte() {
    use serial_dialects::pmu30::session::ConfigReassembler;
    let (bin, _) = capture("config_upload");
    let json = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/captures/pmu30/config_upload.json")).unwrap();
    let events = decode(&bin);
    let mut buf = [0u8; 4096];
    let mut asm = ConfigReassembler::new(&mut buf);
    let mut acks = 0;
    for e in &events {
        match e.frame().unwrap() {
            Message::SetConfig(c) => {
                assert!(!asm.is_complete());
                asm.accept(c).unwrap();
            }
            Message::ConfigAck(a) => {
                assert!(a.success.is_success());
                acks += 1;
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(acks, 5);
    assert_eq!(asm.data(), Some(&json[..]));
}

#[test]
fn every_capture_frame_re_encodes_to_its_exact_bytes() {
    for name in CAPTURES {
        let (bin, _) = capture(name);
        for e in decode(&bin) {
            if let Some(msg) = e.frame() {
                let original = &bin[e.offset as usize..e.offset as usize + e.len];
                let mut out = vec![0u8; msg.buffer_len()];
                let n = msg.emit_verbatim(&mut out, CrcCoverage::default(), DEFAULT_MAX_PAYLOAD).unwrap();
                assert_eq!(&out[..n], original, "{name}@{}", e.offset);
                // The strict encoder agrees wherever the values are in range.
                if msg.validate().is_ok() {
                    assert_eq!(msg.emit(&mut out), Ok(n));
                    assert_eq!(&out[..n], original);
                }
            }
        }
    }
}

#[test]
fn out_of_range_values_in_captures_decode_and_fail_validation() {
    let (bin, _) = capture("set_channel");
    let bad: Vec<(u16, f32)> = decode(&bin)
        .iter()
        .filter_map(|e| match e.frame() {
            Some(m @ Message::SetChannel(s)) if m.validate().is_err() => Some((s.channel_id, s.value)),
            _ => None,
        })
        .collect();
    assert_eq!(bad, [(7, 150.0), (30, 50.0)]);
}

#[test]
fn chunking_invariant_over_every_capture() {
    for name in CAPTURES {
        let (bin, _) = capture(name);
        common::assert_chunking_invariant(Pmu30::default, &bin);
    }
}

#[test]
fn message_types_seen_in_captures() {
    let mut seen = std::collections::BTreeSet::new();
    for name in CAPTURES {
        let (bin, _) = capture(name);
        for e in decode(&bin) {
            if let Some(m) = e.frame() {
                seen.insert(m.msg_type().id());
            }
        }
    }
    for t in [MsgType::Ping, MsgType::Pong, MsgType::GetInfo, MsgType::InfoResp, MsgType::SetConfig, MsgType::ConfigAck]
    {
        assert!(seen.contains(&t.id()), "{t:?}");
    }
}
