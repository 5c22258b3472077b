//! One test per wire rule and decision of docs/protocols/vectordebug.md.

use crate::common;

use crate::common::vectordebug::{dbg, emit, frame, good, packet, records};

use serial_dialects::cobs::{self, CobsError};
use serial_dialects::crc::crc16;
use serial_dialects::stream::{Dialect, SliceDecoder};
use serial_dialects::vectordebug::{
    Config, Error, Message, Packet, PacketBuilder, PacketType, Payload, Record, Records, SeqTracker, VectorDebug,
};
use serial_dialects::{EncodeError, ErrorKind};

/// `(offset, len, error)` of every event, with `None` for frames.
fn events(input: &[u8]) -> Vec<(u64, usize, Option<Error>)> {
    events_with(VectorDebug::default(), input)
}

fn events_with(d: VectorDebug, input: &[u8]) -> Vec<(u64, usize, Option<Error>)> {
    let out: Vec<_> = SliceDecoder::new(d.clone(), input).map(|e| (e.offset, e.len, e.error().cloned())).collect();
    common::assert_chunking_invariant(|| d.clone(), input);
    out
}

#[test]
fn packet_event_spans_cobs_bytes_and_its_delimiter() {
    let a = dbg(1, 3);
    let b = good(2, b"hi");
    let input = [a.clone(), b.clone()].concat();
    assert_eq!(events(&input), [(0, a.len(), None), (a.len() as u64, b.len(), None)]);
}

#[test]
fn garbage_before_first_zero_is_rejected_and_the_packet_recovered() {
    // The rule: when a chunk fails, the smallest `q` such that `chunk[q..]` is a valid
    // packet is found; `chunk[..q]` is the error and the packet is recovered.
    let p = dbg(3000, 40);
    for garbage in [&[0x55u8; 40][..], &[0x02, 0x41][..], &[0xFF, 0x13, 0x77][..], &[0x05, 0x11, 0x22, 0x33, 0x44][..]]
    {
        let input = [garbage, &p[..]].concat();
        let ev = events(&input);
        assert_eq!(ev.len(), 2, "{garbage:02x?}: {ev:?}");
        assert_eq!((ev[0].0, ev[0].1), (0, garbage.len()));
        assert!(ev[0].2.is_some());
        assert_eq!(ev[1], (garbage.len() as u64, p.len(), None));
        // The recovered packet is the one sent, whole: its bytes, records and seqs.
        let mut decoder = SliceDecoder::new(VectorDebug::default(), &input);
        let recovered = decoder.nth(1).unwrap();
        let packet = recovered.frame().unwrap();
        assert_eq!(packet.wire(), &p[..]);
        assert_eq!(packet.records().collect::<Vec<_>>(), records(3000, 40));
        assert_eq!(decoder.stats().frames, 1);
        assert_eq!(decoder.stats().bytes_skipped, garbage.len() as u64);
    }
}

#[test]
fn recovery_takes_the_smallest_q() {
    // A chunk with two valid packets among its suffixes: `01` (garbage: with it the chunk
    // decodes to a leading zero and fails its CRC), then a CLI packet `d1` whose COBS bytes
    // end with those of a second packet `p` (d1's payload ends with a zero, then p's bytes
    // but its CRC, and d1's CRC, forged with two payload bytes, is p's CRC). Both
    // `chunk[1..]` and the start of `p` validate: the smallest, 1, is taken.
    let p = packet(2, 5, b"hello");
    let (p_body, p_crc) = p.split_at(p.len() - 2);
    let payload_len = 2 + 1 + p_body.len();
    let d1 = (0..=u16::MAX)
        .map(|forge| {
            let mut d = vec![2];
            d.extend((payload_len as u32).to_le_bytes());
            d.extend(forge.to_le_bytes());
            d.push(0);
            d.extend(p_body);
            d
        })
        .find(|d| crc16(d).to_le_bytes() == p_crc)
        .map(|d| [&d[..], p_crc].concat())
        .unwrap();
    assert!(Packet::new_checked(&d1[..]).is_ok() && Packet::new_checked(&p[..]).is_ok());
    let (enc_d1, enc_p) = (frame(&d1), frame(&p));
    assert!(enc_d1.ends_with(&enc_p), "p's COBS bytes are a suffix of d1's");
    let input = [&[0x01u8][..], &enc_d1].concat();
    let mut whole = vec![0; input.len()];
    let n = cobs::decode(&input[..input.len() - 1], &mut whole).unwrap();
    assert!(matches!(Packet::new_checked(&whole[..n]), Err(Error::CrcMismatch { .. })), "the chunk itself fails");

    let ev = events(&input);
    assert_eq!(ev.len(), 2, "{ev:?}");
    assert_eq!((ev[0].0, ev[0].1), (0, 1));
    assert_eq!(ev[0].2.as_ref().map(serial_dialects::DialectError::kind), Some(ErrorKind::CrcMismatch));
    assert_eq!(ev[1], (1, enc_d1.len(), None));
    let recovered: Vec<_> = SliceDecoder::new(VectorDebug::default(), &input).filter_map(|e| e.into_frame()).collect();
    assert_eq!(recovered[0].wire(), &enc_d1[..]);
    assert_eq!(recovered[0].payload_bytes().collect::<Vec<_>>(), d1[5..d1.len() - 2]);
}

