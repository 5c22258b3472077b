//! Measures `serial-dialects chart` under a live load (docs/performance.md, "Live chart").
//!
//! A device model (the library's) streams into one end of a pseudo-terminal in real time:
//! vectordebug at 20 000 records/s (~280 kB/s), or plot filling a 921600-baud line
//! (8 channels at 4600 DATA frames/s, 92 kB/s). The chart runs on the other end inside a
//! detached tmux session (a real terminal); its CPU time is read from /proc/<pid>/stat
//! and its status line (frames/s, bytes/s, screens drawn per second) from the screen.
//!
//! ```text
//! cargo build --release -p serial-dialects-cli
//! cargo run --release -p serial-dialects-cli --example chart_load -- vectordebug 10
//! cargo run --release -p serial-dialects-cli --example chart_load -- plot 10
//! ```

use std::io::Write;
use std::os::fd::AsRawFd;
use std::process::Command;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use nix::fcntl::{FcntlArg, FdFlag, fcntl};
use serial_dialects::device::Device;
use serial_dialects::{plot, vectordebug};
use serialport::{SerialPort, TTYPort};

/// Clock ticks per second of /proc/<pid>/stat (USER_HZ: 100 on Linux).
const TICKS_PER_S: f64 = 100.0;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let dialect = args.get(1).map_or("vectordebug", String::as_str).to_string();
    let seconds: f64 = args.get(2).and_then(|s| s.parse().ok()).unwrap_or(10.0);
    let bin = std::env::var("SERIAL_DIALECTS_BIN")
        .unwrap_or_else(|_| format!("{}/../target/release/serial-dialects", env!("CARGO_MANIFEST_DIR")));

    let (mut device, terminal) = TTYPort::pair().expect("a pseudo-terminal pair");
    for fd in [device.as_raw_fd(), terminal.as_raw_fd()] {
        fcntl(fd, FcntlArg::F_SETFD(FdFlag::FD_CLOEXEC)).expect("close-on-exec");
    }
    let path = terminal.name().expect("a path");
    let stop = Arc::new(AtomicBool::new(false));
    let writer = {
        let stop = Arc::clone(&stop);
        let dialect = dialect.clone();
        std::thread::spawn(move || match dialect.as_str() {
            "plot" => {
                let settings = plot::device::Settings { channels: 8, rate_hz: 4600, ..Default::default() };
                stream(plot::device::Model::new(settings), &mut device, &stop)
            }
            _ => stream(vectordebug::device::Model::new(Default::default()), &mut device, &stop),
        })
    };

    let socket = format!("chart-load-{}", std::process::id());
    let tmux = |args: &[&str]| {
        let out = Command::new("tmux").args(["-L", &socket]).args(args).output().expect("tmux");
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    let chart = format!("{bin} chart --dialect {dialect} --port {path} --baud 921600");
    tmux(&["-f", "/dev/null", "new-session", "-d", "-x", "160", "-y", "48", &chart]);
    std::thread::sleep(Duration::from_secs(2));
    let pid = tmux(&["display-message", "-p", "#{pane_pid}"]).trim().to_string();
    let comm = std::fs::read_to_string(format!("/proc/{pid}/comm")).unwrap_or_default();
    assert_eq!(comm.trim(), "serial-dialects", "the pane runs the chart itself");
    let (cpu0, wall0) = (cpu_ticks(&pid), Instant::now());
    std::thread::sleep(Duration::from_secs_f64(seconds));
    let (cpu1, wall1) = (cpu_ticks(&pid), Instant::now());
    let screen = tmux(&["capture-pane", "-p"]);
    tmux(&["send-keys", "q"]);
    std::thread::sleep(Duration::from_millis(300));
    tmux(&["kill-server"]);
    stop.store(true, Ordering::SeqCst);
    let written = writer.join().expect("the writer");

    let wall = wall1.duration_since(wall0).as_secs_f64();
    let cpu = (cpu1 - cpu0) as f64 / TICKS_PER_S;
    let status = screen.lines().rev().find(|l| l.contains("frames/s")).unwrap_or("(no status line)");
    println!("{dialect}: written {:.1} kB/s by the model", written as f64 / 1000.0 / (wall + 2.0));
    println!("{dialect}: chart CPU {cpu:.2} s in {wall:.1} s wall = {:.0}% of one core", cpu / wall * 100.0);
    println!("{dialect}: status line: {}", status.trim());
}

/// Runs `model` in real time, writing what it transmits, until `stop`. Returns the bytes
/// written.
fn stream<M: Device>(mut model: M, port: &mut TTYPort, stop: &AtomicBool) -> u64 {
    let mut buf = vec![0u8; M::MAX_TRANSMIT];
    let start = Instant::now();
    let mut written = 0u64;
    while !stop.load(Ordering::SeqCst) {
        let now_ms = start.elapsed().as_millis() as u64;
        while let Some(t) = model.transmit(now_ms, &mut buf) {
            if port.write_all(&buf[..t.len]).is_err() {
                return written;
            }
            written += t.len as u64;
        }
        std::thread::sleep(Duration::from_millis(1));
    }
    written
}

/// utime + stime of process `pid`, in clock ticks.
fn cpu_ticks(pid: &str) -> u64 {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).unwrap_or_default();
    // Fields after the command name (which is in parentheses and may hold spaces).
    let rest = stat.rsplit_once(')').map_or("", |(_, r)| r);
    let fields: Vec<&str> = rest.split_whitespace().collect();
    // utime and stime are fields 14 and 15 of the line: 12 and 13 after the name.
    let field = |i: usize| fields.get(i).and_then(|f| f.parse::<u64>().ok()).unwrap_or(0);
    field(11) + field(12)
}
