//! Arbitrary bytes, in an arbitrary chunking, through the powerscope r1 stream decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serial_dialects::powerscope;

fuzz_target!(|data: &[u8]| {
    fuzz_support::check_stream(|| powerscope::PowerScope::r1(), data);
});
