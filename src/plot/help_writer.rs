//! The firmware side of the help table: [`HelpWriter`] prints a table in the original
//! documentation's format, refusing anything the host's [`HelpParser`](super::HelpParser)
//! would read back differently.

use core::fmt::{self, Write as _};

use super::help::{Command, END_PREFIX, LINE_CAPACITY, SEPARATOR};
use super::text_state::TextState;

/// Prints a help table in the original documentation's format (firmware side) into any
/// [`fmt::Write`] sink: a `\r\n` line, the marker line, separator, header, separator, one
/// padded row per command, and the closing separator, every line ending in `\r\n`.
///
/// It prints only what the host reads back as written ([`HelpParser`](super::HelpParser)
/// behind a [`Plot`](super::Plot) decoder); anything else is refused with `fmt::Error`
/// before a byte of it is written:
///
/// * a marker that is empty, longer than [`LINE_CAPACITY`], holds CR or LF, or appears in
///   the separator or header line;
/// * a row before [`begin`](Self::begin), after [`end`](Self::end), or after the row with
///   cmd `help` and cat `sys` (that row ends the table for the parser);
/// * an empty cmd, `|` in cmd/args/cat, CR or LF anywhere, a field with whitespace at
///   either end, the header row `CMD`/`ARGS`;
/// * a row line longer than [`LINE_CAPACITY`] bytes, holding the marker (it would start a
///   new table), starting with [`END_PREFIX`] (it would end the table), or with an
///   `0xAA`/`0xAB` byte that is not text ([`TextState`]: it would start a frame).
///
/// A row line is assembled in a [`LINE_CAPACITY`]-byte buffer on the stack before it is
/// written.
///
/// ```
/// use serial_dialects::plot::{Command, HelpWriter};
/// let mut out: heapless::String<512> = heapless::String::new();
/// let mut w = HelpWriter::new(&mut out);
/// w.begin("GMU Commands").unwrap();
/// w.row(&Command { cmd: "start", args: "-", cat: "state", description: "Start the motor" }).unwrap();
/// assert!(w.row(&Command { cmd: "x", args: "-", cat: "sys", description: "see GMU Commands" }).is_err());
/// w.end().unwrap();
/// assert!(out.contains("start    | -        | state | Start the motor\r\n"));
/// assert!(!out.contains("see GMU"));
/// ```
#[derive(Debug)]
pub struct HelpWriter<'m, W: fmt::Write> {
    out: W,
    state: WriterState<'m>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WriterState<'m> {
    /// Before [`HelpWriter::begin`] or after [`HelpWriter::end`].
    Outside,
    /// Rows may follow the header of a table with this marker.
    Rows { marker: &'m str },
    /// The `help`/`sys` row was written: the parser has ended the table.
    Closed,
}

/// The header line between the two separators.
const HEADER: &str = "CMD      | ARGS     | CAT   | DESCRIPTION";

impl<'m, W: fmt::Write> HelpWriter<'m, W> {
    /// A writer printing into `out`.
    pub fn new(out: W) -> Self {
        HelpWriter { out, state: WriterState::Outside }
    }

    /// Prints the blank line, the marker line and the header between two separators.
    pub fn begin(&mut self, marker: &'m str) -> fmt::Result {
        if marker.is_empty()
            || marker.len() > LINE_CAPACITY
            || marker.contains(['\r', '\n'])
            || SEPARATOR.contains(marker)
            || HEADER.contains(marker)
            || TextState::first_frame_start(marker.as_bytes()).is_some()
        {
            return Err(fmt::Error);
        }
        write!(self.out, "\r\n{marker}\r\n{SEPARATOR}\r\n{HEADER}\r\n{SEPARATOR}\r\n")?;
        self.state = WriterState::Rows { marker };
        Ok(())
    }

    /// Prints one command row: `cmd` padded to 8, `args` to 8, `cat` to 5, then the
    /// description.
    pub fn row(&mut self, c: &Command<'_>) -> fmt::Result {
        let WriterState::Rows { marker } = self.state else {
            return Err(fmt::Error);
        };
        let bad = |s: &str, bar: bool| s.contains(['\r', '\n']) || (bar && s.contains('|'));
        let untrimmed = |s: &str| s.trim().len() != s.len();
        if c.cmd.is_empty()
            || bad(c.cmd, true)
            || bad(c.args, true)
            || bad(c.cat, true)
            || bad(c.description, false)
            || untrimmed(c.cmd)
            || untrimmed(c.args)
            || untrimmed(c.cat)
            || untrimmed(c.description)
            || (c.cmd == "CMD" && c.args == "ARGS")
        {
            return Err(fmt::Error);
        }
        let mut line = heapless::String::<LINE_CAPACITY>::new();
        write!(line, "{:<8} | {:<8} | {:<5} | {}", c.cmd, c.args, c.cat, c.description)?;
        if line.contains(marker)
            || line.starts_with(END_PREFIX)
            || TextState::first_frame_start(line.as_bytes()).is_some()
        {
            return Err(fmt::Error);
        }
        write!(self.out, "{line}\r\n")?;
        if c.cmd == "help" && c.cat == "sys" {
            self.state = WriterState::Closed;
        }
        Ok(())
    }

    /// Prints the closing separator.
    pub fn end(&mut self) -> fmt::Result {
        self.state = WriterState::Outside;
        write!(self.out, "{SEPARATOR}\r\n")
    }

    /// The sink.
    pub fn into_inner(self) -> W {
        self.out
    }
}

/// Prints a whole table (see [`HelpWriter`]). On a refused marker or row it stops with
/// `fmt::Error`; the lines before it are already in `out`.
pub fn write_help_table<'c, W: fmt::Write>(
    out: W,
    marker: &str,
    commands: impl IntoIterator<Item = &'c Command<'c>>,
) -> fmt::Result {
    let mut w = HelpWriter::new(out);
    w.begin(marker)?;
    for c in commands {
        w.row(c)?;
    }
    w.end()
}
