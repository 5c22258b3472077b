//! The powerscope dialect: real captures, the wire rules and decisions, the limits, round
//! trips, the JSON shape and stream decoding (docs/protocols/powerscope.md).

#[path = "../common/mod.rs"]
mod common;

mod captures;
mod device;
mod json;
mod limits;
mod roundtrip;
mod rules;
mod stream;

use serial_dialects::powerscope::{
    Error, HeaderRepr, Ina219Sample, Message, PowerScope, Revision, SensorPacket, Stream, frame, r0,
};
use serial_dialects::{ErrorKind, SliceDecoder};

/// The wire bytes of `msg` (which the encoder must accept).
pub fn emit<'a>(msg: impl Into<Message<'a>>) -> Vec<u8> {
    let msg = msg.into();
    let mut buf = [0u8; 600];
    let n = msg.emit(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// An INA219 sample frame of sensor `runtime_id`, its reading derived from `seq`.
pub fn sample_frame(runtime_id: u8, seq: u32, ts_ms: u32) -> Vec<u8> {
    let sample = Ina219Sample { runtime_id, bus_mv: 12_000 + seq as u16 % 300, current_ua: 22_000 - seq as i32 };
    emit(Stream::new(seq, ts_ms, SensorPacket::Ina219(sample)))
}

/// A revision-0 STREAM frame.
pub fn r0_frame(seq: u32, payload: &[u8]) -> Vec<u8> {
    emit(r0::Stream::new(seq, seq * 5, payload))
}

/// A checksum-valid revision-1 frame with any header and payload.
pub fn crafted(frame_type: u8, cmd_id: u8, payload: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let header = HeaderRepr { frame_type, cmd_id, seq: 7, ts_ms: 9, ..Default::default() };
    let n = frame::emit(&mut buf, Revision::R1, &header, payload).unwrap();
    buf[..n].to_vec()
}

/// `(offset, len, kind)` of every event.
pub fn shape(dialect: PowerScope, input: &[u8]) -> Vec<(u64, usize, Option<ErrorKind>)> {
    let events: Vec<_> = SliceDecoder::new(dialect, input).map(|e| (e.offset, e.len, e.error_kind())).collect();
    let total: usize = events.iter().map(|e| e.1).sum();
    assert_eq!(total, input.len());
    events
}

/// `(offset, len, error)` of every error event.
pub fn errors(dialect: PowerScope, input: &[u8]) -> Vec<(u64, usize, Error)> {
    SliceDecoder::new(dialect, input).filter_map(|e| e.error().cloned().map(|err| (e.offset, e.len, err))).collect()
}
