//! The typed message of the powerscope dialect: one [`Message`] for both revisions, and the
//! revision-1 frames it holds (STREAM, CMD, ACK, NACK).
//!
//! One enum, not one per revision: its variants are what can be on the wire, named by
//! their `type` (the revision-1 frames, the default revision) or by their revision
//! (`R0Stream`, `R0Command`), so that a decoder of either revision yields the same type
//! and a match names each case once (docs/protocols/powerscope.md, "Messages").

use crate::buf::{Sink, SliceWriter};
use crate::error::EncodeError;

use super::command::{Command, CommandId};
use super::error::{Error, check_payload_size};
use super::frame::{self, Frame, counted};
use super::header::{CMD_NONE, FrameType, HeaderRepr, Revision, VERSION};
use super::ina219::SensorPacket;
use super::r0::{self, ShellLine};
use super::reply::{ErrorCode, Reply};

/// A revision-1 STREAM frame: one sensor packet of a per-sensor stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stream<'a> {
    /// The sensor's stream counter (START_STREAM resets it to 0).
    pub seq: u32,
    /// Device time in ms.
    pub ts_ms: u32,
    /// `cmd_id` as received ([`CMD_NONE`] from the firmware and from [`Stream::new`]).
    pub cmd_id: u8,
    /// The reserved byte as received (0 from [`Stream::new`]).
    pub reserved: u8,
    /// The sensor packet.
    pub packet: SensorPacket<'a>,
    /// Not on the wire: `seq` minus the previous `seq` of the same sensor (0 for its first
    /// frame), set by the stream decoder. Parsing sets 0 and the encoder ignores it.
    pub gap: u32,
}

impl<'a> Stream<'a> {
    /// A STREAM frame with `cmd_id` 0xFF, reserved 0 and gap 0.
    pub const fn new(seq: u32, ts_ms: u32, packet: SensorPacket<'a>) -> Stream<'a> {
        Stream { seq, ts_ms, cmd_id: CMD_NONE, reserved: 0, packet, gap: 0 }
    }

    /// The original host shell's line for this frame.
    pub fn shell_line(&self) -> ShellLine {
        ShellLine { seq: self.seq, ts_ms: self.ts_ms, len: self.packet.len(), gap: self.gap }
    }
}

/// A CMD frame (host → device). `ts_ms` is the host clock; the device ignores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Cmd {
    /// Correlation id, echoed by the ACK/NACK.
    pub seq: u32,
    /// Host time in ms (truncated to u32).
    pub ts_ms: u32,
    /// The reserved byte as received (0 from [`Cmd::new`]).
    pub reserved: u8,
    /// The command.
    pub command: Command,
}

impl Cmd {
    /// A CMD frame with reserved 0.
    pub const fn new(seq: u32, ts_ms: u32, command: Command) -> Cmd {
        Cmd { seq, ts_ms, reserved: 0, command }
    }
}

/// An ACK frame (device → host): the answer to the CMD with the same `seq`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ack<'a> {
    /// The CMD's `seq`, echoed.
    pub seq: u32,
    /// Device time in ms when the command was processed.
    pub ts_ms: u32,
    /// The reserved byte as received (0 from [`Ack::new`]).
    pub reserved: u8,
    /// The answer (its command is the frame's `cmd_id`).
    pub reply: Reply<'a>,
}

impl<'a> Ack<'a> {
    /// An ACK frame with reserved 0.
    pub const fn new(seq: u32, ts_ms: u32, reply: Reply<'a>) -> Ack<'a> {
        Ack { seq, ts_ms, reserved: 0, reply }
    }
}

/// A NACK frame (device → host): the command with the same `seq` failed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Nack {
    /// The CMD's `seq`, echoed.
    pub seq: u32,
    /// Device time in ms.
    pub ts_ms: u32,
    /// The CMD's `cmd_id`, echoed (any byte: a NACK may refuse an unknown command).
    pub cmd_id: u8,
    /// The reserved byte as received (0 from [`Nack::new`]).
    pub reserved: u8,
    /// Why the command failed.
    pub error: ErrorCode,
}

