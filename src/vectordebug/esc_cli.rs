//! The ESC's command line, as the device model simulates it: terminal bytes in (from the
//! PC tool's CLI packets, one keystroke each), echo and answers out.
//!
//! | command | answer |
//! |---|---|
//! | `help` | the command list |
//! | `status` | `state=running speed=<rpm> target=<rpm> iq=<mA> vbus=<mV> records=<n>` (`state=stopped` at target 0 and speed 0) |
//! | `speed <rpm>` | `ok speed=<rpm>`, commands the speed (−30000..=30000 rpm); else `error: speed takes an integer rpm in -30000..=30000` |
//! | `stop` | `ok stop`: commands speed 0 |
//! | anything else | `error: unknown command '<word>' (try help)` |
//!
//! Every answer line ends in `\r\n` and is followed by the prompt `esc> `. Typed bytes are
//! echoed; Enter is CR or LF (CR LF counts once); backspace (0x08 or 0x7F) removes the last
//! byte; a line longer than [`LINE_CAPACITY`] bytes is answered `error: line too long`.

use core::fmt::Write as _;

use heapless::{Deque, String, Vec};

use super::foc::{Foc, MAX_RPM};

/// The longest command line, bytes.
pub const LINE_CAPACITY: usize = 64;
/// Terminal output waiting for the bridge, bytes.
pub const OUTPUT_CAPACITY: usize = 1024;
/// The prompt printed after every answer and at boot.
pub const PROMPT: &str = "esc> ";
/// The line printed at boot, before the first prompt.
pub const BANNER: &str = "ESC ready (type help)\r\n";

const HELP: &str = "commands:\r\n  help          this list\r\n  status        state, speed, current, bus voltage\r\n  speed <rpm>   run at <rpm> (-30000..=30000)\r\n  stop          run down to 0 rpm\r\n";

/// What a finished line did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A command was carried out.
    Done,
    /// The line was refused with an `error:` answer.
    Refused,
    /// An empty line: only the prompt.
    Empty,
}

/// The ESC's terminal: the line being typed and the output not yet sent.
#[derive(Debug, Clone)]
pub struct EscCli {
    line: Vec<u8, LINE_CAPACITY>,
    overlong: bool,
    /// The last byte was CR: an LF right after it ends nothing.
    after_cr: bool,
    output: Deque<u8, OUTPUT_CAPACITY>,
    /// Output lost because the buffer was full (bytes).
    lost: u64,
}

impl Default for EscCli {
    fn default() -> Self {
        EscCli::new()
    }
}

impl EscCli {
    /// A terminal that has printed the banner and the prompt.
    pub fn new() -> EscCli {
        let mut cli = EscCli { line: Vec::new(), overlong: false, after_cr: false, output: Deque::new(), lost: 0 };
        cli.print(BANNER);
        cli.print(PROMPT);
        cli
    }

    /// Output bytes lost because the buffer was full.
    pub fn lost(&self) -> u64 {
        self.lost
    }

    /// Bytes waiting to be sent.
    pub fn pending(&self) -> usize {
        self.output.len()
    }

    /// Moves up to `out.len()` waiting bytes into `out`; returns how many.
    pub fn take(&mut self, out: &mut [u8]) -> usize {
        let mut n = 0;
        for slot in out.iter_mut() {
            let Some(byte) = self.output.pop_front() else { break };
            *slot = byte;
            n += 1;
        }
        n
    }

    fn print(&mut self, text: &str) {
        for &b in text.as_bytes() {
            if self.output.push_back(b).is_err() {
                self.lost = self.lost.saturating_add(1);
            }
        }
    }

    /// Takes one typed byte; returns the outcome when it ended a line.
    pub fn key(&mut self, byte: u8, foc: &mut Foc, records: u64) -> Option<Outcome> {
        let after_cr = core::mem::replace(&mut self.after_cr, byte == b'\r');
        match byte {
            b'\n' if after_cr => None,
            b'\r' | b'\n' => {
                self.print("\r\n");
                let outcome = self.run_line(foc, records);
                self.print(PROMPT);
                Some(outcome)
            }
            0x08 | 0x7F => {
                if self.line.pop().is_some() {
                    self.print("\x08 \x08");
                }
                None
            }
            _ => {
                if self.line.push(byte).is_err() {
                    self.overlong = true;
                } else if byte.is_ascii_graphic() || byte == b' ' {
                    let mut echo = [0u8; 4];
                    self.print(char::from(byte).encode_utf8(&mut echo));
                }
                None
            }
        }
    }

    fn run_line(&mut self, foc: &mut Foc, records: u64) -> Outcome {
        let line = core::mem::take(&mut self.line);
        if core::mem::take(&mut self.overlong) {
            self.print("error: line too long\r\n");
            return Outcome::Refused;
        }
        let text = core::str::from_utf8(&line).unwrap_or("\u{FFFD}");
        let mut words = text.split_ascii_whitespace();
        let Some(command) = words.next() else { return Outcome::Empty };
        let argument = words.next();
        let extra = words.next().is_some();
        let mut answer: String<160> = String::new();
        let outcome = match (command, argument, extra) {
            ("help", None, false) => {
                self.print(HELP);
                return Outcome::Done;
            }
            ("status", None, false) => {
                let state = if foc.target_rpm() == 0 && foc.speed_rpm() == 0 { "stopped" } else { "running" };
                let _ = write!(
                    answer,
                    "state={state} speed={} target={} iq={} vbus={} records={records}",
                    foc.speed_rpm(),
                    foc.target_rpm(),
                    foc.iq_ma(),
                    foc.bus_mv()
                );
                Outcome::Done
            }
            ("speed", Some(rpm), false) => match rpm.parse::<i32>() {
                Ok(rpm) if (-MAX_RPM..=MAX_RPM).contains(&rpm) => {
                    foc.set_target_rpm(rpm);
                    let _ = write!(answer, "ok speed={rpm}");
                    Outcome::Done
                }
                _ => {
                    let _ = write!(answer, "error: speed takes an integer rpm in -{MAX_RPM}..={MAX_RPM}");
                    Outcome::Refused
                }
            },
            ("speed", _, _) => {
                let _ = write!(answer, "error: speed takes an integer rpm in -{MAX_RPM}..={MAX_RPM}");
                Outcome::Refused
            }
            ("stop", None, false) => {
                foc.set_target_rpm(0);
                let _ = answer.push_str("ok stop");
                Outcome::Done
            }
            _ => {
                // The word is at most LINE_CAPACITY bytes: it fits the answer.
                let _ = write!(answer, "error: unknown command '{command}' (try help)");
                Outcome::Refused
            }
        };
        let _ = answer.push_str("\r\n");
        self.print(&answer);
        outcome
    }
}
