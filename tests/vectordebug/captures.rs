//! The real captures (recorded from the real PC tool, with what it reported for each chunk)
//! decode to exactly what the real tool reported, and their errors are rejected with the
//! right kinds.

use crate::common;

use serde_json::Value;
use serial_dialects::ErrorKind;
use serial_dialects::stream::{Dialect, Event, SliceDecoder};
use serial_dialects::vectordebug::{Error, Message, PacketType, VectorDebug};

const CAPTURES: [&str; 6] = [
    "01_clean_20khz",
    "02_cli_interleaved",
    "04_crc_error",
    "07_truncated_last",
    "09_zero_heavy_payload",
    "12_seq_wrap_gap",
];

fn capture(name: &str) -> (Vec<u8>, Vec<Value>) {
    common::capture_with_records("vectordebug", name)
}

fn u(v: &Value, key: &str) -> u64 {
    v[key].as_u64().unwrap_or_else(|| panic!("{key} missing in {v}"))
}

fn hex(bytes: impl IntoIterator<Item = u8>) -> String {
    bytes.into_iter().map(|b| format!("{b:02x}")).collect()
}

type Ev<'a> = Event<Message<'a>, Error>;

/// Checks one chunk record of the real tool against our event at the same offset.
fn check_chunk(name: &str, chunk: &Value, ev: &Ev<'_>) {
    let off = u(chunk, "off");
    let wire_len = u(chunk, "wire_len") as usize;
    assert_eq!(ev.offset, off, "{name}: chunk {chunk}");
    match chunk["result"].as_str().unwrap() {
        "dbg" => {
            assert_eq!(ev.len, wire_len + 1, "{name} @{off}: a packet event includes its 0x00");
            let p = ev.frame().unwrap_or_else(|| panic!("{name} @{off}: {:?}", ev.error()));
            assert_eq!(p.packet_type(), PacketType::DbgFrame1);
            assert_eq!(u64::from(p.len_field()), u(chunk, "len"));
            assert_eq!(format!("0x{:04X}", p.crc()), chunk["crc_rx"].as_str().unwrap());
            let frames = chunk["frames"].as_array().unwrap();
            assert_eq!(p.record_count(), frames.len());
            assert_eq!(p.record_count() as u64, u(chunk, "nframes"));
            for (rec, want) in p.records().zip(frames) {
                let want = want.as_array().unwrap();
                assert_eq!(u64::from(rec.seq), want[0].as_u64().unwrap());
                for (k, v) in rec.payload.iter().enumerate() {
                    assert_eq!(i64::from(*v), want[k + 1].as_i64().unwrap(), "{name} @{off} seq {}", rec.seq);
                }
            }
            let span = p.seq_span();
            assert_eq!(span.map_or(0, |s| s.lost), u(chunk, "lost"), "{name} @{off}: lost in packet");
            // Gaps as the harness lists them: [expected, got, missing].
            let mut prev_missing = 0;
            for gap in chunk["gaps"].as_array().unwrap() {
                prev_missing += gap[2].as_u64().unwrap();
            }
            assert_eq!(prev_missing, u(chunk, "lost"));
        }
        "cli" => {
            assert_eq!(ev.len, wire_len + 1);
            let p = ev.frame().unwrap_or_else(|| panic!("{name} @{off}: {:?}", ev.error()));
            assert_eq!(p.packet_type(), PacketType::Cli);
            assert_eq!(hex(p.payload_bytes()), chunk["cli_hex"].as_str().unwrap());
            assert_eq!(p.record_count(), 0);
            assert_eq!(p.seq_span(), None);
        }
        "crc_error" => {
            let e = ev.error().unwrap_or_else(|| panic!("{name} @{off} should be rejected"));
            let rx = u16::from_str_radix(chunk["crc_rx"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
            let calc = u16::from_str_radix(chunk["crc_calc"].as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
            assert_eq!(*e, Error::CrcMismatch { received: rx, computed: calc }, "{name} @{off}");
            assert_eq!(ev.len, wire_len + 1);
        }
        other => panic!("{name}: unexpected result {other} in the capture"),
    }
}

/// Decodes a capture whose every chunk the real tool decoded or rejected by CRC, and
/// compares chunk by chunk, then the end record.
fn check_against_real_tool(name: &str) {
    let (bin, lines) = capture(name);
    let mut decoder = SliceDecoder::new(VectorDebug::default(), &bin);
    let events: Vec<Ev<'_>> = decoder.by_ref().collect();
    let (end, chunks) = lines.split_last().unwrap();
    assert_eq!(end["result"], "end");
    assert_eq!(chunks.len() as u64, u(end, "chunks"));
    let pending = u(end, "pending_bytes") as usize;
    assert_eq!(events.len(), chunks.len() + usize::from(pending > 0), "{name}: one event per chunk");
    for (chunk, ev) in chunks.iter().zip(&events) {
        check_chunk(name, chunk, ev);
    }
    if pending > 0 {
        let last = events.last().unwrap();
        assert_eq!((last.offset, last.len), (u(end, "pending_off"), pending));
        assert_eq!(last.error(), Some(&Error::Truncated));
    }
    let stats = decoder.stats();
    assert_eq!(stats.lost_frames, u(end, "lost_frames"), "{name}: lost frames");
    assert_eq!(decoder.dialect().lost_frames(), u(end, "lost_frames"));
    assert_eq!(stats.frames, u(end, "dbg_packets") + u(end, "cli_packets"));
    assert_eq!(stats.errors.get(ErrorKind::CrcMismatch), u(end, "crc_errors"));
    let frames: usize = events.iter().filter_map(|e| e.frame()).map(|p| p.record_count()).sum();
    assert_eq!(frames as u64, u(end, "frames_total"));
    assert_eq!(stats.bytes_accounted(), bin.len() as u64);
}

#[test]
fn capture_01_clean_20khz_matches_real_tool() {
    check_against_real_tool("01_clean_20khz");
}

#[test]
fn capture_02_cli_interleaved_matches_real_tool() {
    check_against_real_tool("02_cli_interleaved");
}

#[test]
fn capture_09_zero_heavy_payload_matches_real_tool() {
    check_against_real_tool("09_zero_heavy_payload");
}

#[test]
fn capture_12_seq_wrap_gap_matches_real_tool() {
    check_against_real_tool("12_seq_wrap_gap");
    let (bin, _) = capture("12_seq_wrap_gap");
    let lost: Vec<u64> = SliceDecoder::new(VectorDebug::default(), &bin)
        .filter_map(|e| e.frame().and_then(|p| p.seq_span()).map(|s| s.lost))
        .filter(|&l| l > 0)
        .collect();
    assert_eq!(lost, [4, 3, 10], "wrap with 4 lost, 3 across a boundary, 10 behind the bad CRC");
}

#[test]
fn capture_07_truncated_last_is_one_truncated_event() {
    check_against_real_tool("07_truncated_last");
}

#[test]
fn capture_04_crc_error_recovers_good_packets_and_rejects_bad_ones() {
    let (bin, lines) = capture("04_crc_error");
    let events: Vec<Ev<'_>> = SliceDecoder::new(VectorDebug::default(), &bin).collect();
    let chunks = &lines[..lines.len() - 1];
    assert_eq!(events.len(), chunks.len());
    for (chunk, ev) in chunks.iter().zip(&events) {
        let off = u(chunk, "off");
        match (chunk["n"].as_u64().unwrap(), chunk["result"].as_str().unwrap()) {
            // #6's first half: a data byte became 0x00, so the last code byte before it
            // points past the new end of the chunk. The real tool lets that pass as a
            // short decode and only its CRC check fails; our strict COBS rejects it first.
            (5, "crc_error") => {
                assert_eq!(ev.offset, off);
                assert_eq!(ev.len, u(chunk, "wire_len") as usize + 1);
                assert!(matches!(ev.error(), Some(Error::Cobs(serial_dialects::cobs::CobsError::Overrun { .. }))));
            }
            _ => check_chunk("04_crc_error", chunk, ev),
        }
    }
    let kinds: Vec<Option<ErrorKind>> = events.iter().map(|e| e.error_kind()).collect();
    use ErrorKind::*;
    assert_eq!(
        kinds,
        [None, Some(CrcMismatch), None, Some(CrcMismatch), None, Some(CobsError), Some(CrcMismatch), None]
    );
    let mut dec = SliceDecoder::new(VectorDebug::default(), &bin);
    dec.by_ref().for_each(drop);
    assert_eq!(dec.stats().lost_frames, u(&lines[lines.len() - 1], "lost_frames"));
}

#[test]
fn every_capture_decodes_the_same_in_every_chunking() {
    for name in CAPTURES {
        let (bin, _) = capture(name);
        common::assert_chunking_invariant(VectorDebug::default, &bin);
    }
}

#[test]
fn every_capture_packet_reencodes_to_its_wire_bytes() {
    use serial_dialects::vectordebug::Payload;
    for name in CAPTURES {
        let (bin, _) = capture(name);
        for ev in SliceDecoder::new(VectorDebug::default(), &bin) {
            let Some(p) = ev.frame() else { continue };
            let mut decoded = vec![0u8; p.decoded_len()];
            let packet = p.decode_into(&mut decoded).unwrap();
            let msg = Payload::from_packet(&packet);
            let mut out = vec![0u8; msg.buffer_len()];
            let n = msg.emit(&mut out).unwrap();
            assert_eq!(&out[..n], p.wire(), "{name} @{}", ev.offset);
            let mut again = vec![0u8; p.wire().len()];
            let m = packet.emit_wire(&mut again).unwrap();
            assert_eq!(&again[..m], p.wire());
        }
    }
}