#[test]
fn recovery_rejects_with_the_first_failure_kind() {
    // `01 01` is valid COBS (two zeros); glued to the packet, the chunk still walks as
    // COBS but its CRC fails: the prefix alone is rejected, as a CRC mismatch.
    let p = dbg(7, 2);
    let input = [&[0x01u8, 0x01][..], &p[..]].concat();
    let ev = events(&input);
    assert_eq!(ev[0].2.as_ref().map(serial_dialects::DialectError::kind), Some(ErrorKind::CrcMismatch));
    assert_eq!(ev[1], (2, p.len(), None));
}

#[test]
fn decoded_length_1_is_bad_length() {
    // The real tool reads out of bounds (and crashes) on this chunk.
    assert_eq!(events(&[0x02, 0x41, 0x00]), [(0, 3, Some(Error::TooShort { decoded: 1 }))]);
}

#[test]
fn decoded_length_2_is_bad_length() {
    // `FF FF` "passes" the real tool's CRC (CRC of nothing is 0xFFFF); not ours.
    assert_eq!(events(&[0x03, 0xFF, 0xFF, 0x00]), [(0, 4, Some(Error::TooShort { decoded: 2 }))]);
    assert_eq!(Packet::new_checked(&[0xFFu8, 0xFF][..]), Err(Error::TooShort { decoded: 2 }));
}

#[test]
fn len_must_equal_decoded_size_minus_7() {
    let bytes: Vec<u8> = (1..=70).collect();
    // `len` smaller than the payload (the real tool emits len/14 frames and ignores the rest).
    let short = frame(&packet(3, 28, &bytes));
    assert_eq!(events(&short), [(0, short.len(), Some(Error::LenMismatch { len: 28, actual: 70 }))]);
    // `len` larger than the payload (the real tool reads stale memory: phantom frames).
    let long = frame(&packet(3, 140, &bytes[..28]));
    assert_eq!(events(&long), [(0, long.len(), Some(Error::LenMismatch { len: 140, actual: 28 }))]);
    let cli = frame(&packet(2, 12, b"hello"));
    assert_eq!(events(&cli)[0].2, Some(Error::LenMismatch { len: 12, actual: 5 }));
    let huge = frame(&packet(3, u32::MAX, b""));
    assert_eq!(events(&huge)[0].2, Some(Error::LenMismatch { len: u32::MAX, actual: 0 }));
}

#[test]
fn crc_is_checked_before_len() {
    let mut p = packet(3, 99, &[1, 2, 3]);
    let last = p.len() - 1;
    p[last] ^= 0x40;
    let f = frame(&p);
    assert!(matches!(events(&f)[0].2, Some(Error::CrcMismatch { .. })));
}

#[test]
fn crc_mismatch_reports_received_and_computed() {
    let mut p = packet(3, 14, &[9; 14]);
    let computed = crc16(&p[..p.len() - 2]);
    let n = p.len();
    p[n - 2] = 0x34;
    p[n - 1] = 0x12;
    assert_eq!(events(&frame(&p))[0].2, Some(Error::CrcMismatch { received: 0x1234, computed }));
}

