//! The help table (the original documentation's "Text Protocol"): its rows ([`Command`],
//! [`CommandList`]) and the host-side parser that turns the device's `help` output into
//! commands ([`HelpParser`]). The firmware-side writer that prints a table is
//! [`HelpWriter`](super::HelpWriter) (`help_writer.rs`).
//!
//! ```text
//! GMU Commands
//! ---------+----------+-------+---------------------------
//! CMD      | ARGS     | CAT   | DESCRIPTION
//! ---------+----------+-------+---------------------------
//! start    | -        | state | Start the motor
//! setpid   | kp ki kd | param | Set PID parameters
//! help     | -        | sys   | Show this help
//! ---------+----------+-------+---------------------------
//! ```
//!
//! Parsing rules (docs/protocols/plot.md, "Help tables"): the table starts at a line
//! containing the marker (`GMU Commands` by default); a second marker line restarts it. Rows
//! are split on `|` (at least 3 parts): `cmd`, `args`, `cat` are the first three parts
//! trimmed, the description is everything after the third `|`, trimmed. The header row
//! (`CMD` / `ARGS`) and rows with an empty `cmd` are skipped. The table ends at a line whose
//! trimmed text starts with `---------+` once it has a row, right after the row with cmd
//! `help` and cat `sys` (included as the last row), at the end of the input, or when the
//! host reports 2 s without a line ([`HelpParser::end_table`], `Plot::help_timeout`).
//!
//! Storage is fixed: at most [`MAX_COMMANDS`] rows and [`COMMAND_TEXT_CAPACITY`] bytes of
//! field text per table; rows beyond that are counted in [`CommandList::dropped`].

use core::fmt::{self, Write as _};

use crate::buf::{Sink, SliceWriter};
use crate::error::{EncodeError, check_room};

/// Default start marker of the table.
pub const DEFAULT_MARKER: &str = "GMU Commands";
/// Most rows one [`CommandList`] holds.
pub const MAX_COMMANDS: usize = 32;
/// Bytes of field text (cmd + args + cat + description, trimmed) one [`CommandList`] holds.
pub const COMMAND_TEXT_CAPACITY: usize = 1024;
/// Bytes of a line the parser looks at (longer lines are cut; no table row is that long).
pub const LINE_CAPACITY: usize = 1024;
/// The separator line the writer prints (and whose first 10 bytes end a table).
pub const SEPARATOR: &str = "---------+----------+-------+---------------------------";
/// A line starting (after trimming) with this ends a table that has rows.
pub const END_PREFIX: &str = "---------+";

/// One command row of the table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Command<'a> {
    /// The command name, as sent back when its button is clicked.
    pub cmd: &'a str,
    /// Its arguments; `-` means none (the command gets a button).
    pub args: &'a str,
    /// Its category (`state`, `diag`, `param`, `sys`, or anything else).
    pub cat: &'a str,
    /// Free text for people (may be empty).
    pub description: &'a str,
}

impl<'a> Command<'a> {
    /// Whether the command gets a button: only when `args` is exactly `-`.
    pub fn has_button(&self) -> bool {
        self.args == "-"
    }

    /// The button label: `cmd` with its first letter upper-cased, the rest unchanged.
    pub fn button_label(&self) -> ButtonLabel<'a> {
        ButtonLabel(self.cmd)
    }

    /// The display name of the category ([`category_display_name`]).
    pub fn category_name(&self) -> &'a str {
        category_display_name(self.cat)
    }

    /// The bytes a click sends: `<cmd>\r\n`, as a displayable value.
    pub fn click(&self) -> Click<'a> {
        Click(self.cmd)
    }

    /// Writes the bytes a click sends (`<cmd>\r\n`) into `out`; returns their length.
    pub fn write_click(&self, out: &mut [u8]) -> Result<usize, EncodeError> {
        check_room(out, self.cmd.len() + 2)?;
        let mut writer = SliceWriter::new(out);
        writer.put(self.cmd.as_bytes())?;
        writer.put(b"\r\n")?;
        Ok(writer.len())
    }
}

/// A button label (see [`Command::button_label`]); `Display` writes it without allocating.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ButtonLabel<'a>(pub &'a str);

