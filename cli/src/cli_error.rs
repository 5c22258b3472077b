//! The one error type of the command line: a message for people, exit status 2.

use std::fmt;
use std::io;

/// Why a command could not do its job (bad arguments, unreadable input, a port that does not
/// open). A corrupt capture is never one of these: its events say what was wrong.
#[derive(Debug)]
pub enum CliError {
    /// A usage or input problem, with the message to print.
    Message(String),
    /// Standard output was closed by the reader (e.g. `| head`): stop quietly.
    BrokenPipe,
    /// A device client's failure, with its own exit status (1: the device answered with an
    /// error, 2: the port, 3: no answer after every retry).
    Exit(u8, String),
}

impl CliError {
    /// A usage or input problem.
    pub fn msg(text: impl Into<String>) -> CliError {
        CliError::Message(text.into())
    }

    /// An I/O error while doing `what`.
    pub fn io(what: impl fmt::Display, error: io::Error) -> CliError {
        if error.kind() == io::ErrorKind::BrokenPipe {
            CliError::BrokenPipe
        } else {
            CliError::Message(format!("{what}: {error}"))
        }
    }
}

impl fmt::Display for CliError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CliError::Message(m) => f.write_str(m),
            CliError::BrokenPipe => f.write_str("broken pipe"),
            CliError::Exit(_, m) => f.write_str(m),
        }
    }
}

/// Errors while writing the output.
impl From<io::Error> for CliError {
    fn from(error: io::Error) -> CliError {
        CliError::io("cannot write the output", error)
    }
}
