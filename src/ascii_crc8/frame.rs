//! The wire frame (`docs/protocols/ascii-crc8.md`, section 1): a zero-copy view
//! ([`Frame`]), the frame's fields as values ([`FrameRepr`]) and the frame encoder.
//!
//! ```text
//! & SRC(3) DST(3) ID(2 dec) LEN(3 dec) DATA(LEN) CRC(2 hex) *
//! 0 1..4   4..7   7..9      9..12      12..12+LEN  ..+2      14+LEN
//! ```
//!
//! Both follow smoltcp's wire modules: `Frame<T>` reads and writes the fields in place, with
//! every byte range in [`field`]; `FrameRepr` is the frame as values, read from a checked
//! view with [`FrameRepr::parse`] and written back through the view's setters by
//! [`FrameRepr::emit`], with [`FrameRepr::buffer_len`] the length it writes. This
//! `Repr` + `parse`/`buffer_len`/`emit` pattern fits any dialect whose frame fields are
//! worth naming apart from the message they carry.

use memchr::memchr2;

use super::address::Address;
use super::digits::{decimal, digit, hex_byte, hex_digit, hex_upper, write_decimal};
use super::error::{Error, Field};
use crate::buf::SliceWriter;
use crate::error::{EncodeError, check_room};

/// Byte ranges of the fields, counted from the `&`.
pub mod field {
    use core::ops::Range;

    /// The start marker `&`.
    pub const START: usize = 0;
    /// Source address, 3 characters.
    pub const SRC: Range<usize> = 1..4;
    /// Destination address, 3 characters.
    pub const DST: Range<usize> = 4..7;
    /// Message ID, 2 decimal digits.
    pub const ID: Range<usize> = 7..9;
    /// DATA length, 3 decimal digits.
    pub const LEN: Range<usize> = 9..12;
    /// First byte of DATA.
    pub const DATA_START: usize = 12;

    /// DATA, for a LEN of `len`.
    pub const fn data(len: usize) -> Range<usize> {
        DATA_START..DATA_START + len
    }

    /// The two CRC characters, for a LEN of `len`.
    pub const fn crc(len: usize) -> Range<usize> {
        DATA_START + len..DATA_START + len + 2
    }

    /// Position of the end marker `*`, for a LEN of `len`.
    pub const fn end(len: usize) -> usize {
        DATA_START + len + 2
    }

    /// The bytes the CRC covers (SRC..DATA), for a LEN of `len`.
    pub const fn covered(len: usize) -> Range<usize> {
        SRC.start..DATA_START + len
    }
}

/// The start marker.
pub const START: u8 = b'&';
/// The end marker.
pub const END: u8 = b'*';
/// Bytes of a frame besides DATA: `&`, 11 header characters, 2 CRC characters, `*`.
pub const OVERHEAD: usize = 15;
/// The largest LEN.
pub const MAX_DATA_LEN: usize = 256;
/// The longest frame: 15 + 256 bytes.
pub const MAX_FRAME_LEN: usize = OVERHEAD + MAX_DATA_LEN;
/// How many distinct message IDs there are (00–99).
pub const ID_COUNT: u8 = 100;

// `Address::is_valid_byte` spells the markers out (it sits below this file): keep them equal.
const _: () = assert!(!Address::is_valid_byte(START) && !Address::is_valid_byte(END));

/// What [`inspect`] found at a `&`.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Inspect {
    /// A valid frame of this many bytes.
    Frame(usize),
    /// An invalid candidate, decided by the byte the error names.
    Bad(Error),
    /// The bytes end before anything is decided.
    Incomplete,
}

/// Checks one header position (1..12) or CRC position.
fn check_byte(i: usize, b: u8, expected_end: Option<usize>) -> Result<(), Error> {
    match b {
        START => Err(Error::Interrupted { at: i }),
        END => Err(Error::EarlyTerminator { at: i, expected: expected_end }),
        _ => Ok(()),
    }
}

/// Validates the candidate frame at the start of `buf` (which starts with `&`), reading
/// it in wire order and deciding at the first byte that makes it invalid. Reads at most
/// [`MAX_FRAME_LEN`] bytes.
pub(crate) fn inspect(buf: &[u8]) -> Inspect {
    match inspect_inner(buf, true) {
        Ok(Some(n)) => Inspect::Frame(n),
        Ok(None) => Inspect::Incomplete,
        Err(e) => Inspect::Bad(e),
    }
}

