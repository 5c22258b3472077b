//! Streams: the stream decoder against the slice decoder and the checked decode, arbitrary
//! input in any chunking, packets recovered behind garbage, corruption, and lost frames.

use crate::common;
use crate::common::vectordebug::{bytes, dbg, emit, good, record};

use proptest::prelude::*;
use proptest::test_runner::FileFailurePersistence;
use serial_dialects::ErrorKind;
use serial_dialects::stream::{Dialect, Scan, SliceDecoder, StreamDecoder};
use serial_dialects::vectordebug::{Config, Message, Packet, Payload, Record, Records, VectorDebug};

proptest! {
    // Failures are kept beside this file (`<file>.proptest-regressions`): the default would
    // put them under `tests/proptest-regressions/`, named after this file alone, because
    // `main.rs` makes this directory look like a crate root.
    #![proptest_config(ProptestConfig {
        failure_persistence: Some(Box::new(FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

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
            let msg = if *cli { Payload::Cli { data: trailing } } else { Payload::DbgFrame1 { records: Records::with_trailing(recs, trailing) } };
            wire.extend(emit(&msg));
        }
        let mut fast = SliceDecoder::new(VectorDebug::default(), &wire);
        let fast_frames: Vec<(usize, Message<'_>)> =
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
        let _ = Message::new_checked(&input, max);
        let mut small = [0u8; 64];
        let _ = Payload::decode_wire(&input, &mut small);
        let _ = Packet::new_checked(&input[..]).map(|p| p.typed_payload());
    }

    #[test]
    fn a_packet_behind_garbage_without_zero_is_recovered(garbage in proptest::collection::vec(1u8..=255, 1..300), recs in proptest::collection::vec(record(), 0..20)) {
        let p = emit(&Payload::DbgFrame1 { records: Records::new(&recs) });
        let input = [&garbage[..], &p[..]].concat();
        let ev: Vec<_> = SliceDecoder::new(VectorDebug::default(), &input).collect();
        let last = ev.last().unwrap();
        prop_assert_eq!(last.offset as usize, garbage.len());
        prop_assert_eq!(last.frame().map(|f| f.wire()), Some(&p[..]));
        prop_assert!(ev[..ev.len() - 1].iter().all(|e| e.error().is_some()));
    }
}

#[test]
fn stream_decoder_with_default_capacity_matches_slice_decoder() {
    let input = [vec![0, 0], dbg(1, 200), vec![0x13; 50], good(2, b"> "), dbg(201, 1169)].concat();
    let expected = common::decode_slice(VectorDebug::default(), &input);
    let mut dec: Box<StreamDecoder<VectorDebug, 16450>> = Box::new(StreamDecoder::new(VectorDebug::default()));
    let mut got = Vec::new();
    for piece in input.chunks(977) {
        dec.feed(piece, |e| got.push(common::summarize(&e)));
    }
    dec.finish_with(|e| got.push(common::summarize(&e)));
    assert_eq!(got, expected);
    assert_eq!(expected.iter().filter(|s| s.kind.is_none()).count(), 3);
}

/// Packets of every kind, with seq numbers that run on across packets.
fn synthetic_packets(n: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = common::XorShift::new(seed);
    let mut seq = 0u16;
    (0..n)
        .map(|i| match i % 7 {
            3 => {
                let text: Vec<u8> = (0..rng.below(40)).map(|_| rng.byte()).collect();
                emit(&Payload::Cli { data: &text })
            }
            6 => emit(&Payload::Unknown { packet_type: 9, payload: &[rng.byte(), 0, 0] }),
            _ => {
                let recs: Vec<Record> = (0..1 + rng.below(30))
                    .map(|_| {
                        seq = seq.wrapping_add(1);
                        let v = rng.next_u64();
                        Record { seq, payload: [v as i16, (v >> 16) as i16, (v >> 32) as i16, 0, 0x100, -1] }
                    })
                    .collect();
                emit(&Payload::DbgFrame1 { records: Records::new(&recs) })
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
