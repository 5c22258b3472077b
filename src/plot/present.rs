//! The CSV rows and the text line of a message ([`Present`]): one row per value of a DATA
//! frame, with its channel index.

use core::fmt::{self, Write};

use super::message::Message;
use crate::present::{Present, Writer};

impl Present for Message<'_> {
    const CSV_HEADER: &'static str = "offset,channel,value";

    /// One row per value of a DATA frame (channel index and raw value); nothing for labels,
    /// text and help tables.
    fn write_csv_rows<W: Write + ?Sized>(&self, offset: u64, out: &mut W) -> fmt::Result {
        let Message::Data(data) = self else {
            return Ok(());
        };
        let mut w = Writer::new(out);
        w.row_start(|w| {
            w.uint(offset).byte(b',');
        });
        for (channel, value) in (0u64..).zip(data.values()) {
            w.row().uint(channel).byte(b',').int(value.into()).byte(b'\n');
        }
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::Text;
    use std::string::String;

    #[test]
    fn only_data_frames_have_rows() {
        let mut out = String::new();
        Message::Text(Text::new(b"hello\n")).write_csv_rows(5, &mut out).unwrap();
        assert_eq!(out, "");
    }

    #[cfg(feature = "serde")]
    #[test]
    fn text_lines_quote_values_with_whitespace() {
        let mut out = String::new();
        Message::Text(Text::new(b"hello world\r\n")).write_text(&mut out).unwrap();
        assert_eq!(out, "TEXT line=\"hello world\"");
        out.clear();
        Message::Text(Text::new(b"\n")).write_text(&mut out).unwrap();
        assert_eq!(out, "TEXT line=\"\"");
    }
}
