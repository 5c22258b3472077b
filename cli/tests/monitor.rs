//! `monitor` and `ports` on real serial lines: pseudo-terminal pairs made in-process
//! (`serialport::TTYPort::pair`, no external program). The monitor opens the terminal end by
//! its path, the test writes a real capture into the controlling end at about 115200 baud,
//! and the live events must be exactly those that `decode` gives for the capture, the
//! recording exactly the capture. Closing the controlling end is unplugging the device.

#![cfg(unix)]

use std::fs;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdout, Command, ExitStatus, Output, Stdio};

use nix::fcntl::{FcntlArg, FdFlag, fcntl};
use serialport::{SerialPort, TTYPort};
use std::os::fd::AsRawFd;
use std::sync::mpsc::{self, Receiver};
use std::thread;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_serial-dialects");
/// Longest wait for anything the tests poll for.
const PATIENCE: Duration = Duration::from_secs(10);

fn capture(relative: &str) -> (PathBuf, Vec<u8>) {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/captures").join(relative);
    let bytes = fs::read(&path).unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
    (path, bytes)
}

/// A scratch directory of one test, removed at the end.
struct Scratch(PathBuf);

impl Scratch {
    fn new(name: &str) -> Scratch {
        let dir = std::env::temp_dir().join(format!("serial-dialects-monitor-{name}-{}", std::process::id()));
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap();
        Scratch(dir)
    }

    fn path(&self, file: &str) -> PathBuf {
        self.0.join(file)
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = fs::remove_dir_all(&self.0);
    }
}

/// A pseudo-terminal pair: the monitor opens the terminal end by its path (`a`); bytes
/// written to the controlling end (`device`) arrive there, as from a device on a cable.
struct Pair {
    device: Option<TTYPort>,
    /// The terminal end, held open so that nothing the device writes before the monitor
    /// opens the path is lost to a hang-up.
    _terminal: TTYPort,
    a: String,
}

impl Pair {
    fn new() -> Pair {
        let (device, terminal) = TTYPort::pair().expect("a pseudo-terminal pair");
        // Neither end may leak into the monitor: a child holding the device end open would
        // never see the device unplugged.
        for fd in [device.as_raw_fd(), terminal.as_raw_fd()] {
            fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).expect("close-on-exec");
        }
        let a = terminal.name().expect("the terminal end has a path");
        Pair { device: Some(device), _terminal: terminal, a }
    }

    /// The device end, to write into. Dropping it unplugs the device: the monitor's port
    /// hangs up.
    fn open_b(&mut self) -> TTYPort {
        self.device.take().expect("the device end is taken once")
    }
}

/// A running `monitor`, its stdout lines arriving on a channel.
struct Monitor {
    child: Child,
    lines: Receiver<String>,
    port: String,
}

impl Monitor {
    fn start(pair: &Pair, args: &[&str]) -> Monitor {
        let mut child = Command::new(BIN)
            .args(["monitor", "--port", &pair.a])
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let lines = read_lines(child.stdout.take().unwrap());
        let monitor = Monitor { child, lines, port: pair.a.clone() };
        monitor.wait_until_port_open();
        monitor
    }

    /// Polls until the process holds the port open (Linux /proc).
    fn wait_until_port_open(&self) {
        let fds = PathBuf::from(format!("/proc/{}/fd", self.child.id()));
        let deadline = Instant::now() + PATIENCE;
        loop {
            let open = fs::read_dir(&fds)
                .map(|entries| {
                    entries
                        .filter_map(Result::ok)
                        .any(|e| fs::read_link(e.path()).is_ok_and(|target| target == Path::new(&self.port)))
                })
                .unwrap_or(false);
            if open {
                // The port is set up (termios, DTR) right after open(2).
                thread::sleep(Duration::from_millis(100));
                return;
            }
            assert!(Instant::now() < deadline, "monitor did not open {}", self.port);
            thread::sleep(Duration::from_millis(10));
        }
    }

