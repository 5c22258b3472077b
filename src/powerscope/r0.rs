//! Revision 0 (the "current status" of the original documentation): STREAM frames without
//! CRC, raw one-byte commands host → device, and the line the original host shell prints
//! for a frame (docs/protocols/powerscope.md, "Revision 0").

use core::fmt;

use super::frame::Frame;
use super::header::{FrameType, HeaderRepr, VERSION};

/// The START command byte.
pub const START: u8 = 0x01;
/// The STOP command byte.
pub const STOP: u8 = 0x02;

/// A raw command byte, host → device, with no framing and no reply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Command {
    /// `0x01`: start streaming.
    Start,
    /// `0x02`: stop streaming.
    Stop,
}

impl Command {
    /// The command for a byte, if it is one (the firmware ignores every other byte).
    pub const fn from_byte(byte: u8) -> Option<Command> {
        match byte {
            START => Some(Command::Start),
            STOP => Some(Command::Stop),
            _ => None,
        }
    }

    /// The byte on the wire.
    pub const fn byte(self) -> u8 {
        match self {
            Command::Start => START,
            Command::Stop => STOP,
        }
    }

    /// `START` or `STOP`.
    pub const fn name(self) -> &'static str {
        match self {
            Command::Start => "START",
            Command::Stop => "STOP",
        }
    }
}

/// A revision-0 STREAM frame (the firmware fills the payload with a test ramp).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stream<'a> {
    /// Global frame counter.
    pub seq: u32,
    /// Device time in ms since boot.
    pub ts_ms: u32,
    /// The reserved u16 at offset 6 as received (0 when sent by this crate's constructors).
    pub reserved: u16,
    /// The payload, 1..=512 bytes.
    pub payload: &'a [u8],
    /// Not on the wire: `seq` minus the previous frame's `seq` (0 for the first frame), set
    /// by the stream decoder. [`Stream::parse`] sets 0 and the encoder ignores it.
    pub gap: u32,
}

impl<'a> Stream<'a> {
    /// A frame with reserved bytes 0 and gap 0.
    pub const fn new(seq: u32, ts_ms: u32, payload: &'a [u8]) -> Stream<'a> {
        Stream { seq, ts_ms, reserved: 0, payload, gap: 0 }
    }

    /// Reads a checked revision-0 frame.
    pub fn parse(frame: &Frame<&'a [u8]>) -> Stream<'a> {
        let header = frame.header_repr();
        let bytes: &'a [u8] = frame.into_inner();
        let payload = bytes.get(super::frame::field::payload(usize::from(header.len))).unwrap_or_default();
        Stream { seq: header.seq, ts_ms: header.ts_ms, reserved: header.reserved_r0(), payload, gap: 0 }
    }

    /// The header the frame is sent with (`len` saturates at 65535 for a payload the
    /// encoder refuses anyway).
    pub fn header(&self) -> HeaderRepr {
        let [cmd_id, reserved] = self.reserved.to_le_bytes();
        HeaderRepr {
            frame_type: FrameType::Stream as u8,
            ver: VERSION,
            len: u16::try_from(self.payload.len()).unwrap_or(u16::MAX),
            cmd_id,
            reserved,
            seq: self.seq,
            ts_ms: self.ts_ms,
        }
    }

    /// The original host shell's line for this frame (`seq=%8d ts=%10d len=%3d gap=%3d`).
    pub fn shell_line(&self) -> ShellLine {
        ShellLine { seq: self.seq, ts_ms: self.ts_ms, len: self.payload.len(), gap: self.gap }
    }
}

/// The original host shell's line for a frame: `seq=%8d ts=%10d len=%3d gap=%3d`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShellLine {
    /// `seq`.
    pub seq: u32,
    /// `ts_ms`.
    pub ts_ms: u32,
    /// Payload length.
    pub len: usize,
    /// Gap to the previous frame of the stream.
    pub gap: u32,
}

impl fmt::Display for ShellLine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "seq={:8} ts={:10} len={:3} gap={:3}", self.seq, self.ts_ms, self.len, self.gap)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Stream<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Stream", 6)?;
        st.serialize_field("ver", &VERSION)?;
        st.serialize_field("seq", &self.seq)?;
        st.serialize_field("ts_ms", &self.ts_ms)?;
        st.serialize_field("payload_len", &self.payload.len())?;
        st.serialize_field("gap", &self.gap)?;
        st.serialize_field("payload_hex", &format_args!("{}", crate::fmt::Hex(self.payload)))?;
        st.end()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Command {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("Command", 1)?;
        st.serialize_field("cmd", self.name())?;
        st.end()
    }
}
