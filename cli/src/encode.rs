//! `encode`: one typed message from `field=value` arguments, written as its wire frame.

use std::path::PathBuf;

use crate::cli_error::CliError;

/// Arguments of `encode`.
#[derive(Debug, clap::Args)]
pub struct EncodeArgs {
    /// The dialect, NAME[:VARIANT].
    pub dialect: String,
    /// The message type (as in the JSON `type`, e.g. SET_CHANNEL).
    pub message: Option<String>,
    /// The message's fields, as name=value.
    pub fields: Vec<String>,
    /// Write the frame to this serial port instead of standard output.
    #[arg(long)]
    pub port: Option<String>,
    /// Baud rate for --port.
    #[arg(long, default_value_t = 115_200)]
    pub baud: u32,
    /// List the messages and fields of the dialect.
    #[arg(long)]
    pub list: bool,
    /// Where to write instead of standard output.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
}

pub fn run(_args: &EncodeArgs) -> Result<(), CliError> {
    Err(CliError::msg("encode: not built yet"))
}
