//! The `pmu30` dialect's tests, one binary: real captures, each wire rule, the stated
//! limits, round trips, the JSON shape, streams and the host session helpers.

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