impl Nack {
    /// A NACK frame with reserved 0.
    pub const fn new(seq: u32, ts_ms: u32, cmd_id: u8, error: ErrorCode) -> Nack {
        Nack { seq, ts_ms, cmd_id, reserved: 0, error }
    }

    /// The command the NACK refuses, if `cmd_id` is one.
    pub const fn command_id(&self) -> Option<CommandId> {
        CommandId::from_u8(self.cmd_id)
    }
}

/// A message of either revision: what [`PowerScope`](super::PowerScope) decodes and
/// encodes.
///
/// With the `serde` feature it serializes as `{"type": "STREAM" | "CMD" | "ACK" | "NACK",
/// "fields": {...}}` (a revision-0 STREAM frame is `STREAM`, a command byte `CMD`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "serde", serde(tag = "type", content = "fields"))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Message<'a> {
    /// Revision 1: sensor data, device → host.
    #[cfg_attr(feature = "serde", serde(rename = "STREAM"))]
    Stream(Stream<'a>),
    /// Revision 1: a command, host → device.
    #[cfg_attr(feature = "serde", serde(rename = "CMD"))]
    Cmd(Cmd),
    /// Revision 1: a positive answer, device → host.
    #[cfg_attr(feature = "serde", serde(rename = "ACK"))]
    Ack(Ack<'a>),
    /// Revision 1: a negative answer, device → host.
    #[cfg_attr(feature = "serde", serde(rename = "NACK"))]
    Nack(Nack),
    /// Revision 0: a STREAM frame (no CRC).
    #[cfg_attr(feature = "serde", serde(rename = "STREAM"))]
    R0Stream(r0::Stream<'a>),
    /// Revision 0: a raw command byte, host → device (no frame, no reply).
    #[cfg_attr(feature = "serde", serde(rename = "CMD"))]
    R0Command(r0::Command),
}

impl<'a> Message<'a> {
    /// Reads a checked frame. Revision 1 payload sizes are exact per type and command:
    /// STREAM at least 1 byte, CMD and ACK by the command table, NACK exactly 1 byte; a CMD
    /// or ACK `cmd_id` outside the table is [`Error::UnknownCommand`].
    pub fn parse(frame: &Frame<&'a [u8]>) -> Result<Message<'a>, Error> {
        match frame.revision() {
            Revision::R0 => Ok(Message::R0Stream(r0::Stream::parse(frame))),
            Revision::R1 => Message::parse_r1(&frame.header_repr(), frame.into_inner()),
        }
    }

    /// Reads the bytes of one stream event of `revision`: in revision 0 a single byte is a
    /// raw command, anything else a frame (bytes after the frame are ignored).
    pub fn from_bytes(bytes: &'a [u8], revision: Revision) -> Result<Message<'a>, Error> {
        if let (Revision::R0, [byte]) = (revision, bytes) {
            return r0::Command::from_byte(*byte)
                .map(Message::R0Command)
                .ok_or(Error::UnknownCommandByte { byte: *byte });
        }
        Message::parse(&Frame::new_checked(bytes, revision)?)
    }

    /// [`parse`](Self::parse) of a revision-1 frame whose header was already read from
    /// `bytes`.
    pub(crate) fn parse_r1(header: &HeaderRepr, bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        let payload: &'a [u8] = bytes.get(frame::field::payload(usize::from(header.len))).unwrap_or_default();
        let (seq, ts_ms, reserved) = (header.seq, header.ts_ms, header.reserved);
        match FrameType::from_u8(header.frame_type) {
            Some(FrameType::Stream) => {
                let packet = SensorPacket::parse(payload).ok_or(Error::PayloadSize {
                    message: "STREAM",
                    len: payload.len(),
                    min: 1,
                    max: Revision::R1.max_payload_len(),
                })?;
                Ok(Message::Stream(Stream { seq, ts_ms, cmd_id: header.cmd_id, reserved, packet, gap: 0 }))
            }
            Some(FrameType::Cmd) => {
                let command = Command::parse(header.cmd_id, payload)?;
                Ok(Message::Cmd(Cmd { seq, ts_ms, reserved, command }))
            }
            Some(FrameType::Ack) => {
                let reply = Reply::parse(header.cmd_id, payload)?;
                Ok(Message::Ack(Ack { seq, ts_ms, reserved, reply }))
            }
            Some(FrameType::Nack) => {
                check_payload_size("NACK", payload.len(), (1, 1))?;
                let error = ErrorCode::from_u8(payload.first().copied().unwrap_or_default());
                Ok(Message::Nack(Nack { seq, ts_ms, cmd_id: header.cmd_id, reserved, error }))
            }
            None => Err(Error::UnknownFrameType {
                frame_type: header.frame_type,
                revision: 1,
                max: Revision::R1.max_frame_type(),
            }),
        }
    }

    /// The revision the message belongs to.
    pub const fn revision(&self) -> Revision {
        match self {
            Message::Stream(_) | Message::Cmd(_) | Message::Ack(_) | Message::Nack(_) => Revision::R1,
            Message::R0Stream(_) | Message::R0Command(_) => Revision::R0,
        }
    }

    /// The frame type (a revision-0 command byte counts as [`FrameType::Cmd`]).
    pub const fn frame_type(&self) -> FrameType {
        match self {
            Message::Stream(_) | Message::R0Stream(_) => FrameType::Stream,
            Message::Cmd(_) | Message::R0Command(_) => FrameType::Cmd,
            Message::Ack(_) => FrameType::Ack,
            Message::Nack(_) => FrameType::Nack,
        }
    }

    /// The header the message is sent with (`None` for a revision-0 command byte, which has
    /// none). Its `len` is the payload's length, saturated at 65535 for a payload the
    /// encoder refuses anyway.
    pub fn header(&self) -> Option<HeaderRepr> {
        self.frame_header(self.payload_len()).ok()
    }

    /// The header of a frame whose payload is `payload_len` bytes long, or the revision-0
    /// command byte that is sent without one.
    #[inline]
    fn frame_header(&self, payload_len: usize) -> Result<HeaderRepr, r0::Command> {
        let len = u16::try_from(payload_len).unwrap_or(u16::MAX);
        let r1 = |frame_type: FrameType, cmd_id, reserved, seq, ts_ms| HeaderRepr {
            frame_type: frame_type as u8,
            ver: VERSION,
            len,
            cmd_id,
            reserved,
            seq,
            ts_ms,
        };
        Ok(match self {
            Message::Stream(m) => r1(FrameType::Stream, m.cmd_id, m.reserved, m.seq, m.ts_ms),
            Message::Cmd(m) => r1(FrameType::Cmd, m.command.id() as u8, m.reserved, m.seq, m.ts_ms),
            Message::Ack(m) => r1(FrameType::Ack, m.reply.id() as u8, m.reserved, m.seq, m.ts_ms),
            Message::Nack(m) => r1(FrameType::Nack, m.cmd_id, m.reserved, m.seq, m.ts_ms),
            Message::R0Stream(m) => HeaderRepr { len, ..m.header() },
            Message::R0Command(command) => return Err(*command),
        })
    }

    /// The gap of a STREAM frame (set by the stream decoder).
    pub const fn gap(&self) -> Option<u32> {
        match self {
            Message::Stream(s) => Some(s.gap),
            Message::R0Stream(s) => Some(s.gap),
            _ => None,
        }
    }

    /// The original host shell's line of a STREAM frame.
    pub fn shell_line(&self) -> Option<ShellLine> {
        match self {
            Message::Stream(s) => Some(s.shell_line()),
            Message::R0Stream(s) => Some(s.shell_line()),
            _ => None,
        }
    }

    /// The payload's length: what [`emit_payload`](Self::emit_payload) writes.
    #[inline]
    fn payload_len(&self) -> usize {
        counted(|out| self.emit_payload(out))
    }

    /// Writes the payload of a frame (nothing for a revision-0 command byte).
    #[inline]
    fn emit_payload(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        match self {
            Message::Stream(m) => m.packet.emit(out),
            Message::Cmd(m) => m.command.emit(out),
            Message::Ack(m) => m.reply.emit(out),
            Message::Nack(m) => out.put_u8(m.error.code()),
            Message::R0Stream(m) => out.put(m.payload),
            Message::R0Command(_) => Ok(()),
        }
    }

    /// Wire length of the message: the whole frame (header, payload, revision-1 CRC), or 1
    /// for a revision-0 command byte.
    pub fn buffer_len(&self) -> usize {
        match self {
            Message::R0Command(_) => 1,
            _ => self.revision().frame_len(self.payload_len()),
        }
    }

    /// Checks what the encoder refuses: a SET_PERIOD period outside 5..=10000 (the sender's
    /// range), and what [`emit_verbatim`](Self::emit_verbatim) refuses too.
    pub fn validate(&self) -> Result<(), EncodeError> {
        match self {
            Message::Cmd(m) => m.command.validate(),
            _ => self.validate_wire(),
        }
    }

    /// The checks that no encoder skips: the message must fit the wire and decode back to
    /// itself (a revision-0 payload of 1..=512 bytes; a sensor packet or a NACK error code
    /// that reads back as itself).
    fn validate_wire(&self) -> Result<(), EncodeError> {
        match self {
            Message::Stream(m) => m.packet.validate(),
            Message::Cmd(_) | Message::R0Command(_) => Ok(()),
            Message::Ack(m) => m.reply.validate(),
            Message::Nack(m) => m.error.validate(),
            Message::R0Stream(m) if m.payload.is_empty() => Err(EncodeError::OutOfRange { field: "len" }),
            Message::R0Stream(m) => match (m.payload.len(), Revision::R0.max_payload_len()) {
                (len, max) if len > max => Err(EncodeError::TooLong { field: "payload", len, max }),
                _ => Ok(()),
            },
        }
    }

    /// Writes the message's wire bytes (the whole frame, or a revision-0 command byte) into
    /// `out` and returns their length. Refuses what [`validate`](Self::validate) refuses,
    /// before it looks at `out`.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        // The sender's range; `emit_verbatim` checks the rest of what `validate` checks.
        if let Message::Cmd(m) = self {
            m.command.validate()?;
        }
        self.emit_verbatim(out)
    }

    /// Writes the message without the sender range check of [`validate`](Self::validate)
    /// (SET_PERIOD 5..=10000): re-encodes a decoded message, in range or not, to exactly the
    /// bytes it was decoded from. Messages that would not decode back to themselves are
    /// still refused. For forwarding and test tools, not for commands.
    pub fn emit_verbatim(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.validate_wire()?;
        let payload_len = self.payload_len();
        match self.frame_header(payload_len) {
            Ok(header) => frame::emit_with(out, self.revision(), &header, payload_len, |w| self.emit_payload(w)),
            Err(command) => {
                let mut writer = SliceWriter::new(out);
                writer.put_u8(command.byte())?;
                Ok(writer.len())
            }
        }
    }
}

impl crate::dialect::Message for Message<'_> {
    fn name(&self) -> &'static str {
        self.frame_type().name()
    }
}

impl<'a> From<r0::Stream<'a>> for Message<'a> {
    fn from(m: r0::Stream<'a>) -> Self {
        Message::R0Stream(m)
    }
}

