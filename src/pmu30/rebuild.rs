//! A message apart from its frame's bytes, and back: what an owned event keeps
//! ([`Dialect::context_of`](crate::Dialect::context_of), [`Dialect::rebuild`](crate::Dialect::rebuild)).
//!
//! Every field but two is a number the message holds by value, so the context is the
//! message itself with its two borrowed byte runs (a configuration chunk's data, an ERROR's
//! text) left empty; rebuilding points them back into the frame. No byte is read again
//! and nothing is checked again.

use super::frame::CRC_LEN;
use super::frame::field::PAYLOAD_START;
use super::message::Message;
use super::payload::{CONFIG_HEADER_LEN, ERROR_HEADER_LEN};

/// `message` with its borrowed bytes left out.
#[inline]
pub(super) fn detach(message: &Message<'_>) -> Message<'static> {
    match *message {
        Message::ConfigData(c) => Message::ConfigData(super::ConfigChunk { data: &[], ..c }),
        Message::SetConfig(c) => Message::SetConfig(super::ConfigChunk { data: &[], ..c }),
        Message::Error(e) => Message::Error(super::DeviceError { message: &[], ..e }),
        Message::Ping {} => Message::Ping {},
        Message::Pong {} => Message::Pong {},
        Message::GetInfo {} => Message::GetInfo {},
        Message::InfoResp(m) => Message::InfoResp(m),
        Message::GetConfig {} => Message::GetConfig {},
        Message::ConfigAck(m) => Message::ConfigAck(m),
        Message::SetChannel(m) => Message::SetChannel(m),
        Message::ChannelAck(m) => Message::ChannelAck(m),
        Message::SubscribeTelemetry(m) => Message::SubscribeTelemetry(m),
        Message::UnsubscribeTelemetry {} => Message::UnsubscribeTelemetry {},
        Message::TelemetryData(m) => Message::TelemetryData(m),
    }
}

/// `detached` with its borrowed bytes pointed back into `frame`, the whole wire frame it
/// was decoded from: the payload is everything between the header and the CRC.
#[inline]
pub(super) fn attach<'a>(frame: &'a [u8], detached: &Message<'static>) -> Message<'a> {
    let payload = frame.get(PAYLOAD_START..frame.len().saturating_sub(CRC_LEN)).unwrap_or(&[]);
    let after = |header: usize| payload.get(header..).unwrap_or(&[]);
    match *detached {
        Message::ConfigData(c) => Message::ConfigData(super::ConfigChunk { data: after(CONFIG_HEADER_LEN), ..c }),
        Message::SetConfig(c) => Message::SetConfig(super::ConfigChunk { data: after(CONFIG_HEADER_LEN), ..c }),
        Message::Error(e) => Message::Error(super::DeviceError { message: after(ERROR_HEADER_LEN), ..e }),
        other => other,
    }
}