impl fmt::Display for ButtonLabel<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut chars = self.0.chars();
        if let Some(first) = chars.next() {
            for up in first.to_uppercase() {
                f.write_char(up)?;
            }
        }
        f.write_str(chars.as_str())
    }
}

/// What a button click sends (see [`Command::click`]): `<cmd>\r\n`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Click<'a>(pub &'a str);

impl fmt::Display for Click<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.0)?;
        f.write_str("\r\n")
    }
}

/// Display name of a category: `state`/`diag`/`param`/`sys` become
/// `State`/`Diagnostics`/`Parameters`/`System`; anything else is shown as sent.
pub fn category_display_name(cat: &str) -> &str {
    match cat {
        "state" => "State",
        "diag" => "Diagnostics",
        "param" => "Parameters",
        "sys" => "System",
        other => other,
    }
}

/// What ended a table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum TableEnd {
    /// The closing `---------+` separator.
    #[default]
    Separator,
    /// The row with cmd `help` and cat `sys` (the last row).
    HelpRow,
    /// The end of the input, or the host's 2-second timeout.
    Timeout,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
struct RowSpan {
    /// End offsets of cmd, args, cat, description in the text arena (each field starts
    /// where the previous one ends; cmd starts at `start`).
    start: u16,
    ends: [u16; 4],
}

/// The rows of a table: the field text and where each row's fields end in it.
#[derive(Clone, Default)]
struct Arena {
    text: heapless::Vec<u8, COMMAND_TEXT_CAPACITY>,
    rows: heapless::Vec<RowSpan, MAX_COMMANDS>,
}

/// Where a [`CommandList`] keeps its rows: `None` until the first row is pushed. With the
/// `alloc` feature the arena (about 1.3 KiB) is boxed, so that a [`Message`](super::Message)
/// (which can hold a list) is a few words and every event that moves it copies a few words,
/// not the whole table; tables are rare, so this is one allocation per help table. Without
/// `alloc` it is stored inline.
#[cfg(feature = "alloc")]
type Slot = Option<alloc::boxed::Box<Arena>>;
#[cfg(not(feature = "alloc"))]
type Slot = Option<Arena>;

/// The commands of one finished help table: at most [`MAX_COMMANDS`] rows and
/// [`COMMAND_TEXT_CAPACITY`] bytes of text. The rows are stored on the heap with the
/// `alloc` feature (one allocation, when the first row is pushed) and inline without it (no
/// heap); either way the limits, the rows and their order are the same.
#[derive(Clone, Default)]
pub struct CommandList {
    arena: Slot,
    dropped: u16,
    ended_by: TableEnd,
}

impl PartialEq for CommandList {
    fn eq(&self, other: &Self) -> bool {
        self.rows() == other.rows()
            && self.text() == other.text()
            && self.dropped == other.dropped
            && self.ended_by == other.ended_by
    }
}

impl Eq for CommandList {}

impl CommandList {
    /// An empty list.
    pub const fn new() -> Self {
        CommandList { arena: None, dropped: 0, ended_by: TableEnd::Separator }
    }

    fn rows(&self) -> &[RowSpan] {
        self.arena.as_ref().map_or(&[], |a| &a.rows)
    }

    fn text(&self) -> &[u8] {
        self.arena.as_ref().map_or(&[], |a| &a.text)
    }

    /// The arena, created (boxed or inline, as [`Slot`] says) at the first row.
    fn arena_mut(&mut self) -> &mut Arena {
        self.arena.get_or_insert_with(Default::default)
    }

    /// Number of rows kept.
    pub fn len(&self) -> usize {
        self.rows().len()
    }

    /// Whether no row was kept.
    pub fn is_empty(&self) -> bool {
        self.rows().is_empty()
    }

    /// Rows that did not fit (more than [`MAX_COMMANDS`] rows or
    /// [`COMMAND_TEXT_CAPACITY`] bytes of text), saturating at `u16::MAX`.
    pub fn dropped(&self) -> u16 {
        self.dropped
    }

    /// What ended the table.
    pub fn ended_by(&self) -> TableEnd {
        self.ended_by
    }

