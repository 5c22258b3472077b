//! The typed message: the 14 message types of the original documentation, parsed from a
//! checked frame and emitted as whole wire frames. Each type's payload is in
//! [`payload`](super::payload) or [`telemetry`](super::telemetry).

use super::error::{Error, ExpectedLen};
use super::frame::{self, CrcCoverage, DEFAULT_MAX_PAYLOAD, Frame};
use super::payload::{
    CHANNEL_ID_MAX, CHANNEL_VALUE_MAX, CONFIG_HEADER_LEN, ChannelAck, ConfigAck, ConfigChunk, DeviceError,
    ERROR_HEADER_LEN, ERROR_MESSAGE_MAX, INFO_RESP_LEN, InfoResp, RATE_HZ_RANGE, SetChannel, SubscribeTelemetry,
};
use super::telemetry::{TELEMETRY_LEN, TelemetryPacket};
use crate::EncodeError;
use crate::buf::{Counter, Sink, SliceWriter};

/// A message type of the original documentation's table.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum MsgType {
    /// 0x01, host → device: connection test.
    Ping = 0x01,
    /// 0x02, device → host: answer to PING.
    Pong = 0x02,
    /// 0x10, host → device: request device information.
    GetInfo = 0x10,
    /// 0x11, device → host: device information.
    InfoResp = 0x11,
    /// 0x20, host → device: request the configuration.
    GetConfig = 0x20,
    /// 0x21, both: a configuration chunk.
    ConfigData = 0x21,
    /// 0x22, host → device: upload a configuration chunk.
    SetConfig = 0x22,
    /// 0x23, device → host: configuration acknowledgment.
    ConfigAck = 0x23,
    /// 0x30, host → device: set a channel's output value.
    SetChannel = 0x30,
    /// 0x31, device → host: channel command acknowledgment.
    ChannelAck = 0x31,
    /// 0x40, host → device: start telemetry streaming.
    SubscribeTelemetry = 0x40,
    /// 0x41, host → device: stop telemetry streaming.
    UnsubscribeTelemetry = 0x41,
    /// 0x42, device → host: a telemetry packet.
    TelemetryData = 0x42,
    /// 0xF0, device → host: an error response.
    Error = 0xF0,
}

impl MsgType {
    /// Every type, in the original documentation's order.
    pub const ALL: [MsgType; 14] = [
        MsgType::Ping,
        MsgType::Pong,
        MsgType::GetInfo,
        MsgType::InfoResp,
        MsgType::GetConfig,
        MsgType::ConfigData,
        MsgType::SetConfig,
        MsgType::ConfigAck,
        MsgType::SetChannel,
        MsgType::ChannelAck,
        MsgType::SubscribeTelemetry,
        MsgType::UnsubscribeTelemetry,
        MsgType::TelemetryData,
        MsgType::Error,
    ];

    /// The type with this MSG_ID, if the original documentation defines one.
    pub const fn from_id(id: u8) -> Option<MsgType> {
        Some(match id {
            0x01 => MsgType::Ping,
            0x02 => MsgType::Pong,
            0x10 => MsgType::GetInfo,
            0x11 => MsgType::InfoResp,
            0x20 => MsgType::GetConfig,
            0x21 => MsgType::ConfigData,
            0x22 => MsgType::SetConfig,
            0x23 => MsgType::ConfigAck,
            0x30 => MsgType::SetChannel,
            0x31 => MsgType::ChannelAck,
            0x40 => MsgType::SubscribeTelemetry,
            0x41 => MsgType::UnsubscribeTelemetry,
            0x42 => MsgType::TelemetryData,
            0xF0 => MsgType::Error,
            _ => return None,
        })
    }

    /// The MSG_ID.
    pub const fn id(self) -> u8 {
        self as u8
    }

