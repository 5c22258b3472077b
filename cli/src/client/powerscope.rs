//! `serial-dialects powerscope ACTION` (revision 1) and `serial-dialects powerscope:r0 stream`:
//! the power monitor's client on a port. Answers are printed as the `decode` JSON's ACK
//! (`cmd` and the answer's fields), samples as its STREAM frames with the physical units added.

use serde_json::{Value, json};
use serial_dialects::client::powerscope::{Client, R0Frame, Sample, uid_hex};
use serial_dialects::powerscope::Config;
use serial_dialects::powerscope::conversation::GapStats;
use tokio_serial::SerialStream;

use super::{Connection, Output, failure};
use crate::cli_error::CliError;

/// Examples for `--help`.
pub const EXAMPLES: &str = "Examples:
  serial-dialects powerscope sensors --port /dev/ttyACM0
  serial-dialects powerscope read 1 --json --port /dev/ttyACM0
  serial-dialects powerscope period 1 20 --port /dev/ttyACM0
  serial-dialects powerscope stream 1 --count 100 --port /dev/ttyACM0
  serial-dialects powerscope:r0 stream --count 10 --port /dev/ttyACM0

Commands carry a seq; an answer is matched by the seq it echoes. Every command waits --timeout
ms and is sent again up to --retries times. Exit status: 0 ok, 1 the device answered with a
NACK, 2 bad arguments or port, 3 no answer.";

/// Arguments of `powerscope`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    #[command(flatten)]
    pub connection: Connection,
}

/// What to ask a revision-1 power monitor.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// PING.
    Ping,
    /// GET_BOARD_UID: the board's 96-bit unique id.
    Uid,
    /// GET_UPTIME: ms since boot.
    Uptime,
    /// GET_SENSORS: the sensors' runtime ids and types.
    Sensors,
    /// READ_SENSOR: one sample (bus V, current A, power W).
    Read {
        /// The sensor's runtime id.
        sensor: u8,
    },
    /// GET_PERIOD, or SET_PERIOD with MS (5-10000).
    Period {
        /// The sensor's runtime id.
        sensor: u8,
        /// The new period, ms.
        ms: Option<u16>,
    },
    /// START_STREAM and print the samples (STOP_STREAM at the end and on Ctrl-C).
    Stream {
        /// The sensor's runtime id.
        sensor: u8,
        /// Stop after this many samples (default: until Ctrl-C).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
}

/// Arguments of `powerscope:r0`.
#[derive(Debug, clap::Args)]
pub struct R0Args {
    #[command(subcommand)]
    pub action: R0Action,
    #[command(flatten)]
    pub connection: Connection,
}

/// What to do with a revision-0 power monitor.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum R0Action {
    /// Send START (0x01) and print the frames (STOP, 0x02, at the end and on Ctrl-C).
    Stream {
        /// Stop after this many frames (default: until Ctrl-C).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
}

fn ack(cmd: &str, fields: Value) -> Value {
    let mut all = json!({"cmd": cmd});
    if let (Some(all), Value::Object(more)) = (all.as_object_mut(), fields) {
        all.extend(more);
    }
    json!({"type": "ACK", "fields": all})
}

/// Runs `action` on `port`.
pub async fn run(action: Action, port: SerialStream, out: Output) -> Result<(), CliError> {
    let mut client = Client::new(port, out.options());
    match action {
        Action::Ping => {
            let started = tokio::time::Instant::now();
            client.ping().await.map_err(failure)?;
            let rtt_ms = started.elapsed().as_secs_f64() * 1000.0;
            let mut json = ack("PING", json!({}));
            json["rtt_ms"] = json!(rtt_ms);
            out.item(&json, format!("PING answered in {rtt_ms:.1} ms"))
        }
        Action::Uid => {
            let uid = uid_hex(&client.uid().await.map_err(failure)?);
            out.item(&ack("GET_BOARD_UID", json!({"uid_hex": uid})), format!("board uid {uid}"))
        }
        Action::Uptime => {
            let ms = client.uptime().await.map_err(failure)?;
            out.item(&ack("GET_UPTIME", json!({"uptime_ms": ms})), format!("uptime {ms} ms"))
        }
        Action::Sensors => {
            let sensors = client.sensors().await.map_err(failure)?;
            let list: Vec<Value> =
                sensors.iter().map(|s| json!({"runtime_id": s.runtime_id, "type_id": s.type_id})).collect();
            let text: Vec<String> = sensors
                .iter()
                .map(|s| {
                    let kind = if s.type_id == 1 { "INA219" } else { "unknown type" };
                    format!("sensor {}: {kind} (type {})", s.runtime_id, s.type_id)
                })
                .collect();
            out.item(&ack("GET_SENSORS", json!({"sensors": list})), text.join("\n"))
        }
        Action::Read { sensor } => {
            let sample = client.read(sensor).await.map_err(failure)?;
            let mut json = ack("READ_SENSOR", sample_fields(&sample));
            add_units(&mut json, &sample);
            out.item(&json, units_text(&sample))
        }
        Action::Period { sensor, ms: None } => {
            let ms = client.period(sensor).await.map_err(failure)?;
            out.item(
                &ack("GET_PERIOD", json!({"sensor": sensor, "period_ms": ms})),
                format!("sensor {sensor}: period {ms} ms"),
            )
        }
        Action::Period { sensor, ms: Some(ms) } => {
            client.set_period(sensor, ms).await.map_err(failure)?;
            out.item(
                &ack("SET_PERIOD", json!({"sensor": sensor, "period_ms": ms})),
                format!("sensor {sensor}: period set to {ms} ms"),
            )
        }
        Action::Stream { sensor, count } => stream(&mut client, sensor, count, &out).await,
    }
}

