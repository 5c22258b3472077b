//! The board-independent half of the `blackpill-spi-bridge` firmware: record halves and
//! their DBG_FRAME1 framing, the loss counters and their status line, and the decoding of
//! host → device CLI packets. It has no embassy and no hardware in it, so it also builds
//! for the host, where its unit tests run:
//! `cargo test -p blackpill-spi-bridge --lib --target x86_64-unknown-linux-gnu`.
//!
//! All framing is the `serial-dialects` library's (`vectordebug`).

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod batch;
pub mod counters;
pub mod host_cli;
