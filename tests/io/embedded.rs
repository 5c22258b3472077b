//! `io::embedded::Reader` and `io::embedded_async::Reader` on readers that return 1 to 64
//! bytes per call.

use std::fmt::Debug;

use serial_dialects::Dialect;
use serial_dialects::io::{embedded, embedded_async};

use super::common::{Summary, XorShift, summarize};
use super::references;

/// The decoder's buffer: larger than every dialect's largest frame in every configuration.
const N: usize = super::common::TEST_CAPACITY;

/// A reader that returns 1 to 64 bytes per call (seeded), then 0 at the end.
struct Trickle<'a> {
    rest: &'a [u8],
    rng: XorShift,
    calls: usize,
}

impl<'a> Trickle<'a> {
    fn new(input: &'a [u8], seed: u64) -> Self {
        Trickle { rest: input, rng: XorShift::new(seed), calls: 0 }
    }

    fn take(&mut self, buf: &mut [u8]) -> usize {
        self.calls += 1;
        let n = (1 + self.rng.below(64)).min(buf.len()).min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        n
    }
}

impl embedded_io::ErrorType for Trickle<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        Ok(self.take(buf))
    }
}

impl embedded_io_async::Read for Trickle<'_> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        Ok(self.take(buf))
    }
}

pub fn readers_equal_slice<D>()
where
    D: Dialect,
    for<'a> D::Message<'a>: Debug,
{
    let rt = tokio::runtime::Builder::new_current_thread().build().expect("a runtime");
    for (round, (config, reference)) in references::<D>().into_iter().enumerate() {
        let dialect = D::new(config);
        assert!(N >= dialect.max_frame_len(), "{}", reference.label);
        let seed = 0xE10 + round as u64;

        let mut reader = Box::new(embedded::Reader::<D, _, N>::new(dialect, Trickle::new(&reference.input, seed)));
        let mut got: Vec<Summary> = Vec::new();
        while let Some(summary) = reader.read_event(|event| summarize(&event)).expect("infallible") {
            got.push(summary);
        }
        assert_eq!(got, reference.events, "blocking reader, {}", reference.label);
        assert_eq!(*reader.stats(), reference.stats, "{}", reference.label);
        let calls = reader.get_mut().calls;
        assert!(calls as f64 >= reference.input.len() as f64 / 64.0, "{}: reads of at most 64 bytes", reference.label);

        let got = rt.block_on(async {
            let trickle = Trickle::new(&reference.input, seed);
            let mut reader = Box::new(embedded_async::Reader::<D, _, N>::new(D::new(config), trickle));
            let mut got: Vec<Summary> = Vec::new();
            while let Some(summary) = reader.read_event(|event| summarize(&event)).await.expect("infallible") {
                got.push(summary);
            }
            assert_eq!(*reader.stats(), reference.stats, "{}", reference.label);
            got
        });
        assert_eq!(got, reference.events, "async reader, {}", reference.label);
    }
}
