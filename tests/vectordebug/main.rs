//! The vectordebug dialect's tests, one binary: the real captures, each wire rule and
//! decision of docs/protocols/vectordebug.md, the limits, round trips and encoder errors,
//! the JSON shape, and streams (chunking, corruption, recovery).

#[path = "../common/mod.rs"]
mod common;

mod captures;
mod device;
mod json;
mod limits;
mod roundtrip;
mod rules;
mod stream;
