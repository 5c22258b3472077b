//! The board-independent half of the `nucleo-l432kc-ina219` firmware: what the device
//! answers to each command, the INA219 register maths and driver, and the drop-oldest
//! queue of whole frames. It has no embassy and no hardware in it, so it also builds for
//! the host, where its unit tests run:
//! `cargo test -p nucleo-l432kc-ina219 --lib --target x86_64-unknown-linux-gnu`.
//!
//! All framing is the `serial-dialects` library's (`powerscope` revision 1).

#![no_std]
#![forbid(unsafe_code)]

#[cfg(test)]
extern crate std;

pub mod device;
pub mod frame;
pub mod ina219;
pub mod queue;

pub use device::{Answer, Device};
pub use frame::WireFrame;
pub use queue::FrameQueue;
