//! Writing events: JSON Lines (the contract of docs/decode-json.md), CSV samples, or one
//! readable line per event. Each is written from the typed frame: its `Serialize` for JSON,
//! the library's `Present` for CSV rows and text lines.

use std::io::{self, Write};

use serial_dialects::stream::{EventOf, Item};
use serial_dialects::{DialectError, Stats};

use crate::dialect::CliDialect;

/// Output format of `decode` and `monitor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per event (docs/decode-json.md).
    Jsonl,
    /// One row per sample, with a header row (plot values, vectordebug records, pmu30
    /// telemetry, powerscope readings in physical units, ascii-crc8 lux values).
    Csv,
    /// One readable line per event.
    Text,
}

/// Writes events of one dialect in one format.
pub struct EventSink<W: Write> {
    out: W,
    format: Format,
    dialect: &'static str,
    /// Reused buffer for a frame's JSON.
    json: Vec<u8>,
    csv_header_done: bool,
    /// Flush after every event (live monitoring).
    flush_each: bool,
}

impl<W: Write> EventSink<W> {
    pub fn new(out: W, format: Format, dialect: &'static str, flush_each: bool) -> Self {
        EventSink { out, format, dialect, json: Vec::with_capacity(4096), csv_header_done: false, flush_each }
    }

    /// Writes one event.
    pub fn event<D: CliDialect>(&mut self, event: &EventOf<'_, D>) -> io::Result<()> {
        match &event.item {
            Item::Frame(frame) => match self.format {
                Format::Jsonl => {
                    self.json.clear();
                    serde_json::to_writer(&mut self.json, frame).map_err(io::Error::other)?;
                    self.jsonl_frame(event.offset, event.len)?;
                }
                Format::Csv => {
                    // The header comes before the first row, if any.
                    let header = (!self.csv_header_done).then_some(D::CSV_HEADER);
                    let mut rows = Text { out: &mut self.out, header, error: None };
                    let written = D::write_csv_rows(frame, event.offset, &mut rows);
                    self.csv_header_done |= rows.header.is_none();
                    rows.result(written)?;
                }
                Format::Text => {
                    line_start(&mut self.out, event.offset, event.len)?;
                    let mut line = Text { out: &mut self.out, header: None, error: None };
                    let written = D::write_text(frame, &mut line);
                    line.result(written)?;
                    self.out.write_all(b"\n")?;
                }
            },
            Item::Error(error) => self.error(event.offset, event.len, error)?,
        }
        if self.flush_each {
            self.out.flush()?;
        }
        Ok(())
    }

    fn jsonl_frame(&mut self, offset: u64, len: usize) -> io::Result<()> {
        write!(self.out, "{{\"offset\":{offset},\"len\":{len},\"dialect\":\"{}\",", self.dialect)?;
        // The frame's JSON is an object; splice its members after ours.
        match self.json.first() {
            Some(b'{') if self.json.len() > 2 => self.out.write_all(&self.json[1..])?,
            _ => {
                self.out.write_all(b"\"value\":")?;
                self.out.write_all(&self.json)?;
                self.out.write_all(b"}")?;
            }
        }
        self.out.write_all(b"\n")
    }

    fn error<E: DialectError>(&mut self, offset: u64, len: usize, error: &E) -> io::Result<()> {
        let kind = error.kind().as_str();
        let detail = error.to_string();
        match self.format {
            Format::Jsonl => {
                write!(
                    self.out,
                    "{{\"offset\":{offset},\"len\":{len},\"dialect\":\"{}\",\"error\":\"{kind}\",\"detail\":",
                    self.dialect
                )?;
                serde_json::to_writer(&mut self.out, &detail).map_err(io::Error::other)?;
                self.out.write_all(b"}\n")
            }
            Format::Text => {
                line_start(&mut self.out, offset, len)?;
                writeln!(self.out, "!{kind}: {detail}")
            }
            Format::Csv => Ok(()),
        }
    }

