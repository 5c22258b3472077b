//! Property tests: round trips of every message type, encoder errors, the bufferless
//! validator against a full decode, arbitrary input, resynchronisation and corruption.

mod common;

use proptest::prelude::*;
use serial_dialects::cobs;
use serial_dialects::stream::{Dialect, Scan, SliceDecoder};
use serial_dialects::vectordebug::{Config, Message, Packet, Record, Records, VectorDebug, WirePacket};
use serial_dialects::{EncodeError, ErrorKind};

fn edge_i16() -> impl Strategy<Value = i16> {
    prop_oneof![Just(i16::MIN), Just(i16::MAX), Just(0), Just(-1), Just(1), Just(0x0100), any::<i16>()]
}

fn edge_u16() -> impl Strategy<Value = u16> {
    prop_oneof![Just(0u16), Just(u16::MAX), Just(0x0100), Just(0x00FF), any::<u16>()]
}

fn record() -> impl Strategy<Value = Record> {
    (edge_u16(), proptest::array::uniform6(edge_i16())).prop_map(|(seq, payload)| Record { seq, payload })
}

/// Bytes with many zeros and long zero-free runs (COBS edge cases).
fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        proptest::collection::vec(any::<u8>(), 0..max),
        proptest::collection::vec(prop_oneof![Just(0u8), Just(1u8), Just(0xFF)], 0..max),
        (1usize..max.max(2)).prop_map(|n| vec![0x5A; n]),
        (0usize..4).prop_map(|k| vec![0x77; 254 * k]),
    ]
}

fn emit(msg: &Message<'_>) -> Vec<u8> {
    let mut out = vec![0; msg.buffer_len()];
    let n = msg.emit(&mut out).unwrap();
    out.truncate(n);
    out
}

/// Emits, checks the exact-size and one-short buffers, decodes with both decoders, and
/// returns the wire bytes.
fn round_trip(msg: Message<'_>) -> Vec<u8> {
    let wire = emit(&msg);
    assert!(wire.len() <= msg.buffer_len());
    assert_eq!(wire.last(), Some(&0));
    assert!(!wire[..wire.len() - 1].contains(&0));
    let mut exact = vec![0; wire.len()];
    assert_eq!(msg.emit(&mut exact), Ok(wire.len()));
    assert_eq!(exact, wire);
    let mut short = vec![0; wire.len() - 1];
    assert!(matches!(msg.emit(&mut short), Err(EncodeError::BufferTooSmall { .. })));

    let mut scratch = vec![0; wire.len()];
    assert_eq!(Message::decode_wire(&wire, &mut scratch).unwrap(), msg);
    let roomy = VectorDebug::new(Config { max_packet: usize::MAX / 4 });
    let events: Vec<_> = SliceDecoder::new(roomy, &wire).collect();
    assert_eq!(events.len(), 1);
    let p = events[0].frame().expect("a frame");
    assert_eq!(p.wire(), &wire[..]);
    assert_eq!(p.packet_type(), msg.packet_type());
    assert_eq!(p.payload_len(), msg.payload_len());
    let mut buf = vec![0; p.decoded_len()];
    let packet = p.decode_into(&mut buf).unwrap();
    assert_eq!(packet.message(), msg);
    assert_eq!(packet.wire_len(), wire.len());
    wire
}

