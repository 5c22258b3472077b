//! Streams: a stray start marker that must not swallow the frames behind it, long
//! streams with errors in every chunking, corruption, and the statistics.

use serial_dialects::pmu30::{Config, Frame, InfoResp, Message, Pmu30};
use serial_dialects::{ErrorKind, SliceDecoder};

use crate::common;
use crate::common::pmu30::{enc, ping, pong, sample_frames, shape};

#[test]
fn stray_aa_with_plausible_length_does_not_swallow_frames_behind_it() {
    // resync_overlap: a stray `AA 20 00 11` whose 38-byte window covers GET_INFO and part
    // of INFO_RESP.
    let info = enc(&Message::InfoResp(InfoResp::new([1, 0, 0], 2, "S", "N").unwrap()), &Config::default());
    let get_info = enc(&Message::GetInfo {}, &Config::default());
    let input = [&[0xAA, 0x20, 0x00, 0x11][..], &ping(), &get_info, &info].concat();
    assert_eq!(
        shape(Config::default(), &input),
        [(0, 4, Some(ErrorKind::CrcMismatch)), (4, 6, None), (10, 6, None), (16, 58, None)]
    );
    // stray_aa_stall: LENGTH 512 announced, the input ends first; the frames behind it are
    // recovered when the input ends, whatever the chunking.
    let input = [&ping()[..], &[0xAA, 0x00, 0x02, 0x42], &pong(), &get_info, &info].concat();
    assert_eq!(
        shape(Config::default(), &input),
        [(0, 6, None), (6, 4, Some(ErrorKind::Truncated)), (10, 6, None), (16, 6, None), (22, 58, None)]
    );
    common::assert_chunking_invariant(Pmu30::default, &input);
}

fn long_stream_with_errors() -> Vec<u8> {
    let frames = sample_frames(&Config::default(), 240);
    let mut rng = common::XorShift::new(42);
    let mut out = Vec::new();
    for (i, f) in frames.iter().enumerate() {
        match i % 9 {
            0 => out.extend((0..rng.below(40)).map(|_| rng.byte())),
            3 => {
                let mut bad = f.clone();
                let at = rng.below(bad.len());
                bad[at] ^= 0x10;
                out.extend(bad);
                continue;
            }
            5 => out.extend([0xAA, 0x40, 0x00]),
            7 => out.extend([0xAA, 0xFF, 0xFF, 0xAA]),
            _ => {}
        }
        out.extend(f);
    }
    out.extend(&frames[11][..60]);
    out
}

#[test]
fn chunking_invariant_over_a_long_stream_with_errors() {
    let input = long_stream_with_errors();
    let events = shape(Config::default(), &input);
    assert!(events.iter().filter(|e| e.2.is_none()).count() > 180);
    for kind in [ErrorKind::Garbage, ErrorKind::CrcMismatch, ErrorKind::BadLength, ErrorKind::Truncated] {
        assert!(events.iter().any(|e| e.2 == Some(kind)), "{kind:?} expected in the stream");
    }
    common::assert_chunking_invariant(Pmu30::default, &input);
}

#[test]
fn corruption_never_loses_untouched_frames_or_accepts_bad_crcs() {
    let cfg = Config::default();
    let frames = sample_frames(&cfg, 600);
    for rate in [0.0005, 0.002, 0.01, 0.05] {
        for seed_value in [1u64, 7, 1234] {
            let c = common::corrupt(&frames, rate, seed_value);
            let mut found = std::collections::HashMap::new();
            for e in SliceDecoder::new(Pmu30::new(cfg), &c.bytes) {
                let bytes = &c.bytes[e.offset as usize..e.offset as usize + e.len];
                if e.frame().is_some() {
                    Frame::new_checked(bytes).expect("a decoded frame always passes its CRC");
                }
                found.insert(e.offset as usize, (e.len, e.frame().is_some()));
            }
            assert!(!c.untouched.is_empty());
            for &(offset, index) in &c.untouched {
                let want = &frames[index];
                assert_eq!(
                    found.get(&offset),
                    Some(&(want.len(), true)),
                    "rate {rate} seed {seed_value} frame {index}"
                );
                assert_eq!(&c.bytes[offset..offset + want.len()], &want[..]);
            }
        }
    }
}

#[test]
fn stats_account_for_every_byte() {
    let input = long_stream_with_errors();
    let mut dec = SliceDecoder::new(Pmu30::default(), &input);
    let frames = dec.by_ref().filter(|e| e.frame().is_some()).count() as u64;
    assert_eq!(dec.stats().frames, frames);
    assert_eq!(dec.stats().bytes_accounted(), input.len() as u64);
    assert_eq!(dec.stats().lost_frames, 0);
}
