//! Arbitrary bytes, in an arbitrary chunking, through the vectordebug stream decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serial_dialects::vectordebug;

fuzz_target!(|data: &[u8]| {
    fuzz_support::check_stream(|| vectordebug::VectorDebug::default(), data);
});