    fn interrupt(&self) {
        let status = Command::new("kill").args(["-INT", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success(), "kill -INT failed");
    }

    /// Waits for the process to end; returns its status, stdout lines and stderr lines
    /// (without the warning about modem lines, which pseudo-terminals do not have).
    fn finish(mut self) -> (ExitStatus, Vec<String>, Vec<String>) {
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            if Instant::now() >= deadline {
                let _ = self.child.kill();
                panic!("monitor did not end");
            }
            thread::sleep(Duration::from_millis(20));
        };
        let mut stderr = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let stderr = stderr
            .lines()
            .filter(|l| !l.starts_with("serial-dialects: warning: cannot assert DTR"))
            .map(str::to_owned)
            .collect();
        let stdout = self.lines.iter().collect();
        (status, stdout, stderr)
    }
}

/// A test that fails half-way leaves no monitor behind.
impl Drop for Monitor {
    fn drop(&mut self) {
        if matches!(self.child.try_wait(), Ok(None)) {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
    }
}

fn read_lines(stdout: ChildStdout) -> Receiver<String> {
    let (tx, rx) = mpsc::channel();
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            if tx.send(line).is_err() {
                break;
            }
        }
    });
    rx
}

/// Writes `bytes` in 64-byte pieces, 5 ms apart (about 115200 baud).
fn write_paced(port: &mut impl Write, bytes: &[u8]) {
    for piece in bytes.chunks(64) {
        port.write_all(piece).unwrap();
        thread::sleep(Duration::from_millis(5));
    }
    port.flush().unwrap();
}

/// Polls until `file` holds `len` bytes: the monitor has read (and recorded) everything.
fn wait_for_recording(file: &Path, len: usize) {
    let deadline = Instant::now() + PATIENCE;
    loop {
        let size = fs::metadata(file).map(|m| m.len()).unwrap_or(0);
        if size == len as u64 {
            return;
        }
        assert!(size < len as u64, "recording grew past the {len} bytes written");
        assert!(Instant::now() < deadline, "recording stuck at {size} of {len} bytes");
        thread::sleep(Duration::from_millis(20));
    }
}

fn decode(args: &[&str], input: &Path) -> Output {
    let output = Command::new(BIN).arg("decode").args(args).arg(input).output().unwrap();
    assert!(output.status.success(), "decode failed: {}", String::from_utf8_lossy(&output.stderr));
    output
}

fn decode_lines(args: &[&str], input: &Path) -> Vec<String> {
    String::from_utf8(decode(args, input).stdout).unwrap().lines().map(str::to_owned).collect()
}

/// One capture through a live session stopped by Ctrl-C, in `format`: stdout must be
/// decode's output with `--stats`, and the recording the capture.
fn live_equals_decode(name: &str, dialect: &str, relative: &str, format: &str) -> Vec<String> {
    let scratch = Scratch::new(name);
    let (path, bytes) = capture(relative);
    let record = scratch.path("session.bin");
    let mut pair = Pair::new();
    let monitor =
        Monitor::start(&pair, &["--dialect", dialect, "--format", format, "--record", record.to_str().unwrap()]);
    let mut b = pair.open_b();
    write_paced(&mut b, &bytes);
    wait_for_recording(&record, bytes.len());
    monitor.interrupt();
    let (status, stdout, stderr) = monitor.finish();
    assert_eq!(status.code(), Some(0), "stderr: {stderr:?}");
    assert_eq!(fs::read(&record).unwrap(), bytes, "the recording is the capture");
    let expected = decode_lines(&["--dialect", dialect, "--format", format, "--stats"], &path);
    assert!(expected.len() > 10, "a capture with events");
    assert_eq!(stdout, expected);
    assert!(stderr.is_empty(), "{stderr:?}");
    // The recording decodes to the same events (minus stats, compared above).
    assert_eq!(decode_lines(&["--dialect", dialect, "--format", format, "--stats"], &record), expected);
    stdout
}

