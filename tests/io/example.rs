//! `examples/tokio_monitor.rs` on a real pseudo-terminal pair made in-process
//! (`serialport::TTYPort::pair`): a capture written into the controlling end at about
//! 115200 baud comes out as exactly the slice decoder's events, one line each; unplugging
//! (closing the controlling end) ends the example with its statistics.

use std::fmt::Debug;
use std::io::{BufRead, BufReader, Read, Write};
use std::os::fd::AsRawFd;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, FdFlag, fcntl};
use serial_dialects::{Dialect, DialectConfig, DialectError, Item, Message, SliceDecoder, plot, powerscope};
use serialport::{SerialPort, TTYPort};

const PATIENCE: Duration = Duration::from_secs(20);

/// The example's binary, built by `cargo test` beside this test's.
fn example() -> PathBuf {
    let exe = std::env::current_exe().expect("the test's path");
    let dir = exe.parent().and_then(Path::parent).expect("target/<profile>");
    dir.join("examples").join("tokio_monitor")
}

/// The lines the example prints for `input`, from the slice decoder.
fn expected<D: Dialect>(name: &str, input: &[u8]) -> Vec<String>
where
    for<'a> D::Message<'a>: Debug,
{
    let config = D::Config::from_name(name).expect("a dialect name");
    SliceDecoder::new(D::new(config), input)
        .map(|e| match &e.item {
            Item::Frame(m) => format!("{} {} {} {m:?}", e.offset, e.len, m.name()),
            Item::Error(err) => format!("{} {} error {}: {err}", e.offset, e.len, err.kind().as_str()),
        })
        .collect()
}

fn run_on_pty(name: &str, capture: &str, expected: Vec<String>) {
    let input = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join(capture)).expect("capture");
    let (mut device, terminal) = TTYPort::pair().expect("a pseudo-terminal pair");
    // Neither end may leak into the example, or it would never see the device unplugged.
    for fd in [device.as_raw_fd(), terminal.as_raw_fd()] {
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).expect("close-on-exec");
    }
    let path = terminal.name().expect("the terminal end has a path");
    let mut child = Command::new(example())
        .args([name, &path, "115200"])
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the example runs (built by cargo test with --features tokio)");
    let (tx, lines) = mpsc::channel();
    let stdout = child.stdout.take().expect("stdout");
    thread::spawn(move || {
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    wait_until_open(child.id(), &path);
    for piece in input.chunks(64) {
        device.write_all(piece).expect("write");
        thread::sleep(Duration::from_millis(2));
    }
    device.flush().expect("flush");
    let mut got = Vec::new();
    let deadline = Instant::now() + PATIENCE;
    while got.len() < expected.len() {
        let left = deadline.saturating_duration_since(Instant::now());
        match lines.recv_timeout(left) {
            Ok(line) => got.push(line),
            Err(_) => break,
        }
    }
    assert_eq!(got, expected, "{name}: the example's lines");
    drop(device);
    drop(terminal);
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait") {
            break status;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!("{name}: the example did not end when the device was unplugged");
        }
        thread::sleep(Duration::from_millis(20));
    };
    let mut stderr = String::new();
    child.stderr.take().expect("stderr").read_to_string(&mut stderr).expect("stderr");
    assert!(status.success(), "{name}: {status}: {stderr}");
    let frames = expected.iter().filter(|l| !l.contains(" error ")).count();
    assert!(stderr.contains(&format!("{frames} frames, ")), "{name}: {stderr}");
}

/// Polls until the process holds `path` open (Linux /proc), then lets it set the port up.
fn wait_until_open(pid: u32, path: &str) {
    let fds = PathBuf::from(format!("/proc/{pid}/fd"));
    let deadline = Instant::now() + PATIENCE;
    loop {
        let open = std::fs::read_dir(&fds).is_ok_and(|entries| {
            entries.filter_map(Result::ok).any(|e| std::fs::read_link(e.path()).is_ok_and(|t| t == Path::new(path)))
        });
        if open {
            thread::sleep(Duration::from_millis(150));
            return;
        }
        assert!(Instant::now() < deadline, "the example did not open {path}");
        thread::sleep(Duration::from_millis(10));
    }
}

#[test]
fn tokio_monitor_prints_a_powerscope_stream_from_a_pseudo_terminal() {
    let input = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/powerscope.bin")).unwrap();
    let lines = expected::<powerscope::PowerScope>("powerscope", &input);
    assert!(lines.len() > 10);
    run_on_pty("powerscope", "samples/powerscope.bin", lines);
}

#[test]
fn tokio_monitor_prints_a_plot_stream_from_a_pseudo_terminal() {
    let input = std::fs::read(Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/plot.bin")).unwrap();
    let lines = expected::<plot::Plot>("plot", &input);
    assert!(lines.len() > 10);
    run_on_pty("plot", "samples/plot.bin", lines);
}
