//! The corruption harness's invariants, on every test run: real frames in long streams with
//! bit flips, drops, insertions and bursts at 1e-5 .. 1e-2 per byte.

mod common;

use std::path::Path;

use common::corruption::{RATES, Score, Target, run_once};

fn score(target: Target, rate: f64) -> Score {
    let pool = target.frame_pool(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures"));
    let mut total = Score::default();
    for seed in [11, 23] {
        total.add(&run_once(target, &pool, 64 * 1024, rate, seed));
    }
    total
}

#[test]
fn checksummed_dialects_recover_every_untouched_frame() {
    for target in Target::ALL.into_iter().filter(|t| t.checksummed()) {
        for rate in RATES {
            let s = score(target, rate);
            assert_eq!(s.accounted, s.bytes, "{} at {rate}: bytes unaccounted", target.name());
            assert!(s.untouched > 0 && s.frames > 100, "{} at {rate}: {s:?}", target.name());
            assert_eq!(s.recovered, s.untouched, "{} at {rate}: untouched frames lost: {s:?}", target.name());
            if rate >= 1e-3 {
                assert!(s.corrupted > 0, "{} at {rate}: the harness corrupted nothing", target.name());
            }
            if target == Target::AsciiCrc8 {
                // CRC-8: a corrupted candidate passes by chance about 1 time in 256.
                assert!(s.false_frames * 32 <= s.corrupted + 32, "{} at {rate}: {s:?}", target.name());
            } else {
                // CRC-16: 1 in 65 536; none in these streams.
                assert_eq!(s.false_frames, 0, "{} at {rate}: {s:?}", target.name());
                assert_eq!(s.rejected, s.corrupted, "{} at {rate}: {s:?}", target.name());
            }
        }
    }
}

#[test]
fn unchecked_dialects_keep_false_frames_to_what_the_format_allows() {
    for target in [Target::Plot, Target::PowerScopeR0] {
        for rate in RATES {
            let s = score(target, rate);
            assert_eq!(s.accounted, s.bytes, "{} at {rate}", target.name());
            let recovered = s.recovered as f64 / s.untouched as f64;
            let floor = if rate <= 1e-3 { 0.95 } else { 0.80 };
            assert!(recovered >= floor, "{} at {rate}: recovered {recovered:.3} < {floor}: {s:?}", target.name());
            // Without a checksum a corrupted frame usually still decodes as (a wrong) one,
            // but corruption never multiplies frames.
            assert!(s.false_frames as f64 <= 1.2 * s.corrupted as f64 + 2.0, "{} at {rate}: {s:?}", target.name());
        }
    }
}

#[test]
fn clean_streams_decode_completely() {
    for target in Target::ALL {
        let s = score(target, 0.0);
        assert_eq!((s.corrupted, s.false_frames), (0, 0), "{}", target.name());
        assert_eq!(s.recovered, s.frames, "{}", target.name());
        assert_eq!(s.accounted, s.bytes);
    }
}
