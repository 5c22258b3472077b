//! `simulate`: a device model of the library served in real time on a pseudo-terminal
//! (`--pty`) or a real serial port (`--port`), with deterministic fault injection. See
//! `docs/simulators.md`.
//!
//! With `--pty` the path a host tool opens is printed alone on the first line of standard
//! output. SIGINT or SIGTERM ends the session; what the device did is then printed on
//! standard error (one `key=value` line for the device, one for the faults).

mod driver;
mod registry;

use std::io::{self, Write};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use serial_dialects::device::Device;
use serialport::{DataBits, FlowControl, Parity, SerialPort, StopBits, TTYPort};

use self::driver::Report;
use self::registry::{DeviceOptions, ModelJob};
use crate::cli_error::CliError;
use crate::dialect::Selected;
use serial_dialects::device::faults::{FaultOptions, Faults};

/// The seed when `--seed` is not given: runs are repeatable by default.
pub const DEFAULT_SEED: u64 = 1;

/// Arguments of `simulate`.
#[derive(Debug, clap::Args)]
pub struct SimulateArgs {
    /// The device: NAME[:VARIANT] of any dialect (pmu30, pmu30:crc-with-length, vectordebug,
    /// plot, plot:64, ascii-crc8, powerscope, powerscope:r0).
    #[arg(value_name = "DIALECT[:VARIANT]")]
    dialect: String,
    /// Serve on a new pseudo-terminal; its path is printed on the first line of stdout.
    #[arg(long, conflicts_with = "port", required_unless_present = "port")]
    pty: bool,
    /// Serve on this serial port (e.g. a USB-serial adapter cabled to the host).
    #[arg(long, value_name = "PATH")]
    port: Option<String>,
    /// Baud rate of --port.
    #[arg(long, default_value_t = 115_200, requires = "port")]
    baud: u32,
    /// Device option: periodic output rate in Hz (pmu30: telemetry from power-on; vectordebug:
    /// records; plot: DATA frames; powerscope:r0: test frames).
    #[arg(long, value_name = "HZ")]
    rate: Option<f64>,
    /// Device option: channels (pmu30: enabled outputs 0-30; plot: values per DATA frame;
    /// powerscope: INA219 sensors 1-8).
    #[arg(long, value_name = "N")]
    channels: Option<u32>,
    /// Seed of the faults and of the device's measurement noise.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    seed: u64,
    /// Fault: probability per byte sent of one flipped bit (e.g. 1e-3).
    #[arg(long, value_name = "RATE", default_value_t = 0.0)]
    corrupt: f64,
    /// Fault: probability that a reply is not sent (periodic output is kept).
    #[arg(long, value_name = "P", default_value_t = 0.0)]
    drop_replies: f64,
    /// Fault: replies are sent this many ms late (periodic output is not delayed).
    #[arg(long, value_name = "MS", default_value_t = 0)]
    delay: u64,
    /// Fault: output is written in pieces of N bytes, each flushed.
    #[arg(long, value_name = "N", default_value_t = 0)]
    chunk: usize,
    /// Fault: the device forgets its session state after every N requests.
    #[arg(long, value_name = "N", default_value_t = 0)]
    reset_after: u64,
}

/// Runs `simulate`.
pub fn run(args: &SimulateArgs) -> Result<(), CliError> {
    let selected = Selected::parse(&args.dialect).map_err(CliError::msg)?;
    let faults = fault_options(args)?;
    let options = DeviceOptions { rate: args.rate, channels: args.channels, seed: args.seed };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| CliError::msg(format!("cannot install the signal handler: {e}")))?;
    let job = Serve { args, faults, stop: &stop };
    registry::simulate(&selected, &options, job).map_err(CliError::msg)?
}

fn fault_options(args: &SimulateArgs) -> Result<FaultOptions, CliError> {
    let probability = |name: &str, p: f64| {
        if (0.0..=1.0).contains(&p) {
            Ok(p)
        } else {
            Err(CliError::msg(format!("--{name} {p} is not a probability (0 to 1)")))
        }
    };
    Ok(FaultOptions {
        corrupt: probability("corrupt", args.corrupt)?,
        drop_replies: probability("drop-replies", args.drop_replies)?,
        delay_ms: args.delay,
        chunk: args.chunk,
        reset_after: args.reset_after,
        seed: args.seed,
        ..FaultOptions::default()
    })
}

struct Serve<'a> {
    args: &'a SimulateArgs,
    faults: FaultOptions,
    stop: &'a AtomicBool,
}

impl ModelJob for Serve<'_> {
    type Output = Result<(), CliError>;

    fn run<M: Device>(self, name: &'static str, model: M) -> Result<(), CliError> {
        let mut port: Box<dyn SerialPort> = match &self.args.port {
            Some(path) => open_port(path, self.args.baud)?,
            None => {
                let (controlling, terminal) =
                    TTYPort::pair().map_err(|e| CliError::msg(format!("cannot create a pseudo-terminal: {e}")))?;
                let path =
                    terminal.name().ok_or_else(|| CliError::msg("the pseudo-terminal has no path".to_string()))?;
                // The terminal end is the host's: closed here, so that nothing piles up in it
                // before a host opens it.
                drop(terminal);
                let mut stdout = io::stdout().lock();
                writeln!(stdout, "{path}").and_then(|()| stdout.flush())?;
                Box::new(controlling)
            }
        };
        let report = driver::serve(model, port.as_mut(), Faults::new(self.faults), self.stop);
        eprint!("{}", summary(name, &report));
        Ok(())
    }
}

fn open_port(path: &str, baud: u32) -> Result<Box<dyn SerialPort>, CliError> {
    serialport::new(path, baud)
        .data_bits(DataBits::Eight)
        .parity(Parity::None)
        .stop_bits(StopBits::One)
        .flow_control(FlowControl::None)
        .timeout(driver::MAX_WAIT)
        .open()
        .map_err(|e| CliError::msg(format!("cannot open port {path}: {}", e.description)))
}

/// The summary on stderr: a line for people, then `key=value` lines for the device and the
/// faults.
fn summary(name: &str, report: &Report) -> String {
    let s = &report.stats;
    let f = &report.faults;
    format!(
        "serial-dialects simulate {name}: {:.1} s\n\
         device: requests={} refused={} bad_input={} replies={} frames_sent={} bytes_received={} bytes_sent={} \
         dropped={} resets={}\n\
         faults: corrupted_bytes={} dropped_replies={} delayed_replies={} resets={} lost_bytes={}\n",
        report.elapsed.as_secs_f64(),
        s.requests,
        s.refused,
        s.bad_input,
        s.replies,
        s.frames_sent,
        s.bytes_received,
        s.bytes_sent,
        s.dropped,
        s.resets,
        f.corrupted_bytes,
        f.dropped_replies,
        f.delayed_replies,
        f.resets,
        report.lost_bytes,
    )
}
