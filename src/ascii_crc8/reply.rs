//! Replies (`STM` → `PC_`): their meaning by request kind, and the device-side encoders
//! (`docs/protocols/ascii-crc8.md`, 2.2).
//!
//! A reply carries no command code: the same DATA `23` is a status after SET_MODE and the
//! address 0x23 after I2C_SCAN, so a reply is read against the request it answers
//! ([`Answer::parse`]).

use core::fmt;

use super::address::Address;
use super::command::{CommandCode, INTERVAL_MS, MODE};
use super::digits::{decimal, hex_byte, hex_upper, put_decimal};
use super::frame::{FrameRepr, OVERHEAD, emit_frame_with};
use crate::buf::{Counter, Sink, SliceWriter};
use crate::error::EncodeError;

/// Values per VIEW reply frame.
pub const VIEW_VALUES_PER_FRAME: usize = 63;
/// The largest lux value a 4-digit field carries.
pub const MAX_LUX: u16 = 9999;

/// A 2-digit status code (semantic errors come back as a reply frame with one of these).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Status {
    /// `00`.
    Ok,
    /// `01`: a parameter could not be read or is out of its range.
    ErrParam,
    /// `02`: a value is out of range.
    ErrRange,
    /// `03`: no measurements (or the offset is past the stored ones).
    ErrNoData,
    /// `04`: the I2C transfer failed.
    ErrI2c,
    /// Any other 2-digit value.
    Unknown(u8),
}

impl Status {
    /// The status for a code.
    pub const fn from_code(code: u8) -> Status {
        match code {
            0 => Status::Ok,
            1 => Status::ErrParam,
            2 => Status::ErrRange,
            3 => Status::ErrNoData,
            4 => Status::ErrI2c,
            other => Status::Unknown(other),
        }
    }

    /// The code.
    pub const fn code(self) -> u8 {
        match self {
            Status::Ok => 0,
            Status::ErrParam => 1,
            Status::ErrRange => 2,
            Status::ErrNoData => 3,
            Status::ErrI2c => 4,
            Status::Unknown(c) => c,
        }
    }

    /// The name in the original documentation (`OK`, `ERR_PARAM`, …), or `UNKNOWN`.
    pub const fn name(self) -> &'static str {
        match self {
            Status::Ok => "OK",
            Status::ErrParam => "ERR_PARAM",
            Status::ErrRange => "ERR_RANGE",
            Status::ErrNoData => "ERR_NO_DATA",
            Status::ErrI2c => "ERR_I2C",
            Status::Unknown(_) => "UNKNOWN",
        }
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Status {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.code())
    }
}

/// The 4-digit lux values of a VIEW reply frame, read from DATA without copying
/// (newest first).
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct LuxValues<'a>(&'a [u8]);

impl<'a> LuxValues<'a> {
    /// Wraps digits whose length is a multiple of 4 (all decimal digits).
    fn new(digits: &'a [u8]) -> Option<LuxValues<'a>> {
        (digits.len() % 4 == 0 && digits.iter().all(u8::is_ascii_digit)).then_some(LuxValues(digits))
    }

    /// How many values.
    pub fn len(&self) -> usize {
        self.0.len() / 4
    }

    /// True when there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The values, newest first.
    pub fn iter(&self) -> impl Iterator<Item = u16> + 'a {
        self.0.chunks_exact(4).map(|c| decimal(c).unwrap_or(0) as u16)
    }

    /// The value at `index`.
    pub fn get(&self, index: usize) -> Option<u16> {
        let start = index.checked_mul(4)?;
        decimal(self.0.get(start..start.checked_add(4)?)?).map(|v| v as u16)
    }
}

/// Only well-formed values (a multiple of 4 decimal digits), as the decoder builds them;
/// other bytes are [`arbitrary::Error::IncorrectFormat`].
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for LuxValues<'a> {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        LuxValues::new(<&'a [u8]>::arbitrary(u)?).ok_or(arbitrary::Error::IncorrectFormat)
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        <&'a [u8]>::size_hint(depth)
    }
}