proptest! {
    #[test]
    fn dbg_frame1_round_trips(recs in proptest::collection::vec(record(), 0..60), trailing in proptest::collection::vec(any::<u8>(), 0..14)) {
        let msg = Message::DbgFrame1 { records: Records::with_trailing(&recs, &trailing) };
        let wire = round_trip(msg);
        let p = WirePacket::new_checked(&wire, 1 << 20).unwrap();
        prop_assert_eq!(p.records().collect::<Vec<_>>(), recs);
        prop_assert_eq!(p.trailing_bytes().collect::<Vec<_>>(), trailing);
    }

    /// The stream decoder's typed decode reuses what the scanner learned (header, `seq`s);
    /// `Dialect::decode` checks and walks everything again. Both must give the same
    /// packets, spans and loss count, whatever the records and blocks look like.
    #[test]
    fn scanned_decode_agrees_with_the_checked_decode(
        packets in proptest::collection::vec((proptest::collection::vec(record(), 0..40), proptest::collection::vec(any::<u8>(), 0..14), any::<bool>()), 1..6),
        noise in proptest::collection::vec(any::<u8>(), 0..8),
    ) {
        let mut wire = noise.clone();
        for (recs, trailing, cli) in &packets {
            let msg = if *cli { Message::Cli { data: trailing } } else { Message::DbgFrame1 { records: Records::with_trailing(recs, trailing) } };
            wire.extend(emit(&msg));
        }
        let mut fast = SliceDecoder::new(VectorDebug::default(), &wire);
        let fast_frames: Vec<(usize, WirePacket<'_>)> =
            fast.by_ref().filter_map(|e| Some((e.offset as usize, e.into_frame()?))).collect();
        let mut checked = VectorDebug::default();
        let (mut pos, mut checked_frames) = (0, Vec::new());
        while pos < wire.len() {
            match checked.scan(&wire[pos..], true) {
                Scan::Frame(n) => {
                    checked_frames.push((pos, checked.decode(&wire[pos..pos + n]).unwrap()));
                    pos += n;
                }
                Scan::Reject(n, _) => pos += n,
                Scan::NeedMore => unreachable!("at the end"),
            }
        }
        prop_assert_eq!(fast_frames.len(), packets.len());
        prop_assert_eq!(&fast_frames, &checked_frames);
        prop_assert_eq!(fast.dialect().seq_tracker(), checked.seq_tracker());
    }

    #[test]
    fn cli_round_trips(data in bytes(1200)) {
        let wire = round_trip(Message::Cli { data: &data });
        let p = WirePacket::new_checked(&wire, 1 << 20).unwrap();
        prop_assert_eq!(p.payload_bytes().collect::<Vec<_>>(), data);
    }

    #[test]
    fn unknown_round_trips(ty in any::<u8>().prop_filter("not CLI/DBG", |t| *t != 2 && *t != 3), payload in bytes(600)) {
        round_trip(Message::Unknown { packet_type: ty, payload: &payload });
    }

    #[test]
    fn bufferless_validation_agrees_with_a_full_decode(data in bytes(700), flips in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4), max in 0usize..800) {
        let wire = emit(&Message::Cli { data: &data });
        let mut chunk = wire[..wire.len() - 1].to_vec();
        for (at, x) in flips {
            let i = at % chunk.len();
            chunk[i] = if x % 5 == 0 { 0 } else { chunk[i] ^ x };
        }
        let view = WirePacket::new_checked(&chunk, max);
        // `new_checked` takes a frame with or without its delimiter.
        let chunk = chunk.strip_suffix(&[0]).unwrap_or(&chunk);
        let mut buf = vec![0; chunk.len()];
        let full = cobs::decode(chunk, &mut buf)
            .map_err(serial_dialects::vectordebug::Error::Cobs)
            .and_then(|n| {
                if n > max && n >= 7 {
                    Err(serial_dialects::vectordebug::Error::TooLong { decoded: n, max })
                } else {
                    Packet::new_checked(&buf[..n]).map(|p| p.as_bytes().len())
                }
            });
        match (&view, &full) {
            (Ok(v), Ok(n)) => prop_assert_eq!(v.decoded_len(), *n),
            (Err(a), Err(b)) => prop_assert_eq!(a, b),
            _ => prop_assert!(false, "view {:?} vs full decode {:?}", view, full),
        }
    }

    #[test]
    fn arbitrary_bytes_never_panic_and_always_tile(input in bytes(1500), max in 0usize..300) {
        let d = VectorDebug::new(Config { max_packet: max });
        let expected = common::decode_slice(d.clone(), &input);
        common::assert_tiles(&expected, input.len());
        for sizes in [&[1usize][..], &[7, 64, 3], &[4096]] {
            prop_assert_eq!(&common::decode_chunked(d.clone(), &input, sizes), &expected);
        }
        for e in SliceDecoder::new(d.clone(), &input) {
            if let Some(p) = e.frame() {
                prop_assert!(p.decoded_len() <= max);
                prop_assert_eq!(p.payload_bytes().count(), p.payload_len());
            }
            prop_assert!(e.len <= d.max_frame_len());
        }
        let _ = WirePacket::new_checked(&input, max);
        let mut small = [0u8; 64];
        let _ = Message::decode_wire(&input, &mut small);
        let _ = Packet::new_checked(&input[..]).map(|p| p.message());
    }

    #[test]
    fn a_packet_behind_garbage_without_zero_is_recovered(garbage in proptest::collection::vec(1u8..=255, 1..300), recs in proptest::collection::vec(record(), 0..20)) {
        let p = emit(&Message::DbgFrame1 { records: Records::new(&recs) });
        let input = [&garbage[..], &p[..]].concat();
        let ev: Vec<_> = SliceDecoder::new(VectorDebug::default(), &input).collect();
        let last = ev.last().unwrap();
        prop_assert_eq!(last.offset as usize, garbage.len());
        prop_assert_eq!(last.frame().map(|f| f.wire()), Some(&p[..]));
        prop_assert!(ev[..ev.len() - 1].iter().all(|e| e.error().is_some()));
    }
}