#[test]
fn powerscope_stream_live_equals_decode_and_ctrl_c_prints_stats() {
    let stdout = live_equals_decode("powerscope", "powerscope", "powerscope/head_stream_clean.bin", "jsonl");
    let stats: serde_json::Value = serde_json::from_str(stdout.last().unwrap()).unwrap();
    let events = stdout.len() as u64 - 1;
    assert_eq!(stats["stats"]["frames"], events, "a clean stream: every event a frame");
    assert_eq!(stats["stats"]["bytes_in_frames"], 3850);
    assert_eq!(stats["stats"]["bytes_skipped"], 0);
}

#[test]
fn vectordebug_stream_live_equals_decode() {
    live_equals_decode("vectordebug", "vectordebug", "vectordebug/01_clean_20khz.bin", "jsonl");
}

#[test]
fn pmu30_text_live_equals_decode_with_the_stats_line() {
    let stdout = live_equals_decode("pmu30-text", "pmu30", "pmu30/telemetry_stream.bin", "text");
    assert_eq!(stdout.last().unwrap(), "stats: frames=62 errors=0 [] bytes_skipped=0 lost_frames=0");
}

#[test]
fn duration_stops_the_session() {
    let scratch = Scratch::new("duration");
    let (path, bytes) = capture("pmu30/telemetry_stream.bin");
    let record = scratch.path("session.bin");
    let mut pair = Pair::new();
    let started = Instant::now();
    let monitor =
        Monitor::start(&pair, &["--dialect", "pmu30", "--duration", "4", "--record", record.to_str().unwrap()]);
    let mut b = pair.open_b();
    write_paced(&mut b, &bytes); // about 0.6 s
    let (status, stdout, stderr) = monitor.finish();
    assert!(started.elapsed() >= Duration::from_secs(4), "ended after {:?}", started.elapsed());
    assert_eq!(status.code(), Some(0), "stderr: {stderr:?}");
    assert!(stderr.is_empty(), "{stderr:?}");
    assert_eq!(fs::read(&record).unwrap(), bytes);
    assert_eq!(stdout, decode_lines(&["--dialect", "pmu30", "--stats"], &path));
    assert_eq!(
        stdout.last().unwrap(),
        r#"{"stats":{"frames":62,"errors":{},"bytes_skipped":0,"bytes_in_frames":7514,"lost_frames":0}}"#
    );
}

#[test]
fn csv_rows_on_stdout_and_the_stats_line_on_stderr() {
    let (path, bytes) = capture("powerscope/head_stream_clean.bin");
    let mut pair = Pair::new();
    let monitor = Monitor::start(&pair, &["--dialect", "powerscope", "--format", "csv"]);
    let mut b = pair.open_b();
    write_paced(&mut b, &bytes);
    // No recording to poll: wait for the last row instead.
    let expected_output = decode(&["--dialect", "powerscope", "--format", "csv", "--stats"], &path);
    let expected: Vec<String> = String::from_utf8(expected_output.stdout).unwrap().lines().map(str::to_owned).collect();
    let mut stdout = Vec::new();
    while stdout.len() < expected.len() {
        match monitor.lines.recv_timeout(PATIENCE) {
            Ok(line) => stdout.push(line),
            Err(e) => panic!("{e:?} after {} of {} rows", stdout.len(), expected.len()),
        }
    }
    monitor.interrupt();
    let (status, rest, stderr) = monitor.finish();
    assert_eq!(status.code(), Some(0));
    assert!(rest.is_empty(), "{rest:?}");
    assert_eq!(stdout, expected);
    let expected_stderr = String::from_utf8(expected_output.stderr).unwrap();
    assert_eq!(stderr, expected_stderr.lines().collect::<Vec<_>>());
    assert_eq!(stderr.len(), 1);
    assert!(stderr[0].starts_with("stats: frames="), "{stderr:?}");
}

