//! The scanner and the dialect: `Config`, `Pmu30`, `impl Dialect` and `impl Encode`.

use super::error::{Error, Needed};
use super::frame::{self, CRC_LEN, CrcCoverage, DEFAULT_MAX_PAYLOAD, Frame, OVERHEAD, START};
use super::message::Message;
#[cfg(feature = "speed-over-size")]
use super::message::telemetry_payload;
#[cfg(feature = "speed-over-size")]
use super::telemetry::TelemetryPacket;
use crate::buf::u16_le;
use crate::crc;
use crate::dialect::{Dialect, DialectConfig, Encode, Scan};
use crate::error::EncodeError;
#[cfg(feature = "speed-over-size")]
use crate::stream::Item;
use crate::stream::rejection_extent;

/// Decoder and encoder settings.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Config {
    /// The largest LENGTH accepted (default 4096, the real host code's limit). A header
    /// with a larger LENGTH is rejected at once as `bad_length`.
    pub max_payload: usize,
    /// Which bytes the CRC covers (default: MSG_ID + PAYLOAD, as the original documentation
    /// says).
    pub crc_coverage: CrcCoverage,
}

impl Default for Config {
    fn default() -> Self {
        Config { max_payload: DEFAULT_MAX_PAYLOAD, crc_coverage: CrcCoverage::MsgIdPayload }
    }
}

impl Config {
    /// The name of the real configurator's variant on the command line
    /// (`pmu30:crc-with-length`).
    pub const VARIANT_CRC_WITH_LENGTH: &'static str = "crc-with-length";

    /// The configuration for a variant name after `pmu30:` (`""` is the default), or
    /// `None` for a name this dialect does not have.
    pub fn from_variant(name: &str) -> Option<Config> {
        match name {
            "" => Some(Config::default()),
            Self::VARIANT_CRC_WITH_LENGTH => {
                Some(Config { crc_coverage: CrcCoverage::LengthMsgIdPayload, ..Config::default() })
            }
            _ => None,
        }
    }

    /// The longest frame: `max_payload + 6`.
    pub const fn max_frame_len(&self) -> usize {
        self.max_payload.saturating_add(OVERHEAD)
    }
}

/// The `pmu30` dialect: finds `0xAA`-framed messages in a byte stream and decodes them into
/// [`Message`]s.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pmu30 {
    config: Config,
}

impl Pmu30 {
    /// A decoder with `config`.
    pub const fn new(config: Config) -> Self {
        Pmu30 { config }
    }

    /// A decoder for the real configurator's CRC rule (LENGTH + MSG_ID + PAYLOAD).
    pub fn crc_with_length() -> Self {
        Pmu30::new(Config { crc_coverage: CrcCoverage::LengthMsgIdPayload, ..Config::default() })
    }

    /// The settings.
    pub const fn config(&self) -> &Config {
        &self.config
    }
}

/// Where the next candidate may start in `b` (an index into `b`).
fn next_start(b: &[u8]) -> Option<usize> {
    memchr::memchr(START, b)
}

impl DialectConfig for Config {
    const NAMES: &'static [&'static str] = &["pmu30", "pmu30:crc-with-length"];

    fn from_name(name: &str) -> Option<Config> {
        crate::dialect::variant_of(name, Pmu30::NAME).and_then(Config::from_variant)
    }

    fn name(&self) -> &'static str {
        match self.crc_coverage {
            CrcCoverage::MsgIdPayload => Self::NAMES[0],
            CrcCoverage::LengthMsgIdPayload => Self::NAMES[1],
        }
    }
}

impl Dialect for Pmu30 {
    const NAME: &'static str = "pmu30";
    type Config = Config;
    type Message<'a> = Message<'a>;
    type Error = Error;

    fn new(config: Config) -> Self {
        Pmu30::new(config)
    }

    fn config(&self) -> &Config {
        &self.config
    }

    fn max_frame_len(&self) -> usize {
        self.config.max_frame_len()
    }

