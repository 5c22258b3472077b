//! The host's conversation with a DragoonPlot device, sans-I/O: help-table discovery and
//! commands (`docs/protocols/plot.md`, "Host conversation"). No heap; the caller passes the
//! time in.
//!
//! * **Discovery** sends [`HELP_REQUEST`] (`help\r\n`). The table is the decoder's: its
//!   `COMMANDS` event is the answer ([`Message::Commands`]). A table that never reaches its
//!   end marker ends when no line has come for [`HELP_IDLE_MS`] (2 s), as the original
//!   application does: [`Discovery::expire`] says so, and the caller takes the rows from
//!   the decoder ([`Plot::help_timeout`](super::Plot::help_timeout)). Until the table begins,
//!   the request is sent again after each timeout (asking for help twice does no harm).
//! * **Commands** are sent as `<command>\r\n`, as a button click sends them. Their answer is
//!   text of unknown length: it must begin within the timeout and is over after
//!   [`ANSWER_QUIET_MS`] without a line ([`Silence`](crate::session::Silence)). A command is
//!   never sent again: the device would run it twice.
//!
//! DATA and LABEL frames are never answers: they belong to the stream.

use super::help::CommandList;
use super::message::Message;
use crate::session::{Attempts, Poll, RetryPolicy, Verdict};

/// What discovery sends.
pub const HELP_REQUEST: &[u8] = b"help\r\n";
/// A help table being read ends after this long without a line (ms).
pub const HELP_IDLE_MS: u64 = 2000;
/// How long the device must send no line before a command's answer is taken as complete, ms.
pub const ANSWER_QUIET_MS: u64 = 100;

/// The help request awaiting its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Discovery {
    marker: &'static str,
    attempts: Attempts,
    /// When the last line of a table being read arrived (`None` before its marker).
    table_line_ms: Option<u64>,
}

impl Discovery {
    /// [`HELP_REQUEST`] was sent at `now_ms`; the table starts at a line holding `marker` (the
    /// decoder's [`Config::help_marker`](super::Config::help_marker)).
    pub fn start(policy: RetryPolicy, marker: &'static str, now_ms: u64) -> Discovery {
        Discovery { marker, attempts: Attempts::first(policy, now_ms), table_line_ms: None }
    }

    /// Whether the table's marker line has arrived.
    pub fn has_begun(&self) -> bool {
        self.table_line_ms.is_some()
    }

    /// The attempt in progress.
    pub fn attempt(&self) -> u8 {
        self.attempts.attempt()
    }

    /// Says what `message`, received at `now_ms`, is: the finished table is the reply, the
    /// lines of the table are parts of it, anything else belongs to the stream.
    pub fn on_message<'m>(&mut self, message: &'m Message<'_>, now_ms: u64) -> Verdict<&'m CommandList> {
        match message {
            Message::Commands(list) => Verdict::Reply(list),
            Message::Text(text) if text.ends_line() => {
                let is_marker = text.line().windows(self.marker.len()).any(|w| w == self.marker.as_bytes());
                if is_marker || self.table_line_ms.is_some() {
                    self.table_line_ms = Some(now_ms);
                    self.attempts.extend(now_ms);
                    return Verdict::Part(&EMPTY);
                }
                Verdict::Unrelated
            }
            _ => Verdict::Unrelated,
        }
    }

    /// Whether the table being read has ended by silence at `now_ms`: the caller then takes
    /// its rows from the decoder.
    pub fn expire(&self, now_ms: u64) -> bool {
        self.table_line_ms.is_some_and(|at| now_ms >= at.saturating_add(HELP_IDLE_MS))
    }

    /// Wait for the table (until it may have ended by silence, once it has begun), send the
    /// request again, or give up.
    pub fn poll(&mut self, now_ms: u64) -> Poll {
        match self.table_line_ms {
            Some(at) => Poll::Wait { until_ms: at.saturating_add(HELP_IDLE_MS) },
            None => self.attempts.poll(now_ms),
        }
    }
}

static EMPTY: CommandList = CommandList::new();

/// The text line `message` ends, without its line ending, if it is one.
pub fn answer_line<'a>(message: &Message<'a>) -> Option<&'a [u8]> {
    match message {
        Message::Text(text) if text.ends_line() => Some(text.line()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::Text;

    #[test]
    fn a_table_ends_at_its_event_or_in_silence() {
        let policy = RetryPolicy::new(1000, 1);
        let mut d = Discovery::start(policy, "GMU Commands", 0);
        let data_line = Message::Text(Text::new(b"OK started\r\n"));
        assert!(matches!(d.on_message(&data_line, 10), Verdict::Unrelated));
        assert_eq!(d.poll(1000), Poll::Resend { attempt: 2 });
        let marker = Message::Text(Text::new(b"GMU Commands\r\n"));
        assert!(matches!(d.on_message(&marker, 1500), Verdict::Part(_)));
        assert!(d.has_begun());
        // Begun: no resend, no give-up; silence ends it 2 s after its last line.
        assert_eq!(d.poll(3000), Poll::Wait { until_ms: 3500 });
        assert!(!d.expire(3499) && d.expire(3500));
        let list = Message::Commands(CommandList::new());
        assert!(matches!(d.on_message(&list, 1600), Verdict::Reply(l) if l.is_empty()));
        assert_eq!(answer_line(&data_line), Some(&b"OK started"[..]));
        assert_eq!(answer_line(&Message::Text(Text::new(b"part"))), None);
    }
}