#[test]
fn a_quiet_line_ends_the_plot_help_table_live() {
    // A help table whose end (a separator line) never comes: after 2 s of silence the
    // monitor prints its COMMANDS event, at once, while the session goes on.
    let table: &[u8] = b"GMU Commands\r\n\
        ---------+----------+-------+---------------------------\r\n\
        CMD      | ARGS     | CAT   | DESCRIPTION\r\n\
        ---------+----------+-------+---------------------------\r\n\
        start    | -        | state | Start the motor\r\n\
        setpid   | kp ki kd | param | Set PID parameters\r\n";
    let scratch = Scratch::new("plot-idle");
    let input = scratch.path("table.bin");
    fs::write(&input, table).unwrap();
    let mut pair = Pair::new();
    let monitor = Monitor::start(&pair, &["--dialect", "plot"]);
    let mut b = pair.open_b();
    let sent = Instant::now();
    write_paced(&mut b, table);
    let mut live = Vec::new();
    let commands = loop {
        let line = monitor.lines.recv_timeout(PATIENCE).expect("a COMMANDS event while the monitor runs");
        live.push(line.clone());
        if line.contains(r#""type":"COMMANDS""#) {
            break line;
        }
    };
    assert!(sent.elapsed() >= Duration::from_secs(2), "COMMANDS only after 2 s of silence");
    let value: serde_json::Value = serde_json::from_str(&commands).unwrap();
    assert_eq!(value["offset"], table.len());
    assert_eq!(value["len"], 0);
    let names: Vec<_> = value["fields"]["commands"].as_array().unwrap().iter().map(|c| c["cmd"].clone()).collect();
    assert_eq!(names, ["start", "setpid"]);
    monitor.interrupt();
    let (status, rest, stderr) = monitor.finish();
    assert_eq!(status.code(), Some(0), "{stderr:?}");
    live.extend(rest);
    // decode ends the table at the end of the input: the same events, COMMANDS included
    // (once: the live session does not repeat it when it finishes).
    assert_eq!(live, decode_lines(&["--dialect", "plot", "--stats"], &input));
}

#[test]
fn a_port_that_disappears_ends_the_session_with_stats_and_status_2() {
    let (_, bytes) = capture("pmu30/telemetry_stream.bin");
    let head = &bytes[..300]; // SUBSCRIBE_TELEMETRY, two TELEMETRY_DATA, a cut frame
    let mut pair = Pair::new();
    let monitor = Monitor::start(&pair, &["--dialect", "pmu30"]);
    let mut b = pair.open_b();
    write_paced(&mut b, head);
    for _ in 0..3 {
        monitor.lines.recv_timeout(PATIENCE).expect("the events of the frames sent");
    }
    // Unplug: the device end closes, and the monitor's port hangs up.
    drop(b);
    let (status, stdout, stderr) = monitor.finish();
    assert_eq!(status.code(), Some(2));
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].starts_with(&format!("serial-dialects: port {} lost: ", pair.a)), "{stderr:?}");
    // After the three frames: the cut one, decided when the decoder finished, then the
    // statistics.
    assert_eq!(stdout.len(), 2, "{stdout:?}");
    assert!(stdout[0].contains(r#""error":"truncated""#), "{stdout:?}");
    assert_eq!(
        stdout[1],
        r#"{"stats":{"frames":3,"errors":{"truncated":1},"bytes_skipped":42,"bytes_in_frames":258,"lost_frames":0}}"#
    );
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).stdin(Stdio::null()).output().unwrap()
}

fn one_error_line(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(2));
    assert!(output.stdout.is_empty(), "{:?}", String::from_utf8_lossy(&output.stdout));
    let stderr = String::from_utf8(output.stderr.clone()).unwrap();
    assert_eq!(stderr.lines().count(), 1, "{stderr:?}");
    assert!(stderr.starts_with("serial-dialects: "), "{stderr:?}");
    stderr
}

