//! Typed messages: the seed's 14 message types, parsed from a checked frame and emitted
//! as whole wire frames.

use super::error::{Error, ExpectedLen};
use super::frame::{self, CrcCoverage, Frame};
use super::scan::Config;
use super::telemetry::{TELEMETRY_LEN, TelemetryPacket};
use crate::EncodeError;

/// A message type of the seed's table.
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
    /// Every type, in the seed's order.
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

    /// The type with this MSG_ID, if the seed defines one.
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

    /// The seed's name (`"PING"` … `"ERROR"`).
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
            MsgType::ConfigAck | MsgType::ChannelAck => ExpectedLen::Exactly(3),
            MsgType::SetChannel => ExpectedLen::Exactly(6),
            MsgType::SubscribeTelemetry => ExpectedLen::Exactly(2),
            MsgType::TelemetryData => ExpectedLen::Exactly(TELEMETRY_LEN),
            MsgType::Error => ExpectedLen::AtLeast(ERROR_HEADER_LEN),
        }
    }

    /// The reply a host waits for after sending this request (seed "Typical Communication
    /// Flow"), or `None` for messages that get no direct reply.
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

/// Bytes of an INFO_RESP payload.
pub const INFO_RESP_LEN: usize = 52;
/// Bytes of the chunk header of CONFIG_DATA / SET_CONFIG.
pub const CONFIG_HEADER_LEN: usize = 4;
/// Bytes of the ERROR header (`error_code u16, msg_length u8`).
pub const ERROR_HEADER_LEN: usize = 3;
/// The longest ERROR message (`msg_length` is one byte).
pub const ERROR_MESSAGE_MAX: usize = 255;
/// Output channel ids run from 0 to this value.
pub const CHANNEL_ID_MAX: u16 = 29;
/// SET_CHANNEL values run from 0.0 to this value.
pub const CHANNEL_VALUE_MAX: f32 = 100.0;
/// The telemetry rates a host may request, in Hz.
pub const RATE_HZ_RANGE: core::ops::RangeInclusive<u16> = 1..=100;

/// The seed's error codes (ERROR `error_code`).
pub mod error_code {
    /// Invalid frame.
    pub const INVALID_FRAME: u16 = 0x01;
    /// CRC mismatch.
    pub const CRC_MISMATCH: u16 = 0x02;
    /// Unknown message type.
    pub const UNKNOWN_MESSAGE_TYPE: u16 = 0x03;
    /// Invalid payload.
    pub const INVALID_PAYLOAD: u16 = 0x04;
    /// Channel out of range.
    pub const CHANNEL_OUT_OF_RANGE: u16 = 0x10;
    /// Invalid channel value.
    pub const INVALID_CHANNEL_VALUE: u16 = 0x11;
    /// Channel disabled.
    pub const CHANNEL_DISABLED: u16 = 0x12;
    /// Config parse error.
    pub const CONFIG_PARSE_ERROR: u16 = 0x20;
    /// Config validation error.
    pub const CONFIG_VALIDATION_ERROR: u16 = 0x21;
    /// Config write error.
    pub const CONFIG_WRITE_ERROR: u16 = 0x22;
    /// Device busy.
    pub const DEVICE_BUSY: u16 = 0x30;
    /// Operation timeout.
    pub const OPERATION_TIMEOUT: u16 = 0x31;
    /// Internal error.
    pub const INTERNAL_ERROR: u16 = 0xFF;

    /// The seed's description of `code`, if it defines one.
    pub const fn description(code: u16) -> Option<&'static str> {
        Some(match code {
            INVALID_FRAME => "Invalid frame",
            CRC_MISMATCH => "CRC mismatch",
            UNKNOWN_MESSAGE_TYPE => "Unknown message type",
            INVALID_PAYLOAD => "Invalid payload",
            CHANNEL_OUT_OF_RANGE => "Channel out of range",
            INVALID_CHANNEL_VALUE => "Invalid channel value",
            CHANNEL_DISABLED => "Channel disabled",
            CONFIG_PARSE_ERROR => "Config parse error",
            CONFIG_VALIDATION_ERROR => "Config validation error",
            CONFIG_WRITE_ERROR => "Config write error",
            DEVICE_BUSY => "Device busy",
            OPERATION_TIMEOUT => "Operation timeout",
            INTERNAL_ERROR => "Internal error",
            _ => return None,
        })
    }
}