    fn field(&self, start: u16, end: u16) -> &str {
        self.text().get(start as usize..end as usize).and_then(|b| core::str::from_utf8(b).ok()).unwrap_or("")
    }

    /// Row `i`.
    pub fn get(&self, i: usize) -> Option<Command<'_>> {
        let r = self.rows().get(i)?;
        Some(Command {
            cmd: self.field(r.start, r.ends[0]),
            args: self.field(r.ends[0], r.ends[1]),
            cat: self.field(r.ends[1], r.ends[2]),
            description: self.field(r.ends[2], r.ends[3]),
        })
    }

    /// The rows, in table order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = Command<'_>> + '_ {
        (0..self.len()).map(|i| self.get(i).unwrap_or(Command { cmd: "", args: "", cat: "", description: "" }))
    }

    /// The rows that get a button (args exactly `-`).
    pub fn buttons(&self) -> impl Iterator<Item = Command<'_>> + '_ {
        self.iter().filter(Command::has_button)
    }

    /// Appends a row; returns `false` (and counts it as dropped) when it does not fit.
    pub fn push(&mut self, command: Command<'_>) -> bool {
        let fields = [command.cmd, command.args, command.cat, command.description];
        let total: usize = fields.iter().map(|f| f.len()).sum();
        if self.len() == MAX_COMMANDS || self.text().len() + total > COMMAND_TEXT_CAPACITY {
            self.dropped = self.dropped.saturating_add(1);
            return false;
        }
        let arena = self.arena_mut();
        // Offsets fit in u16: the arena holds at most 1024 bytes.
        let start = arena.text.len() as u16;
        let mut ends = [0u16; 4];
        for (end, f) in ends.iter_mut().zip(fields) {
            // Cannot fail: the room was checked above.
            let _ = arena.text.extend_from_slice(f.as_bytes());
            *end = arena.text.len() as u16;
        }
        let _ = arena.rows.push(RowSpan { start, ends });
        true
    }

    /// Removes every row.
    pub fn clear(&mut self) {
        *self = CommandList::new();
    }
}

/// Arbitrary rows appended with [`CommandList::push`] (so the limits hold and rows that do
/// not fit are counted in `dropped`), and an arbitrary [`TableEnd`].
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for CommandList {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        let mut list = CommandList::new();
        for command in u.arbitrary_iter::<Command<'a>>()? {
            list.push(command?);
        }
        list.ended_by = u.arbitrary()?;
        Ok(list)
    }

    fn size_hint(_depth: usize) -> (usize, Option<usize>) {
        (1, None)
    }
}

impl fmt::Debug for CommandList {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CommandList")
            .field("commands", &DebugRows(self))
            .field("dropped", &self.dropped)
            .field("ended_by", &self.ended_by)
            .finish()
    }
}

struct DebugRows<'a>(&'a CommandList);

impl fmt::Debug for DebugRows<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.0.iter()).finish()
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CommandList {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        struct Rows<'a>(&'a CommandList);
        impl serde::Serialize for Rows<'_> {
            fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
                s.collect_seq(self.0.iter())
            }
        }
        let mut st = s.serialize_struct("CommandList", 1)?;
        st.serialize_field("commands", &Rows(self))?;
        st.end()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// No table: waiting for a marker line.
    Idle,
    /// Between the marker line and the end of the table.
    Reading { rows_seen: usize },
    /// The table has ended; its list waits for [`HelpParser::take_commands`].
    Finished,
}

/// The host-side help-table parser, fed one logical line at a time (the text of a line
/// with any binary frames removed, without its line ending).
#[derive(Clone, PartialEq, Eq)]
pub struct HelpParser {
    marker: &'static str,
    state: State,
    list: CommandList,
}

impl fmt::Debug for HelpParser {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("HelpParser")
            .field("marker", &self.marker)
            .field("state", &self.state)
            .field("list", &self.list)
            .finish()
    }
}

impl Default for HelpParser {
    fn default() -> Self {
        HelpParser::new(DEFAULT_MARKER)
    }
}

/// A UTF-8 text buffer that keeps what fits and cuts on a character boundary.
struct Cut<const N: usize>(heapless::String<N>);

