//! The real `chart` in a real terminal: tmux runs it in a detached session of a fixed size;
//! the test types keys (`send-keys`) and reads the screen (`capture-pane`). Each test has
//! its own tmux server (its own socket), killed at the end.

use std::process::Command;
use std::time::{Duration, Instant};

const BIN: &str = env!("CARGO_BIN_EXE_serial-dialects");
/// How long the screen may take to show what is expected (a loaded CI machine).
const DEADLINE: Duration = Duration::from_secs(20);

/// A tmux server with one session running `command` in `sh`.
struct Tmux {
    socket: String,
}

impl Tmux {
    fn start(name: &str, command: &str) -> Tmux {
        let tmux = Tmux { socket: format!("serial-dialects-{name}-{}", std::process::id()) };
        let status = Command::new("tmux")
            .args(["-L", &tmux.socket, "-f", "/dev/null", "new-session", "-d", "-x", "120", "-y", "40"])
            .args(["sh", "-c", command])
            .env("TERM", "xterm-256color")
            .status()
            .expect("tmux is installed on every machine of this project");
        assert!(status.success());
        tmux
    }

    fn run(&self, args: &[&str]) -> String {
        let out = Command::new("tmux").args(["-L", &self.socket]).args(args).output().unwrap();
        assert!(out.status.success(), "tmux {args:?}: {}", String::from_utf8_lossy(&out.stderr));
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    fn screen(&self) -> String {
        self.run(&["capture-pane", "-p"])
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys"];
        args.extend_from_slice(keys);
        self.run(&args);
    }

    /// Waits until the screen shows every one of `texts`; returns the screen.
    fn wait_for(&self, texts: &[&str]) -> String {
        let start = Instant::now();
        loop {
            let screen = self.screen();
            if texts.iter().all(|t| screen.contains(t)) {
                return screen;
            }
            assert!(start.elapsed() < DEADLINE, "waited for {texts:?}; the screen is:\n{screen}");
            std::thread::sleep(Duration::from_millis(50));
        }
    }

    fn alternate_screen_on(&self) -> bool {
        self.run(&["display-message", "-p", "#{alternate_on}"]).trim() == "1"
    }
}

impl Drop for Tmux {
    fn drop(&mut self) {
        let _ = Command::new("tmux").args(["-L", &self.socket, "kill-server"]).status();
    }
}

fn sample(name: &str) -> String {
    format!("{}/../samples/{name}", env!("CARGO_MANIFEST_DIR"))
}

/// The shell line: a line printed before the chart, the chart, its exit status, then the
/// shell stays so that the screen can be read.
fn script(args: &str) -> String {
    format!("echo BEFORE-THE-CHART; {BIN} chart {args}; echo EXIT-STATUS=$?; sleep 60")
}

#[test]
fn labels_pause_and_quit_restore_the_terminal() {
    let tmux = Tmux::start("quit", &script(&format!("--dialect powerscope {}", sample("powerscope.bin"))));
    let screen = tmux.wait_for(&["[1] sensor 1 voltage", "current (mA)", "power (mW)", "END OF INPUT", "frames 154"]);
    assert!(!screen.contains("BEFORE-THE-CHART"), "the chart is on the alternate screen:\n{screen}");
    assert!(tmux.alternate_screen_on());
    tmux.keys(&["Space"]);
    tmux.wait_for(&["PAUSED"]);
    tmux.keys(&["2"]);
    tmux.wait_for(&["(hidden: [2])"]);
    tmux.keys(&["q"]);
    let screen = tmux.wait_for(&["EXIT-STATUS=0"]);
    assert!(screen.contains("BEFORE-THE-CHART"), "the normal screen is back:\n{screen}");
    assert!(!screen.contains("sensor 1 voltage"), "{screen}");
    assert!(!tmux.alternate_screen_on());
}

#[test]
fn ctrl_c_and_a_failing_source_restore_the_terminal() {
    let tmux = Tmux::start("ctrl-c", &script(&format!("--dialect vectordebug {}", sample("vectordebug.bin"))));
    tmux.wait_for(&["[6] payload[5]", "seq"]);
    tmux.keys(&["C-c"]);
    let screen = tmux.wait_for(&["EXIT-STATUS=0"]);
    assert!(screen.contains("BEFORE-THE-CHART") && !screen.contains("payload[5]"), "{screen}");
    assert!(!tmux.alternate_screen_on());
    drop(tmux);

    // A port that cannot be opened: an error line, status 2, and the terminal untouched.
    let tmux = Tmux::start("no-port", &script("--dialect pmu30 --port /dev/serial-dialects-no-such-port"));
    let screen = tmux.wait_for(&["EXIT-STATUS=2"]);
    assert!(screen.contains("cannot open port /dev/serial-dialects-no-such-port"), "{screen}");
    assert!(!tmux.alternate_screen_on());
}

#[test]
fn sigterm_restores_the_terminal() {
    let tmux = Tmux::start("sigterm", &script(&format!("--dialect pmu30 {}", sample("pmu30.bin"))));
    tmux.wait_for(&["current (mA)", "temperature (", "END OF INPUT"]);
    // The chart is the shell's child: find it by its parent (the pane's shell).
    let shell = tmux.run(&["display-message", "-p", "#{pane_pid}"]);
    let children = std::fs::read_to_string(format!("/proc/{0}/task/{0}/children", shell.trim())).unwrap();
    let chart = children.split_whitespace().next().expect("the chart runs");
    assert!(Command::new("kill").args(["-TERM", chart]).status().unwrap().success());
    let screen = tmux.wait_for(&["EXIT-STATUS=0"]);
    assert!(screen.contains("BEFORE-THE-CHART") && !screen.contains("current (mA)"), "{screen}");
    assert!(!tmux.alternate_screen_on());
}