/// A `success` byte (CONFIG_ACK, CHANNEL_ACK): any non-zero value means success. The raw
/// byte is kept so that a message re-encodes exactly; it serializes as a bool.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Success(pub u8);

impl Success {
    /// Success, as a sender writes it (1).
    pub const OK: Success = Success(1);
    /// Failure (0).
    pub const FAILED: Success = Success(0);

    /// Whether the byte means success (non-zero).
    pub const fn is_success(self) -> bool {
        self.0 != 0
    }
}

impl From<bool> for Success {
    fn from(ok: bool) -> Self {
        if ok { Success::OK } else { Success::FAILED }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Success {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_bool(self.is_success())
    }
}

/// Text up to the first NUL, or the whole field if it has none.
fn until_nul(field: &[u8]) -> &[u8] {
    match memchr::memchr(0, field) {
        Some(i) => field.get(..i).unwrap_or(field),
        None => field,
    }
}

/// Copies `text` into a NUL-padded field; refuses text longer than the field or text
/// holding a NUL (it would end the string early and not read back the same).
fn fill_text<const N: usize>(field: &'static str, text: &[u8]) -> Result<[u8; N], EncodeError> {
    if text.len() > N {
        return Err(EncodeError::TooLong { field, len: text.len(), max: N });
    }
    if text.contains(&0) {
        return Err(EncodeError::InvalidByte { field });
    }
    let mut out = [0u8; N];
    if let Some(dst) = out.get_mut(..text.len()) {
        dst.copy_from_slice(text);
    }
    Ok(out)
}

/// INFO_RESP: device information (52 bytes). The raw arrays are kept so the message
/// re-encodes exactly; the accessors give the text up to the first NUL.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InfoResp {
    /// Major, minor, patch.
    pub firmware_version: [u8; 3],
    /// Hardware revision.
    pub hw_revision: u8,
    /// Serial number field, NUL-padded.
    pub serial_number: [u8; 16],
    /// Device name field, NUL-padded.
    pub device_name: [u8; 32],
}

impl InfoResp {
    /// Builds an INFO_RESP from text; refuses text that does not fit its field (16 and 32
    /// bytes, a full field needs no NUL) or holds a NUL.
    pub fn new(
        firmware_version: [u8; 3],
        hw_revision: u8,
        serial_number: &str,
        device_name: &str,
    ) -> Result<Self, EncodeError> {
        Ok(InfoResp {
            firmware_version,
            hw_revision,
            serial_number: fill_text("serial_number", serial_number.as_bytes())?,
            device_name: fill_text("device_name", device_name.as_bytes())?,
        })
    }

    /// The serial number's bytes, up to the first NUL.
    pub fn serial_number(&self) -> &[u8] {
        until_nul(&self.serial_number)
    }

    /// The device name's bytes, up to the first NUL.
    pub fn device_name(&self) -> &[u8] {
        until_nul(&self.device_name)
    }

    /// The firmware version as `major.minor.patch` (displays as `1.0.0`).
    pub fn version(&self) -> Version {
        Version(self.firmware_version)
    }

    fn parse(p: &[u8]) -> Option<Self> {
        let p: &[u8; INFO_RESP_LEN] = p.try_into().ok()?;
        let mut info =
            InfoResp { firmware_version: [0; 3], hw_revision: p[3], serial_number: [0; 16], device_name: [0; 32] };
        info.firmware_version.copy_from_slice(&p[0..3]);
        info.serial_number.copy_from_slice(&p[4..20]);
        info.device_name.copy_from_slice(&p[20..52]);
        Some(info)
    }

    fn write(&self, out: &mut [u8]) {
        for (dst, src) in out.iter_mut().zip(
            self.firmware_version
                .iter()
                .chain(core::iter::once(&self.hw_revision))
                .chain(&self.serial_number)
                .chain(&self.device_name),
        ) {
            *dst = *src;
        }
    }
}

