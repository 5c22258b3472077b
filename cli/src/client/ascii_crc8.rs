//! `serial-dialects ascii-crc8 ACTION`: the light meter's client on a port. Answers are
//! printed as the `decode` JSON's REPLY (`request` and the decoded answer's fields).

use serde_json::{Value, json};
use serial_dialects::ascii_crc8::CommandCode;
use serial_dialects::client::ascii_crc8::Client;
use tokio_serial::SerialStream;

use super::{Connection, Output, failure};
use crate::cli_error::CliError;

/// Examples for `--help`.
pub const EXAMPLES: &str = "Examples:
  serial-dialects ascii-crc8 download --port /dev/ttyACM0
  serial-dialects ascii-crc8 view 0 99 --json --port /dev/ttyACM0
  serial-dialects ascii-crc8 interval 250 --port /dev/ttyACM0
  serial-dialects ascii-crc8 mode --port /dev/ttyACM0

Requests carry IDs 00-99 in turn; a reply is matched by its ID. Every request waits --timeout
ms and is sent again up to --retries times. Exit status: 0 ok, 1 the device answered with an
error status or an ERR line, 2 bad arguments or port, 3 no answer.";

/// Arguments of `ascii-crc8`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    #[command(flatten)]
    pub connection: Connection,
}

/// What to ask the light meter.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// START: store a measurement every interval.
    Start,
    /// STOP measuring.
    Stop,
    /// DOWNLOAD: the newest measurement, lux.
    Download,
    /// VIEW: COUNT (1-99) stored measurements from OFFSET (0-99) back, newest first.
    View {
        /// Measurements back from the newest, 0-99.
        offset: u8,
        /// How many, 1-99.
        count: u8,
    },
    /// GET_INTERVAL, or SET_INTERVAL to MS (1-9999).
    Interval {
        /// The new interval in ms.
        ms: Option<u16>,
    },
    /// GET_MODE, or SET_MODE to N (1-3 continuous H/H2/L, 4-6 one-time).
    Mode {
        /// The new mode.
        n: Option<u8>,
    },
    /// I2C_SCAN: the sensor's address (0 when none answers).
    Scan,
}

/// Runs `action` on `port`.
pub async fn run(action: Action, port: SerialStream, out: Output) -> Result<(), CliError> {
    let mut client = Client::new(port, out.options());
    let (request, fields, text) = match action {
        Action::Start => ok(CommandCode::Start, client.start().await),
        Action::Stop => ok(CommandCode::Stop, client.stop().await),
        Action::Download => {
            let lux = client.download().await.map_err(failure)?;
            (CommandCode::Download, Ok(json!({"lux": lux})), format!("lux={lux}"))
        }
        Action::View { offset, count } => {
            let values = client.view(offset, count).await.map_err(failure)?;
            let list = values.iter().map(u16::to_string).collect::<Vec<_>>().join(",");
            (
                CommandCode::View,
                Ok(json!({"offset": offset, "values": values})),
                format!("offset={offset} values={list}"),
            )
        }
        Action::Interval { ms: Some(ms) } => ok(CommandCode::SetInterval, client.set_interval(ms).await),
        Action::Interval { ms: None } => {
            let ms = client.interval().await.map_err(failure)?;
            (CommandCode::GetInterval, Ok(json!({"interval_ms": ms})), format!("interval_ms={ms}"))
        }
        Action::Mode { n: Some(mode) } => ok(CommandCode::SetMode, client.set_mode(mode).await),
        Action::Mode { n: None } => {
            let mode = client.mode().await.map_err(failure)?;
            (CommandCode::GetMode, Ok(json!({"mode": mode})), format!("mode={mode}"))
        }
        Action::Scan => {
            let address = client.scan().await.map_err(failure)?;
            (CommandCode::I2cScan, Ok(json!({"address": address})), format!("address=0x{address:02X}"))
        }
    };
    let mut fields = fields?;
    fields["request"] = Value::from(request.name());
    out.item(&json!({"type": "REPLY", "fields": fields}), format!("{} {text}", request.name()))
}

/// A command answered with status 00.
fn ok<E: std::fmt::Debug + std::fmt::Display>(
    request: CommandCode,
    result: Result<(), serial_dialects::client::Error<E>>,
) -> (CommandCode, Result<Value, CliError>, String) {
    match result {
        Ok(()) => (request, Ok(json!({"status": 0})), "status=0 OK".to_string()),
        Err(e) => (request, Err(failure(e)), String::new()),
    }
}