    /// The original documentation's name (`"PING"` … `"ERROR"`), the JSON `type`.
    pub const fn name(self) -> &'static str {
        match self {
            MsgType::Ping => "PING",
            MsgType::Pong => "PONG",
            MsgType::GetInfo => "GET_INFO",
            MsgType::InfoResp => "INFO_RESP",
            MsgType::GetConfig => "GET_CONFIG",
            MsgType::ConfigData => "CONFIG_DATA",
            MsgType::SetConfig => "SET_CONFIG",
            MsgType::ConfigAck => "CONFIG_ACK",
            MsgType::SetChannel => "SET_CHANNEL",
            MsgType::ChannelAck => "CHANNEL_ACK",
            MsgType::SubscribeTelemetry => "SUBSCRIBE_TELEMETRY",
            MsgType::UnsubscribeTelemetry => "UNSUBSCRIBE_TELEMETRY",
            MsgType::TelemetryData => "TELEMETRY_DATA",
            MsgType::Error => "ERROR",
        }
    }

    /// The payload size this type requires (ERROR's exact size also depends on its
    /// `msg_length`).
    pub const fn payload_len(self) -> ExpectedLen {
        match self {
            MsgType::Ping | MsgType::Pong | MsgType::GetInfo | MsgType::GetConfig | MsgType::UnsubscribeTelemetry => {
                ExpectedLen::Exactly(0)
            }
            MsgType::InfoResp => ExpectedLen::Exactly(INFO_RESP_LEN),
            MsgType::ConfigData | MsgType::SetConfig => ExpectedLen::AtLeast(CONFIG_HEADER_LEN),
            MsgType::ConfigAck => ExpectedLen::Exactly(ConfigAck::LEN),
            MsgType::ChannelAck => ExpectedLen::Exactly(ChannelAck::LEN),
            MsgType::SetChannel => ExpectedLen::Exactly(SetChannel::LEN),
            MsgType::SubscribeTelemetry => ExpectedLen::Exactly(SubscribeTelemetry::LEN),
            MsgType::TelemetryData => ExpectedLen::Exactly(TELEMETRY_LEN),
            MsgType::Error => ExpectedLen::AtLeast(ERROR_HEADER_LEN),
        }
    }

    /// The reply a host waits for after sending this request (the typical communication
    /// flow of the original documentation), or `None` for messages that get no direct reply.
    pub const fn response(self) -> Option<MsgType> {
        match self {
            MsgType::Ping => Some(MsgType::Pong),
            MsgType::GetInfo => Some(MsgType::InfoResp),
            MsgType::GetConfig => Some(MsgType::ConfigData),
            MsgType::SetConfig => Some(MsgType::ConfigAck),
            MsgType::SetChannel => Some(MsgType::ChannelAck),
            _ => None,
        }
    }
}

