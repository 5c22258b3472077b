//! `serial-dialects plot ACTION`: a DragoonPlot device's client on a port: its help table, and
//! commands sent as a button click sends them. Printed as the `decode` JSON's COMMANDS and TEXT.

use serde_json::{Value, json};
use serial_dialects::client::plot::Client;
use tokio_serial::SerialStream;

use super::{Connection, Output, failure};
use crate::cli_error::CliError;

/// Examples for `--help`.
pub const EXAMPLES: &str = "Examples:
  serial-dialects plot commands --port /dev/ttyACM0
  serial-dialects plot send status --json --port /dev/ttyACM0

`commands` sends help and reads the table up to its end marker, or until 2 s without a line;
help is sent again after each --timeout until the table begins. `send` writes COMMAND and CR LF
and prints the answer's lines (it must begin within --timeout; a command is never sent twice).
Exit status: 0 ok, 1 the device answered ERR, 2 bad arguments or port, 3 no answer.";

/// Arguments of `plot`.
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub action: Action,
    #[command(flatten)]
    pub connection: Connection,
}

/// What to ask the device.
#[derive(Debug, Clone, clap::Subcommand)]
pub enum Action {
    /// The help table's commands, by category (buttons are the commands without arguments).
    Commands,
    /// Send a command (e.g. `start`, `setpid 1 0 0`) and print its answer.
    Send {
        /// The command line, without its line ending.
        command: String,
    },
}

/// Runs `action` on `port`.
pub async fn run(action: Action, port: SerialStream, out: Output) -> Result<(), CliError> {
    let mut client = Client::new(port, out.options());
    match action {
        Action::Commands => {
            let table = client.discover().await.map_err(failure)?;
            let rows: Vec<Value> = table
                .rows
                .iter()
                .map(|c| json!({"cmd": c.cmd, "args": c.args, "cat": c.cat, "description": c.description}))
                .collect();
            let mut text = Vec::new();
            for (category, commands) in table.by_category() {
                text.push(category.to_string());
                for c in commands {
                    let button = if c.has_button() { "  [button]" } else { "" };
                    text.push(format!("  {:<10} {:<10} {}{button}", c.cmd, c.args, c.description));
                }
            }
            if table.ended_by_silence {
                text.push("(the table ended after 2 s without a line)".to_string());
            }
            out.item(&json!({"type": "COMMANDS", "fields": {"commands": rows}}), text.join("\n"))
        }
        Action::Send { command } => {
            for line in client.send(&command).await.map_err(failure)? {
                out.item(&json!({"type": "TEXT", "fields": {"line": line}}), &line)?;
            }
            Ok(())
        }
    }
}
