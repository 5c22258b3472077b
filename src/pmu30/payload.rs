//! The payloads of the message types that carry fields (all but TELEMETRY_DATA, which has
//! its own file): their structs, how each is read and written, the ranges a sender must
//! keep and the ERROR codes. `docs/protocols/pmu30.md` gives each layout.
//!
//! Each `parse` reads a payload whose size [`MsgType::payload_len`](super::MsgType::payload_len)
//! has accepted and answers `None` only if it is shorter (which the check rules out); each
//! `write_to` writes exactly the bytes `parse` reads, through a [`Sink`].

use crate::EncodeError;
use crate::buf::{self, Sink};

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

/// The ERROR codes of the original documentation (ERROR `error_code`).
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

    /// The original documentation's description of `code`, if it defines one.
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

    pub(super) fn parse(p: &[u8]) -> Option<Self> {
        Some(InfoResp {
            firmware_version: buf::array(p, 0)?,
            hw_revision: *p.get(3)?,
            serial_number: buf::array(p, 4)?,
            device_name: buf::array(p, 20)?,
        })
    }

    pub(super) fn write_to(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        out.put(&self.firmware_version)?;
        out.put_u8(self.hw_revision)?;
        out.put(&self.serial_number)?;
        out.put(&self.device_name)
    }
}

/// A firmware version `major.minor.patch`; serializes as that text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Version(pub [u8; 3]);

impl core::fmt::Display for Version {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let [a, b, c] = self.0;
        write!(f, "{a}.{b}.{c}")
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Version {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// The JSON contract shows the version as text and the NUL-padded fields as text up to
/// their first NUL, not the raw arrays the struct keeps.
#[cfg(feature = "serde")]
impl serde::Serialize for InfoResp {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        #[serde(rename = "InfoResp")]
        struct Shown<'a> {
            firmware_version: Version,
            hw_revision: u8,
            #[serde(serialize_with = "crate::fmt::serde_bytes::lossy")]
            serial_number: &'a [u8],
            #[serde(serialize_with = "crate::fmt::serde_bytes::lossy")]
            device_name: &'a [u8],
        }
        Shown {
            firmware_version: self.version(),
            hw_revision: self.hw_revision,
            serial_number: self.serial_number(),
            device_name: self.device_name(),
        }
        .serialize(s)
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

impl<'a> ConfigChunk<'a> {
    pub(super) fn parse(p: &'a [u8]) -> Option<Self> {
        Some(ConfigChunk {
            chunk_index: buf::u16_le(p, 0)?,
            total_chunks: buf::u16_le(p, 2)?,
            data: p.get(CONFIG_HEADER_LEN..)?,
        })
    }

    pub(super) fn write_to(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        out.put_u16_le(self.chunk_index)?;
        out.put_u16_le(self.total_chunks)?;
        out.put(self.data)
    }
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

impl ConfigAck {
    /// Bytes of the payload.
    pub const LEN: usize = 3;

    pub(super) fn parse(p: &[u8]) -> Option<Self> {
        Some(ConfigAck { success: Success(*p.first()?), error_code: buf::u16_le(p, 1)? })
    }

    pub(super) fn write_to(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        out.put_u8(self.success.0)?;
        out.put_u16_le(self.error_code)
    }
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

impl SetChannel {
    /// Bytes of the payload.
    pub const LEN: usize = 6;

    pub(super) fn parse(p: &[u8]) -> Option<Self> {
        Some(SetChannel { channel_id: buf::u16_le(p, 0)?, value: buf::f32_le(p, 2)? })
    }

    pub(super) fn write_to(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        out.put_u16_le(self.channel_id)?;
        out.put_f32_le(self.value)
    }
}

#[cfg(feature = "serde")]
fn f32_as_f64<S: serde::Serializer>(v: &f32, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(f64::from(*v))
}

/// CHANNEL_ACK: the device's answer to SET_CHANNEL (3 bytes, as the original
/// documentation lays it out).
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct ChannelAck {
    /// Whether the value was applied.
    pub success: Success,
    /// The channel that was set.
    pub channel_id: u16,
}

impl ChannelAck {
    /// Bytes of the payload.
    pub const LEN: usize = 3;

    pub(super) fn parse(p: &[u8]) -> Option<Self> {
        Some(ChannelAck { success: Success(*p.first()?), channel_id: buf::u16_le(p, 1)? })
    }

    pub(super) fn write_to(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        out.put_u8(self.success.0)?;
        out.put_u16_le(self.channel_id)
    }
}

/// SUBSCRIBE_TELEMETRY: start streaming at `rate_hz`.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct SubscribeTelemetry {
    /// Telemetry rate in Hz (1–100 for a sender; any value decodes).
    pub rate_hz: u16,
}

impl SubscribeTelemetry {
    /// Bytes of the payload.
    pub const LEN: usize = 2;

    pub(super) fn parse(p: &[u8]) -> Option<Self> {
        Some(SubscribeTelemetry { rate_hz: buf::u16_le(p, 0)? })
    }

    pub(super) fn write_to(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        out.put_u16_le(self.rate_hz)
    }
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

impl<'a> DeviceError<'a> {
    /// The original documentation's description of the error code, if it defines one.
    pub fn description(&self) -> Option<&'static str> {
        error_code::description(self.error_code)
    }

    /// The ERROR header (`error_code`, `msg_length`) and the bytes after it, which must be
    /// `msg_length` long for the payload to be valid.
    pub(super) fn parse(p: &'a [u8]) -> Option<(Self, u8)> {
        let error_code = buf::u16_le(p, 0)?;
        let msg_length = *p.get(2)?;
        let message = p.get(ERROR_HEADER_LEN..)?;
        Some((DeviceError { error_code, message }, msg_length))
    }

    /// Writes the header and the message. The encoder refuses a message over
    /// [`ERROR_MESSAGE_MAX`] bytes before it writes anything (`msg_length` is one byte);
    /// counting one still counts every byte.
    pub(super) fn write_to(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        out.put_u16_le(self.error_code)?;
        out.put_u8(u8::try_from(self.message.len()).unwrap_or(u8::MAX))?;
        out.put(self.message)
    }
}
