//! A message apart from its frame's bytes, and back: what an owned event keeps
//! ([`Dialect::context_of`](crate::Dialect::context_of), [`Dialect::rebuild`](crate::Dialect::rebuild)).
//!
//! Every field but three is a number the message holds by value (a STREAM's gap
//! included), so the context is the message itself with its borrowed byte runs (a raw
//! sensor sample, a GET_SENSORS list, a revision-0 payload) left empty; rebuilding points
//! them back into the frame. Nothing is read or checked again.

use super::frame::CRC_LEN;
use super::header::HEADER_LEN;
use super::ina219::SensorPacket;
use super::message::{Ack, Message, Stream};
use super::r0;
use super::reply::{Reply, SensorList};

/// `packet` with a raw sample's bytes replaced by `sample`.
fn packet_with<'a>(packet: SensorPacket<'_>, sample: &'a [u8]) -> SensorPacket<'a> {
    match packet {
        SensorPacket::Ina219(s) => SensorPacket::Ina219(s),
        SensorPacket::Raw { runtime_id, .. } => SensorPacket::Raw { runtime_id, sample },
    }
}

/// `reply` with its borrowed bytes replaced by `payload` (a GET_SENSORS list is the whole
/// payload, a raw READ_SENSOR sample what follows the runtime id).
fn reply_with<'a>(reply: Reply<'_>, payload: &'a [u8]) -> Reply<'a> {
    match reply {
        Reply::GetSensors(_) => Reply::GetSensors(SensorList::unchecked(payload)),
        Reply::ReadSensor(packet) => Reply::ReadSensor(packet_with(packet, payload.get(1..).unwrap_or(&[]))),
        Reply::StartStream => Reply::StartStream,
        Reply::StopStream => Reply::StopStream,
        Reply::SetPeriod => Reply::SetPeriod,
        Reply::GetPeriod { period_ms } => Reply::GetPeriod { period_ms },
        Reply::Ping => Reply::Ping,
        Reply::GetUptime { uptime_ms } => Reply::GetUptime { uptime_ms },
        Reply::GetBoardUid { uid } => Reply::GetBoardUid { uid },
    }
}

/// `message` with its payload bytes replaced by `payload`.
fn with_payload<'a>(message: &Message<'_>, payload: &'a [u8]) -> Message<'a> {
    match *message {
        Message::Stream(s) => {
            let packet = packet_with(s.packet, payload.get(1..).unwrap_or(&[]));
            Message::Stream(Stream { packet, ..s })
        }
        Message::Ack(a) => {
            Message::Ack(Ack { reply: reply_with(a.reply, payload), seq: a.seq, ts_ms: a.ts_ms, reserved: a.reserved })
        }
        Message::R0Stream(s) => Message::R0Stream(r0::Stream { payload, ..s }),
        Message::Cmd(c) => Message::Cmd(c),
        Message::Nack(n) => Message::Nack(n),
        Message::R0Command(c) => Message::R0Command(c),
    }
}

#[inline]
pub(super) fn detach(message: &Message<'_>) -> Message<'static> {
    with_payload(message, &[])
}

/// The payload is what follows the 16-byte header, up to the CRC in revision 1.
#[inline]
pub(super) fn attach<'a>(frame: &'a [u8], detached: &Message<'static>) -> Message<'a> {
    let crc = match detached {
        Message::R0Stream(_) | Message::R0Command(_) => 0,
        _ => CRC_LEN,
    };
    let payload = frame.get(HEADER_LEN..frame.len().saturating_sub(crc)).unwrap_or(&[]);
    with_payload(detached, payload)
}