/// Packets of every kind, with seq numbers that run on across packets.
fn synthetic_packets(n: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = common::XorShift::new(seed);
    let mut seq = 0u16;
    (0..n)
        .map(|i| match i % 7 {
            3 => {
                let text: Vec<u8> = (0..rng.below(40)).map(|_| rng.byte()).collect();
                emit(&Message::Cli { data: &text })
            }
            6 => emit(&Message::Unknown { packet_type: 9, payload: &[rng.byte(), 0, 0] }),
            _ => {
                let recs: Vec<Record> = (0..1 + rng.below(30))
                    .map(|_| {
                        seq = seq.wrapping_add(1);
                        let v = rng.next_u64();
                        Record { seq, payload: [v as i16, (v >> 16) as i16, (v >> 32) as i16, 0, 0x100, -1] }
                    })
                    .collect();
                emit(&Message::DbgFrame1 { records: Records::new(&recs) })
            }
        })
        .collect()
}

#[test]
fn corruption_never_loses_an_untouched_packet_nor_accepts_a_bad_one() {
    let packets = synthetic_packets(400, 0xC0B5);
    for rate in [0.0005, 0.005, 0.02, 0.08] {
        for seed in [1u64, 2, 3] {
            let c = common::corrupt(&packets, rate, seed);
            let events: Vec<_> = SliceDecoder::new(VectorDebug::default(), &c.bytes).collect();
            let frames: std::collections::HashMap<u64, &[u8]> =
                events.iter().filter_map(|e| e.frame().map(|f| (e.offset, f.wire()))).collect();
            for &(offset, index) in &c.untouched {
                assert_eq!(
                    frames.get(&(offset as u64)).copied(),
                    Some(&packets[index][..]),
                    "rate {rate} seed {seed}: packet {index} at {offset} lost"
                );
            }
            for e in &events {
                if let Some(p) = e.frame() {
                    let mut buf = vec![0; p.decoded_len()];
                    let packet = p.decode_into(&mut buf).expect("a decoded frame decodes");
                    assert_eq!(packet.crc(), packet.compute_crc());
                    assert_eq!(&c.bytes[e.offset as usize..e.offset as usize + e.len], p.wire());
                }
            }
            if rate > 0.001 {
                assert!(c.untouched.len() < packets.len(), "the corruptor did something");
            }
        }
    }
}

#[test]
fn long_synthetic_stream_with_errors_is_chunking_invariant() {
    let packets = synthetic_packets(60, 77);
    let c = common::corrupt(&packets, 0.01, 9);
    let mut input = vec![0, 0, 0];
    input.extend(&c.bytes);
    input.extend([0x42; 100]); // truncated tail
    common::assert_chunking_invariant(VectorDebug::default, &input);
    let summary = common::decode_slice(VectorDebug::default(), &input);
    assert_eq!(summary.first().unwrap().kind, Some(ErrorKind::EmptyChunk));
    assert_eq!(summary.last().unwrap().kind, Some(ErrorKind::Truncated));
    assert!(summary.iter().filter(|s| s.kind.is_none()).count() >= c.untouched.len());
}

#[test]
fn lost_frames_equal_the_seq_gaps_of_recovered_packets() {
    let packets = synthetic_packets(200, 5);
    let c = common::corrupt(&packets, 0.01, 4);
    let mut dec = SliceDecoder::new(VectorDebug::default(), &c.bytes);
    let mut prev: Option<u16> = None;
    let mut lost = 0u64;
    for e in dec.by_ref() {
        if let Some(p) = e.frame() {
            for r in p.records() {
                if let Some(prev) = prev {
                    lost += u64::from(r.seq.wrapping_sub(prev.wrapping_add(1)));
                }
                prev = Some(r.seq);
            }
        }
    }
    assert_eq!(dec.stats().lost_frames, lost);
    assert_eq!(dec.dialect().lost_frames(), lost);
}
