//! Stream decoding of powerscope: corruption and chunking over long synthetic streams, and
//! decisions that never depend on bytes beyond the frame limit.

use serial_dialects::powerscope::{
    Ack, Cmd, Command, ErrorCode, Frame, Message, Nack, PowerScope, Reply, Revision, SensorList, r0,
};
use serial_dialects::{ErrorKind, SliceDecoder, StreamDecoder};

use crate::{common, emit, r0_frame, sample_frame, shape};

/// A long revision-1 stream of every frame type.
fn long_r1_stream(n: usize) -> Vec<Vec<u8>> {
    let mut rng = common::XorShift::new(0xB0A7);
    let mut seqs = [0u32; 3];
    let uid = [0x48, 0x35, 0x8A, 0xB4, 0xA2, 0x91, 0x92, 0x5A, 0xFC, 0x00, 0xE4, 0xF0];
    (0..n)
        .map(|i| match rng.below(10) {
            0 => emit(Message::Cmd(Cmd::new(i as u32, 1_994_041_444, Command::SetPeriod { sensor: 1, period_ms: 10 }))),
            1 => emit(Message::Ack(Ack::new(i as u32, 100, Reply::GetBoardUid { uid }))),
            2 => emit(Message::Nack(Nack::new(i as u32, 100, 4, ErrorCode::SensorBusy))),
            3 => {
                emit(Message::Ack(Ack::new(i as u32, 100, Reply::GetSensors(SensorList::new(&[1, 1, 2, 1]).unwrap()))))
            }
            _ => {
                let id = 1 + rng.below(2) as u8;
                seqs[usize::from(id)] += 1;
                sample_frame(id, seqs[usize::from(id)], i as u32 * 13)
            }
        })
        .collect()
}

#[test]
fn corruption_every_untouched_frame_is_recovered_and_no_bad_frame_is_accepted() {
    let frames = long_r1_stream(600);
    for rate in [0.001, 0.005, 0.02, 0.08] {
        for seed in 1..=4u64 {
            let c = common::corrupt(&frames, rate, seed);
            let events: Vec<_> = SliceDecoder::new(PowerScope::r1(), &c.bytes).collect();
            common::assert_tiles(&events.iter().map(common::summarize).collect::<Vec<_>>(), c.bytes.len());
            let decoded: std::collections::HashMap<u64, usize> =
                events.iter().filter(|e| e.frame().is_some()).map(|e| (e.offset, e.len)).collect();
            for &(offset, index) in &c.untouched {
                let len = decoded.get(&(offset as u64)).copied();
                assert_eq!(len, Some(frames[index].len()), "rate {rate} seed {seed}: frame {index} at {offset}");
                assert_eq!(&c.bytes[offset..offset + frames[index].len()], &frames[index][..]);
            }
            for (&offset, &len) in &decoded {
                let bytes = &c.bytes[offset as usize..offset as usize + len];
                let view = Frame::new_checked(bytes, Revision::R1).expect("every decoded frame passes its CRC");
                assert_eq!(view.frame_len(), len);
            }
            if rate == 0.02 && seed == 1 {
                common::assert_chunking_invariant(PowerScope::r1, &c.bytes);
            }
        }
    }
}

#[test]
fn long_r0_stream_with_errors_is_chunking_invariant() {
    let mut rng = common::XorShift::new(0x5EED);
    let mut frames = Vec::new();
    for seq in 0..120u32 {
        let payload: Vec<u8> = (0..1 + rng.below(200)).map(|i| (seq as u8).wrapping_add(i as u8)).collect();
        frames.push(r0_frame(seq, &payload));
        if rng.chance(0.2) {
            frames.push(vec![r0::START]);
        }
    }
    let c = common::corrupt(&frames, 0.01, 7);
    common::assert_chunking_invariant(PowerScope::r0, &c.bytes);
    // Without corruption every frame and command comes back.
    let clean = frames.concat();
    let events: Vec<_> = SliceDecoder::new(PowerScope::r0(), &clean).collect();
    assert_eq!(events.len(), frames.len());
    assert!(events.iter().all(|e| e.frame().is_some()));
}

#[test]
fn a_decoder_as_small_as_the_largest_frame_gives_the_same_events() {
    let frames = long_r1_stream(300);
    let c = common::corrupt(&frames, 0.03, 11);
    let expected = common::decode_slice(PowerScope::r1(), &c.bytes);
    for chunk in [1usize, 5, 64] {
        let mut dec: Box<StreamDecoder<PowerScope, 64>> = Box::new(StreamDecoder::new(PowerScope::r1()));
        let mut got = Vec::new();
        for piece in c.bytes.chunks(chunk) {
            dec.feed(piece, |e| got.push(common::summarize(&e)));
        }
        dec.finish_with(|e| got.push(common::summarize(&e)));
        assert_eq!(got, expected, "chunk {chunk}");
    }
    let mut rng = common::XorShift::new(3);
    let noisy: Vec<u8> = (0..20_000).map(|_| [0xA5, 0x5A, 0, 1, 2, rng.byte()][rng.below(6)]).collect();
    let expected = common::decode_slice(PowerScope::r0(), &noisy);
    let mut dec: Box<StreamDecoder<PowerScope, 528>> = Box::new(StreamDecoder::new(PowerScope::r0()));
    let mut got = Vec::new();
    for piece in noisy.chunks(97) {
        dec.feed(piece, |e| got.push(common::summarize(&e)));
    }
    dec.finish_with(|e| got.push(common::summarize(&e)));
    assert_eq!(got, expected);
}

#[test]
fn rule_decisions_never_depend_on_bytes_beyond_the_frame_limit() {
    // A rejected header whose 64-byte horizon ends in A5, at the very end of the input: the
    // A5 is left to the next scan whether or not a byte follows (found by proptest).
    let mut input = vec![0u8; 64];
    input[..6].copy_from_slice(&[0xA5, 0x5A, 0, 0, 0xFF, 0]);
    input[63] = 0xA5;
    let expected = vec![(0, 63, Some(ErrorKind::BadLength)), (63, 1, Some(ErrorKind::Garbage))];
    assert_eq!(shape(PowerScope::r1(), &input), expected);
    common::assert_chunking_invariant(PowerScope::r1, &input);
    // The same for a garbage run that reaches the limit.
    let mut input = vec![0x11u8; 64];
    input[63] = 0xA5;
    assert_eq!(shape(PowerScope::r1(), &input), [(0, 63, Some(ErrorKind::Garbage)), (63, 1, Some(ErrorKind::Garbage))]);
    common::assert_chunking_invariant(PowerScope::r1, &input);
}
