//! The host's conversation with the bridge, sans-I/O: the ESC's command line both ways beside
//! the record stream, and the lost-frame count (`docs/protocols/vectordebug.md`, "Host
//! conversation"). No heap; the caller passes the time in.
//!
//! * **Sending a line.** The PC tool sends every key press as one CLI packet (Enter is `\r`),
//!   so [`Keystrokes`] cuts a line into one packet per character and a last one with `\r`:
//!   the device sees exactly the keys it would see from the PC tool. Each packet ends with its
//!   0x00 (the PC tool sends none, and its bridge takes the end of each USB write as the end
//!   of a packet; a pseudo-terminal or a serial line may join writes, so the delimiter is what
//!   keeps them apart, and every receiver of this crate accepts both).
//! * **The answer** is CLI text of unknown length (echo, answer, prompt): it must begin within
//!   the timeout and is over after [`ANSWER_QUIET_MS`] without text ([`Silence`]). A line is
//!   never sent again: the ESC would run it twice.
//! * **Records** are never an answer: DBG_FRAME1 packets go to the record stream, with the
//!   decoder's lost-frame count (`seq` modulo 65536 across packets).

use super::frame::PacketType;
use super::message::{Message, PayloadBytes};
use super::payload::Payload;
use super::seq::SeqSpan;
use crate::session::{Poll, Silence, Verdict};

/// How long the terminal must be quiet before an answer is taken as complete, ms.
pub const ANSWER_QUIET_MS: u64 = 100;

/// The CLI packets of one typed line: one per character, then Enter (`\r`).
#[derive(Debug, Clone)]
pub struct Keystrokes<'a> {
    rest: &'a str,
    entered: bool,
}

impl<'a> Keystrokes<'a> {
    /// The keys of `line` (without its line ending) and Enter.
    pub fn new(line: &'a str) -> Keystrokes<'a> {
        Keystrokes { rest: line.trim_end_matches(['\r', '\n']), entered: false }
    }
}

impl<'a> Iterator for Keystrokes<'a> {
    type Item = Payload<'a>;

    fn next(&mut self) -> Option<Payload<'a>> {
        let Some(first) = self.rest.chars().next() else {
            if self.entered {
                return None;
            }
            self.entered = true;
            return Some(Payload::Cli { data: b"\r" });
        };
        let (key, rest) = self.rest.split_at(first.len_utf8());
        self.rest = rest;
        Some(Payload::Cli { data: key.as_bytes() })
    }
}

/// What a received packet is.
#[derive(Debug, Clone)]
pub enum Output<'a> {
    /// Terminal bytes from the device, decoded on the fly.
    Text(PayloadBytes<'a>),
    /// A DBG_FRAME1 packet's records: their `seq` span and the frames lost so far.
    Records(Option<SeqSpan>),
    /// A packet of another type.
    Other,
}

impl<'a> Output<'a> {
    /// Classifies `message`.
    pub fn of(message: &Message<'a>) -> Output<'a> {
        match message.packet_type() {
            PacketType::Cli => Output::Text(message.payload_bytes()),
            PacketType::DbgFrame1 => Output::Records(message.seq_span()),
            PacketType::Unknown(_) => Output::Other,
        }
    }
}

/// The terminal's side of the conversation: at most one line awaiting its answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Terminal {
    timeout_ms: u64,
    quiet_ms: u64,
    pending: Option<Silence>,
}

impl Terminal {
    /// A terminal whose answers must begin within `timeout_ms` and end after `quiet_ms` of
    /// silence.
    pub const fn new(timeout_ms: u64, quiet_ms: u64) -> Terminal {
        Terminal { timeout_ms, quiet_ms, pending: None }
    }

    /// A line's keystrokes were sent at `now_ms`: its answer is awaited.
    pub fn start(&mut self, now_ms: u64) {
        self.pending = Some(Silence::new(self.timeout_ms, self.quiet_ms, now_ms));
    }

    /// Whether a line's answer is awaited.
    pub fn is_pending(&self) -> bool {
        self.pending.is_some()
    }

    /// Says what `message`, received at `now_ms`, is: text while a line is awaited is a
    /// [`Verdict::Part`] of its answer; records, other packets, and text nobody asked for
    /// belong to the stream ([`Verdict::Unrelated`]).
    pub fn on_message<'a>(&mut self, message: &Message<'a>, now_ms: u64) -> Verdict<PayloadBytes<'a>> {
        match (Output::of(message), self.pending.as_mut()) {
            (Output::Text(text), Some(answer)) => {
                answer.heard(now_ms);
                Verdict::Part(text)
            }
            _ => Verdict::Unrelated,
        }
    }

    /// Whether the awaited answer is complete at `now_ms` (it is then no longer awaited).
    pub fn expire(&mut self, now_ms: u64) -> bool {
        let over = self.pending.is_some_and(|answer| answer.is_over(now_ms));
        if over {
            self.pending = None;
        }
        over
    }

    /// Wait for more of the answer, or give up when none came within the timeout.
    pub fn poll(&mut self, now_ms: u64) -> Poll {
        let Some(answer) = self.pending else { return Poll::GiveUp { attempts: 0 } };
        let poll = answer.poll(now_ms);
        if let Poll::GiveUp { .. } = poll {
            self.pending = None;
        }
        poll
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_line_is_one_packet_per_key_then_enter() {
        let keys: heapless::Vec<&[u8], 8> =
            Keystrokes::new("sé 1\n").map(|p| if let Payload::Cli { data } = p { data } else { &[][..] }).collect();
        assert_eq!(keys.as_slice(), [&b"s"[..], "é".as_bytes(), b" ", b"1", b"\r"]);
        assert_eq!(Keystrokes::new("").count(), 1);
    }

    #[test]
    fn an_answer_ends_in_silence_or_times_out() {
        let mut t = Terminal::new(1000, 100);
        t.start(0);
        assert_eq!(t.poll(10), Poll::Wait { until_ms: 1000 });
        assert!(!t.expire(10));
        let mut wire = [0u8; 16];
        let n = Payload::Cli { data: b"ok" }.emit(&mut wire).unwrap();
        let message = Message::new_checked(&wire[..n], 64).unwrap();
        let Verdict::Part(text) = t.on_message(&message, 20) else { panic!() };
        assert!(text.eq(*b"ok"));
        assert_eq!(t.poll(50), Poll::Wait { until_ms: 120 });
        assert!(t.expire(120));
        assert!(matches!(t.on_message(&message, 130), Verdict::Unrelated));
        t.start(200);
        assert_eq!(t.poll(1200), Poll::GiveUp { attempts: 1 });
        assert!(!t.is_pending());
    }
}
