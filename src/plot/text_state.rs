//! Separating text from frames: when is `0xAA`/`0xAB` a character of a text line?
//!
//! A `0xAA`/`0xAB` byte is text only when it is the last byte of a UTF-8 character begun in
//! the text before it (`C2 AA` = `ª`, `C2 AB` = `«`, `E2 80 AA`, ...) **and** the text since
//! the last line end, frame or rejected start byte is valid UTF-8 (apart from that
//! incomplete character) without control characters other than TAB and CR. Any other
//! `0xAA`/`0xAB` starts a frame candidate, so binary garbage before a frame cannot hide it.
//!
//! [`TextState`] tracks exactly that, in a few bytes of state, one byte at a time.

use super::frame::{DATA_START, LABEL_START};

/// The classification state of the text since the last reset (line end, frame, rejected
/// start byte). `Copy` and tiny, so a scanner can try ahead on a copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TextState {
    /// The text so far is valid UTF-8 without forbidden control characters.
    clean: bool,
    /// Continuation bytes still expected for the current character.
    need: u8,
    /// Allowed range of the next continuation byte.
    lo: u8,
    hi: u8,
    /// Code point bits collected so far.
    cp: u32,
}

impl Default for TextState {
    fn default() -> Self {
        TextState::new()
    }
}

/// Whether a complete character may appear in clean text: not a control character, except
/// TAB and CR (LF ends the line before it gets here).
fn allowed(c: u32) -> bool {
    match char::from_u32(c) {
        Some('\t' | '\r') => true,
        Some(ch) => !ch.is_control(),
        None => false,
    }
}

impl TextState {
    /// The state at the start of a line.
    pub const fn new() -> Self {
        TextState { clean: true, need: 0, lo: 0x80, hi: 0xBF, cp: 0 }
    }

    /// Back to the start-of-line state (after a line end, a frame or a rejected start byte).
    pub fn reset(&mut self) {
        *self = TextState::new();
    }

    /// Whether the text so far is clean (valid UTF-8, no forbidden control characters).
    pub fn is_clean(&self) -> bool {
        self.clean
    }

    /// Whether `byte` (a start byte `0xAA`/`0xAB`) would be text here: it must complete the
    /// pending character of clean text.
    // Inlined: the scanner asks this for every frame, and it is mostly false at
    // `need == 1`, so that is tested first.
    #[inline]
    pub fn is_text(&self, byte: u8) -> bool {
        self.need == 1
            && self.clean
            && (self.lo..=self.hi).contains(&byte)
            && allowed((self.cp << 6) | u32::from(byte & 0x3F))
    }

    /// Takes one text byte (any byte but LF, which the caller handles as a line end).
    pub fn feed(&mut self, byte: u8) {
        if !self.clean {
            return;
        }
        if self.need == 0 {
            let (need, lo, hi, bits) = match byte {
                0x00..=0x7F => {
                    self.clean = allowed(u32::from(byte));
                    return;
                }
                0xC2..=0xDF => (1, 0x80, 0xBF, byte & 0x1F),
                0xE0 => (2, 0xA0, 0xBF, byte & 0x0F),
                0xED => (2, 0x80, 0x9F, byte & 0x0F),
                0xE1..=0xEF => (2, 0x80, 0xBF, byte & 0x0F),
                0xF0 => (3, 0x90, 0xBF, byte & 0x07),
                0xF4 => (3, 0x80, 0x8F, byte & 0x07),
                0xF1..=0xF3 => (3, 0x80, 0xBF, byte & 0x07),
                _ => {
                    self.clean = false;
                    return;
                }
            };
            *self = TextState { clean: true, need, lo, hi, cp: u32::from(bits) };
        } else if (self.lo..=self.hi).contains(&byte) {
            self.cp = (self.cp << 6) | u32::from(byte & 0x3F);
            self.need -= 1;
            self.lo = 0x80;
            self.hi = 0xBF;
            if self.need == 0 {
                self.clean = allowed(self.cp);
                self.cp = 0;
            }
        } else {
            self.clean = false;
        }
    }

    /// Takes a run of text bytes (none of them LF).
    pub fn feed_all(&mut self, bytes: &[u8]) {
        for &b in bytes {
            if !self.clean {
                return;
            }
            self.feed(b);
        }
    }

    /// Where in `bytes`, read from the start of a line (`TextState::new()`), the first
    /// `0xAA`/`0xAB` lies that is not text and so would start a frame candidate; `None`
    /// when every byte is text. An LF ends the line (the state starts anew behind it),
    /// exactly as the scanner reads it.
    pub fn first_frame_start(bytes: &[u8]) -> Option<usize> {
        let mut state = TextState::new();
        for (i, &b) in bytes.iter().enumerate() {
            match b {
                b'\n' => state.reset(),
                DATA_START | LABEL_START if !state.is_text(b) => return Some(i),
                _ => state.feed(b),
            }
        }
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn after(bytes: &[u8]) -> TextState {
        let mut s = TextState::new();
        s.feed_all(bytes);
        s
    }

    #[test]
    fn start_bytes_completing_characters_are_text() {
        assert!(after(b"x \xC2").is_text(0xAA)); // ª
        assert!(after(b"\xC2").is_text(0xAB)); // «
        assert!(after(b"\xE2\x86\x92 \xE2\x80").is_text(0xAA)); // U+202A
        assert!(after(b"\xF0\x9F\x98").is_text(0xAA)); // U+1F62A
    }

    #[test]
    fn first_frame_start_reads_like_the_scanner() {
        assert_eq!(TextState::first_frame_start(b""), None);
        assert_eq!(TextState::first_frame_start(b"plain text\r\n"), None);
        assert_eq!(TextState::first_frame_start("\u{aa}\u{ab} \u{202a}".as_bytes()), None);
        assert_eq!(TextState::first_frame_start(b"\xAA"), Some(0));
        assert_eq!(TextState::first_frame_start(b"ab\xC2\xAB\x01\xC2\xAA"), Some(6)); // control char first
        assert_eq!(TextState::first_frame_start(b"\x01\xC2\n\xC2\xAA"), None); // LF starts a clean line
        assert_eq!(TextState::first_frame_start(b"\xEA\xAA\x80"), Some(1)); // AA inside U+AA80
    }

    #[test]
    fn start_bytes_are_frames_elsewhere() {
        assert!(!after(b"").is_text(0xAA));
        assert!(!after(b"abc").is_text(0xAA));
        assert!(!after(b"\xE2").is_text(0xAA)); // not the last byte of the character
        assert!(!after(b"a\x00\xC2").is_text(0xAA)); // control character before
        assert!(!after(b"\xFF\xC2").is_text(0xAA)); // invalid UTF-8 before
        assert!(!after(b"\xE0").is_text(0xAA)); // E0 AA is fine as 2nd byte but not the last
        assert!(after(b"a\tb\r\xC2").is_text(0xAA)); // TAB and CR allowed
        assert!(!after(b"\xC2\x85\xC2").is_text(0xAA)); // U+0085 is a control character
    }
}