/// One `pmu30` message, by the original documentation's message table. Byte strings borrow
/// from the frame.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", content = "fields"))]
pub enum Message<'a> {
    /// 0x01 PING (empty).
    #[cfg_attr(feature = "serde", serde(rename = "PING"))]
    Ping {},
    /// 0x02 PONG (empty).
    #[cfg_attr(feature = "serde", serde(rename = "PONG"))]
    Pong {},
    /// 0x10 GET_INFO (empty).
    #[cfg_attr(feature = "serde", serde(rename = "GET_INFO"))]
    GetInfo {},
    /// 0x11 INFO_RESP.
    #[cfg_attr(feature = "serde", serde(rename = "INFO_RESP"))]
    InfoResp(InfoResp),
    /// 0x20 GET_CONFIG (empty).
    #[cfg_attr(feature = "serde", serde(rename = "GET_CONFIG"))]
    GetConfig {},
    /// 0x21 CONFIG_DATA.
    #[cfg_attr(feature = "serde", serde(rename = "CONFIG_DATA"))]
    ConfigData(ConfigChunk<'a>),
    /// 0x22 SET_CONFIG.
    #[cfg_attr(feature = "serde", serde(rename = "SET_CONFIG"))]
    SetConfig(ConfigChunk<'a>),
    /// 0x23 CONFIG_ACK.
    #[cfg_attr(feature = "serde", serde(rename = "CONFIG_ACK"))]
    ConfigAck(ConfigAck),
    /// 0x30 SET_CHANNEL.
    #[cfg_attr(feature = "serde", serde(rename = "SET_CHANNEL"))]
    SetChannel(SetChannel),
    /// 0x31 CHANNEL_ACK.
    #[cfg_attr(feature = "serde", serde(rename = "CHANNEL_ACK"))]
    ChannelAck(ChannelAck),
    /// 0x40 SUBSCRIBE_TELEMETRY.
    #[cfg_attr(feature = "serde", serde(rename = "SUBSCRIBE_TELEMETRY"))]
    SubscribeTelemetry(SubscribeTelemetry),
    /// 0x41 UNSUBSCRIBE_TELEMETRY (empty).
    #[cfg_attr(feature = "serde", serde(rename = "UNSUBSCRIBE_TELEMETRY"))]
    UnsubscribeTelemetry {},
    /// 0x42 TELEMETRY_DATA.
    #[cfg_attr(feature = "serde", serde(rename = "TELEMETRY_DATA"))]
    TelemetryData(TelemetryPacket),
    /// 0xF0 ERROR.
    #[cfg_attr(feature = "serde", serde(rename = "ERROR"))]
    Error(DeviceError<'a>),
}

impl<'a> Message<'a> {
    /// The message's type.
    pub const fn msg_type(&self) -> MsgType {
        match self {
            Message::Ping {} => MsgType::Ping,
            Message::Pong {} => MsgType::Pong,
            Message::GetInfo {} => MsgType::GetInfo,
            Message::InfoResp(_) => MsgType::InfoResp,
            Message::GetConfig {} => MsgType::GetConfig,
            Message::ConfigData(_) => MsgType::ConfigData,
            Message::SetConfig(_) => MsgType::SetConfig,
            Message::ConfigAck(_) => MsgType::ConfigAck,
            Message::SetChannel(_) => MsgType::SetChannel,
            Message::ChannelAck(_) => MsgType::ChannelAck,
            Message::SubscribeTelemetry(_) => MsgType::SubscribeTelemetry,
            Message::UnsubscribeTelemetry {} => MsgType::UnsubscribeTelemetry,
            Message::TelemetryData(_) => MsgType::TelemetryData,
            Message::Error(_) => MsgType::Error,
        }
    }

    /// Reads the message of a frame built with [`Frame::new_checked`] (its length and
    /// CRC already verified).
    pub fn parse(frame: &Frame<&'a [u8]>) -> Result<Message<'a>, Error> {
        let bytes: &'a [u8] = frame.into_inner();
        let len = usize::from(frame.length());
        let payload = bytes.get(frame::field::payload(len)).unwrap_or(&[]);
        Self::parse_payload(frame.msg_id(), payload)
    }

    /// Reads the message with `msg_id` and `payload` (lenient about value ranges; strict
    /// about sizes).
    pub fn parse_payload(msg_id: u8, p: &'a [u8]) -> Result<Message<'a>, Error> {
        // Telemetry is nearly all of a running device's traffic: read it without the
        // type-table lookups below, straight into the result.
        if let Some(telemetry) = telemetry_payload(msg_id, p) {
            return Ok(Message::TelemetryData(TelemetryPacket::parse(telemetry)));
        }
        let ty = MsgType::from_id(msg_id).ok_or(Error::UnknownType { msg_id })?;
        let expected = ty.payload_len();
        let wrong_size = Error::PayloadLength { name: ty.name(), len: p.len(), expected };
        if !expected.accepts(p.len()) {
            return Err(wrong_size);
        }
        // Every `parse` below reads within the size just accepted, so none answers `None`.
        let message = match ty {
            MsgType::Ping => Some(Message::Ping {}),
            MsgType::Pong => Some(Message::Pong {}),
            MsgType::GetInfo => Some(Message::GetInfo {}),
            MsgType::GetConfig => Some(Message::GetConfig {}),
            MsgType::UnsubscribeTelemetry => Some(Message::UnsubscribeTelemetry {}),
            MsgType::InfoResp => InfoResp::parse(p).map(Message::InfoResp),
            MsgType::ConfigData => ConfigChunk::parse(p).map(Message::ConfigData),
            MsgType::SetConfig => ConfigChunk::parse(p).map(Message::SetConfig),
            MsgType::ConfigAck => ConfigAck::parse(p).map(Message::ConfigAck),
            MsgType::ChannelAck => ChannelAck::parse(p).map(Message::ChannelAck),
            MsgType::SetChannel => SetChannel::parse(p).map(Message::SetChannel),
            MsgType::SubscribeTelemetry => SubscribeTelemetry::parse(p).map(Message::SubscribeTelemetry),
            MsgType::TelemetryData => {
                <&[u8; TELEMETRY_LEN]>::try_from(p).ok().map(|t| Message::TelemetryData(TelemetryPacket::parse(t)))
            }
            MsgType::Error => match DeviceError::parse(p) {
                Some((error, msg_length)) if error.message.len() != usize::from(msg_length) => {
                    return Err(Error::MessageLength { msg_length, present: error.message.len() });
                }
                parsed => parsed.map(|(error, _)| Message::Error(error)),
            },
        };
        message.ok_or(wrong_size)
    }

    /// The payload's length: what [`emit`](Self::emit) writes for it.
    pub fn payload_len(&self) -> usize {
        match self.msg_type().payload_len() {
            // The type table fixes the size, the one the decoder requires; the writer writes
            // exactly that many bytes (the round-trip tests pin it for every type). Counting
            // TELEMETRY_DATA's 119 bytes by writing them would cost the encoder a third more.
            ExpectedLen::Exactly(len) => len,
            // CONFIG_DATA, SET_CONFIG and ERROR carry bytes of their own: counted by the code
            // that writes them. A counter refuses nothing, so every byte is counted.
            ExpectedLen::AtLeast(_) => {
                let mut counter = Counter::new();
                let _ = self.write_payload(&mut counter);
                counter.len()
            }
        }
    }

    /// The whole wire frame's length.
    pub fn buffer_len(&self) -> usize {
        frame::OVERHEAD.saturating_add(self.payload_len())
    }

    /// Checks the ranges the original documentation gives for senders: channel 0–29, value
    /// finite and 0.0–100.0, rate 1–100 Hz, ERROR message at most 255 bytes, configuration
    /// data at most `max_payload - 4` bytes under the default 4096-byte limit. Decoding never
    /// applies these; encoding with [`emit`](Self::emit) does.
    pub fn validate(&self) -> Result<(), EncodeError> {
        self.validate_with(DEFAULT_MAX_PAYLOAD)
    }

    /// [`validate`](Self::validate) with the payload limit `max_payload`: `Ok` exactly when
    /// [`emit_with`](Self::emit_with) under that limit writes the frame (given room). Range
    /// errors come first, then size errors (for every type: under a `max_payload` below 6 even
    /// an in-range SET_CHANNEL does not fit).
    pub fn validate_with(&self, max_payload: usize) -> Result<(), EncodeError> {
        self.check_ranges()?;
        self.check_sizes(self.payload_len(), max_payload)
    }

    /// The value ranges a sender must keep.
    fn check_ranges(&self) -> Result<(), EncodeError> {
        match self {
            Message::SetChannel(s) if s.channel_id > CHANNEL_ID_MAX => {
                Err(EncodeError::OutOfRange { field: "channel_id" })
            }
            Message::SetChannel(s) if !(s.value.is_finite() && (0.0..=CHANNEL_VALUE_MAX).contains(&s.value)) => {
                Err(EncodeError::OutOfRange { field: "value" })
            }
            Message::SubscribeTelemetry(s) if !RATE_HZ_RANGE.contains(&s.rate_hz) => {
                Err(EncodeError::OutOfRange { field: "rate_hz" })
            }
            _ => Ok(()),
        }
    }

    /// The size limits every frame must meet, in range or not, for a payload of
    /// `payload_len` bytes.
    fn check_sizes(&self, payload_len: usize, max_payload: usize) -> Result<(), EncodeError> {
        let max = max_payload.min(usize::from(u16::MAX));
        match self {
            Message::Error(e) if e.message.len() > ERROR_MESSAGE_MAX => {
                Err(EncodeError::TooLong { field: "message", len: e.message.len(), max: ERROR_MESSAGE_MAX })
            }
            Message::ConfigData(c) | Message::SetConfig(c) if c.data.len() > max.saturating_sub(CONFIG_HEADER_LEN) => {
                Err(EncodeError::TooLong {
                    field: "data",
                    len: c.data.len(),
                    max: max.saturating_sub(CONFIG_HEADER_LEN),
                })
            }
            _ if payload_len > max => Err(EncodeError::TooLong { field: "PAYLOAD", len: payload_len, max }),
            _ => Ok(()),
        }
    }

    /// Writes the whole wire frame (the default CRC rule, MSG_ID + PAYLOAD, and the
    /// 4096-byte payload limit) into `out` and returns its length. Refuses out-of-range
    /// fields (see [`validate`](Self::validate)) and a buffer shorter than
    /// [`buffer_len`](Self::buffer_len).
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.emit_with(out, CrcCoverage::default(), DEFAULT_MAX_PAYLOAD)
    }

    /// [`emit`](Self::emit) with the CRC rule `coverage` and the payload limit `max_payload`
    /// (a [`Config`](super::Config)'s `crc_coverage` and `max_payload`; the dialect's
    /// [`Encode::encode`](crate::Encode::encode) passes them).
    pub fn emit_with(&self, out: &mut [u8], coverage: CrcCoverage, max_payload: usize) -> Result<usize, EncodeError> {
        self.check_ranges()?;
        self.emit_verbatim(out, coverage, max_payload)
    }

    /// Writes the frame without the sender range checks of [`validate`](Self::validate)
    /// (size limits still apply): re-encodes a decoded message, in range or not, to exactly
    /// the bytes it was decoded from. For forwarding and test tools, not for commands.
    pub fn emit_verbatim(
        &self,
        out: &mut [u8],
        coverage: CrcCoverage,
        max_payload: usize,
    ) -> Result<usize, EncodeError> {
        let payload_len = self.payload_len();
        self.check_sizes(payload_len, max_payload)?;
        frame::emit_frame(out, self.msg_type().id(), payload_len, max_payload, coverage, |payload| {
            self.write_payload_into(payload)
        })
    }

    /// Writes the payload into `payload`, exactly [`payload_len`](Self::payload_len) bytes.
    fn write_payload_into(&self, payload: &mut [u8]) -> Result<(), EncodeError> {
        // TELEMETRY_DATA, nearly all of a device's traffic, goes straight into the frame:
        // through a writer its fixed layout is built in a local array and copied, which cost
        // the encoder about 100 instructions a frame (callgrind).
        if let Message::TelemetryData(packet) = self {
            if let Ok(bytes) = <&mut [u8; TELEMETRY_LEN]>::try_from(&mut *payload) {
                packet.write(bytes);
                return Ok(());
            }
        }
        self.write_payload(&mut SliceWriter::new(payload))
    }

    /// Writes the payload: the one description of every type's bytes, which both
    /// [`payload_len`](Self::payload_len) (counting) and [`emit`](Self::emit) (writing) run.
    fn write_payload(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        match self {
            Message::Ping {}
            | Message::Pong {}
            | Message::GetInfo {}
            | Message::GetConfig {}
            | Message::UnsubscribeTelemetry {} => Ok(()),
            Message::InfoResp(info) => info.write_to(out),
            Message::ConfigData(chunk) | Message::SetConfig(chunk) => chunk.write_to(out),
            Message::ConfigAck(ack) => ack.write_to(out),
            Message::SetChannel(set) => set.write_to(out),
            Message::ChannelAck(ack) => ack.write_to(out),
            Message::SubscribeTelemetry(subscribe) => subscribe.write_to(out),
            Message::TelemetryData(packet) => packet.write_to(out),
            Message::Error(error) => error.write_to(out),
        }
    }
}

impl crate::dialect::Message for Message<'_> {
    fn name(&self) -> &'static str {
        self.msg_type().name()
    }
}

/// The payload of a TELEMETRY_DATA frame (`msg_id` and length right) as the array
/// [`TelemetryPacket::parse`] reads; `None` for any other frame.
#[inline(always)]
pub(crate) fn telemetry_payload(msg_id: u8, p: &[u8]) -> Option<&[u8; TELEMETRY_LEN]> {
    if msg_id != MsgType::TelemetryData.id() {
        return None;
    }
    p.try_into().ok()
}
