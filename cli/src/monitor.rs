//! `monitor`: live decoding of a serial port.
//!
//! The port is opened 8N1 with a short read timeout, DTR and RTS are asserted (the
//! powerscope device only streams while DTR is), and every byte read goes first to the
//! recording (`--record`), then to the dialect's stream decoder; every event is written and
//! flushed at once. Ctrl-C or `--duration` ends the session: the decoder decides its pending
//! candidate, the statistics are printed, exit status 0. A port that fails mid-session (a
//! device unplugged) ends it the same way, then exits with status 2 and one line saying why.

use std::fs::File;
use std::io::{self, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use serial_dialects::Stats;
use serial_dialects::io::Events;
use serial_dialects::stream::{Event, EventOf, Item};
use serialport::{DataBits, FlowControl, Parity, SerialPort, StopBits};

use crate::cli_error::CliError;
use crate::dialect::{self, CliDialect, Job, Selected};
use crate::output::{EventSink, Format};

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

/// Read timeout of the port: how often the loop looks at Ctrl-C, the duration and idleness.
const READ_TIMEOUT: Duration = Duration::from_millis(50);
/// How long the line must be quiet before the dialect's idle hook runs (plot: the 2 s
/// help-table timeout of the original documentation).
const IDLE_AFTER: Duration = Duration::from_secs(2);
/// The recording is flushed at least this often while bytes arrive (and whenever the line
/// is quiet for a read timeout).
const RECORD_FLUSH_INTERVAL: Duration = Duration::from_millis(250);
/// Bytes read from the port at a time.
const READ_CHUNK: usize = 4096;

/// Runs `monitor`.
pub fn run(options: &Options) -> Result<(), CliError> {
    let selected = parse_dialect(&options.dialect)?;
    let duration = options.duration.map(parse_duration).transpose()?;
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| CliError::msg(format!("cannot install the Ctrl-C handler: {e}")))?;

    let port = open_port(&options.port, options.baud)?;
    let record = options.record.as_deref().map(Recorder::create).transpose()?;
    let deadline = duration.map(|d| Instant::now().checked_add(d));
    let job = MonitorJob {
        session: Session {
            source: port,
            port_name: &options.port,
            record,
            stop: &stop,
            // A duration too long to represent is no deadline at all.
            deadline: deadline.flatten(),
            idle_after: IDLE_AFTER,
        },
        out: BufWriter::with_capacity(1 << 16, io::stdout().lock()),
        format: options.format,
    };
    selected.dispatch(job)
}

fn parse_dialect(text: &str) -> Result<Selected, CliError> {
    if text == "auto" {
        return Err(CliError::msg(format!(
            "monitor needs a named dialect: `auto` sniffs a capture and is not available live (known: {})",
            dialect::names().collect::<Vec<_>>().join(", ")
        )));
    }
    Selected::parse(text).map_err(CliError::msg)
}

fn parse_duration(seconds: f64) -> Result<Duration, CliError> {
    if seconds.is_nan() || seconds < 0.0 {
        return Err(CliError::msg(format!("invalid --duration {seconds}: expected a number of seconds, 0 or more")));
    }
    Ok(Duration::try_from_secs_f64(seconds).unwrap_or(Duration::MAX))
}

/// Opens `path` 8N1 at `baud` with a short read timeout, then asserts DTR and RTS.
pub(crate) fn open_port(path: &str, baud: u32) -> Result<Box<dyn SerialPort>, CliError> {
    let mut port = serialport::new(path, baud)
        .data_bits(DataBits::Eight)
        .parity(Parity::None)
        .stop_bits(StopBits::One)
        .flow_control(FlowControl::None)
        .timeout(READ_TIMEOUT)
        .open()
        .map_err(|e| CliError::msg(format!("cannot open port {path}: {}", e.description)))?;
    // Pseudo-terminals and some adapters have no modem lines: the session still works, but
    // a device that waits for DTR will stay silent, so say so.
    let mut failed = Vec::new();
    if let Err(e) = port.write_data_terminal_ready(true) {
        failed.push(format!("DTR ({e})"));
    }
    if let Err(e) = port.write_request_to_send(true) {
        failed.push(format!("RTS ({e})"));
    }
    if !failed.is_empty() {
        eprintln!("serial-dialects: warning: cannot assert {} on {path}", failed.join(", "));
    }
    Ok(port)
}