#[test]
fn max_size_16384_accepted_16387_rejected() {
    // 1169 records and 11 spare bytes: exactly 16384 decoded bytes.
    let recs = records(0, 1169);
    let spare = [0xA5u8; 11];
    let msg = Payload::DbgFrame1 { records: Records::with_trailing(&recs, &spare) };
    let mut ok = vec![0; msg.buffer_len()];
    let n = msg.emit(&mut ok).unwrap();
    ok.truncate(n);
    let mut d = VectorDebug::default();
    let p = d.decode(&ok).unwrap();
    assert_eq!((p.decoded_len(), p.record_count(), p.trailing_len()), (16384, 1169, 11));
    assert_eq!(p.trailing_bytes().collect::<Vec<_>>(), spare);
    assert_eq!(
        SliceDecoder::new(VectorDebug::default(), &ok).map(|e| (e.len, e.error().cloned())).collect::<Vec<_>>(),
        [(n, None)]
    );

    // 1170 records: 16387 decoded bytes, one chunk rejected as a whole.
    let big = dbg(0, 1170);
    let ev: Vec<_> = SliceDecoder::new(VectorDebug::default(), &big).map(|e| (e.len, e.error().cloned())).collect();
    assert_eq!(ev, [(big.len(), Some(Error::TooLong { decoded: 16387, max: 16384 }))]);
    // A larger configuration accepts it.
    let roomy = VectorDebug::new(Config { max_packet: 20000 });
    assert_eq!(SliceDecoder::new(roomy, &big).filter(|e| e.frame().is_some()).count(), 1);
}

#[test]
fn final_254_byte_zero_free_run_ends_without_a_01_block() {
    // type 2, len 252, 252 non-zero bytes and a zero-free CRC: the bytes after the last
    // zero of `len` are one 254-byte run.
    let payload = (0u16..)
        .map(|salt| (0..252u16).map(|i| ((i + salt) % 255 + 1) as u8).collect::<Vec<u8>>())
        .find(|p| !packet(2, 252, p)[257..].contains(&0))
        .unwrap();
    let f = good(2, &payload);
    assert_eq!(f.len(), 3 + 1 + 1 + 255 + 1, "03 02 FC, 01, 01, FF <254 bytes>, no 01 block, 00");
    assert_eq!(f[f.len() - 256], 0xFF);
    assert_eq!(events(&f), [(0, f.len(), None)]);
    // The same packet with the superfluous `01` block the real encoder never writes.
    let mut odd = f[..f.len() - 1].to_vec();
    odd.extend([0x01, 0x00]);
    assert!(matches!(events(&odd)[0].2, Some(Error::Cobs(CobsError::NonCanonical { .. }))));
}

#[test]
fn consecutive_zeros_are_one_empty_chunk_event() {
    let a = dbg(1, 1);
    let b = good(2, b"x");
    let input = [&[0u8, 0, 0][..], &a, &[0, 0], &b, &[0]].concat();
    let (la, lb) = (a.len() as u64, b.len() as u64);
    assert_eq!(
        events(&input),
        [
            (0, 3, Some(Error::EmptyChunk { zeros: 3 })),
            (3, a.len(), None),
            (3 + la, 2, Some(Error::EmptyChunk { zeros: 2 })),
            (5 + la, b.len(), None),
            (5 + la + lb, 1, Some(Error::EmptyChunk { zeros: 1 })),
        ]
    );
    // Empty chunks are harmless: the kind says so.
    let e = Error::EmptyChunk { zeros: 1 };
    assert_eq!(serial_dialects::DialectError::kind(&e), ErrorKind::EmptyChunk);
}

#[test]
fn a_long_zero_run_is_split_only_at_max_frame_len() {
    let d = VectorDebug::new(Config { max_packet: 20 });
    let limit = d.max_frame_len();
    assert_eq!(limit, cobs::max_encoded_len(20) + 1);
    let zeros = vec![0u8; 2 * limit + 3];
    let ev = events_with(d, &zeros);
    assert_eq!(ev.iter().map(|e| e.1).collect::<Vec<_>>(), [limit, limit, 3]);
}

#[test]
fn bytes_after_the_last_zero_are_one_truncated_event() {
    let a = dbg(1, 4);
    let tail = &dbg(5, 4)[..30];
    let input = [&a[..], tail].concat();
    assert_eq!(events(&input), [(0, a.len(), None), (a.len() as u64, 30, Some(Error::Truncated))]);
}

#[test]
fn chunk_without_delimiter_is_bad_length_at_exactly_max_frame_len() {
    let d = VectorDebug::new(Config { max_packet: 100 });
    let limit = d.max_frame_len();
    let p = good(2, b"after the flood");
    let input = [vec![0x01u8; 2 * limit + 5], p.clone()].concat();
    let ev = events_with(d, &input);
    let nd = Some(Error::NoDelimiter { max_frame_len: limit });
    assert_eq!(ev[0], (0, limit, nd.clone()));
    assert_eq!(ev[1], (limit as u64, limit, nd));
    // The rest of the flood joins the packet's chunk; resynchronisation still finds it.
    assert_eq!(ev.last().unwrap(), &((input.len() - p.len()) as u64, p.len(), None));
    assert_eq!(Config::default().max_frame_len(), 16450);
}

