//! Arbitrary bytes, in an arbitrary chunking, through the ascii crc8 stream decoder.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serial_dialects::ascii_crc8;

fuzz_target!(|data: &[u8]| {
    fuzz_support::check_stream(|| ascii_crc8::AsciiCrc8::default(), data);
});