/// The raw bytes of a session, written before they are decoded.
struct Recorder {
    out: BufWriter<File>,
    label: String,
    last_flush: Instant,
}

impl Recorder {
    fn create(path: &Path) -> Result<Recorder, CliError> {
        let label = path.display().to_string();
        let file = File::create(path).map_err(|e| CliError::msg(format!("cannot create {label}: {e}")))?;
        Ok(Recorder { out: BufWriter::with_capacity(1 << 16, file), label, last_flush: Instant::now() })
    }

    fn write(&mut self, bytes: &[u8]) -> Result<(), CliError> {
        self.out.write_all(bytes).map_err(|e| self.failed(&e))?;
        if self.last_flush.elapsed() >= RECORD_FLUSH_INTERVAL {
            self.flush()?;
        }
        Ok(())
    }

    fn flush(&mut self) -> Result<(), CliError> {
        self.out.flush().map_err(|e| self.failed(&e))?;
        self.last_flush = Instant::now();
        Ok(())
    }

    fn failed(&self, error: &io::Error) -> CliError {
        CliError::msg(format!("cannot write {}: {error}", self.label))
    }
}

/// The live side of a session: where bytes come from and when it ends.
struct Session<'a, R: Read> {
    source: R,
    port_name: &'a str,
    record: Option<Recorder>,
    stop: &'a AtomicBool,
    deadline: Option<Instant>,
    idle_after: Duration,
}

/// Why the read loop ended, apart from Ctrl-C or the duration.
enum Failure {
    /// The port failed or went away.
    Port(String),
    /// The recording could not be written.
    Record(CliError),
}

/// What a session ends with: the decoder's statistics (plus idle frames) and any failure.
struct Outcome {
    stats: Stats,
    failure: Option<Failure>,
}

impl<R: Read> Session<'_, R> {
    /// Reads and decodes (through [`Events`]) until Ctrl-C, the deadline or a failure of
    /// the port, then decides what is pending. Errors are those of the output (they end the
    /// session at once).
    fn decode<D: CliDialect, W: Write>(&mut self, dialect: D, sink: &mut EventSink<W>) -> Result<Outcome, CliError> {
        let Session { source, record, stop, deadline, idle_after, .. } = self;
        let tap = Tap { source, record: record.as_mut(), failure: None, fresh: false, last_byte: Instant::now() };
        let mut events = Events::with_read_size(dialect, tap, READ_CHUNK);
        let mut idle_handled = false;
        let mut idle_frames = 0u64;
        let failure = loop {
            if stop.load(Ordering::SeqCst) || deadline.is_some_and(|d| Instant::now() >= d) {
                break None;
            }
            // A recording that fails ends the session; the bytes read are still decoded.
            if let Some(e) = events.get_mut().failure.take() {
                break Some(Failure::Record(e));
            }
            if std::mem::take(&mut events.get_mut().fresh) {
                idle_handled = false;
            }
            match events.next() {
                Some(Ok(event)) => sink.event::<D>(&event.borrowed())?,
                Some(Err(e)) if is_quiet(&e) => {
                    let tap = events.get_mut();
                    if let Err(e) = tap.record.as_mut().map_or(Ok(()), |r| r.flush()) {
                        break Some(Failure::Record(e));
                    }
                    if !idle_handled && tap.last_byte.elapsed() >= *idle_after {
                        idle_handled = true;
                        if let Some(frame) = events.dialect().on_idle() {
                            let event: EventOf<'_, D> =
                                Event { offset: events.position(), len: 0, item: Item::Frame(frame) };
                            sink.event::<D>(&event)?;
                            idle_frames += 1;
                        }
                    }
                }
                Some(Err(e)) => break Some(Failure::Port(port_failure(&e))),
                None => break Some(Failure::Port("the port was closed".to_string())),
            }
        };
        events.finish();
        for event in &mut events {
            // After `finish` nothing is read: only what is pending is decided.
            let Ok(event) = event else { break };
            sink.event::<D>(&event.borrowed())?;
        }
        let mut stats = *events.stats();
        // Frames the idle hook produced are frames of the session too.
        stats.frames += idle_frames;
        Ok(Outcome { stats, failure })
    }
}

