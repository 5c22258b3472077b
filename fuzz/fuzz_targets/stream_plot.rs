//! Arbitrary bytes, in an arbitrary chunking, through the plot stream decoder (32 or 64
//! channels, chosen by the first byte).
#![no_main]

use libfuzzer_sys::fuzz_target;
use serial_dialects::plot;

fuzz_target!(|data: &[u8]| {
    let Some((&variant, data)) = data.split_first() else {
        return;
    };
    let config = if variant & 1 == 0 { plot::Config::documented() } else { plot::Config::wide() };
    fuzz_support::check_stream(|| plot::Plot::new(config), data);
});