/// The length of the frame at the start of `buf` as [`inspect`] finds it, every check but
/// the CRC made (for bytes whose CRC the scanner has just checked); `None` for anything
/// that is not a whole frame.
pub(crate) fn frame_len_known_crc(buf: &[u8]) -> Option<usize> {
    inspect_inner(buf, false).ok().flatten()
}

fn inspect_inner(buf: &[u8], verify_crc: bool) -> Result<Option<usize>, Error> {
    // Header, in wire order: SRC and DST (printable ASCII but space), then ID and LEN
    // (decimal digits). Neither set holds a marker, so a byte is looked at again only when
    // it fails: a `&` or `*` there cuts the frame short as anywhere else (`check_byte`),
    // so that resynchronisation treats them the same; any other byte is the field's error.
    for (i, &b) in buf.iter().enumerate().take(field::DST.end).skip(field::SRC.start) {
        if !Address::is_valid_byte(b) {
            check_byte(i, b, None)?;
            let f = if field::SRC.contains(&i) { Field::Src } else { Field::Dst };
            return Err(Error::InvalidAddress { field: f, at: i, byte: b });
        }
    }
    for (i, &b) in buf.iter().enumerate().take(field::DATA_START).skip(field::ID.start) {
        if digit(b).is_none() {
            check_byte(i, b, None)?;
            let f = if field::ID.contains(&i) { Field::Id } else { Field::Len };
            return Err(Error::InvalidDigit { field: f, at: i, byte: b });
        }
    }
    let Some(len_digits) = buf.get(field::LEN) else {
        return Ok(None);
    };
    let len = decimal(len_digits).unwrap_or(u32::MAX);
    let len16 = u16::try_from(len).unwrap_or(u16::MAX);
    if len as usize > MAX_DATA_LEN {
        return Err(Error::LengthTooLarge { len: len16 });
    }
    let len = len as usize;
    let end = field::end(len);
    // DATA: anything but the markers.
    let data_range = field::data(len);
    let data = buf.get(data_range.start..data_range.end.min(buf.len())).unwrap_or(&[]);
    if let Some(j) = memchr2(START, END, data) {
        let at = field::DATA_START + j;
        let b = data.get(j).copied().unwrap_or(0);
        check_byte(at, b, Some(end))?;
    }
    // CRC: two hex digits.
    for i in field::crc(len) {
        let Some(&b) = buf.get(i) else {
            return Ok(None);
        };
        check_byte(i, b, Some(end))?;
        if hex_digit(b).is_none() {
            return Err(Error::InvalidDigit { field: Field::Crc, at: i, byte: b });
        }
    }
    match buf.get(end) {
        None => Ok(None),
        Some(&END) if !verify_crc => Ok(Some(end + 1)),
        Some(&END) => {
            let received = buf.get(field::crc(len)).and_then(hex_byte).unwrap_or(0);
            let computed = crate::crc::crc8(buf.get(field::covered(len)).unwrap_or(&[]));
            if received == computed { Ok(Some(end + 1)) } else { Err(Error::CrcMismatch { received, computed }) }
        }
        Some(&START) => Err(Error::Interrupted { at: end }),
        Some(&found) => Err(Error::MissingTerminator { at: end, len: len16, found }),
    }
}