#[test]
fn a_port_that_cannot_be_opened_is_one_line_and_status_2() {
    let missing = "/dev/serial-dialects-no-such-port";
    let stderr = one_error_line(&run(&["monitor", "--port", missing, "--dialect", "pmu30"]));
    assert!(stderr.contains(missing) && stderr.contains("No such file"), "{stderr:?}");
    // Not a terminal at all.
    let stderr = one_error_line(&run(&["monitor", "--port", "/dev/null", "--dialect", "pmu30"]));
    assert!(stderr.contains("cannot open port /dev/null"), "{stderr:?}");
}

#[test]
fn auto_unknown_dialects_and_bad_durations_are_refused() {
    let stderr = one_error_line(&run(&["monitor", "--port", "/dev/null", "--dialect", "auto"]));
    assert!(stderr.contains("auto") && stderr.contains("not available live"), "{stderr:?}");
    let stderr = one_error_line(&run(&["monitor", "--port", "/dev/null", "--dialect", "plot:65"]));
    assert!(stderr.contains("unknown variant"), "{stderr:?}");
    let stderr = one_error_line(&run(&["monitor", "--port", "/dev/null", "--dialect", "plot", "--duration=-1"]));
    assert!(stderr.contains("--duration"), "{stderr:?}");
}

#[test]
fn a_recording_that_cannot_be_created_is_one_line_and_status_2() {
    let pair = Pair::new();
    let output = run(&["monitor", "--port", &pair.a, "--dialect", "pmu30", "--record", "/nonexistent-dir/x.bin"]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8(output.stderr).unwrap();
    let errors: Vec<_> = stderr.lines().filter(|l| !l.contains("warning: cannot assert DTR")).collect();
    assert_eq!(errors.len(), 1, "{stderr:?}");
    assert!(errors[0].contains("cannot create /nonexistent-dir/x.bin"), "{stderr:?}");
}

#[test]
fn a_recording_that_fails_mid_session_ends_it_with_stats_and_status_2() {
    // /dev/full opens, then every write to it fails (ENOSPC): at the first flush, when the
    // line goes quiet after the bytes (sent at once, so that none come after the failure).
    let (_, bytes) = capture("pmu30/telemetry_stream.bin");
    let head = &bytes[..300]; // SUBSCRIBE_TELEMETRY, two TELEMETRY_DATA, a cut frame
    let mut pair = Pair::new();
    let monitor = Monitor::start(&pair, &["--dialect", "pmu30", "--record", "/dev/full"]);
    let mut b = pair.open_b();
    b.write_all(head).unwrap();
    let (status, stdout, stderr) = monitor.finish();
    assert_eq!(status.code(), Some(2));
    assert_eq!(stderr.len(), 1, "{stderr:?}");
    assert!(stderr[0].starts_with("serial-dialects: cannot write /dev/full: "), "{stderr:?}");
    // Every byte received is decoded, the cut frame decided, then the statistics.
    assert_eq!(stdout.len(), 5, "{stdout:?}");
    assert!(stdout[3].contains(r#""error":"truncated""#), "{stdout:?}");
    assert_eq!(
        stdout[4],
        r#"{"stats":{"frames":3,"errors":{"truncated":1},"bytes_skipped":42,"bytes_in_frames":258,"lost_frames":0}}"#
    );
}

#[test]
fn ports_lists_or_says_there_are_none() {
    let output = run(&["ports"]);
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let lines: Vec<_> = stdout.lines().collect();
    assert!(!lines.is_empty());
    if lines != ["no serial ports found"] {
        for line in lines {
            let mut columns = line.split_whitespace();
            let (name, kind) = (columns.next().unwrap(), columns.next().unwrap_or(""));
            assert!(!name.is_empty());
            assert!(["USB", "PCI", "Bluetooth", "unknown"].contains(&kind), "{line:?}");
            if kind == "USB" {
                let vid_pid = columns.next().unwrap_or("");
                assert!(vid_pid.len() == 9 && vid_pid.as_bytes()[4] == b':', "{line:?}");
            }
        }
    }
}
