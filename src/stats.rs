//! Counters every stream decoder keeps.

use crate::error::ErrorKind;

/// Per-kind error counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct ErrorCounts([u64; ErrorKind::ALL.len()]);

impl ErrorCounts {
    /// How many errors of `kind` were seen.
    pub fn get(&self, kind: ErrorKind) -> u64 {
        self.0[kind.index()]
    }

    /// All errors, of every kind.
    pub fn total(&self) -> u64 {
        self.0.iter().sum()
    }

    /// `(kind, count)` for every kind with a non-zero count, in [`ErrorKind::ALL`] order.
    pub fn iter(&self) -> impl Iterator<Item = (ErrorKind, u64)> + '_ {
        ErrorKind::ALL.iter().map(|&k| (k, self.get(k))).filter(|&(_, n)| n > 0)
    }

    pub(crate) fn add(&mut self, kind: ErrorKind) {
        self.0[kind.index()] += 1;
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ErrorCounts {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(None)?;
        for (kind, n) in self.iter() {
            map.serialize_entry(kind.as_str(), &n)?;
        }
        map.end()
    }
}

/// What a decoder has seen so far. Every input byte is in exactly one of
/// `bytes_in_frames` and `bytes_skipped`, once the decoder has been drained.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Stats {
    /// Events that decoded to a typed frame or message.
    pub frames: u64,
    /// Error events, by kind.
    pub errors: ErrorCounts,
    /// Input bytes covered by error events (garbage, rejected candidates, ...).
    pub bytes_skipped: u64,
    /// Input bytes covered by frame events.
    pub bytes_in_frames: u64,
    /// Frames the dialect's sequence numbers say were lost (0 where it has none).
    pub lost_frames: u64,
}

impl Stats {
    /// Bytes accounted for by events so far.
    pub fn bytes_accounted(&self) -> u64 {
        self.bytes_in_frames + self.bytes_skipped
    }

    pub(crate) fn count_frame(&mut self, len: usize) {
        self.frames += 1;
        self.bytes_in_frames += len as u64;
    }

    pub(crate) fn count_error(&mut self, kind: ErrorKind, len: usize) {
        self.errors.add(kind);
        self.bytes_skipped += len as u64;
    }
}
