//! `io::Events` over a `std::io::Read` that returns random sizes and time-outs, and
//! `io::write_message`.

use std::fmt::Debug;
use std::io::{self, Read};

use serial_dialects::io::{Events, write_message};
use serial_dialects::{Encode, Item, SliceDecoder};

use super::common::{Summary, XorShift};
use super::{references, summarize_owned};

/// A serial port as `serialport` presents one: reads of 1 to 4096 bytes, and a `TimedOut`
/// error (or an interrupted read) every few calls; 0 at the end.
struct Port<'a> {
    rest: &'a [u8],
    rng: XorShift,
    timeouts: usize,
}

impl Read for Port<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self.rng.below(6) {
            0 => {
                self.timeouts += 1;
                return Err(io::Error::new(io::ErrorKind::TimedOut, "no bytes within the timeout"));
            }
            1 => return Err(io::ErrorKind::Interrupted.into()),
            _ => {}
        }
        let n = (1 + self.rng.below(4096)).min(buf.len()).min(self.rest.len());
        buf[..n].copy_from_slice(&self.rest[..n]);
        self.rest = &self.rest[n..];
        Ok(n)
    }
}

pub fn events_equal_slice<D>()
where
    D: Encode,
    for<'a> D::Message<'a>: Debug,
{
    for (round, (config, reference)) in references::<D>().into_iter().enumerate() {
        let port = Port { rest: &reference.input, rng: XorShift::new(0xB10C + round as u64), timeouts: 0 };
        let read_size = [1, 7, 64, 8192][round % 4];
        let mut events = Events::with_read_size(D::new(config), port, read_size);
        let mut got: Vec<Summary> = Vec::new();
        let mut timeouts = 0;
        for event in &mut events {
            match event {
                Ok(event) => got.push(summarize_owned(&event)),
                Err(e) if e.kind() == io::ErrorKind::TimedOut => timeouts += 1,
                Err(e) => panic!("{}: {e}", reference.label),
            }
        }
        assert_eq!(got, reference.events, "{} (reads of {read_size})", reference.label);
        assert_eq!(*events.stats(), reference.stats, "{}", reference.label);
        assert_eq!(timeouts, events.get_ref().timeouts, "every time-out is reported once");
        assert_eq!(events.pending(), 0);
    }

    // `write_message` writes exactly what `encode` writes, frame after frame.
    let (config, reference) = references::<D>().swap_remove(0);
    let dialect = D::new(config);
    let (mut written, mut expected) = (Vec::new(), Vec::new());
    for event in SliceDecoder::new(D::new(config), &reference.input) {
        let Item::Frame(message) = event.item else { continue };
        let mut frame = vec![0u8; dialect.encoded_len(&message)];
        match dialect.encode(&message, &mut frame) {
            Ok(n) => {
                assert_eq!(write_message(&mut written, &dialect, &message).expect("written"), n);
                expected.extend_from_slice(&frame[..n]);
            }
            Err(_) => {
                let e = write_message(&mut written, &dialect, &message).expect_err("refused");
                assert_eq!(e.kind(), io::ErrorKind::InvalidInput);
            }
        }
    }
    assert_eq!(written, expected);
    assert!(!written.is_empty());
}
