//! The same bytes in two different chunkings give the same events, for every dialect.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serial_dialects::{ascii_crc8, plot, pmu30, powerscope, vectordebug};

fuzz_target!(|data: &[u8]| {
    let Some((&choice, data)) = data.split_first() else {
        return;
    };
    let (first, data) = fuzz_support::split_chunking(data);
    let (second, input) = fuzz_support::split_chunking(data);
    macro_rules! compare {
        ($make:expr) => {{
            let a = fuzz_support::decode_chunked($make, input, &first);
            let b = fuzz_support::decode_chunked($make, input, &second);
            assert_eq!(a, b, "chunkings {first:?} and {second:?} disagree");
        }};
    }
    match choice % 8 {
        0 => compare!(pmu30::Pmu30::default()),
        1 => compare!(pmu30::Pmu30::crc_with_length()),
        2 => compare!(vectordebug::VectorDebug::default()),
        3 => compare!(plot::Plot::new(plot::Config::documented())),
        4 => compare!(plot::Plot::new(plot::Config::wide())),
        5 => compare!(ascii_crc8::AsciiCrc8::default()),
        6 => compare!(powerscope::PowerScope::r0()),
        _ => compare!(powerscope::PowerScope::r1()),
    }
});