impl<const N: usize> fmt::Write for Cut<N> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        let room = N - self.0.len();
        let mut end = s.len().min(room);
        while !s.is_char_boundary(end) {
            end -= 1;
        }
        let _ = self.0.push_str(&s[..end]);
        Ok(())
    }
}

impl HelpParser {
    /// A parser whose tables start at lines containing `marker` (an empty marker is
    /// replaced by [`DEFAULT_MARKER`]).
    pub fn new(marker: &'static str) -> Self {
        let marker = if marker.is_empty() { DEFAULT_MARKER } else { marker };
        HelpParser { marker, state: State::Idle, list: CommandList::new() }
    }

    /// The start marker.
    pub fn marker(&self) -> &'static str {
        self.marker
    }

    /// Whether a table is being read (a marker was seen and the table has not ended).
    pub fn is_reading(&self) -> bool {
        matches!(self.state, State::Reading { .. })
    }

    /// Whether a finished table waits for [`take_commands`](Self::take_commands).
    pub fn is_finished(&self) -> bool {
        // `matches!`, not `==`: the derived comparison of a state with fields costs more, and
        // the scanner asks this for every frame.
        matches!(self.state, State::Finished)
    }

    /// Feeds one line (without its line ending; invalid UTF-8 is read lossily, only the
    /// first [`LINE_CAPACITY`] bytes are looked at). Returns `true` when this line ended
    /// the table; its commands are then available from [`take_commands`](Self::take_commands).
    pub fn feed_line(&mut self, line: &[u8]) -> bool {
        let line = line.get(..LINE_CAPACITY).unwrap_or(line);
        match core::str::from_utf8(line) {
            Ok(text) => self.feed_str(text),
            Err(_) => {
                let mut lossy = Cut::<LINE_CAPACITY>(heapless::String::new());
                let _ = write!(lossy, "{}", crate::fmt::Lossy(line));
                self.feed_str(&lossy.0)
            }
        }
    }

    /// Feeds one line of text (see [`feed_line`](Self::feed_line)).
    pub fn feed_str(&mut self, line: &str) -> bool {
        if line.contains(self.marker) {
            // A marker starts a table, or restarts one (a finished but untaken table is
            // replaced too: the device printed a newer one).
            self.list.clear();
            self.state = State::Reading { rows_seen: 0 };
            return false;
        }
        let State::Reading { rows_seen } = self.state else {
            return false;
        };
        let trimmed = line.trim();
        if rows_seen > 0 && trimmed.starts_with(END_PREFIX) {
            return self.finish(TableEnd::Separator);
        }
        let mut parts = line.splitn(4, '|');
        let (Some(cmd), Some(args), Some(cat)) = (parts.next(), parts.next(), parts.next()) else {
            return false;
        };
        let row = Command {
            cmd: cmd.trim(),
            args: args.trim(),
            cat: cat.trim(),
            description: parts.next().map(str::trim).unwrap_or(""),
        };
        if row.cmd.is_empty() || (row.cmd == "CMD" && row.args == "ARGS") {
            return false;
        }
        self.list.push(row);
        self.state = State::Reading { rows_seen: rows_seen.saturating_add(1) };
        if row.cmd == "help" && row.cat == "sys" {
            return self.finish(TableEnd::HelpRow);
        }
        false
    }

    fn finish(&mut self, how: TableEnd) -> bool {
        self.list.ended_by = how;
        self.state = State::Finished;
        true
    }

    /// Ends the table being read (the end of the input, or 2 s without a line); returns
    /// `true` if there was one. A table with no rows ends with an empty list.
    pub fn end_table(&mut self) -> bool {
        if self.is_reading() { self.finish(TableEnd::Timeout) } else { false }
    }

    /// The commands of the finished table, once; `None` if no table has finished.
    pub fn take_commands(&mut self) -> Option<CommandList> {
        if self.state != State::Finished {
            return None;
        }
        self.state = State::Idle;
        Some(core::mem::take(&mut self.list))
    }

    /// Forgets any table.
    pub fn reset(&mut self) {
        self.state = State::Idle;
        self.list.clear();
    }
}
