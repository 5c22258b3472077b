//! The device commands (`serial-dialects pmu30|ascii-crc8 ACTION`) against the real
//! `simulate` binary on a pseudo-terminal, in real time: every action, text and `--json`
//! output with their values, and the exit statuses 0, 1, 2 and 3.

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

#[test]
fn pmu30_actions_text_and_json() {
    let sim = Sim::start(&["pmu30"]);
    assert!(ok_text(&sim.run("pmu30", &["ping"])).starts_with("PONG in "));
    let pong = ok_json(&sim.run("pmu30", &["ping", "--json"]));
    assert_eq!(pong[0]["type"], "PONG");
    assert_eq!(
        ok_text(&sim.run("pmu30", &["info"])),
        "INFO_RESP firmware_version=1.0.0 hw_revision=1 serial_number=PMU30-SIM-0001 device_name=PMU-30\n"
    );
    let info = ok_json(&sim.run("pmu30", &["info", "--json"]));
    assert_eq!(info[0]["fields"]["firmware_version"], "1.0.0");
    assert_eq!(info[0]["fields"]["device_name"], "PMU-30");

    let dir = std::env::temp_dir().join(format!("sd-client-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let config = format!(r#"{{"outputs":[{}]}}"#, vec!["1"; 400].join(","));
    let file = dir.join("config.json");
    std::fs::write(&file, &config).unwrap();
    let file = file.to_str().unwrap();
    assert_eq!(ok_text(&sim.run("pmu30", &["upload", file])), "uploaded 813 bytes in 2 chunk(s)\n");
    let upload = ok_json(&sim.run("pmu30", &["upload", file, "--json"]));
    assert_eq!(
        (upload[0]["fields"]["bytes"].as_u64(), upload[0]["fields"]["total_chunks"].as_u64()),
        (Some(813), Some(2))
    );
    assert_eq!(ok_text(&sim.run("pmu30", &["download"])), format!("{config}\n"));
    let download = ok_json(&sim.run("pmu30", &["download", "--json"]));
    assert_eq!(download[0]["fields"]["config"], config.as_str());
    let copy = dir.join("copy.json");
    let copy = copy.to_str().unwrap();
    assert_eq!(ok_text(&sim.run("pmu30", &["download", "-o", copy])), format!("downloaded 813 bytes to {copy}\n"));
    assert_eq!(std::fs::read_to_string(copy).unwrap(), config);

    assert_eq!(ok_text(&sim.run("pmu30", &["set-channel", "4", "100"])), "CHANNEL_ACK success=true channel_id=4\n");
    let ack = ok_json(&sim.run("pmu30", &["set-channel", "5", "100", "--json"]));
    assert_eq!(ack[0], serde_json::json!({"type": "CHANNEL_ACK", "fields": {"success": true, "channel_id": 5}}));

    let packets = ok_json(&sim.run("pmu30", &["telemetry", "--rate", "50", "--count", "5", "--json"]));
    assert_eq!(packets.len(), 5);
    let stamps: Vec<u64> = packets.iter().map(|p| p["fields"]["timestamp_ms"].as_u64().unwrap()).collect();
    assert!(stamps.windows(2).all(|w| w[1] - w[0] == 20), "{stamps:?}");
    for (n, packet) in packets.iter().enumerate() {
        assert_eq!(packet["type"], "TELEMETRY_DATA");
        assert_eq!(packet["fields"]["channel_states"][4], 1);
        assert_eq!(packet["mean"]["packets"].as_u64(), Some(n as u64 + 1));
    }
    let lines = ok_text(&sim.run("pmu30", &["telemetry", "--rate", "50", "--count", "2"]));
    assert_eq!(lines.lines().count(), 2);
    assert!(lines.lines().all(|l| l.starts_with("t=") && l.contains("outputs on=2")), "{lines}");
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn ascii_crc8_actions_text_and_json() {
    let sim = Sim::start(&["ascii-crc8"]);
    let text = |args: &[&str]| ok_text(&sim.run("ascii-crc8", args));
    let json = |args: &[&str]| {
        let mut args = args.to_vec();
        args.push("--json");
        ok_json(&sim.run("ascii-crc8", &args)).remove(0)
    };
    assert_eq!(text(&["download"]), "DOWNLOAD lux=2600\n");
    assert_eq!(json(&["download"])["fields"], serde_json::json!({"lux": 2600, "request": "DOWNLOAD"}));
    assert_eq!(text(&["view", "0", "3"]), "VIEW offset=0 values=2600,2599,2598\n");
    let view = json(&["view", "0", "99"]);
    let values: Vec<u64> = view["fields"]["values"].as_array().unwrap().iter().map(|v| v.as_u64().unwrap()).collect();
    assert_eq!(values, (2502..=2600).rev().collect::<Vec<u64>>());
    assert_eq!(text(&["interval"]), "GET_INTERVAL interval_ms=1000\n");
    assert_eq!(text(&["interval", "5000"]), "SET_INTERVAL status=0 OK\n");
    assert_eq!(json(&["interval"])["fields"]["interval_ms"], 5000);
    assert_eq!(text(&["mode"]), "GET_MODE mode=1\n");
    assert_eq!(json(&["mode", "2"])["fields"], serde_json::json!({"status": 0, "request": "SET_MODE"}));
    assert_eq!(json(&["mode"])["fields"]["mode"], 2);
    assert_eq!(text(&["scan"]), "I2C_SCAN address=0x23\n");
    assert_eq!(json(&["scan"])["fields"]["address"], 35);
    assert_eq!(text(&["start"]), "START status=0 OK\n");
    assert_eq!(json(&["stop"])["fields"], serde_json::json!({"status": 0, "request": "STOP"}));
}

#[test]
fn exit_status_1_when_the_device_answers_with_an_error() {
    let sim = Sim::start(&["pmu30", "--channels", "5"]);
    let output = sim.run("pmu30", &["set-channel", "10", "50"]);
    assert_eq!(output.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&output.stderr),
        "serial-dialects: device error: ERROR 0x12 (Channel disabled): Channel disabled\n"
    );
    assert!(output.stdout.is_empty());
}

#[test]
fn exit_status_3_when_no_answer_comes_after_every_retry() {
    let sim = Sim::start(&["pmu30", "--drop-replies", "1"]);
    let output = sim.run("pmu30", &["info", "--timeout", "100", "--retries", "2"]);
    assert_eq!(output.status.code(), Some(3));
    assert_eq!(String::from_utf8_lossy(&output.stderr), "serial-dialects: no answer after 3 attempt(s)\n");
    let sim = Sim::start(&["ascii-crc8", "--drop-replies", "1"]);
    let output = sim.run("ascii-crc8", &["download", "--timeout", "100", "--retries", "0"]);
    assert_eq!(output.status.code(), Some(3));
}

#[test]
fn exit_status_2_for_bad_arguments_and_ports() {
    let run = |args: &[&str]| Command::new(BIN).args(args).output().unwrap();
    for args in [
        &["pmu30", "info"][..],
        &["pmu30", "info", "--port", "/dev/does-not-exist"],
        &["ascii-crc8", "view", "0", "--port", "/dev/null"],
        &["ascii-crc8", "mode", "x", "--port", "/dev/null"],
        &["pmu30", "reboot", "--port", "/dev/null"],
    ] {
        assert_eq!(run(args).status.code(), Some(2), "{args:?}");
    }
    let output = run(&["pmu30", "info", "--port", "/dev/does-not-exist"]);
    assert!(String::from_utf8_lossy(&output.stderr).contains("cannot open port /dev/does-not-exist"));
    // Out of the sender's range: refused before sending, as bad arguments.
    let sim = Sim::start(&["ascii-crc8"]);
    assert_eq!(sim.run("ascii-crc8", &["mode", "9"]).status.code(), Some(2));
    assert_eq!(sim.run("ascii-crc8", &["view", "0", "0"]).status.code(), Some(2));
}