impl From<r0::Command> for Message<'_> {
    fn from(m: r0::Command) -> Self {
        Message::R0Command(m)
    }
}

impl<'a> From<Stream<'a>> for Message<'a> {
    fn from(m: Stream<'a>) -> Self {
        Message::Stream(m)
    }
}

impl From<Cmd> for Message<'_> {
    fn from(m: Cmd) -> Self {
        Message::Cmd(m)
    }
}

impl<'a> From<Ack<'a>> for Message<'a> {
    fn from(m: Ack<'a>) -> Self {
        Message::Ack(m)
    }
}

impl From<Nack> for Message<'_> {
    fn from(m: Nack) -> Self {
        Message::Nack(m)
    }
}

/// The JSON `fields` of the revision-1 frames (docs/protocols/powerscope.md, "JSON").
#[cfg(feature = "serde")]
mod ser {
    use serde::ser::{Serialize, SerializeStruct, Serializer};

    use super::*;

    /// Writes the fields every revision-1 frame has.
    fn common<S: SerializeStruct>(
        st: &mut S,
        seq: u32,
        ts_ms: u32,
        payload_len: usize,
        cmd_id: u8,
    ) -> Result<(), S::Error> {
        st.serialize_field("ver", &VERSION)?;
        st.serialize_field("seq", &seq)?;
        st.serialize_field("ts_ms", &ts_ms)?;
        st.serialize_field("payload_len", &payload_len)?;
        st.serialize_field("cmd_id", &cmd_id)
    }