impl fmt::Debug for LuxValues<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for LuxValues<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.iter())
    }
}

/// What a reply says, read against the request it answers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Answer<'a> {
    /// A 2-digit status.
    Status(Status),
    /// DOWNLOAD: the latest measurement, 4 digits.
    Lux(u16),
    /// One VIEW frame: its start offset mod 100 and 1–63 values, newest first.
    View {
        /// This frame's start offset, mod 100.
        offset: u8,
        /// The values.
        values: LuxValues<'a>,
    },
    /// GET_INTERVAL: 4 digits.
    IntervalMs(u16),
    /// GET_MODE: 1 digit.
    Mode(u8),
    /// I2C_SCAN: the address found (2 hex digits), 0 when nothing answered.
    Address(u8),
}

impl<'a> Answer<'a> {
    /// Reads DATA of a reply to a `request`; `None` when DATA is not in a form that
    /// request's reply takes.
    pub fn parse(request: CommandCode, data: &'a [u8]) -> Option<Answer<'a>> {
        let status = || decimal(data).map(|v| Answer::Status(Status::from_code(v as u8)));
        match (request, data.len()) {
            (CommandCode::I2cScan, 2) => hex_byte(data).map(Answer::Address),
            (_, 2) => status(),
            (CommandCode::Download, 4) => decimal(data).map(|v| Answer::Lux(v as u16)),
            (CommandCode::GetInterval, 4) => decimal(data).map(|v| Answer::IntervalMs(v as u16)),
            (CommandCode::GetMode, 1) => decimal(data).map(|v| Answer::Mode(v as u8)),
            (CommandCode::View, n) if n > 2 && n <= 2 + 4 * VIEW_VALUES_PER_FRAME => {
                let offset = decimal(data.get(..2)?)? as u8;
                let values = LuxValues::new(data.get(2..)?)?;
                Some(Answer::View { offset, values })
            }
            _ => None,
        }
    }
}

/// A reply frame (`STM` → `PC_`), with its meaning when the request it answers is known.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Reply<'a> {
    /// The frame's fields.
    pub frame: FrameRepr<'a>,
    /// The command of the latest earlier request with the same ID, if any.
    pub request: Option<CommandCode>,
    /// DATA read against that request; `None` when unmatched or not in the expected form.
    pub answer: Option<Answer<'a>>,
}

