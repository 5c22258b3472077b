//! The board-independent half of the `blackpill-spi-bridge` firmware: the loss counters and
//! their status line, and the host → device CLI packets (the host's USB writes as an
//! `embedded_io_async::Read` for the library's `io::embedded_async::Reader`). The record
//! halves and their DBG_FRAME1 framing ([`batch`]) are the library's
//! (`serial_dialects::vectordebug::batch`), the batching the vectordebug device model (the
//! simulator) runs too. It has no embassy and no hardware in it, so it also builds for the
//! host, where its unit tests run (on `embassy_futures::block_on`, a test dependency):
//! `cargo test -p blackpill-spi-bridge --lib --target x86_64-unknown-linux-gnu`.
//!
//! All framing is the `serial-dialects` library's (`vectordebug`).

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod counters;
pub mod host_cli;

pub use serial_dialects::vectordebug::batch;