/// The port as [`Events`] reads it: every byte read goes to the recording first, and the
/// time of the last byte is kept for the idle hook.
struct Tap<'a, R: Read> {
    source: &'a mut R,
    record: Option<&'a mut Recorder>,
    /// The recording failed: the session ends.
    failure: Option<CliError>,
    /// Bytes arrived since the session loop last looked.
    fresh: bool,
    last_byte: Instant,
}

impl<R: Read> Read for Tap<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.source.read(buf)?;
        if n > 0 {
            self.fresh = true;
            self.last_byte = Instant::now();
            if let (Some(recorder), None) = (self.record.as_deref_mut(), &self.failure) {
                self.failure = recorder.write(&buf[..n]).err();
            }
        }
        Ok(n)
    }
}

/// Why a read from the port failed, worded for people.
pub(crate) fn port_failure(error: &io::Error) -> String {
    match error.kind() {
        // What a poll that reports a hang-up becomes (serialport on Unix).
        io::ErrorKind::BrokenPipe => "the device hung up (unplugged, or the port closed)".to_string(),
        _ => error.to_string(),
    }
}

/// A read that found no bytes: the line is quiet, or a signal (Ctrl-C) interrupted the wait.
pub(crate) fn is_quiet(error: &io::Error) -> bool {
    matches!(error.kind(), io::ErrorKind::TimedOut | io::ErrorKind::WouldBlock | io::ErrorKind::Interrupted)
}

struct MonitorJob<'a, R: Read, W: Write> {
    session: Session<'a, R>,
    out: W,
    format: Format,
}