/// A firmware version `major.minor.patch`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version(pub [u8; 3]);

impl core::fmt::Display for Version {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [a, b, c] = self.0;
        write!(f, "{a}.{b}.{c}")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for InfoResp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::fmt::Lossy;
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("InfoResp", 4)?;
        st.serialize_field("firmware_version", &Collect(self.version()))?;
        st.serialize_field("hw_revision", &self.hw_revision)?;
        st.serialize_field("serial_number", &Collect(Lossy(self.serial_number())))?;
        st.serialize_field("device_name", &Collect(Lossy(self.device_name())))?;
        st.end()
    }
}

/// Serializes a `Display` value as a string without allocating.
#[cfg(feature = "serde")]
struct Collect<T>(T);

#[cfg(feature = "serde")]
impl<T: core::fmt::Display> serde::Serialize for Collect<T> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}

/// CONFIG_DATA / SET_CONFIG: one chunk of the JSON configuration.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConfigChunk<'a> {
    /// This chunk's index (0-based).
    pub chunk_index: u16,
    /// How many chunks the configuration has.
    pub total_chunks: u16,
    /// The chunk's bytes.
    #[cfg_attr(feature = "serde", serde(rename = "data_hex", serialize_with = "crate::fmt::serde_bytes::hex"))]
    pub data: &'a [u8],
}

/// CONFIG_ACK: the device's answer to a configuration chunk.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ConfigAck {
    /// Whether the chunk was accepted.
    pub success: Success,
    /// Why it failed (0 on success).
    pub error_code: u16,
}

/// SET_CHANNEL: set an output channel's value.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SetChannel {
    /// Channel index (0–29 for a sender; any value decodes).
    pub channel_id: u16,
    /// Output value, 0.0–100.0 for a sender (any value decodes). Serialized as the f64
    /// of the f32, so 33.3 prints as 33.29999923706055, like the real tool.
    #[cfg_attr(feature = "serde", serde(serialize_with = "f32_as_f64"))]
    pub value: f32,
}

#[cfg(feature = "serde")]
fn f32_as_f64<S: serde::Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(f64::from(*v))
}

/// CHANNEL_ACK: the device's answer to SET_CHANNEL (the seed's 3-byte layout).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ChannelAck {
    /// Whether the value was applied.
    pub success: Success,
    /// The channel that was set.
    pub channel_id: u16,
}

/// SUBSCRIBE_TELEMETRY: start streaming at `rate_hz`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SubscribeTelemetry {
    /// Telemetry rate in Hz (1–100 for a sender; any value decodes).
    pub rate_hz: u16,
}

/// ERROR: the device's error response.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DeviceError<'a> {
    /// The error code (see [`error_code`]).
    pub error_code: u16,
    /// The message's bytes (UTF-8, shown lossily); its length is `msg_length`.
    #[cfg_attr(feature = "serde", serde(serialize_with = "crate::fmt::serde_bytes::lossy"))]
    pub message: &'a [u8],
}

impl DeviceError<'_> {
    /// The seed's description of the error code, if it defines one.
    pub fn description(&self) -> Option<&'static str> {
        error_code::description(self.error_code)
    }
}

/// One `pmu30` message, by the seed's message table. Byte strings borrow from the frame.
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