    impl Serialize for Stream<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Stream", 6 + self.packet.field_count())?;
            common(&mut st, self.seq, self.ts_ms, self.packet.len(), self.cmd_id)?;
            st.serialize_field("gap", &self.gap)?;
            self.packet.serialize_fields(&mut st)?;
            st.end()
        }
    }

    impl Serialize for Cmd {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let c = &self.command;
            let extra = usize::from(c.sensor().is_some()) + usize::from(matches!(c, Command::SetPeriod { .. }));
            let mut st = s.serialize_struct("Cmd", 6 + extra)?;
            common(&mut st, self.seq, self.ts_ms, c.payload_len(), c.id() as u8)?;
            st.serialize_field("cmd", c.id().name())?;
            if let Some(sensor) = c.sensor() {
                st.serialize_field("sensor", &sensor)?;
            }
            if let Command::SetPeriod { period_ms, .. } = c {
                st.serialize_field("period_ms", period_ms)?;
            }
            st.end()
        }
    }

    impl Serialize for Ack<'_> {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let r = &self.reply;
            let extra = match r {
                Reply::StartStream | Reply::StopStream | Reply::SetPeriod | Reply::Ping => 0,
                Reply::ReadSensor(p) => p.field_count(),
                _ => 1,
            };
            let mut st = s.serialize_struct("Ack", 6 + extra)?;
            common(&mut st, self.seq, self.ts_ms, r.payload_len(), r.id() as u8)?;
            st.serialize_field("cmd", r.id().name())?;
            match r {
                Reply::StartStream | Reply::StopStream | Reply::SetPeriod | Reply::Ping => {}
                Reply::GetPeriod { period_ms } => st.serialize_field("period_ms", period_ms)?,
                Reply::GetSensors(list) => st.serialize_field("sensors", list)?,
                Reply::ReadSensor(packet) => packet.serialize_fields(&mut st)?,
                Reply::GetUptime { uptime_ms } => st.serialize_field("uptime_ms", uptime_ms)?,
                Reply::GetBoardUid { uid } => {
                    st.serialize_field("uid_hex", &format_args!("{}", crate::fmt::Hex(uid)))?
                }
            }
            st.end()
        }
    }

    impl Serialize for Nack {
        fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
            let mut st = s.serialize_struct("Nack", 6)?;
            common(&mut st, self.seq, self.ts_ms, 1, self.cmd_id)?;
            st.serialize_field("error_code", &self.error.code())?;
            st.end()
        }
    }
}
