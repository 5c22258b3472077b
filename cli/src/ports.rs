//! `ports`: the serial ports of this machine.

use crate::cli_error::CliError;

pub fn run() -> Result<(), CliError> {
    Err(CliError::msg("ports: not built yet"))
}