#[test]
fn unknown_types_with_valid_crc_are_frames() {
    for ty in [0u8, 1, 4, 0x7F, 0xFF] {
        let f = good(ty, &[ty, 0, 1]);
        let mut d = VectorDebug::default();
        let p = d.decode(&f).unwrap();
        assert_eq!(p.packet_type(), PacketType::Unknown(ty));
        assert_eq!(p.record_count(), 0);
        let mut buf = [0u8; 16];
        let msg = p.decode_into(&mut buf).unwrap().typed_payload();
        assert_eq!(msg, Payload::Unknown { packet_type: ty, payload: &[ty, 0, 1] });
    }
}

#[test]
fn cli_payload_may_contain_zeros() {
    let f = good(2, b"bin\0zero\0inside");
    let p = VectorDebug::default().decode(&f).unwrap();
    assert_eq!(p.payload_bytes().collect::<Vec<_>>(), b"bin\0zero\0inside");
    assert!(!f[..f.len() - 1].contains(&0));
}

#[test]
fn dbg_trailing_bytes_are_kept_never_invented() {
    let mut payload = Vec::new();
    for r in records(10, 3) {
        payload.extend(r.to_bytes());
    }
    payload.extend([1, 2, 3, 4, 5]);
    let f = good(3, &payload);
    let p = VectorDebug::default().decode(&f).unwrap();
    assert_eq!((p.record_count(), p.trailing_len()), (3, 5));
    assert_eq!(p.records().collect::<Vec<_>>(), records(10, 3));
    let mut buf = vec![0; p.decoded_len()];
    let packet = p.decode_into(&mut buf).unwrap();
    let Payload::DbgFrame1 { records: r } = packet.typed_payload() else { panic!() };
    assert_eq!(r.trailing(), [1, 2, 3, 4, 5]);
}

#[test]
fn lost_frames_count_seq_gaps_modulo_65536() {
    let mut t = SeqTracker::new();
    assert_eq!(t.observe(65534), 0);
    assert_eq!(t.observe(65535), 0);
    assert_eq!(t.observe(0), 0, "wrap is not a gap");
    assert_eq!(t.observe(3), 2);
    assert_eq!(t.observe(3), 65535, "a repeat is a full turn");
    assert_eq!(t.lost(), 65537);
    // Across packets, through the stream decoder.
    let input = [dbg(65530, 4), dbg(2, 6), good(2, b"cli"), dbg(20, 1)].concat();
    let mut dec = SliceDecoder::new(VectorDebug::default(), &input);
    let spans: Vec<_> = dec.by_ref().filter_map(|e| e.frame().map(|p| p.seq_span())).collect();
    assert_eq!(spans.iter().map(|s| s.map(|s| s.lost)).collect::<Vec<_>>(), [Some(0), Some(4), None, Some(12)]);
    assert_eq!(spans[1].map(|s| (s.first_seq, s.last_seq)), Some((2, 7)));
    assert_eq!(dec.stats().lost_frames, 16);
    let mut d = dec.dialect().clone();
    assert_eq!(d.lost_frames(), 16);
    d.reset();
    assert_eq!(d.lost_frames(), 0);
}

#[test]
fn decode_into_reports_a_small_buffer() {
    let f = dbg(0, 2);
    let p = Message::new_checked(&f, 16384).unwrap();
    let mut small = [0u8; 20];
    assert_eq!(p.decode_into(&mut small), Err(Error::BufferTooSmall { needed: 35, available: 20 }));
    let mut exact = [0u8; 35];
    assert_eq!(p.decode_into(&mut exact).unwrap().record_count(), 2);
}

#[test]
fn wire_packet_validates_with_or_without_delimiter() {
    let f = dbg(0, 2);
    let with = Message::new_checked(&f, 16384).unwrap();
    let without = Message::new_checked(&f[..f.len() - 1], 16384).unwrap();
    assert_eq!(with.cobs_bytes(), without.cobs_bytes());
    assert_eq!(with.wire(), &f[..]);
    assert_eq!(Message::new_checked(&f, 20), Err(Error::TooLong { decoded: 35, max: 20 }));
    assert_eq!(Message::new_checked(&[], 100), Err(Error::Cobs(CobsError::Empty)));
    assert_eq!(Message::new_checked(&[0x03, 0x01, 0x00, 0x01], 100), Err(Error::Cobs(CobsError::ZeroByte { at: 2 })));
}

