//! The device commands (`serial-dialects DIALECT ACTION ... --port PATH`): what every dialect's
//! actions share. The port is opened 8N1 through `tokio-serial`, the action runs on a
//! one-thread runtime over the library's client, and its answers go to standard output as
//! text or, with `--json`, one JSON object per line (field names as in `decode`'s JSON).
//!
//! Exit status: 0 success; 1 the device answered with an error (printed on stderr); 2 bad
//! arguments or a port that cannot be opened (or fails); 3 no valid answer within the timeout
//! after every retry. A dialect adds one file here with its `Args`, `EXAMPLES` and `run`, and
//! one variant in `main.rs`.

pub mod ascii_crc8;
pub mod plot;
pub mod pmu30;
pub mod powerscope;
pub mod vectordebug;

use std::fmt;
use std::future::Future;
use std::io::{self, Write};
use std::time::Duration;

use serial_dialects::client::{Error, Options};
use tokio_serial::{SerialPortBuilderExt, SerialStream};

use crate::cli_error::CliError;

/// The options of every device command.
#[derive(Debug, Clone, clap::Args)]
pub struct Connection {
    /// The serial port (e.g. /dev/ttyACM0, COM6, or a simulator's pseudo-terminal).
    #[arg(long, value_name = "PATH", global = true)]
    port: Option<String>,
    /// Baud rate (ignored by USB CDC devices).
    #[arg(long, value_name = "N", default_value_t = 115_200, global = true)]
    baud: u32,
    /// Milliseconds to wait for each reply.
    #[arg(long, value_name = "MS", default_value_t = 1000, global = true)]
    timeout: u64,
    /// How often a request is sent again when its reply does not come.
    #[arg(long, value_name = "N", default_value_t = 3, global = true)]
    retries: u8,
    /// One JSON object per line on standard output instead of text.
    #[arg(long, global = true)]
    json: bool,
}

/// Where answers go.
pub struct Output {
    json: bool,
    options: Options,
}

impl Output {
    /// Whether answers are written as JSON.
    pub fn is_json(&self) -> bool {
        self.json
    }

    /// The client options from the command line.
    pub fn options(&self) -> Options {
        self.options
    }

    /// Writes one answer: `json` with `--json`, else `text`; flushed at once.
    pub fn item(&self, json: &serde_json::Value, text: impl fmt::Display) -> Result<(), CliError> {
        let mut out = io::stdout().lock();
        if self.json {
            writeln!(out, "{json}")?;
        } else {
            writeln!(out, "{text}")?;
        }
        out.flush().map_err(CliError::from)
    }
}

/// Opens the port, builds the runtime and runs `action` with them.
pub fn run<F, Fut>(connection: &Connection, action: F) -> Result<(), CliError>
where
    F: FnOnce(SerialStream, Output) -> Fut,
    Fut: Future<Output = Result<(), CliError>>,
{
    let Some(path) = connection.port.as_deref() else {
        return Err(CliError::msg("--port PATH is required"));
    };
    if connection.timeout == 0 {
        return Err(CliError::msg("--timeout must be at least 1 ms"));
    }
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::msg(format!("cannot start the runtime: {e}")))?;
    runtime.block_on(async {
        let port = tokio_serial::new(path, connection.baud)
            .open_native_async()
            .map_err(|e| CliError::msg(format!("cannot open port {path}: {}", e.description)))?;
        let options = Options {
            timeout: Duration::from_millis(connection.timeout),
            retries: connection.retries,
            ..Options::default()
        };
        action(port, Output { json: connection.json, options }).await
    })
}

/// The exit status and message of a client error.
pub fn failure<E: fmt::Debug + fmt::Display>(error: Error<E>) -> CliError {
    match error {
        Error::Device(e) => CliError::Exit(1, format!("device error: {e}")),
        Error::Timeout { attempts } => CliError::Exit(3, format!("no answer after {attempts} attempt(s)")),
        Error::Encode(e) => CliError::Exit(2, format!("invalid request: {e}")),
        Error::Io(e) => CliError::Exit(2, format!("port error: {e}")),
        Error::Closed => CliError::Exit(2, "the port was closed".to_string()),
    }
}
