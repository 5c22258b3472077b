//! Codecs for five real embedded serial protocols, for firmware and for host tools.
//!
//! | module | wire format |
//! |---|---|
//! | [`pmu30`] | `0xAA LEN MSG_ID PAYLOAD CRC16`: PMU-30 power distribution module |
//! | [`vectordebug`] | `COBS(type len payload CRC16) 0x00`: batched motor-controller debug frames |
//! | [`plot`] | `0xAA`/`0xAB` int16 plot data and channel labels, text lines, help table |
//! | [`ascii_crc8`] | `&SRC DST ID LEN DATA CRC*` with CRC-8: BH1750 light meter |
//! | [`powerscope`] | 16-byte header with `seq`/`ts_ms` (+ CRC16 in revision 1): STM32 + INA219 |
//!
//! Every dialect module has the same shape: a zero-copy view that validates one frame
//! from `&[u8]`, typed messages that parse from it and `emit` into a caller's `&mut [u8]`,
//! and a [`stream::Dialect`] implementation that the shared [`stream`] drivers use to
//! decode byte streams in any chunking, with no heap. No input makes any decoder panic.
//!
//! The crate is `#![no_std]` and allocation-free; `std`, `alloc`, `serde` and `defmt` are
//! features.
#![no_std]
#![forbid(unsafe_code)]
#![warn(missing_docs)]
#![cfg_attr(docsrs, feature(doc_cfg))]

#[cfg(any(feature = "std", test))]
extern crate std;

#[cfg(feature = "alloc")]
extern crate alloc;

pub mod buf;
#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub mod client;
pub mod cobs;
pub mod crc;
pub mod device;
pub mod dialect;
pub mod error;
#[cfg(feature = "std")]
#[cfg_attr(docsrs, doc(cfg(feature = "std")))]
pub mod fields;
pub mod fmt;
pub mod io;
#[cfg(feature = "alloc")]
#[cfg_attr(docsrs, doc(cfg(feature = "alloc")))]
pub mod owned;
pub mod present;
pub mod session;
pub mod stats;
pub mod stream;

pub mod ascii_crc8;
pub mod plot;
pub mod pmu30;
pub mod powerscope;
pub mod vectordebug;

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use io::tokio;

pub use dialect::{Dialect, DialectConfig, Encode, Event, EventOf, Item, Message, Scan};
pub use error::{DialectError, EncodeError, ErrorKind};
pub use stats::{ErrorCounts, Stats};
pub use stream::{SliceDecoder, StreamDecoder};

/// The README's examples, compiled and run as doctests.
#[cfg(doctest)]
#[doc = include_str!("../README.md")]
pub struct ReadmeDoctests;