#[test]
fn encoder_refuses_what_would_not_round_trip() {
    let mut out = [0u8; 64];
    assert_eq!(
        Payload::Unknown { packet_type: 3, payload: &[] }.emit(&mut out),
        Err(EncodeError::OutOfRange { field: "type" })
    );
    assert_eq!(
        Payload::Unknown { packet_type: 2, payload: &[] }.emit(&mut out),
        Err(EncodeError::OutOfRange { field: "type" })
    );
    let recs = records(0, 1);
    let msg = Payload::DbgFrame1 { records: Records::with_trailing(&recs, &[0; 14]) };
    assert_eq!(msg.emit(&mut out), Err(EncodeError::TooLong { field: "trailing", len: 14, max: 13 }));
    let msg = Payload::Cli { data: b"0123456789" };
    assert!(matches!(msg.emit(&mut out[..10]), Err(EncodeError::BufferTooSmall { .. })));
    assert!(matches!(msg.emit(&mut []), Err(EncodeError::BufferTooSmall { .. })));
}

#[test]
fn packet_builder_appends_records_for_a_bridge() {
    let mut buf = [0u8; 7 + 2 * 14 + 3];
    let mut b = PacketBuilder::dbg_frame1(&mut buf).unwrap();
    assert_eq!(b.records_remaining(), 2);
    for r in records(100, 2) {
        b.push_record(&r).unwrap();
    }
    assert!(matches!(b.push_record(&Record::default()), Err(EncodeError::BufferTooSmall { .. })));
    let packet = b.finish();
    assert_eq!(packet.len_field(), 28);
    let checked = Packet::new_checked(packet.as_bytes()).unwrap();
    assert_eq!(checked.records().iter().collect::<Vec<_>>(), records(100, 2));
    let mut wire = [0u8; 64];
    let n = checked.emit_wire(&mut wire).unwrap();
    assert_eq!(n, checked.wire_len());
    assert_eq!(&wire[..n], &dbg(100, 2)[..]);
    assert!(matches!(checked.emit_wire(&mut wire[..n - 1]), Err(EncodeError::BufferTooSmall { .. })));
    assert!(PacketBuilder::cli(&mut [0u8; 6]).is_err());
}

#[test]
fn decoder_state_is_small_for_cortex_m() {
    // Validation and resynchronisation need no decode buffer in the dialect: a few words.
    assert!(std::mem::size_of::<VectorDebug>() <= 11 * std::mem::size_of::<u64>());
}

#[test]
fn decode_wire_reports_the_exact_size_needed() {
    let f = dbg(0, 3);
    let mut small = [0u8; 10];
    assert_eq!(Payload::decode_wire(&f, &mut small), Err(Error::BufferTooSmall { needed: 49, available: 10 }));
    let mut exact = [0u8; 49];
    assert!(matches!(Payload::decode_wire(&f, &mut exact), Ok(Payload::DbgFrame1 { .. })));
    assert_eq!(Payload::decode_wire(&[0x02, 0x41], &mut exact), Err(Error::TooShort { decoded: 1 }));
}

#[test]
fn the_worked_examples_of_the_protocol_document() {
    // docs/protocols/vectordebug.md, section 4, and the CRC's check value.
    assert_eq!(crc16(b"123456789"), 0x29B1);
    let cli = emit(&Payload::Cli { data: b"hi" });
    assert_eq!(cli, [0x03, 0x02, 0x02, 0x01, 0x01, 0x05, 0x68, 0x69, 0x61, 0x65, 0x00]);
    let recs = [Record { seq: 41, payload: [-1046, 1048, 21, 1182, 0, 0] }];
    let one_record = emit(&Payload::DbgFrame1 { records: Records::new(&recs) });
    assert_eq!(
        one_record,
        [
            0x03, 0x03, 0x0E, 0x01, 0x01, 0x02, 0x29, 0x06, 0xEA, 0xFB, 0x18, 0x04, 0x15, 0x03, 0x9E, 0x04, 0x01, 0x01,
            0x01, 0x03, 0x59, 0x21, 0x00
        ]
    );
    let mut buf = [0u8; 32];
    let packet = Message::new_checked(&one_record, 16384).unwrap().decode_into(&mut buf).unwrap();
    assert_eq!(packet.as_bytes()[..5], [0x03, 0x0E, 0x00, 0x00, 0x00]);
    assert_eq!(packet.crc(), 0x2159);
}
