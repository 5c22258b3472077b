//! A JSON syntax check (RFC 8259) without a heap: what the device model runs over an uploaded
//! configuration before it stores it (a failure is CONFIG_ACK error 0x20, "Config parse
//! error"). It checks the syntax only, not what the configuration says.
//!
//! Iterative, so its stack use is fixed: open containers are one bit each in a `u64`, which
//! bounds the nesting at [`MAX_DEPTH`] (a deeper document is refused, as a device with a fixed
//! parser stack would).

/// The deepest nesting of arrays and objects accepted.
pub const MAX_DEPTH: usize = 64;

/// Why a text is not JSON: the byte offset where the check stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct JsonError {
    /// Offset of the first byte that does not fit (the length of the text when it ends early).
    pub offset: usize,
}

/// Checks that `text` is exactly one JSON value, with optional whitespace around it.
pub fn check(text: &[u8]) -> Result<(), JsonError> {
    if let Err(e) = core::str::from_utf8(text) {
        return Err(JsonError { offset: e.valid_up_to() });
    }
    let mut p = Cursor { text, at: 0 };
    // Bit `d` of `objects` says whether the container at depth `d + 1` is an object.
    let mut objects: u64 = 0;
    let mut depth = 0usize;
    'value: loop {
        p.skip_whitespace();
        match p.peek() {
            Some(open @ (b'{' | b'[')) => {
                if depth == MAX_DEPTH {
                    return Err(p.error());
                }
                p.at += 1;
                let is_object = open == b'{';
                if is_object {
                    objects |= 1 << depth;
                } else {
                    objects &= !(1 << depth);
                }
                depth += 1;
                p.skip_whitespace();
                let close = if is_object { b'}' } else { b']' };
                if p.peek() == Some(close) {
                    p.at += 1;
                    depth -= 1;
                } else if is_object {
                    p.member_key()?;
                    continue 'value;
                } else {
                    continue 'value;
                }
            }
            Some(b'"') => p.string()?,
            Some(b'-' | b'0'..=b'9') => p.number()?,
            Some(b't') => p.literal(b"true")?,
            Some(b'f') => p.literal(b"false")?,
            Some(b'n') => p.literal(b"null")?,
            _ => return Err(p.error()),
        }
        // A value is complete: close containers until one continues with another value.
        loop {
            p.skip_whitespace();
            if depth == 0 {
                return if p.at == text.len() { Ok(()) } else { Err(p.error()) };
            }
            let in_object = objects & (1 << (depth - 1)) != 0;
            match (p.peek(), in_object) {
                (Some(b','), true) => {
                    p.at += 1;
                    p.skip_whitespace();
                    p.member_key()?;
                    continue 'value;
                }
                (Some(b','), false) => {
                    p.at += 1;
                    continue 'value;
                }
                (Some(b'}'), true) | (Some(b']'), false) => {
                    p.at += 1;
                    depth -= 1;
                }
                _ => return Err(p.error()),
            }
        }
    }
}

/// A read position in the text.
struct Cursor<'t> {
    text: &'t [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.text.get(self.at).copied()
    }

    fn error(&self) -> JsonError {
        JsonError { offset: self.at.min(self.text.len()) }
    }

    fn skip_whitespace(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    /// `"key"` then `:` (the value follows).
    fn member_key(&mut self) -> Result<(), JsonError> {
        if self.peek() != Some(b'"') {
            return Err(self.error());
        }
        self.string()?;
        self.skip_whitespace();
        if self.peek() != Some(b':') {
            return Err(self.error());
        }
        self.at += 1;
        Ok(())
    }

    /// A string, from its opening quote.
    fn string(&mut self) -> Result<(), JsonError> {
        self.at += 1;
        loop {
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(());
                }
                Some(b'\\') => {
                    self.at += 1;
                    match self.peek() {
                        Some(b'"' | b'\\' | b'/' | b'b' | b'f' | b'n' | b'r' | b't') => self.at += 1,
                        Some(b'u') => {
                            self.at += 1;
                            for _ in 0..4 {
                                if !self.peek().is_some_and(|b| b.is_ascii_hexdigit()) {
                                    return Err(self.error());
                                }
                                self.at += 1;
                            }
                        }
                        _ => return Err(self.error()),
                    }
                }
                Some(0x20..) => self.at += 1,
                // A control character, or the end of the text.
                _ => return Err(self.error()),
            }
        }
    }

    /// At least one digit.
    fn digits(&mut self) -> Result<(), JsonError> {
        if !self.peek().is_some_and(|b| b.is_ascii_digit()) {
            return Err(self.error());
        }
        while self.peek().is_some_and(|b| b.is_ascii_digit()) {
            self.at += 1;
        }
        Ok(())
    }

    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`
    fn number(&mut self) -> Result<(), JsonError> {
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        if self.peek() == Some(b'0') {
            self.at += 1;
        } else {
            self.digits()?;
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            self.digits()?;
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            self.digits()?;
        }
        Ok(())
    }

    fn literal(&mut self, word: &[u8]) -> Result<(), JsonError> {
        let end = self.at.saturating_add(word.len());
        if self.text.get(self.at..end) != Some(word) {
            return Err(self.error());
        }
        self.at = end;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::{JsonError, MAX_DEPTH, check};
    use std::string::String;
    use std::vec;
    use std::vec::Vec;

    #[test]
    fn accepts_json() {
        for text in [
            &b"{}"[..],
            b"[]",
            b" { \"outputs\" : [ {\"id\": 1, \"on\": true}, null, false ], \"v\": -0.5e+3 }\r\n",
            b"\"text with \\\"escapes\\\" \\u00e9 \\n\"",
            b"0",
            b"-12.25E-2",
            b"[[[[]]]]",
            "{\"name\":\"zażółć\"}".as_bytes(),
        ] {
            assert_eq!(check(text), Ok(()), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn refuses_what_is_not_json_with_the_offset() {
        for (text, offset) in [
            (&b""[..], 0),
            (b"{", 1),
            (b"{\"a\" 1}", 5),
            (b"{\"a\":1,}", 7),
            (b"[1,]", 3),
            (b"[1 2]", 3),
            (b"{1:2}", 1),
            (b"01", 1),
            (b"1.", 2),
            (b"-", 1),
            (b"1e", 2),
            (b"tru", 0),
            (b"\"abc", 4),
            (b"\"a\x01\"", 2),
            (b"\"\\x\"", 2),
            (b"\"\\u12G4\"", 5),
            (b"{} {}", 3),
            (b"[}", 1),
            (b"{]", 1),
            (b"\xff", 0),
        ] {
            assert_eq!(check(text), Err(JsonError { offset }), "{}", String::from_utf8_lossy(text));
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let deepest: Vec<u8> = [vec![b'['; MAX_DEPTH], vec![b']'; MAX_DEPTH]].concat();
        assert_eq!(check(&deepest), Ok(()));
        let too_deep: Vec<u8> = [vec![b'['; MAX_DEPTH + 1], vec![b']'; MAX_DEPTH + 1]].concat();
        assert_eq!(check(&too_deep), Err(JsonError { offset: MAX_DEPTH }));
        // A million open brackets cost nothing but the scan up to the limit.
        assert!(check(&vec![b'{'; 1 << 20]).is_err());
    }
}
