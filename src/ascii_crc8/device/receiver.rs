//! How the light meter reads frames, byte by byte, and what it answers to one it cannot read
//! (`docs/protocols/ascii-crc8.md`, "Device model").
//!
//! Outside a frame every byte but `&` is dropped. From `&` the bytes are collected up to the
//! first `*`: LEN does not find the end, the `*` does, and a `&` on the way starts the frame
//! again (the cut frame gets no answer). What is collected beyond [`COLLECT_LIMIT`] bytes is
//! not kept, but the frame still ends at its `*` and is checked as kept. The checks, in the
//! device's order, each with its bare text line:
//!
//! | check | answer |
//! |---|---|
//! | fewer than 13 bytes from `&` to `*` | `ERR: TOO SHORT` |
//! | an address byte outside 0x21–0x7E | `ERR: INVALID ADDR` |
//! | ID not 2 digits | `ERR: INVALID ID` |
//! | LEN not 3 digits | `ERR` |
//! | LEN above 256, or the frame too short for LEN | `ERR_LENGTH` |
//! | DATA (LEN bytes) not all digits | `ERR` |
//! | the CRC (the 2 bytes after DATA; a non-hex digit counts as 0) does not match | `ERR_CRC` |
//! | DATA shorter than the 2-digit code | `ERR: INVALID CMD` |
//! | an unknown code | `ERR: UNKNOWN CMD` |
//!
//! Bytes between the CRC and the `*` are ignored.

use crate::ascii_crc8::address::Address;
use crate::ascii_crc8::command::Command;
use crate::ascii_crc8::digits::{decimal, hex_digit};
use crate::ascii_crc8::frame::{END, MAX_DATA_LEN, START, field};
use crate::crc;

/// Bytes of a frame the device keeps (its 300-byte buffer, less the byte it keeps free).
pub const COLLECT_LIMIT: usize = 299;
/// The fewest bytes from `&` to `*` the device reads as a frame.
const MIN_FRAME: usize = 13;

/// A frame that passed every check: what to answer and to whom.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Request {
    /// The request's SRC (the reply's DST).
    pub src: Address,
    /// The request's DST (the reply's SRC).
    pub dst: Address,
    /// The request's ID, echoed.
    pub id: u8,
    /// The command with its parameters as read.
    pub command: Command,
}

/// What a finished frame is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Received {
    /// A request to carry out.
    Request(Request),
    /// A frame the device could not read: the text line it answers (without `\r\n`).
    Refused(&'static str),
}

/// The byte-by-byte reader.
#[derive(Debug, Clone)]
pub struct Receiver {
    frame: [u8; COLLECT_LIMIT],
    len: usize,
    collecting: bool,
    /// Whether the bytes dropped since the last frame were noise (counted once a run).
    in_noise: bool,
}

/// What one byte did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// Nothing to answer yet.
    Nothing,
    /// A byte outside frames started a run of noise.
    Noise,
    /// A frame in progress was dropped (cut by a `&`).
    Dropped,
    /// A frame ended.
    Frame(Received),
}

impl Default for Receiver {
    fn default() -> Self {
        Receiver { frame: [0; COLLECT_LIMIT], len: 0, collecting: false, in_noise: false }
    }
}

impl Receiver {
    /// Forgets a frame in progress.
    pub fn clear(&mut self) {
        self.len = 0;
        self.collecting = false;
        self.in_noise = false;
    }

    /// Takes one byte.
    pub fn push(&mut self, byte: u8) -> Step {
        if byte == START {
            let dropped = self.collecting;
            self.collecting = true;
            self.in_noise = false;
            self.len = 0;
            self.keep(byte);
            return if dropped { Step::Dropped } else { Step::Nothing };
        }
        if !self.collecting {
            let first = !self.in_noise;
            self.in_noise = true;
            return if first { Step::Noise } else { Step::Nothing };
        }
        self.keep(byte);
        if byte != END {
            return Step::Nothing;
        }
        self.collecting = false;
        Step::Frame(check(self.frame.get(..self.len).unwrap_or(&[])))
    }

    fn keep(&mut self, byte: u8) {
        if let Some(slot) = self.frame.get_mut(self.len) {
            *slot = byte;
            self.len += 1;
        }
    }
}

/// The device's checks on a frame from `&` to `*` (as kept).
fn check(frame: &[u8]) -> Received {
    use Received::Refused;
    if frame.len() < MIN_FRAME {
        return Refused("ERR: TOO SHORT");
    }
    let (Some(src), Some(dst)) = (address(frame, field::SRC), address(frame, field::DST)) else {
        return Refused("ERR: INVALID ADDR");
    };
    let Some(id) = digits(frame, field::ID) else {
        return Refused("ERR: INVALID ID");
    };
    let Some(len) = digits(frame, field::LEN) else {
        return Refused("ERR");
    };
    let len = len as usize;
    // `&`, the header, DATA, the CRC and `*`.
    if len > MAX_DATA_LEN || frame.len() < field::DATA_START + len + 3 {
        return Refused("ERR_LENGTH");
    }
    let Some(data) = frame.get(field::data(len)) else {
        return Refused("ERR_LENGTH");
    };
    if !data.iter().all(u8::is_ascii_digit) {
        return Refused("ERR");
    }
    let received = frame.get(field::crc(len)).map_or(0, |d| d.iter().fold(0u8, |crc, &b| crc << 4 | nibble(b)));
    let computed = frame.get(field::covered(len)).map_or(0, crc::crc8);
    if received != computed {
        return Refused("ERR_CRC");
    }
    if data.len() < 2 {
        return Refused("ERR: INVALID CMD");
    }
    let (Some(command), Ok(id)) = (Command::parse(data), u8::try_from(id)) else {
        return Refused("ERR: UNKNOWN CMD");
    };
    Received::Request(Request { src, dst, id, command })
}

fn address(frame: &[u8], range: core::ops::Range<usize>) -> Option<Address> {
    frame.get(range).and_then(Address::from_slice).filter(Address::is_valid)
}

fn digits(frame: &[u8], range: core::ops::Range<usize>) -> Option<u32> {
    frame.get(range).and_then(decimal)
}

/// A CRC character as the device reads it: a hex digit's value, anything else 0.
fn nibble(b: u8) -> u8 {
    hex_digit(b).unwrap_or(0)
}
