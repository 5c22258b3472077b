//! The device commands `serial-dialects powerscope|powerscope:r0|vectordebug|plot ACTION`
//! against the real `simulate` binary on a pseudo-terminal, in real time: every action, text
//! and `--json` output with their values, and the exit statuses 0, 1, 2 and 3.

#![cfg(unix)]

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Output, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::Duration;

use serde_json::Value;

const BIN: &str = env!("CARGO_BIN_EXE_serial-dialects");

/// A running simulator; killed when dropped.
struct Sim {
    child: Child,
    path: String,
}

impl Sim {
    fn start(args: &[&str]) -> Sim {
        let mut child = Command::new(BIN)
            .arg("simulate")
            .args(args)
            .arg("--pty")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let path = rx.recv_timeout(Duration::from_secs(15)).expect("the simulator prints its path").trim().to_string();
        Sim { child, path }
    }

    /// Runs `serial-dialects DIALECT ARGS --port PATH`.
    fn run(&self, dialect: &str, args: &[&str]) -> Output {
        Command::new(BIN).arg(dialect).args(args).args(["--port", &self.path]).output().unwrap()
    }
}

impl Drop for Sim {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn ok_text(output: &Output) -> String {
    assert_eq!(output.status.code(), Some(0), "{}", String::from_utf8_lossy(&output.stderr));
    String::from_utf8(output.stdout.clone()).unwrap()
}

fn ok_json(output: &Output) -> Vec<Value> {
    ok_text(output).lines().map(|line| serde_json::from_str(line).unwrap()).collect()
}

/// Runs `serial-dialects DIALECT ARGS --port PATH` with `input` on standard input.
fn run_with_input(sim: &Sim, dialect: &str, args: &[&str], input: &str) -> Output {
    use std::io::Write;
    let mut child = Command::new(BIN)
        .arg(dialect)
        .args(args)
        .args(["--port", &sim.path])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(input.as_bytes()).unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn powerscope_actions_text_and_json() {
    let sim = Sim::start(&["powerscope"]);
    assert!(ok_text(&sim.run("powerscope", &["ping"])).starts_with("PING answered in "));
    assert_eq!(ok_json(&sim.run("powerscope", &["ping", "--json"]))[0]["fields"]["cmd"], "PING");
    assert_eq!(ok_text(&sim.run("powerscope", &["uid"])), "board uid 48358ab4a291925afc00e4f0\n");
    let uid = ok_json(&sim.run("powerscope", &["uid", "--json"]));
    assert_eq!(
        uid[0],
        serde_json::json!({"type": "ACK", "fields": {"cmd": "GET_BOARD_UID", "uid_hex": "48358ab4a291925afc00e4f0"}})
    );
    assert!(ok_text(&sim.run("powerscope", &["uptime"])).starts_with("uptime "));
    assert!(ok_json(&sim.run("powerscope", &["uptime", "--json"]))[0]["fields"]["uptime_ms"].as_u64().unwrap() > 0);
    assert_eq!(ok_text(&sim.run("powerscope", &["sensors"])), "sensor 1: INA219 (type 1)\nsensor 2: INA219 (type 1)\n");
    let sensors = ok_json(&sim.run("powerscope", &["sensors", "--json"]));
    assert_eq!(
        sensors[0]["fields"]["sensors"],
        serde_json::json!([{"runtime_id": 1, "type_id": 1}, {"runtime_id": 2, "type_id": 1}])
    );
    assert!(ok_text(&sim.run("powerscope", &["read", "1"])).starts_with("sensor 1: 4.9"));
    let read = &ok_json(&sim.run("powerscope", &["read", "2", "--json"]))[0];
    assert_eq!((read["fields"]["cmd"].as_str(), read["fields"]["runtime_id"].as_u64()), (Some("READ_SENSOR"), Some(2)));
    let mv = read["fields"]["bus_mv"].as_f64().unwrap();
    assert_eq!(read["bus_v"].as_f64().unwrap(), mv / 1000.0);
    assert_eq!(ok_text(&sim.run("powerscope", &["period", "1"])), "sensor 1: period 1000 ms\n");
    assert_eq!(ok_text(&sim.run("powerscope", &["period", "1", "20"])), "sensor 1: period set to 20 ms\n");
    assert_eq!(ok_json(&sim.run("powerscope", &["period", "1", "--json"]))[0]["fields"]["period_ms"], 20);
    let text = ok_text(&sim.run("powerscope", &["stream", "1", "--count", "3"]));
    assert_eq!(text.lines().count(), 3);
    assert!(text.starts_with("seq=0 ts="), "{text}");
    let samples = ok_json(&sim.run("powerscope", &["stream", "1", "--count", "4", "--json"]));
    let seqs: Vec<u64> = samples.iter().map(|s| s["fields"]["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs, [0, 1, 2, 3]);
    let stamps: Vec<u64> = samples.iter().map(|s| s["fields"]["ts_ms"].as_u64().unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[1] - w[0] == 23), "{stamps:?}");
    assert_eq!(samples[0]["type"], "STREAM");
    // The stream was stopped: the sensor can be read again.
    ok_text(&sim.run("powerscope", &["read", "1"]));
}

#[test]
fn powerscope_r0_stream() {
    let sim = Sim::start(&["powerscope:r0"]);
    let frames = ok_json(&sim.run("powerscope:r0", &["stream", "--count", "3", "--json"]));
    assert_eq!(frames.len(), 3);
    let seqs: Vec<u64> = frames.iter().map(|f| f["fields"]["seq"].as_u64().unwrap()).collect();
    assert_eq!(seqs[1] - seqs[0], 1);
    assert_eq!(frames[0]["fields"]["payload_len"], 128);
    let text = ok_text(&sim.run("powerscope:r0", &["stream", "--count", "2"]));
    assert!(text.lines().all(|l| l.starts_with("seq=") && l.contains("len=128")), "{text}");
}

#[test]
fn vectordebug_records_and_terminal() {
    let sim = Sim::start(&["vectordebug"]);
    let packets = ok_json(&sim.run("vectordebug", &["records", "--count", "3", "--json"]));
    assert_eq!(packets.len(), 3);
    for p in &packets {
        assert_eq!(p["type"], "DBG_FRAME1");
        assert_eq!(p["fields"]["frames"].as_array().unwrap().len(), 100);
        assert_eq!(p["fields"]["frames"][0]["payload"].as_array().unwrap().len(), 6);
    }
    let text = ok_text(&sim.run("vectordebug", &["records", "--count", "2"]));
    assert!(text.lines().all(|l| l.contains("100 records  lost=0")), "{text}");

    let output = run_with_input(&sim, "vectordebug", &["terminal"], "speed 1200\nstatus\n");
    let text = ok_text(&output);
    assert!(text.contains("speed 1200\r\nok speed=1200\r\nesc> "), "{text:?}");
    assert!(text.contains("status\r\nstate=running speed="), "{text:?}");
    let output = run_with_input(&sim, "vectordebug", &["terminal", "--json"], "stop\n");
    let answers = ok_json(&output);
    let last = answers.last().unwrap();
    assert_eq!(last["type"], "CLI");
    assert_eq!(last["fields"]["text"], "stop\r\nok stop\r\nesc> ");
    assert_eq!(last["fields"]["data_hex"], "73746f700d0a6f6b2073746f700d0a6573633e20");
    // An `error:` answer: exit status 1 once the input is done.
    let output = run_with_input(&sim, "vectordebug", &["terminal"], "fly\n");
    assert_eq!(output.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&output.stdout).contains("error: unknown command 'fly' (try help)"));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "serial-dialects: the ESC refused 1 line(s)\n");
}

#[test]
fn plot_commands_and_send() {
    let sim = Sim::start(&["plot"]);
    let text = ok_text(&sim.run("plot", &["commands"]));
    assert!(text.starts_with("State\n  start      -          Start the motor  [button]\n"), "{text}");
    assert!(text.contains("Parameters\n  setpid     kp ki kd   Set PID parameters\n"), "{text}");
    let table = ok_json(&sim.run("plot", &["commands", "--json"]));
    assert_eq!(table[0]["type"], "COMMANDS");
    let cmds: Vec<&str> =
        table[0]["fields"]["commands"].as_array().unwrap().iter().map(|c| c["cmd"].as_str().unwrap()).collect();
    assert_eq!(cmds, ["start", "stop", "status", "setpid", "dfu", "help"]);
    assert_eq!(ok_text(&sim.run("plot", &["send", "setpid 1 2 3"])), "OK kp=1.000 ki=2.000 kd=3.000\n");
    let status = ok_json(&sim.run("plot", &["send", "status", "--json"]));
    assert_eq!(status[0]["type"], "TEXT");
    assert!(status[0]["fields"]["line"].as_str().unwrap().starts_with("status: running channels=3"));
    let output = sim.run("plot", &["send", "warp"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "serial-dialects: device error: the device answered \"ERR unknown command: warp\"\n"
    );
}

#[test]
fn exit_statuses_1_2_and_3() {
    let sim = Sim::start(&["powerscope"]);
    let output = sim.run("powerscope", &["read", "9"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "serial-dialects: device error: READ_SENSOR refused: NACK 3 (INVALID_VALUE)\n"
    );
    assert_eq!(sim.run("powerscope", &["period", "1", "4"]).status.code(), Some(2), "out of 5-10000");
    let run = |args: &[&str]| Command::new(BIN).args(args).output().unwrap();
    for args in [
        &["powerscope", "ping"][..],
        &["powerscope", "ping", "--port", "/dev/does-not-exist"],
        &["powerscope", "read", "--port", "/dev/null"],
        &["powerscope:r0", "ping", "--port", "/dev/null"],
        &["vectordebug", "records", "--count", "x", "--port", "/dev/null"],
        &["plot", "send", "--port", "/dev/null"],
    ] {
        assert_eq!(run(args).status.code(), Some(2), "{args:?}");
    }
    let sim = Sim::start(&["powerscope", "--drop-replies", "1"]);
    let output = sim.run("powerscope", &["uptime", "--timeout", "100", "--retries", "3"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "serial-dialects: no answer after 4 attempt(s)\n");
    let sim = Sim::start(&["plot", "--drop-replies", "1"]);
    let output = sim.run("plot", &["commands", "--timeout", "100", "--retries", "1"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "serial-dialects: no answer after 2 attempt(s)\n");
    let sim = Sim::start(&["vectordebug", "--drop-replies", "1"]);
    let output = run_with_input(&sim, "vectordebug", &["terminal", "--timeout", "200"], "status\n");
    assert_eq!(output.status.code(), Some(3), "{}", String::from_utf8_lossy(&output.stderr));
}