    /// Writes the statistics: a last JSON line, a text line, or (CSV) a line on stderr.
    pub fn stats(&mut self, stats: &Stats) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                /// `{"stats": {...}}` with the fields in their declared order.
                #[derive(serde::Serialize)]
                struct Line<'a> {
                    stats: &'a Stats,
                }
                serde_json::to_writer(&mut self.out, &Line { stats }).map_err(io::Error::other)?;
                self.out.write_all(b"\n")?;
            }
            Format::Text => writeln!(self.out, "{}", stats_line(stats))?,
            Format::Csv => eprintln!("{}", stats_line(stats)),
        }
        self.out.flush()
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }
}

fn stats_line(stats: &Stats) -> String {
    let errors: Vec<String> = stats.errors.iter().map(|(k, n)| format!("{k}={n}")).collect();
    format!(
        "stats: frames={} errors={} [{}] bytes_skipped={} lost_frames={}",
        stats.frames,
        stats.errors.total(),
        errors.join(" "),
        stats.bytes_skipped,
        stats.lost_frames
    )
}

/// Starts a text line: `{offset:>10} +{len:<5} `, without the formatting machinery (which
/// would cost as much as the rest of a short line).
fn line_start<W: Write>(out: &mut W, offset: u64, len: usize) -> io::Result<()> {
    /// The decimal digits of `v` at the end of `buf`.
    fn digits(mut v: u64, buf: &mut [u8; 20]) -> &[u8] {
        let mut start = buf.len();
        for slot in buf.iter_mut().rev() {
            *slot = b'0' + (v % 10) as u8;
            start -= 1;
            v /= 10;
            if v == 0 {
                break;
            }
        }
        &buf[start..]
    }
    let (mut a, mut b) = ([0u8; 20], [0u8; 20]);
    let (offset, len) = (digits(offset, &mut a), digits(len as u64, &mut b));
    // Right-aligned offset, ` +`, left-aligned len, a space: at most 20 + 2 + 20 + 1 bytes.
    let len_at = offset.len().max(10) + 2;
    let mut line = [b' '; 48];
    line[len_at - 2 - offset.len()..len_at - 2].copy_from_slice(offset);
    line[len_at - 1] = b'+';
    line[len_at..len_at + len.len()].copy_from_slice(len);
    out.write_all(&line[..len_at + len.len().max(5) + 1])
}

/// Text written by the library's `Present` (a `fmt::Write`) into the output, after a
/// header line if one is pending.
struct Text<'a, W> {
    out: &'a mut W,
    header: Option<&'static str>,
    /// What the output refused (`fmt::Error` carries nothing).
    error: Option<io::Error>,
}

impl<W: Write> Text<'_, W> {
    fn write(&mut self, s: &str) -> io::Result<()> {
        if s.is_empty() {
            return Ok(());
        }
        if let Some(header) = self.header.take() {
            self.out.write_all(header.as_bytes())?;
            self.out.write_all(b"\n")?;
        }
        self.out.write_all(s.as_bytes())
    }

    /// The output's error if it refused a write, else the writer's result.
    fn result(self, written: std::fmt::Result) -> io::Result<()> {
        match (self.error, written) {
            (Some(e), _) => Err(e),
            (None, Ok(())) => Ok(()),
            (None, Err(_)) => Err(io::Error::other("cannot format a frame")),
        }
    }
}

impl<W: Write> std::fmt::Write for Text<'_, W> {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        self.write(s).map_err(|e| {
            self.error = Some(e);
            std::fmt::Error
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_lines_start_as_the_format_string_would_start_them() {
        for offset in [0, 7, 9_999_999_999, 12_345_678_901, u64::MAX] {
            for len in [0, 5, 12_345, 123_456, usize::MAX] {
                let mut out = Vec::new();
                line_start(&mut out, offset, len).unwrap();
                assert_eq!(String::from_utf8(out).unwrap(), format!("{offset:>10} +{len:<5} "));
            }
        }
    }
}