fn sample_fields(sample: &Sample) -> Value {
    json!({"runtime_id": sample.runtime_id, "bus_mv": sample.raw.bus_mv, "current_ua": sample.raw.current_ua})
}

fn add_units(json: &mut Value, sample: &Sample) {
    // From the raw integers in f64, so that the JSON holds 12.036, not 12.03600025177002.
    let (mv, ua) = (f64::from(sample.raw.bus_mv), f64::from(sample.raw.current_ua));
    json["bus_v"] = json!(mv / 1e3);
    json["current_a"] = json!(ua / 1e6);
    json["power_w"] = json!(sample.raw.power_nw() as f64 / 1e9);
}

fn units_text(sample: &Sample) -> String {
    format!(
        "sensor {}: {:.3} V  {:.4} A  {:.4} W",
        sample.runtime_id, sample.bus_volts, sample.current_amps, sample.power_watts
    )
}

fn gaps_text(stats: &GapStats) -> String {
    format!(
        "{} frame(s), {} lost in {} gap(s) (largest {}), {} restart(s)",
        stats.samples, stats.lost, stats.gaps, stats.max_gap, stats.restarts
    )
}

/// Streams until `count` or Ctrl-C, then stops the stream and prints the gap statistics on
/// stderr.
async fn stream(
    client: &mut Client<SerialStream>,
    sensor: u8,
    count: Option<u64>,
    out: &Output,
) -> Result<(), CliError> {
    client.start_stream(sensor).await.map_err(failure)?;
    let mut printed = 0u64;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut samples = client.samples();
    let result = loop {
        if count.is_some_and(|n| printed >= n) {
            break Ok(());
        }
        let sample = tokio::select! {
            sample = samples.next() => sample,
            _ = &mut ctrl_c => break Ok(()),
        };
        let sample = match sample {
            Ok(sample) => sample,
            Err(e) => break Err(failure(e)),
        };
        let mut fields = sample_fields(&sample);
        fields["seq"] = json!(sample.seq);
        fields["ts_ms"] = json!(sample.ts_ms);
        fields["gap"] = json!(sample.gap);
        let mut json = json!({"type": "STREAM", "fields": fields});
        add_units(&mut json, &sample);
        let text = format!("seq={} ts={} ms gap={}  {}", sample.seq, sample.ts_ms, sample.gap, units_text(&sample));
        if let Err(e) = out.item(&json, text) {
            break Err(e);
        }
        printed += 1;
    };
    let stats = samples.stats();
    client.stop_stream(sensor).await.map_err(failure)?;
    eprintln!("{}", gaps_text(&stats));
    result
}

/// Runs a revision-0 `action` on `port`.
pub async fn run_r0(action: R0Action, port: SerialStream, out: Output) -> Result<(), CliError> {
    let mut client = Client::with_config(port, Config::r0(), out.options());
    let R0Action::Stream { count } = action;
    client.start().await.map_err(failure)?;
    let mut printed = 0u64;
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut frames = client.frames();
    let result = loop {
        if count.is_some_and(|n| printed >= n) {
            break Ok(());
        }
        let frame = tokio::select! {
            frame = frames.next() => frame,
            _ = &mut ctrl_c => break Ok(()),
        };
        let frame: R0Frame = match frame {
            Ok(frame) => frame,
            Err(e) => break Err(failure(e)),
        };
        let hex: String = frame.payload.iter().map(|b| format!("{b:02x}")).collect();
        let json = json!({"type": "STREAM", "fields": {
            "ver": 0, "seq": frame.seq, "ts_ms": frame.ts_ms, "payload_len": frame.payload.len(),
            "gap": frame.gap, "payload_hex": hex,
        }});
        let text =
            format!("seq={:8} ts={:10} len={:3} gap={:3}", frame.seq, frame.ts_ms, frame.payload.len(), frame.gap);
        if let Err(e) = out.item(&json, text) {
            break Err(e);
        }
        printed += 1;
    };
    let stats = frames.stats();
    client.stop().await.map_err(failure)?;
    eprintln!("{}", gaps_text(&stats));
    result
}
