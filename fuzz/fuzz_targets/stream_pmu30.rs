//! Arbitrary bytes, in an arbitrary chunking, through the pmu30 stream decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serial_dialects::pmu30;

fuzz_target!(|data: &[u8]| {
    fuzz_support::check_stream(|| pmu30::Pmu30::default(), data);
});
