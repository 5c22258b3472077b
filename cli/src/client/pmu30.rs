//! `serial-dialects pmu30 ACTION`: the PMU-30 client on a port.

use std::path::PathBuf;

use serde_json::json;
use serial_dialects::client::pmu30::Client;
use serial_dialects::pmu30::{ChannelAck, Message, Success, TelemetryPacket};
use serial_dialects::present::Present;
use tokio_serial::SerialStream;

use super::{Connection, Output, failure};
use crate::cli_error::CliError;

/// Examples for `--help`.
pub const EXAMPLES: &str = "Examples:
  serial-dialects pmu30 info --port /dev/ttyUSB0
  serial-dialects pmu30 upload config.json --port /dev/ttyUSB0
  serial-dialects pmu30 download -o config.json --port /dev/ttyUSB0
  serial-dialects pmu30 set-channel 5 75 --port /dev/ttyUSB0
  serial-dialects pmu30 telemetry --rate 20 --count 100 --json --port /dev/ttyUSB0

Every command waits --timeout ms for its reply and is sent again up to --retries times.
Exit status: 0 ok, 1 the device answered with an error, 2 bad arguments or port, 3 no answer.";

/// Arguments of `pmu30`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    #[command(flatten)]
    pub connection: Connection,
}

/// What to ask the PMU-30.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// PING: is the device there (PONG)?
    Ping,
    /// PING, then GET_INFO: firmware version, hardware revision, serial number, name.
    Info,
    /// Upload a JSON configuration (SET_CONFIG chunks of 512 bytes, each acknowledged).
    Upload {
        /// The configuration file.
        file: PathBuf,
    },
    /// Download the stored configuration (GET_CONFIG).
    Download {
        /// Write it to this file instead of standard output.
        #[arg(short, long, value_name = "FILE")]
        output: Option<PathBuf>,
    },
    /// Set an output channel (0-29) to a value (0-100).
    SetChannel {
        /// The channel, 0-29.
        channel: u16,
        /// The value, 0.0-100.0.
        value: f32,
    },
    /// Subscribe to telemetry and print the packets (UNSUBSCRIBE at the end and on Ctrl-C).
    Telemetry {
        /// Packets per second, 1-100.
        #[arg(long, value_name = "HZ", default_value_t = 10)]
        rate: u16,
        /// Stop after this many packets (default: until Ctrl-C).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
}

/// Runs `action` on `port`.
pub async fn run(action: Action, port: SerialStream, out: Output) -> Result<(), CliError> {
    let mut client = Client::new(port, out.options());
    match action {
        Action::Ping => {
            let started = tokio::time::Instant::now();
            client.ping().await.map_err(failure)?;
            let rtt_ms = started.elapsed().as_secs_f64() * 1000.0;
            out.item(&json!({"type": "PONG", "fields": {}, "rtt_ms": rtt_ms}), format!("PONG in {rtt_ms:.1} ms"))
        }
        Action::Info => {
            let info = client.connect().await.map_err(failure)?;
            let message = Message::InfoResp(info);
            out.item(&with_type(&message), text(&message))
        }
        Action::Upload { file } => {
            let config =
                std::fs::read(&file).map_err(|e| CliError::msg(format!("cannot read {}: {e}", file.display())))?;
            let chunks = client.upload_config(&config).await.map_err(failure)?;
            let bytes = config.len();
            out.item(
                &json!({"type": "UPLOAD", "fields": {"bytes": bytes, "total_chunks": chunks}}),
                format!("uploaded {bytes} bytes in {chunks} chunk(s)"),
            )
        }
        Action::Download { output } => {
            let config = client.download_config().await.map_err(failure)?;
            let text = String::from_utf8_lossy(&config).into_owned();
            match output {
                Some(path) => {
                    std::fs::write(&path, &config)
                        .map_err(|e| CliError::msg(format!("cannot write {}: {e}", path.display())))?;
                    out.item(
                        &json!({"type": "CONFIG", "fields": {"bytes": config.len(), "file": path}}),
                        format!("downloaded {} bytes to {}", config.len(), path.display()),
                    )
                }
                None => out.item(&json!({"type": "CONFIG", "fields": {"bytes": config.len(), "config": text}}), &text),
            }
        }
        Action::SetChannel { channel, value } => {
            client.set_channel(channel, value).await.map_err(failure)?;
            let message = Message::ChannelAck(ChannelAck { success: Success::OK, channel_id: channel });
            out.item(&with_type(&message), text(&message))
        }
        Action::Telemetry { rate, count } => telemetry(&mut client, rate, count, &out).await,
    }
}

/// Prints packets until `count` or Ctrl-C, then unsubscribes.
async fn telemetry(
    client: &mut Client<SerialStream>,
    rate: u16,
    count: Option<u64>,
    out: &Output,
) -> Result<(), CliError> {
    let mut telemetry = client.start_telemetry(rate).await.map_err(failure)?;
    let mut printed = 0u64;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let result = loop {
        if count.is_some_and(|n| printed >= n) {
            break Ok(());
        }
        let packet = tokio::select! {
            packet = telemetry.next() => packet,
            _ = &mut ctrl_c => break Ok(()),
        };
        let packet = match packet {
            Ok(packet) => packet,
            Err(e) => break Err(failure(e)),
        };
        let window = telemetry.window();
        let mean = json!({
            "input_voltage": window.mean_input_voltage_mv(),
            "temperature": window.mean_temperature(),
            "total_current_ma": window.mean_total_current_ma(),
            "packets": window.len(),
        });
        let mut json = with_type(&Message::TelemetryData(packet));
        json["mean"] = mean;
        if let Err(e) = out.item(&json, line(&packet, window.mean_total_current_ma().unwrap_or(0.0))) {
            break Err(e);
        }
        printed += 1;
    };
    client.stop_telemetry().await.map_err(failure)?;
    result
}

/// A telemetry packet for people.
fn line(packet: &TelemetryPacket, mean_current_ma: f32) -> String {
    let on = packet.active_channels().count();
    format!(
        "t={} ms  input={:.2} V  temperature={} °C  current={} mA (mean of last 10: {:.0} mA)  outputs on={}  faults={:#x}",
        packet.timestamp_ms,
        packet.input_volts(),
        packet.temperature,
        packet.total_current_ma(),
        mean_current_ma,
        on,
        packet.fault_flags.bits(),
    )
}

/// The message as the `decode` JSON's `type` and `fields`.
fn with_type(message: &Message<'_>) -> serde_json::Value {
    serde_json::to_value(message).unwrap_or(serde_json::Value::Null)
}

/// The message's text line, as `decode --format text` writes it.
fn text(message: &Message<'_>) -> String {
    let mut line = String::new();
    let _ = message.write_text(&mut line);
    line
}
