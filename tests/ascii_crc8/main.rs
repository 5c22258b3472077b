//! The ascii-crc8 dialect (`docs/protocols/ascii-crc8.md`): real captures, each wire rule
//! and decision, the limits, round trips, the JSON shape, stream behaviour and the host
//! session.

#[path = "../common/mod.rs"]
mod common;

mod captures;
mod device;
mod json;
mod limits;
mod roundtrip;
mod rules;
mod session;
mod stream;
