//! The plot dialect's tests, one binary: real captures, wire rules, limits, round trips,
//! the JSON shape and stream behaviour (chunking, corruption, resynchronisation).

#[path = "../common/mod.rs"]
mod common;

mod captures;
mod device;
mod json;
mod limits;
mod roundtrip;
mod rules;
mod stream;