impl<'a> Reply<'a> {
    /// Reads a reply frame answering `request` (if known).
    pub fn parse(frame: FrameRepr<'a>, request: Option<CommandCode>) -> Reply<'a> {
        let answer = request.and_then(|r| Answer::parse(r, frame.data));
        Reply { frame, request, answer }
    }

    /// The status, when the reply is one.
    pub fn status(&self) -> Option<Status> {
        match self.answer {
            Some(Answer::Status(s)) => Some(s),
            _ => None,
        }
    }
}

/// Writes a reply frame `&STMPC_...*` whose DATA `write_data` puts.
fn emit_reply(
    out: &mut [u8],
    id: u8,
    write_data: impl FnOnce(&mut SliceWriter<'_>) -> Result<(), EncodeError>,
) -> Result<usize, EncodeError> {
    emit_frame_with(out, Address::STM, Address::PC, id, write_data)
}

/// Writes a status reply (`&STMPC_<id>002<ss><crc>*`). `Status::Unknown` above 99 is
/// out of range, and so is `Status::Unknown` of a named code (0–4), which the decoder
/// never produces.
pub fn encode_status_reply(out: &mut [u8], id: u8, status: Status) -> Result<usize, EncodeError> {
    if status.code() > 99 || Status::from_code(status.code()) != status {
        return Err(EncodeError::OutOfRange { field: "status" });
    }
    emit_reply(out, id, |data| put_decimal(data, u32::from(status.code()), 2))
}

/// Writes a DOWNLOAD reply: the latest measurement as 4 digits (0–9999).
pub fn encode_lux_reply(out: &mut [u8], id: u8, lux: u16) -> Result<usize, EncodeError> {
    if lux > MAX_LUX {
        return Err(EncodeError::OutOfRange { field: "lux" });
    }
    emit_reply(out, id, |data| put_decimal(data, u32::from(lux), 4))
}

/// Writes a GET_INTERVAL reply: the interval as 4 digits (1–9999 ms).
pub fn encode_interval_reply(out: &mut [u8], id: u8, interval_ms: u16) -> Result<usize, EncodeError> {
    if !INTERVAL_MS.contains(&u32::from(interval_ms)) {
        return Err(EncodeError::OutOfRange { field: "interval_ms" });
    }
    emit_reply(out, id, |data| put_decimal(data, u32::from(interval_ms), 4))
}

/// Writes a GET_MODE reply: the mode as 1 digit (1–6).
pub fn encode_mode_reply(out: &mut [u8], id: u8, mode: u8) -> Result<usize, EncodeError> {
    if !MODE.contains(&mode) {
        return Err(EncodeError::OutOfRange { field: "mode" });
    }
    emit_reply(out, id, |data| put_decimal(data, u32::from(mode), 1))
}

/// Writes an I2C_SCAN reply: the address as 2 uppercase hex digits (`23`, `5C`; `00` for
/// none found).
pub fn encode_address_reply(out: &mut [u8], id: u8, address: u8) -> Result<usize, EncodeError> {
    emit_reply(out, id, |data| data.put(&hex_upper(address)))
}

/// Puts the DATA of a VIEW reply frame: `start_offset` mod 100 as 2 digits, then each value
/// as 4 digits (ranges are checked by [`encode_view_frame`]).
fn write_view_data(data: &mut impl Sink, start_offset: u32, values: &[u16]) -> Result<(), EncodeError> {
    put_decimal(data, start_offset % 100, 2)?;
    values.iter().try_for_each(|&v| put_decimal(data, u32::from(v), 4))
}

/// Writes one VIEW reply frame: `start_offset` mod 100 as 2 digits, then 1–63 values of
/// 4 digits (each 0–9999), newest first.
pub fn encode_view_frame(out: &mut [u8], id: u8, start_offset: u32, values: &[u16]) -> Result<usize, EncodeError> {
    if values.is_empty() || values.len() > VIEW_VALUES_PER_FRAME {
        return Err(EncodeError::OutOfRange { field: "values" });
    }
    if values.iter().any(|&v| v > MAX_LUX) {
        return Err(EncodeError::OutOfRange { field: "lux" });
    }
    emit_reply(out, id, |data| write_view_data(data, start_offset, values))
}

/// One frame of a VIEW reply, as [`view_frames`] splits it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ViewFrame<'v> {
    /// The request ID (every frame of the reply carries it).
    pub id: u8,
    /// The offset of this frame's first value (written mod 100).
    pub start_offset: u32,
    /// Up to 63 values, newest first.
    pub values: &'v [u16],
}

impl ViewFrame<'_> {
    /// Writes the frame (see [`encode_view_frame`]).
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        encode_view_frame(out, self.id, self.start_offset, self.values)
    }

    /// Bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        let mut data = Counter::new();
        // Counting cannot fail.
        let _ = write_view_data(&mut data, self.start_offset, self.values);
        OVERHEAD + data.len()
    }
}

/// Splits a VIEW answer (values newest first, the first at `start_offset`) into reply
/// frames of at most 63 values, as the device sends them.
pub fn view_frames(id: u8, start_offset: u32, values: &[u16]) -> impl Iterator<Item = ViewFrame<'_>> {
    values.chunks(VIEW_VALUES_PER_FRAME).enumerate().map(move |(k, chunk)| ViewFrame {
        id,
        start_offset: start_offset.wrapping_add((k * VIEW_VALUES_PER_FRAME) as u32),
        values: chunk,
    })
}
