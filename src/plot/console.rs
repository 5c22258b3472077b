//! The text side of the simulated DragoonPlot device: the command lines the host sends
//! (`help\r\n` from the app's Discover button, `<command>\r\n` from its buttons) and the
//! device's answers (docs/protocols/plot.md, "Device model").
//!
//! The commands are the original documentation's table, [`COMMANDS`]:
//!
//! | line | answer | does |
//! |---|---|---|
//! | `help` | the `GMU Commands` table ([`write_help_table`]) | |
//! | `start` | `OK started` | DATA frames on (and a LABEL frame at once) |
//! | `stop` | `OK stopped` | DATA frames off |
//! | `status` | `status: running channels=3 rate=100Hz frames=1234 uptime=5000ms kp=1.000 ki=0.000 kd=0.000` | |
//! | `setpid kp ki kd` | `OK kp=1.500 ki=0.100 kd=0.010` (decimals, 3 places) or `ERR usage: setpid kp ki kd` | sets the PID parameters |
//! | `dfu` | `Entering DFU bootloader` | the device reboots (it has no bootloader to stay in) |
//! | anything else | `ERR unknown command: <word>` | |
//!
//! Every answer line ends in `\r\n`. A line ends at LF (a CR before it is dropped); a line
//! longer than [`LINE_CAPACITY`] bytes gets `ERR line too long`; an empty line gets nothing.
//! Only printable ASCII of a host's word is echoed in an answer (other bytes as `?`), so
//! that no answer holds a byte that would start a frame.

use core::fmt::Write as _;

use heapless::{String, Vec};

use super::help::Command;
use super::help_writer::write_help_table;

/// The longest command line, bytes.
pub const LINE_CAPACITY: usize = 64;

/// The device's commands: the original documentation's table.
pub const COMMANDS: [Command<'static>; 6] = [
    Command { cmd: "start", args: "-", cat: "state", description: "Start the motor" },
    Command { cmd: "stop", args: "-", cat: "state", description: "Stop the motor" },
    Command { cmd: "status", args: "-", cat: "diag", description: "Show system status" },
    Command { cmd: "setpid", args: "kp ki kd", cat: "param", description: "Set PID parameters" },
    Command { cmd: "dfu", args: "-", cat: "sys", description: "Enter DFU bootloader" },
    Command { cmd: "help", args: "-", cat: "sys", description: "Show this help" },
];

/// What a command line asks the device to do, beyond its answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Print the help table.
    Help,
    /// Start the DATA stream.
    Start,
    /// Stop the DATA stream.
    Stop,
    /// Print the status line.
    Status,
    /// Set the PID parameters (thousandths).
    SetPid([i32; 3]),
    /// Reboot.
    Dfu,
    /// Refused with this answer (without its line ending).
    Refuse(String<96>),
}

/// The line being typed.
#[derive(Debug, Clone, Default)]
pub struct LineBuffer {
    line: Vec<u8, LINE_CAPACITY>,
    overlong: bool,
}

impl LineBuffer {
    /// Takes one byte; at the end of a non-empty line, what it asks for.
    pub fn key(&mut self, byte: u8) -> Option<Action> {
        if byte != b'\n' {
            if self.line.push(byte).is_err() {
                self.overlong = true;
            }
            return None;
        }
        let mut line = core::mem::take(&mut self.line);
        if core::mem::take(&mut self.overlong) {
            return Some(refuse(format_args!("ERR line too long")));
        }
        if line.last() == Some(&b'\r') {
            line.pop();
        }
        parse(&line)
    }

    /// Forgets a half-typed line.
    pub fn clear(&mut self) {
        *self = LineBuffer::default();
    }
}

fn refuse(args: core::fmt::Arguments<'_>) -> Action {
    let mut text = String::new();
    let _ = text.write_fmt(args);
    Action::Refuse(text)
}

/// The action of one line (without its line ending); `None` for a blank line.
pub fn parse(line: &[u8]) -> Option<Action> {
    let mut words = line.split(|b| b.is_ascii_whitespace()).filter(|w| !w.is_empty());
    let command = words.next()?;
    let args: Vec<&[u8], 4> = words.by_ref().take(4).collect();
    let action = match (command, args.len()) {
        (b"help", 0) => Action::Help,
        (b"start", 0) => Action::Start,
        (b"stop", 0) => Action::Stop,
        (b"status", 0) => Action::Status,
        (b"dfu", 0) => Action::Dfu,
        (b"setpid", 3) => match (milli(args[0]), milli(args[1]), milli(args[2])) {
            (Some(kp), Some(ki), Some(kd)) => Action::SetPid([kp, ki, kd]),
            _ => refuse(format_args!("ERR usage: setpid kp ki kd")),
        },
        (b"setpid", _) => refuse(format_args!("ERR usage: setpid kp ki kd")),
        _ => {
            let mut text = String::new();
            let _ = text.push_str("ERR unknown command: ");
            for &b in command.iter().take(LINE_CAPACITY) {
                let _ = text.push(if b.is_ascii_graphic() { char::from(b) } else { '?' });
            }
            Action::Refuse(text)
        }
    };
    Some(action)
}

/// A decimal (`-1.5`, `0.010`, `3`) in thousandths, at most 3 decimals and ±1 000 000.
fn milli(word: &[u8]) -> Option<i32> {
    let (negative, digits) = match word.split_first() {
        Some((b'-', rest)) => (true, rest),
        _ => (false, word),
    };
    let mut parts = digits.splitn(2, |&b| b == b'.');
    let whole = parts.next().unwrap_or_default();
    let fraction = parts.next().unwrap_or_default();
    if (whole.is_empty() && fraction.is_empty()) || whole.len() > 7 || fraction.len() > 3 {
        return None;
    }
    let mut value: i32 = 0;
    for &d in whole.iter().chain(fraction).chain(core::iter::repeat_n(&b'0', 3 - fraction.len())) {
        if !d.is_ascii_digit() {
            return None;
        }
        value = value.checked_mul(10)?.checked_add(i32::from(d - b'0'))?;
    }
    if value > 1_000_000_000 {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// A value in thousandths as a decimal with 3 places.
pub struct Milli(pub i32);

impl core::fmt::Display for Milli {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let sign = if self.0 < 0 { "-" } else { "" };
        let abs = self.0.unsigned_abs();
        write!(f, "{sign}{}.{:03}", abs / 1000, abs % 1000)
    }
}

/// Writes the help table of [`COMMANDS`] under `marker`.
pub fn write_help<W: core::fmt::Write>(out: W, marker: &str) -> core::fmt::Result {
    write_help_table(out, marker, &COMMANDS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_in_thousandths() {
        assert_eq!(milli(b"1.5"), Some(1_500));
        assert_eq!(milli(b"-0.010"), Some(-10));
        assert_eq!(milli(b"3"), Some(3_000));
        assert_eq!(milli(b".25"), Some(250));
        for bad in [&b""[..], b"-", b".", b"1.2345", b"1e3", b"12345678", b"1.2.3"] {
            assert_eq!(milli(bad), None, "{bad:?}");
        }
        let mut s: String<16> = String::new();
        write!(s, "{} {}", Milli(-10), Milli(1_500)).unwrap();
        assert_eq!(s, "-0.010 1.500");
    }
}