impl<R: Read, W: Write> Job for MonitorJob<'_, R, W> {
    type Output = Result<(), CliError>;

    fn run<D: CliDialect>(mut self, dialect: D) -> Result<(), CliError> {
        let mut sink = EventSink::new(self.out, self.format, D::NAME, true);
        let decoded = self.session.decode(dialect, &mut sink);
        // Whatever happened to the output, keep every byte received.
        let flushed = self.session.record.as_mut().map_or(Ok(()), Recorder::flush);
        let outcome = decoded?;
        sink.stats(&outcome.stats)?;
        match outcome.failure {
            Some(Failure::Port(reason)) => {
                Err(CliError::msg(format!("port {} lost: {reason}", self.session.port_name)))
            }
            Some(Failure::Record(e)) => Err(e),
            None => flushed,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::VecDeque;

    /// A scripted port: each read returns the next chunk or error; then it times out (or,
    /// with `stop_when_done`, raises the stop flag as Ctrl-C would).
    struct Script<'a> {
        steps: VecDeque<io::Result<Vec<u8>>>,
        stop: &'a AtomicBool,
        pause: Duration,
    }

    impl Read for Script<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            match self.steps.pop_front() {
                Some(Ok(bytes)) => {
                    buf[..bytes.len()].copy_from_slice(&bytes);
                    Ok(bytes.len())
                }
                Some(Err(e)) => {
                    if e.kind() == io::ErrorKind::TimedOut {
                        std::thread::sleep(self.pause);
                    }
                    Err(e)
                }
                None => {
                    self.stop.store(true, Ordering::SeqCst);
                    Err(io::ErrorKind::TimedOut.into())
                }
            }
        }
    }

    fn timeout() -> io::Result<Vec<u8>> {
        Err(io::ErrorKind::TimedOut.into())
    }

    fn run_script(dialect: &str, steps: Vec<io::Result<Vec<u8>>>) -> (Result<(), CliError>, String) {
        let stop = AtomicBool::new(false);
        let mut out = Vec::new();
        let job = MonitorJob {
            session: Session {
                source: Script { steps: steps.into(), stop: &stop, pause: Duration::from_millis(5) },
                port_name: "test-port",
                record: None,
                stop: &stop,
                deadline: None,
                idle_after: Duration::from_millis(20),
            },
            out: &mut out,
            format: Format::Jsonl,
        };
        let result = Selected::parse(dialect).unwrap().dispatch(job);
        (result, String::from_utf8(out).unwrap())
    }

    fn lines(text: &str) -> Vec<serde_json::Value> {
        text.lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    /// A plot help table (library docs, `plot::help`) up to its last row, without the
    /// separator that would end it.
    const HELP_HEAD: &[u8] = b"GMU Commands\r\n\
        ---------+----------+-------+---------------------------\r\n\
        CMD      | ARGS     | CAT   | DESCRIPTION\r\n\
        ---------+----------+-------+---------------------------\r\n\
        start    | -        | state | Start the motor\r\n\
        setpid   | kp ki kd | param | Set PID parameters\r\n";

    #[test]
    fn a_quiet_line_ends_an_open_plot_help_table_once() {
        let (result, out) =
            run_script("plot", vec![Ok(HELP_HEAD.to_vec()), timeout(), timeout(), timeout(), timeout(), timeout()]);
        result.unwrap();
        let events = lines(&out);
        let commands: Vec<_> = events.iter().filter(|e| e["type"] == "COMMANDS").collect();
        assert_eq!(commands.len(), 1, "{out}");
        assert_eq!(commands[0]["offset"], HELP_HEAD.len());
        assert_eq!(commands[0]["len"], 0);
        let names: Vec<_> = commands[0]["fields"]["commands"].as_array().unwrap().iter().map(|c| &c["cmd"]).collect();
        assert_eq!(names, ["start", "setpid"]);
        let stats = &events.last().unwrap()["stats"];
        let text_lines = events.iter().filter(|e| e["type"] == "TEXT").count() as u64;
        assert_eq!(stats["frames"], text_lines + 1);
    }

    #[test]
    fn a_port_error_finishes_the_decoder_prints_stats_and_fails() {
        // A truncated pmu30 frame: decided (as truncated) by finishing the decoder.
        let (result, out) =
            run_script("pmu30", vec![Ok(vec![0xAA, 0x05]), Err(io::Error::other("device unplugged")), timeout()]);
        let message = result.unwrap_err().to_string();
        assert_eq!(message, "port test-port lost: device unplugged");
        let events = lines(&out);
        assert_eq!(events.len(), 2, "{out}");
        assert_eq!(events[0]["error"], "truncated");
        assert_eq!(events[0]["len"], 2);
        assert_eq!(events[1]["stats"]["errors"]["truncated"], 1);
    }

    #[test]
    fn interrupted_reads_and_timeouts_are_not_errors() {
        let (result, out) = run_script(
            "pmu30",
            vec![timeout(), Err(io::ErrorKind::Interrupted.into()), Err(io::ErrorKind::WouldBlock.into())],
        );
        result.unwrap();
        assert_eq!(lines(&out).len(), 1, "only the stats: {out}");
    }

    #[test]
    fn end_of_file_is_a_lost_port() {
        let (result, _) = run_script("pmu30", vec![Ok(Vec::new())]);
        assert_eq!(result.unwrap_err().to_string(), "port test-port lost: the port was closed");
    }

    #[test]
    fn auto_and_bad_durations_are_refused() {
        assert!(parse_dialect("auto").unwrap_err().to_string().contains("not available live"));
        assert!(parse_dialect("pmu31").unwrap_err().to_string().contains("unknown dialect"));
        assert!(parse_duration(-1.0).is_err());
        assert!(parse_duration(f64::NAN).is_err());
        assert_eq!(parse_duration(1.5).unwrap(), Duration::from_millis(1500));
        assert_eq!(parse_duration(f64::INFINITY).unwrap(), Duration::MAX);
    }
}
