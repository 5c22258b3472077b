//! `monitor`: live decoding of a serial port.

use std::path::PathBuf;

use crate::cli_error::CliError;
use crate::output::Format;

/// Options of `monitor`.
#[derive(Debug, Clone)]
pub struct Options {
    pub port: String,
    pub baud: u32,
    pub dialect: String,
    pub format: Format,
    pub record: Option<PathBuf>,
    pub duration: Option<f64>,
}

pub fn run(_options: &Options) -> Result<(), CliError> {
    Err(CliError::msg("monitor: not built yet"))
}