fn u16_le(p: &[u8], at: usize) -> u16 {
    match p.get(at..at.saturating_add(2)) {
        Some(&[lo, hi]) => u16::from_le_bytes([lo, hi]),
        _ => 0,
    }
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
        if !expected.accepts(p.len()) {
            return Err(Error::PayloadLength { name: ty.name(), len: p.len(), expected });
        }
        let success = || Success(p.first().copied().unwrap_or(0));
        let chunk = || ConfigChunk {
            chunk_index: u16_le(p, 0),
            total_chunks: u16_le(p, 2),
            data: p.get(CONFIG_HEADER_LEN..).unwrap_or(&[]),
        };
        Ok(match ty {
            MsgType::Ping => Message::Ping {},
            MsgType::Pong => Message::Pong {},
            MsgType::GetInfo => Message::GetInfo {},
            MsgType::GetConfig => Message::GetConfig {},
            MsgType::UnsubscribeTelemetry => Message::UnsubscribeTelemetry {},
            MsgType::InfoResp => Message::InfoResp(InfoResp::parse(p).ok_or(Error::PayloadLength {
                name: ty.name(),
                len: p.len(),
                expected,
            })?),
            MsgType::ConfigData => Message::ConfigData(chunk()),
            MsgType::SetConfig => Message::SetConfig(chunk()),
            MsgType::ConfigAck => Message::ConfigAck(ConfigAck { success: success(), error_code: u16_le(p, 1) }),
            MsgType::ChannelAck => Message::ChannelAck(ChannelAck { success: success(), channel_id: u16_le(p, 1) }),
            MsgType::SetChannel => {
                let value = match p.get(2..6) {
                    Some(&[a, b, c, d]) => f32::from_le_bytes([a, b, c, d]),
                    _ => 0.0,
                };
                Message::SetChannel(SetChannel { channel_id: u16_le(p, 0), value })
            }
            MsgType::SubscribeTelemetry => Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: u16_le(p, 0) }),
            MsgType::TelemetryData => {
                let arr: &[u8; TELEMETRY_LEN] =
                    p.try_into().map_err(|_| Error::PayloadLength { name: ty.name(), len: p.len(), expected })?;
                Message::TelemetryData(TelemetryPacket::parse(arr))
            }
            MsgType::Error => {
                let msg_length = p.get(2).copied().unwrap_or(0);
                let message = p.get(ERROR_HEADER_LEN..).unwrap_or(&[]);
                if message.len() != usize::from(msg_length) {
                    return Err(Error::MessageLength { msg_length, present: message.len() });
                }
                Message::Error(DeviceError { error_code: u16_le(p, 0), message })
            }
        })
    }

    /// The payload's length.
    pub fn payload_len(&self) -> usize {
        match self {
            Message::Ping {}
            | Message::Pong {}
            | Message::GetInfo {}
            | Message::GetConfig {}
            | Message::UnsubscribeTelemetry {} => 0,
            Message::InfoResp(_) => INFO_RESP_LEN,
            Message::ConfigData(c) | Message::SetConfig(c) => CONFIG_HEADER_LEN.saturating_add(c.data.len()),
            Message::ConfigAck(_) | Message::ChannelAck(_) => 3,
            Message::SetChannel(_) => 6,
            Message::SubscribeTelemetry(_) => 2,
            Message::TelemetryData(_) => TELEMETRY_LEN,
            Message::Error(e) => ERROR_HEADER_LEN.saturating_add(e.message.len()),
        }
    }

    /// The whole wire frame's length.
    pub fn buffer_len(&self) -> usize {
        frame::OVERHEAD.saturating_add(self.payload_len())
    }

    /// Checks the ranges the seed gives for senders: channel 0–29, value finite and
    /// 0.0–100.0, rate 1–100 Hz, ERROR message at most 255 bytes, configuration data at
    /// most `max_payload - 4` bytes under the default [`Config`]. Decoding never applies
    /// these; encoding with [`emit`](Self::emit) does.
    pub fn validate(&self) -> Result<(), EncodeError> {
        self.validate_with(&Config::default())
    }

    /// [`validate`](Self::validate) with the payload limit of `config`: `Ok` exactly when
    /// [`emit_with`](Self::emit_with) under `config` writes the frame (given room). Range
    /// errors come first, then size errors (for every type: under a `max_payload` below 6 even
    /// an in-range SET_CHANNEL does not fit).
    pub fn validate_with(&self, config: &Config) -> Result<(), EncodeError> {
        match self {
            Message::SetChannel(s) if s.channel_id > CHANNEL_ID_MAX => {
                return Err(EncodeError::OutOfRange { field: "channel_id" });
            }
            Message::SetChannel(s) if !(s.value.is_finite() && (0.0..=CHANNEL_VALUE_MAX).contains(&s.value)) => {
                return Err(EncodeError::OutOfRange { field: "value" });
            }
            Message::SubscribeTelemetry(s) if !RATE_HZ_RANGE.contains(&s.rate_hz) => {
                return Err(EncodeError::OutOfRange { field: "rate_hz" });
            }
            _ => {}
        }
        self.check_sizes(config.max_payload)
    }

    /// The size limits every frame must meet, in range or not.
    fn check_sizes(&self, max_payload: usize) -> Result<(), EncodeError> {
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
            _ if self.payload_len() > max => {
                Err(EncodeError::TooLong { field: "PAYLOAD", len: self.payload_len(), max })
            }
            _ => Ok(()),
        }
    }

    /// Writes the whole wire frame (seed CRC rule, 4096-byte payload limit) into `out` and
    /// returns its length. Refuses out-of-range fields (see [`validate`](Self::validate))
    /// and a buffer shorter than [`buffer_len`](Self::buffer_len).
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.emit_with(out, &Config::default())
    }

    /// [`emit`](Self::emit) with the CRC rule and payload limit of `config`.
    pub fn emit_with(&self, out: &mut [u8], config: &Config) -> Result<usize, EncodeError> {
        self.validate_with(config)?;
        self.emit_verbatim(out, config)
    }

    /// Writes the frame without the sender range checks of [`validate`](Self::validate)
    /// (size limits still apply): re-encodes a decoded message, in range or not, to exactly
    /// the bytes it was decoded from. For forwarding and test tools, not for commands.
    pub fn emit_verbatim(&self, out: &mut [u8], config: &Config) -> Result<usize, EncodeError> {
        self.check_sizes(config.max_payload)?;
        let coverage: CrcCoverage = config.crc_coverage;
        frame::emit_frame(out, self.msg_type().id(), self.payload_len(), config.max_payload, coverage, |p| {
            self.write_payload(p)
        })
    }

    /// Writes the payload into `p` (exactly `payload_len()` bytes long).
    fn write_payload(&self, p: &mut [u8]) {
        let mut w = Writer { buf: p, at: 0 };
        match self {
            Message::Ping {}
            | Message::Pong {}
            | Message::GetInfo {}
            | Message::GetConfig {}
            | Message::UnsubscribeTelemetry {} => {}
            Message::InfoResp(i) => i.write(w.buf),
            Message::ConfigData(c) | Message::SetConfig(c) => {
                w.put(&c.chunk_index.to_le_bytes());
                w.put(&c.total_chunks.to_le_bytes());
                w.put(c.data);
            }
            Message::ConfigAck(a) => {
                w.put(&[a.success.0]);
                w.put(&a.error_code.to_le_bytes());
            }
            Message::SetChannel(s) => {
                w.put(&s.channel_id.to_le_bytes());
                w.put(&s.value.to_le_bytes());
            }
            Message::ChannelAck(a) => {
                w.put(&[a.success.0]);
                w.put(&a.channel_id.to_le_bytes());
            }
            Message::SubscribeTelemetry(s) => w.put(&s.rate_hz.to_le_bytes()),
            Message::TelemetryData(t) => {
                if let Ok(arr) = <&mut [u8; TELEMETRY_LEN]>::try_from(&mut *w.buf) {
                    t.write(arr);
                }
            }
            Message::Error(e) => {
                w.put(&e.error_code.to_le_bytes());
                // `check_sizes` keeps the message at most 255 bytes.
                w.put(&[u8::try_from(e.message.len()).unwrap_or(u8::MAX)]);
                w.put(e.message);
            }
        }
    }
}

/// A cursor that writes what fits and never panics.
struct Writer<'b> {
    buf: &'b mut [u8],
    at: usize,
}

impl Writer<'_> {
    fn put(&mut self, bytes: &[u8]) {
        let end = self.at.saturating_add(bytes.len());
        if let Some(dst) = self.buf.get_mut(self.at..end) {
            dst.copy_from_slice(bytes);
        }
        self.at = end;
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