/// A read/write view of one ascii-crc8 frame in a buffer (smoltcp style).
///
/// Build it with [`Frame::new_checked`], after which no getter can panic. A view built
/// with [`Frame::new_unchecked`] may panic on access if the buffer is too short.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking it. Getters may panic if it is shorter than the
    /// frame its LEN field describes.
    pub const fn new_unchecked(buffer: T) -> Frame<T> {
        Frame { buffer }
    }

    /// Wraps a buffer that must hold exactly one valid frame: `&`, addresses of printable
    /// ASCII other than space, digits where the format has digits, LEN ≤ 256 and equal to
    /// the DATA length, no marker inside, the `*` at the end, and a matching CRC (either
    /// letter case).
    pub fn new_checked(buffer: T) -> Result<Frame<T>, Error> {
        let frame = Frame::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// Validates the whole frame (see [`new_checked`](Self::new_checked)).
    pub fn check_len(&self) -> Result<(), Error> {
        let buf = self.buffer.as_ref();
        match buf.first() {
            None => return Err(Error::Truncated),
            Some(&START) => {}
            Some(&found) => return Err(Error::NoStartMarker { found }),
        }
        match inspect(buf) {
            Inspect::Frame(n) if n == buf.len() => Ok(()),
            Inspect::Frame(n) => Err(Error::LengthMismatch { expected: n, actual: buf.len() }),
            Inspect::Bad(e) => Err(e),
            Inspect::Incomplete => Err(Error::Truncated),
        }
    }

    /// Returns the underlying buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The source address characters.
    pub fn src(&self) -> Address {
        Address::from_slice(&self.buffer.as_ref()[field::SRC]).unwrap_or(Address([0; 3]))
    }

    /// The destination address characters.
    pub fn dst(&self) -> Address {
        Address::from_slice(&self.buffer.as_ref()[field::DST]).unwrap_or(Address([0; 3]))
    }

    /// The message ID (0–99).
    pub fn id(&self) -> u8 {
        decimal(&self.buffer.as_ref()[field::ID]).unwrap_or(0) as u8
    }

    /// The LEN field.
    pub fn len_field(&self) -> u16 {
        decimal(&self.buffer.as_ref()[field::LEN]).map_or(0, |v| v.min(u32::from(u16::MAX)) as u16)
    }

    /// The whole frame, `&` to `*`.
    pub fn as_bytes(&self) -> &[u8] {
        &self.buffer.as_ref()[..field::end(usize::from(self.len_field())) + 1]
    }

    /// The CRC characters as received.
    pub fn crc_digits(&self) -> [u8; 2] {
        let b = &self.buffer.as_ref()[field::crc(usize::from(self.len_field()))];
        [b[0], b[1]]
    }

    /// The CRC as received.
    pub fn crc(&self) -> u8 {
        hex_byte(&self.crc_digits()).unwrap_or(0)
    }

    /// The CRC-8/SMBUS of SRC..DATA as they are in the buffer.
    pub fn computed_crc(&self) -> u8 {
        crate::crc::crc8(&self.buffer.as_ref()[field::covered(usize::from(self.len_field()))])
    }
}

impl<'a> Frame<&'a [u8]> {
    /// DATA, borrowed for the buffer's lifetime.
    pub fn data(&self) -> &'a [u8] {
        &self.buffer[field::data(usize::from(self.len_field()))]
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// Writes the `&`.
    pub fn set_start(&mut self) {
        self.buffer.as_mut()[field::START] = START;
    }

    /// Writes the source address.
    pub fn set_src(&mut self, src: Address) {
        self.buffer.as_mut()[field::SRC].copy_from_slice(&src.0);
    }

    /// Writes the destination address.
    pub fn set_dst(&mut self, dst: Address) {
        self.buffer.as_mut()[field::DST].copy_from_slice(&dst.0);
    }

    /// Writes the ID as 2 digits (`id % 100`).
    pub fn set_id(&mut self, id: u8) {
        write_decimal(&mut self.buffer.as_mut()[field::ID], u32::from(id));
    }

    /// Writes LEN as 3 digits (`len % 1000`).
    pub fn set_len_field(&mut self, len: u16) {
        write_decimal(&mut self.buffer.as_mut()[field::LEN], u32::from(len));
    }

    /// DATA, writable (its size comes from the LEN field).
    pub fn data_mut(&mut self) -> &mut [u8] {
        let len = usize::from(self.len_field());
        &mut self.buffer.as_mut()[field::data(len)]
    }

    /// Computes the CRC over SRC..DATA and writes it as two uppercase hex digits, then
    /// writes the `*`.
    pub fn fill_checksum(&mut self) {
        let len = usize::from(self.len_field());
        let crc = self.computed_crc();
        let buf = self.buffer.as_mut();
        buf[field::crc(len)].copy_from_slice(&hex_upper(crc));
        buf[field::end(len)] = END;
    }
}

/// The fields of a frame, with DATA borrowed.
///
/// `crc` and `crc_digits` record what was received. [`emit`](FrameRepr::emit) always
/// writes the correct CRC: in the received characters when they spell it (so a frame
/// received with a lowercase CRC re-encodes byte for byte), otherwise in uppercase.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct FrameRepr<'a> {
    /// Source address.
    pub src: Address,
    /// Destination address.
    pub dst: Address,
    /// Message ID, 0–99.
    pub id: u8,
    /// DATA (ASCII, without `&` or `*`, at most 256 bytes).
    pub data: &'a [u8],
    /// The CRC value.
    pub crc: u8,
    /// The CRC characters.
    pub crc_digits: [u8; 2],
}

