//! The same bytes in two different chunkings give the same events, and the stream properties
//! of `check_stream` hold, for every configuration of every dialect of the registry
//! (`fuzz/src/lib.rs`), chosen by the first byte.
#![no_main]

use std::fmt::Debug;

use fuzz_support::Job;
use libfuzzer_sys::fuzz_target;
use serial_dialects::Encode;

struct Chunkings<'a>(&'a [u8]);

impl Job for Chunkings<'_> {
    fn run<D: Encode>(self, config: D::Config)
    where
        for<'a> D::Message<'a>: Debug,
    {
        fuzz_support::check_chunkings::<D>(config, self.0);
        fuzz_support::check_stream(|| D::new(config), self.0);
    }
}

fuzz_target!(|data: &[u8]| {
    let Some((&choice, data)) = data.split_first() else {
        return;
    };
    fuzz_support::with_configuration(usize::from(choice), Chunkings(data));
});