    fn scan(&mut self, buf: &[u8], at_end: bool) -> Scan<Error> {
        let max = self.max_frame_len();
        let Some(&first) = buf.first() else {
            return Scan::NeedMore;
        };
        if first != START {
            let window = buf.get(..max).unwrap_or(buf);
            return match next_start(window) {
                Some(i) => Scan::Reject(i, Error::Garbage { len: i }),
                None if buf.len() >= max => Scan::Reject(max, Error::Garbage { len: max }),
                None if at_end => Scan::Reject(buf.len(), Error::Garbage { len: buf.len() }),
                None => Scan::NeedMore,
            };
        }
        let reject = |end: Option<usize>, error: Error| match rejection_extent(buf, end, max, at_end, next_start) {
            Some(n) => Scan::Reject(n, error),
            None => Scan::NeedMore,
        };
        let length = match u16_le(buf, frame::field::LENGTH.start) {
            Some(length) => usize::from(length),
            _ if at_end => return reject(None, Error::Truncated { needed: Needed(None), available: buf.len() }),
            _ => return Scan::NeedMore,
        };
        if length > self.config.max_payload {
            return reject(None, Error::LengthTooLarge { length, max: self.config.max_payload });
        }
        let total = OVERHEAD + length;
        let Some(candidate) = buf.get(..total) else {
            return if at_end {
                reject(Some(total), Error::Truncated { needed: Needed(Some(total)), available: buf.len() })
            } else {
                Scan::NeedMore
            };
        };
        // `candidate` is the whole frame, at least OVERHEAD bytes (the fallbacks never
        // apply): read the CRC and the bytes it covers once, not LENGTH again per field.
        let received = u16_le(candidate, total - CRC_LEN).unwrap_or(0);
        let covered = candidate.get(self.config.crc_coverage.first_covered()..total - CRC_LEN).unwrap_or(&[]);
        let computed = crc::crc16(covered);
        if received == computed {
            Scan::Frame(total)
        } else {
            reject(Some(total), Error::CrcMismatch { received, computed })
        }
    }

    /// A candidate whose LENGTH is read and allowed is decided at its last byte, not before.
    fn needed(&self, buf: &[u8]) -> usize {
        match (buf.first(), u16_le(buf, frame::field::LENGTH.start)) {
            (Some(&START), Some(length)) if usize::from(length) <= self.config.max_payload => {
                OVERHEAD + usize::from(length)
            }
            _ => 0,
        }
    }

    /// The message without its borrowed bytes (see `rebuild.rs`).
    type Context = Message<'static>;

    #[inline]
    fn context_of(&self, message: &Message<'_>) -> Message<'static> {
        super::rebuild::detach(message)
    }

    #[inline]
    fn rebuild<'a>(frame: &'a [u8], context: &Message<'static>) -> Message<'a> {
        super::rebuild::attach(frame, context)
    }

    fn decode<'a>(&mut self, bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        let frame = Frame::new_checked_with(bytes, self.config.crc_coverage)?;
        self.message(&frame)
    }

    /// The scanner checked these bytes' CRC and LENGTH: when they are exactly the frame
    /// LENGTH announces (always, from the drivers), the payload is read at once, without
    /// the frame view's checks; anything else takes the checked path.
    fn decode_scanned<'a>(&mut self, bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        match self.announced_payload(bytes) {
            Some((msg_id, payload)) => Message::parse_payload(msg_id, payload),
            None => self.decode_scanned_checked(bytes),
        }
    }

    /// [`decode_scanned`](Dialect::decode_scanned) with a TELEMETRY_DATA frame's item (nearly
    /// all of a running device's traffic) built directly, as [`Message::parse_payload`]
    /// would parse it (host builds, where the drivers call this).
    #[cfg(feature = "speed-over-size")]
    #[inline(always)]
    fn decode_scanned_item<'a>(&mut self, bytes: &'a [u8]) -> Item<Message<'a>, Error> {
        match self.announced_payload(bytes) {
            Some((msg_id, payload)) => match telemetry_payload(msg_id, payload) {
                Some(telemetry) => Item::Frame(Message::TelemetryData(TelemetryPacket::parse(telemetry))),
                None => Message::parse_payload(msg_id, payload).into(),
            },
            None => self.decode_scanned_checked(bytes).into(),
        }
    }

    fn reset(&mut self) {}
}

impl Encode for Pmu30 {
    fn encoded_len(&self, message: &Message<'_>) -> usize {
        message.buffer_len()
    }

    fn encode(&self, message: &Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        message.emit_with(out, self.config.crc_coverage, self.config.max_payload)
    }

    fn encode_verbatim(&self, message: &Message<'_>, out: &mut [u8]) -> Result<usize, EncodeError> {
        message.emit_verbatim(out, self.config.crc_coverage, self.config.max_payload)
    }
}

