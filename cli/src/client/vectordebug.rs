//! `serial-dialects vectordebug ACTION`: the bridge's client on a port: the ESC's records, and
//! its command line from standard input. Packets are printed as the `decode` JSON's DBG_FRAME1
//! and CLI.

use std::io::Write;

use serde_json::{Value, json};
use serial_dialects::client::vectordebug::{Client, Item, RecordBatch};
use tokio::io::AsyncBufReadExt;
use tokio_serial::SerialStream;

use super::{Connection, Output, failure};
use crate::cli_error::CliError;

/// Examples for `--help`.
pub const EXAMPLES: &str = "Examples:
  serial-dialects vectordebug records --count 20 --port /dev/ttyACM0
  echo status | serial-dialects vectordebug terminal --port /dev/ttyACM0

`terminal` types each line of standard input on the ESC's command line, one CLI packet per
key as the PC tool does, and prints what the ESC sends back; it ends at the end of standard
input after the last answer, or on Ctrl-C. An answer must begin within --timeout ms; a line is
never sent twice. Exit status: 0 ok, 1 the ESC answered a line with `error:`, 2 bad arguments
or port, 3 no answer.";

/// Arguments of `vectordebug`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    #[command(flatten)]
    pub connection: Connection,
}

/// What to do with the bridge.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// Print the DBG_FRAME1 packets (records with their seq, lost-frame count).
    Records {
        /// Stop after this many packets (default: until Ctrl-C).
        #[arg(long, value_name = "N")]
        count: Option<u64>,
    },
    /// Standard input lines to the ESC's command line, its answers to standard output.
    Terminal,
}

/// Runs `action` on `port`.
pub async fn run(action: Action, port: SerialStream, out: Output) -> Result<(), CliError> {
    let mut client = Client::new(port, out.options());
    match action {
        Action::Records { count } => records(&mut client, count, &out).await,
        Action::Terminal => terminal(&mut client, &out).await,
    }
}

fn batch_json(batch: &RecordBatch) -> Value {
    let frames: Vec<Value> = batch.records.iter().map(|r| json!({"seq": r.seq, "payload": r.payload})).collect();
    json!({"type": "DBG_FRAME1", "fields": {"frames": frames}, "lost": batch.lost})
}

fn batch_text(batch: &RecordBatch) -> String {
    let (Some(first), Some(last)) = (batch.records.first(), batch.records.last()) else {
        return format!("0 records  lost={}", batch.lost);
    };
    format!(
        "seq {}..{}  {} records  lost={}  first={:?}",
        first.seq,
        last.seq,
        batch.records.len(),
        batch.lost,
        first.payload
    )
}

async fn records(client: &mut Client<SerialStream>, count: Option<u64>, out: &Output) -> Result<(), CliError> {
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut printed = 0u64;
    let mut records = client.records();
    while count.is_none_or(|n| printed < n) {
        let batch = tokio::select! {
            batch = records.next() => batch.map_err(failure)?,
            _ = &mut ctrl_c => break,
        };
        out.item(&batch_json(&batch), batch_text(&batch))?;
        printed += 1;
    }
    Ok(())
}

/// Writes device text: raw in text mode, one CLI object with `--json`.
fn print_text(out: &Output, text: &str) -> Result<(), CliError> {
    if out.is_json() {
        let hex: String = text.bytes().map(|b| format!("{b:02x}")).collect();
        return out.item(&json!({"type": "CLI", "fields": {"data_hex": hex, "text": text}}), "");
    }
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(text.as_bytes())?;
    stdout.flush().map_err(CliError::from)
}

async fn terminal(client: &mut Client<SerialStream>, out: &Output) -> Result<(), CliError> {
    let mut lines = tokio::io::BufReader::new(tokio::io::stdin()).lines();
    let ctrl_c = tokio::signal::ctrl_c();
    tokio::pin!(ctrl_c);
    let mut refused = 0u32;
    loop {
        let line = tokio::select! {
            line = lines.next_line() => line?,
            item = client.next_item() => {
                if let Item::Text(text) = item.map_err(failure)? {
                    print_text(out, &text)?;
                }
                continue;
            }
            _ = &mut ctrl_c => break,
        };
        let Some(line) = line else { break };
        let answer = client.command(&line).await.map_err(failure)?;
        if answer.lines().any(|l| l.starts_with("error:")) {
            refused += 1;
        }
        print_text(out, &answer)?;
    }
    if refused > 0 {
        return Err(CliError::Exit(1, format!("the ESC refused {refused} line(s)")));
    }
    Ok(())
}
