//! The board-independent half of the `nucleo-l432kc-ina219` firmware: the INA219 driver
//! and the latest-readings table the library's powerscope device model samples. The
//! protocol half (every command's answer, the NACKs, the stream schedule, the drop-oldest
//! frame queue) is `serial_dialects::powerscope::device::Model`, the same code the
//! simulator runs. Nothing here needs embassy or hardware, so it also builds for the host,
//! where its unit tests run:
//! `cargo test -p nucleo-l432kc-ina219 --lib --target x86_64-unknown-linux-gnu`.

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod ina219;
pub mod readings;

pub use readings::LatestReadings;