impl Pmu30 {
    /// MSG_ID and payload of `bytes` when they are exactly the frame their LENGTH announces,
    /// within the configured limit.
    #[inline(always)]
    fn announced_payload<'a>(&self, bytes: &'a [u8]) -> Option<(u8, &'a [u8])> {
        match bytes {
            [START, _, _, msg_id, payload @ .., _, _]
                if u16_le(bytes, frame::field::LENGTH.start).map(usize::from) == Some(payload.len())
                    && payload.len() <= self.config.max_payload =>
            {
                Some((*msg_id, payload))
            }
            _ => None,
        }
    }

    /// [`Dialect::decode_scanned`] for bytes that are not exactly the frame their LENGTH
    /// announces (never from the drivers): the frame view's checks.
    fn decode_scanned_checked<'a>(&self, bytes: &'a [u8]) -> Result<Message<'a>, Error> {
        let frame = Frame::new_unchecked(bytes);
        frame.check_len()?;
        self.message(&frame)
    }

    /// The message of a frame whose length (and CRC) were checked.
    fn message<'a>(&self, frame: &Frame<&'a [u8]>) -> Result<Message<'a>, Error> {
        let length = usize::from(frame.length());
        if length > self.config.max_payload {
            return Err(Error::LengthTooLarge { length, max: self.config.max_payload });
        }
        Message::parse(frame)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::buf::{Sink, SliceWriter};
    use crate::error::DialectError;

    /// The scan hint keeps its promise: wherever `scan` needs more and `needed` answers,
    /// every longer prefix shorter than that still needs more. Over frames, a bad CRC, a
    /// LENGTH over the limit and garbage, from every start and every prefix.
    #[test]
    fn needed_is_never_too_far() {
        let mut input = std::vec::Vec::new();
        let mut buf = [0u8; 32];
        for (len, coverage) in
            [(6, CrcCoverage::MsgIdPayload), (0, CrcCoverage::MsgIdPayload), (9, CrcCoverage::LengthMsgIdPayload)]
        {
            let n = frame::emit_frame(&mut buf, 0x30, len, 4096, coverage, |p| {
                p.fill(0xAA);
                Ok(())
            })
            .unwrap();
            input.extend_from_slice(&buf[..n]);
        }
        let last = input.len() - 1;
        input[last] ^= 1; // a bad CRC (and a frame of the other coverage)
        input.extend_from_slice(&[START, 0x10, 0, 1, 2, START, 0xFF, 0xFF, 7, START]);
        for dialect in [Pmu30::default(), Pmu30::new(Config { max_payload: 8, ..Config::default() })] {
            let mut dialect = dialect;
            for s in 0..input.len() {
                for l in s..=input.len() {
                    if dialect.scan(&input[s..l], false) != Scan::NeedMore {
                        continue;
                    }
                    let hint = dialect.needed(&input[s..l]);
                    for l2 in l..(s + hint).min(input.len() + 1) {
                        assert_eq!(dialect.scan(&input[s..l2], false), Scan::NeedMore, "{s}..{l}, hint {hint}, {l2}");
                    }
                }
            }
        }
    }

    /// `decode_scanned`'s direct path gives what the checked frame view gives, and bytes
    /// that are not exactly one frame (trailing bytes, cut off, LENGTH over the limit)
    /// still take the checked path.
    #[test]
    fn decode_scanned_matches_the_checked_path() {
        let mut buf = [0u8; 16];
        let n = frame::emit_frame(&mut buf, 0x30, 6, 4096, CrcCoverage::MsgIdPayload, |p| {
            SliceWriter::new(p).put(&[3, 0, 0, 0, 0x48, 0x42])
        })
        .unwrap();
        let mut small = Pmu30::new(Config { max_payload: 4, ..Config::default() });
        for bytes in [&buf[..n], &buf[..n + 3], &buf[..n - 1], &buf[..3]] {
            let checked = Frame::new_checked(bytes).and_then(|f| Pmu30::default().message(&f));
            let checked_len = Frame::new_unchecked(bytes).check_len().and_then(|()| {
                let frame = Frame::new_unchecked(bytes);
                Pmu30::default().message(&frame)
            });
            assert_eq!(Pmu30::default().decode_scanned(bytes), checked_len);
            if bytes.len() == n {
                assert_eq!(Pmu30::default().decode_scanned(bytes), checked);
            }
            assert_eq!(
                small.decode_scanned(bytes).map_err(|e| e.kind()),
                Frame::new_unchecked(bytes)
                    .check_len()
                    .and_then(|()| small.message(&Frame::new_unchecked(bytes)))
                    .map_err(|e| e.kind())
            );
        }
    }
}
