//! `serial-dialects`: decode captures, sniff the dialect of a capture, monitor live serial
//! ports and encode frames, for the five dialects of the `serial-dialects` library.
//!
//! This crate is a thin layer: every byte of wire logic (framing, checksums, resync, typed
//! messages, the JSON shape of every message) is the library's. Here are only argument
//! parsing, input/output and presentation.

mod chart;
mod cli_error;
mod client;
mod decode;
mod dialect;
mod encode;
mod monitor;
mod output;
mod ports;
mod render;
mod series;
mod simulate;
mod sniff;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches, Parser, Subcommand};

use crate::cli_error::CliError;
use crate::output::Format;

/// Decode, sniff, monitor and encode the serial protocols of five embedded projects:
/// pmu30, vectordebug, plot, ascii-crc8 and powerscope.
#[derive(Debug, Parser)]
#[command(name = "serial-dialects", version, propagate_version = true)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Decode a capture (a file, or standard input) into one line per event.
    #[command(after_help = "Examples:
  serial-dialects decode --dialect auto samples/powerscope.bin
  serial-dialects decode --dialect pmu30 --stats capture.bin
  serial-dialects decode --dialect plot:64 --format csv capture.bin > samples.csv
  cat capture.bin | serial-dialects decode --dialect vectordebug --format text -

Every input byte belongs to exactly one event. A corrupt capture is not an error of the tool:
its events say what was wrong (exit status 0). The jsonl format is the contract in
docs/decode-json.md.")]
    Decode(DecodeArgs),
    /// Score every dialect on a capture and print the best, with its evidence.
    #[command(after_help = "Examples:
  serial-dialects sniff samples/vectordebug.bin
  serial-dialects sniff - < capture.bin")]
    Sniff(SniffArgs),
    /// Decode a live serial port (DTR asserted on open).
    #[command(after_help = "Examples:
  serial-dialects monitor --port /dev/ttyACM0 --dialect powerscope
  serial-dialects monitor --port /dev/ttyUSB0 --baud 921600 --dialect plot --format text --record session.bin
  serial-dialects monitor --port COM6 --dialect pmu30 --duration 10 > telemetry.jsonl

Events are printed as they arrive. Ctrl-C (or the end of --duration) stops: the last bytes are
decided, the statistics printed (jsonl/text: last line on stdout; csv: on stderr), exit status 0.
A port that fails mid-session (device unplugged) stops the same way, then exits with status 2.
After 2 s of silence an unfinished plot help table is printed as its COMMANDS event.
`decode` of a --record file gives the same events, except where silence ended a help table.")]
    Monitor(MonitorArgs),
    /// List the serial ports with their USB VID:PID.
    #[command(after_help = "Example:
  serial-dialects ports")]
    Ports,
    /// Encode one message and write its frame to standard output (or a port).
    #[command(after_help = "Examples:
  serial-dialects encode pmu30 SET_CHANNEL channel_id=5 value=75 > frame.bin
  serial-dialects encode ascii-crc8 VIEW id=4 offset=0 count=2
  serial-dialects encode powerscope SET_PERIOD sensor=1 period_ms=20 seq=7 --port /dev/ttyACM0
  serial-dialects encode vectordebug DBG_FRAME1 'frames=1:10,20,30,40,50,60;2:1,2,3,4,5,6'
  serial-dialects encode plot:64 DATA values=1,-2,3 --hex

`serial-dialects encode DIALECT --list` shows the messages of a dialect with their fields,
types, ranges and defaults. Field names are those of the decode JSON; the frame is decoded
again before it is written, so `encode X T ... | decode --dialect X -` shows type T.")]
    Encode(encode::EncodeArgs),
    /// Run a device model in real time on a pseudo-terminal or a serial port.
    #[command(after_help = "Examples:
  serial-dialects simulate pmu30 --pty
  serial-dialects simulate pmu30 --pty --rate 50 --corrupt 1e-3 --seed 7
  serial-dialects simulate ascii-crc8 --pty --drop-replies 0.1 --delay 200
  serial-dialects simulate powerscope --pty --channels 4
  serial-dialects simulate vectordebug --pty --rate 20000
  serial-dialects simulate plot:64 --pty --channels 8 --rate 1000
  serial-dialects simulate pmu30:crc-with-length --port /dev/ttyUSB0 --baud 115200

With --pty the path to open is printed alone on the first line of stdout. SIGINT or SIGTERM
stops; what the device did (requests, replies, frames, bytes, faults) goes to stderr.
Faults are deterministic for a given --seed. See docs/simulators.md.")]
    Simulate(simulate::SimulateArgs),
    /// Talk to a PMU-30: ping, info, upload, download, set-channel, telemetry.
    #[command(after_help = client::pmu30::EXAMPLES)]
    Pmu30(client::pmu30::Args),
    /// Talk to the BH1750 light meter: start, stop, download, view, interval, mode, scan.
    #[command(name = "ascii-crc8", after_help = client::ascii_crc8::EXAMPLES)]
    AsciiCrc8(client::ascii_crc8::Args),
    /// Chart a dialect's samples live in the terminal, from a port or a capture.
    #[command(after_help = "Examples:
  serial-dialects chart --dialect powerscope --port /dev/ttyACM0
  serial-dialects chart --dialect vectordebug --port /dev/ttyUSB0 --baud 2000000
  serial-dialects chart --dialect plot --scale 0=0.00322 --offset 0=-512 capture.bin
  serial-dialects chart --dialect pmu30 --realtime samples/pmu30.bin