impl<'a> FrameRepr<'a> {
    /// A frame with the CRC computed over its fields (uppercase digits).
    pub fn new(src: Address, dst: Address, id: u8, data: &'a [u8]) -> FrameRepr<'a> {
        let crc = Self::crc_of(src, dst, id, data);
        FrameRepr { src, dst, id, data, crc, crc_digits: hex_upper(crc) }
    }

    /// Reads the fields of a checked frame.
    pub fn parse(frame: &Frame<&'a [u8]>) -> FrameRepr<'a> {
        FrameRepr {
            src: frame.src(),
            dst: frame.dst(),
            id: frame.id(),
            data: frame.data(),
            crc: frame.crc(),
            crc_digits: frame.crc_digits(),
        }
    }

    /// The CRC-8 the fields should carry.
    pub fn crc_of(src: Address, dst: Address, id: u8, data: &[u8]) -> u8 {
        let mut header = [0u8; 11];
        header[..3].copy_from_slice(&src.0);
        header[3..6].copy_from_slice(&dst.0);
        write_decimal(&mut header[6..8], u32::from(id));
        write_decimal(&mut header[8..11], data.len().min(999) as u32);
        let mut digest = crate::crc::CRC8.digest();
        digest.update(&header);
        digest.update(data);
        digest.finalize()
    }

    /// Bytes [`emit`](Self::emit) writes.
    pub fn buffer_len(&self) -> usize {
        OVERHEAD + self.data.len()
    }

    /// Checks what the wire can carry: ID ≤ 99, DATA ≤ 256 bytes, addresses of printable
    /// ASCII other than space, `&` and `*` ([`Address::is_valid`]), no `&` or `*` in DATA.
    pub fn validate(&self) -> Result<(), EncodeError> {
        if self.id >= ID_COUNT {
            return Err(EncodeError::OutOfRange { field: "ID" });
        }
        if self.data.len() > MAX_DATA_LEN {
            return Err(EncodeError::TooLong { field: "DATA", len: self.data.len(), max: MAX_DATA_LEN });
        }
        for (name, address) in [("SRC", self.src), ("DST", self.dst)] {
            if !address.is_valid() {
                return Err(EncodeError::InvalidByte { field: name });
            }
        }
        if memchr2(START, END, self.data).is_some() {
            return Err(EncodeError::InvalidByte { field: "DATA" });
        }
        Ok(())
    }

    /// Writes the whole frame, `&` to `*`, into `out` and returns its length.
    pub fn emit(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        self.validate()?;
        let n = self.buffer_len();
        check_room(out, n)?;
        let out = out.get_mut(..n).ok_or(EncodeError::BufferTooSmall { needed: n, available: 0 })?;
        let mut frame = Frame::new_unchecked(out);
        frame.set_start();
        frame.set_src(self.src);
        frame.set_dst(self.dst);
        frame.set_id(self.id);
        frame.set_len_field(self.data.len() as u16);
        frame.data_mut().copy_from_slice(self.data);
        frame.fill_checksum();
        if hex_byte(&self.crc_digits) == Some(frame.computed_crc()) {
            let len = self.data.len();
            frame.into_inner()[field::crc(len)].copy_from_slice(&self.crc_digits);
        }
        Ok(n)
    }
}

/// Writes a frame `&SRC DST ID LEN DATA CRC*` (uppercase CRC) into `out`, returning its
/// length.
///
/// Fails with [`EncodeError::OutOfRange`] for an ID above 99, [`EncodeError::TooLong`]
/// for DATA above 256 bytes, [`EncodeError::InvalidByte`] for an address byte outside
/// 0x21–0x7E or a `&` or `*` in an address or DATA, and [`EncodeError::BufferTooSmall`]
/// when `out` is shorter than 15 + DATA.
pub fn emit_frame(out: &mut [u8], src: Address, dst: Address, id: u8, data: &[u8]) -> Result<usize, EncodeError> {
    FrameRepr::new(src, dst, id, data).emit(out)
}

/// Writes a frame whose DATA `write_data` puts (at most [`MAX_DATA_LEN`] bytes, assembled
/// in a buffer on the stack), as [`emit_frame`] does.
pub(crate) fn emit_frame_with(
    out: &mut [u8],
    src: Address,
    dst: Address,
    id: u8,
    write_data: impl FnOnce(&mut SliceWriter<'_>) -> Result<(), EncodeError>,
) -> Result<usize, EncodeError> {
    let mut data = [0u8; MAX_DATA_LEN];
    let mut writer = SliceWriter::new(&mut data);
    write_data(&mut writer)?;
    emit_frame(out, src, dst, id, writer.written())
}