Keys: q quits, space pauses (arrows scroll while paused), + and - halve and double the
time window, 1-9 and 0 toggle the first ten series. The status line shows frames/s,
bytes/s, errors by kind and lost frames.")]
    Chart(chart::ChartArgs),
    /// Draw a whole capture to a PNG or SVG picture.
    #[command(after_help = "Examples:
  serial-dialects render samples/powerscope.bin --dialect powerscope -o powerscope.png
  serial-dialects render capture.bin --dialect plot --scale 1=0.5 -o capture.svg --width 2400 --height 1200

One panel per quantity, with a legend of the series' names; marks show where bytes were
rejected (red) or frames lost (orange).")]
    Render(render::RenderArgs),
    /// Talk to a revision-1 power monitor: ping, uid, uptime, sensors, read, period, stream.
    #[command(after_help = client::powerscope::EXAMPLES)]
    Powerscope(client::powerscope::Args),
    /// Talk to a revision-0 power monitor: stream.
    #[command(name = "powerscope:r0", after_help = client::powerscope::EXAMPLES)]
    PowerscopeR0(client::powerscope::R0Args),
    /// Talk to the vectordebug bridge: records, terminal.
    #[command(after_help = client::vectordebug::EXAMPLES)]
    Vectordebug(client::vectordebug::Args),
    /// Talk to a DragoonPlot device: commands, send.
    #[command(after_help = client::plot::EXAMPLES)]
    Plot(client::plot::Args),
}

/// Arguments of `decode`.
#[derive(Debug, clap::Args)]
struct DecodeArgs {
    /// The dialect, NAME[:VARIANT], or `auto`.
    #[arg(short, long, default_value = "auto", value_name = "NAME[:VARIANT]")]
    dialect: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Add a summary: frames, errors by kind, bytes skipped, lost frames.
    #[arg(long)]
    stats: bool,
    /// The capture file; `-` or nothing reads standard input.
    input: Option<PathBuf>,
}

/// Arguments of `sniff`.
#[derive(Debug, clap::Args)]
struct SniffArgs {
    /// The capture file; `-` reads standard input.
    input: PathBuf,
}

/// Arguments of `monitor`.
#[derive(Debug, clap::Args)]
struct MonitorArgs {
    /// The serial port (e.g. /dev/ttyACM0, COM6).
    #[arg(short, long)]
    port: String,
    /// Baud rate (ignored by USB CDC devices).
    #[arg(short, long, default_value_t = 115_200)]
    baud: u32,
    /// The dialect, NAME[:VARIANT] (`auto` is not available live).
    #[arg(short, long, value_name = "NAME[:VARIANT]")]
    dialect: String,
    /// Output format.
    #[arg(short, long, value_enum, default_value_t = Format::Jsonl)]
    format: Format,
    /// Also write every raw byte received to this file.
    #[arg(long, value_name = "FILE")]
    record: Option<PathBuf>,
    /// Stop after this many seconds (default: until Ctrl-C).
    #[arg(long, value_name = "SECONDS")]
    duration: Option<f64>,
}

fn main() -> ExitCode {
    // A bug must still end in one line, never a backtrace.
    std::panic::set_hook(Box::new(|info| {
        let place = info.location().map(|l| format!(" at {}:{}", l.file(), l.line())).unwrap_or_default();
        eprintln!("serial-dialects: internal error{place}; please report it with the input that caused it");
    }));
    // The dialects' names come from the registry (`dialect.rs`).
    let help = format!("Dialects: {}, and auto (sniff the dialect from the first bytes).", dialect::help_list());
    let cli = match Cli::from_arg_matches(&Cli::command().after_help(help).get_matches()) {
        Ok(cli) => cli,
        Err(e) => e.exit(),
    };
    let result = match cli.command {
        Command::Decode(args) => decode::run(&args.dialect, args.format, args.stats, args.input.as_deref()),
        Command::Sniff(args) => sniff::run(&args.input),
        Command::Monitor(args) => monitor::run(&monitor::Options {
            port: args.port,
            baud: args.baud,
            dialect: args.dialect,
            format: args.format,
            record: args.record,
            duration: args.duration,
        }),
        Command::Ports => ports::run(),
        Command::Encode(args) => encode::run(&args),
        Command::Simulate(args) => simulate::run(&args),
        Command::Pmu30(args) => client::run(&args.connection, |port, out| client::pmu30::run(args.action, port, out)),
        Command::AsciiCrc8(args) => {
            client::run(&args.connection, |port, out| client::ascii_crc8::run(args.action, port, out))
        }
        Command::Chart(args) => chart::run(&args),
        Command::Render(args) => render::run(&args),
        Command::Powerscope(args) => {
            client::run(&args.connection, |port, out| client::powerscope::run(args.action, port, out))
        }
        Command::PowerscopeR0(args) => {
            client::run(&args.connection, |port, out| client::powerscope::run_r0(args.action, port, out))
        }
        Command::Vectordebug(args) => {
            client::run(&args.connection, |port, out| client::vectordebug::run(args.action, port, out))
        }
        Command::Plot(args) => client::run(&args.connection, |port, out| client::plot::run(args.action, port, out)),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(CliError::BrokenPipe) => ExitCode::SUCCESS,
        Err(CliError::Exit(code, message)) => {
            eprintln!("serial-dialects: {message}");
            ExitCode::from(code)
        }
        Err(e) => {
            eprintln!("serial-dialects: {e}");
            ExitCode::from(2)
        }
    }
}
