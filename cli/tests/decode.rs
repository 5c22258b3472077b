//! `serial-dialects decode` and `sniff`, run as a user would: the built binary over the real
//! captures, checked against the library and against the JSON contract.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;
use serial_dialects::stream::{Dialect, Item, SliceDecoder};
use serial_dialects::{DialectError, ascii_crc8, plot, pmu30, powerscope, vectordebug};

mod common;

use common::{BIN, run_stdin};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn captures(dialect: &str) -> Vec<PathBuf> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(root().join("tests/captures").join(dialect))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "bin"))
        .collect();
    files.sort();
    assert!(!files.is_empty(), "no captures for {dialect}");
    files
}

fn run(args: &[&str]) -> Output {
    Command::new(BIN).args(args).output().expect("the binary runs")
}

fn lines(out: &Output) -> Vec<Value> {
    assert!(out.status.success(), "exit {:?}, stderr: {}", out.status, String::from_utf8_lossy(&out.stderr));
    assert!(out.stderr.is_empty(), "unexpected stderr: {}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8(out.stdout.clone())
        .unwrap()
        .split('\n')
        .filter(|l| !l.is_empty())
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}

/// The events the library gives, in the contract's shape, for comparison with the binary.
fn library_events<D>(dialect: D, input: &[u8]) -> Vec<Value>
where
    D: Dialect,
    for<'a> D::Message<'a>: serde::Serialize,
{
    SliceDecoder::new(dialect, input)
        .map(|e| {
            let mut v = serde_json::json!({ "offset": e.offset, "len": e.len, "dialect": D::NAME });
            match &e.item {
                Item::Frame(f) => {
                    for (k, x) in serde_json::to_value(f).unwrap().as_object().unwrap() {
                        v[k] = x.clone();
                    }
                }
                Item::Error(err) => {
                    v["error"] = err.kind().as_str().into();
                    v["detail"] = err.to_string().into();
                }
            }
            v
        })
        .collect()
}

/// Checks the contract's invariants: events tile the input, every event names the dialect,
/// frames have type + fields, errors have error + detail, and the stats line adds up.
fn check_contract(events: &[Value], input_len: usize, dialect: &str) {
    let (stats, events) = events.split_last().expect("a stats line");
    let stats = &stats["stats"];
    let mut at = 0u64;
    let (mut frames, mut skipped) = (0u64, 0u64);
    let mut kinds = serde_json::Map::new();
    for e in events {
        assert_eq!(e["offset"].as_u64(), Some(at), "gap or overlap at {e}");
        let len = e["len"].as_u64().unwrap();
        at += len;
        assert_eq!(e["dialect"], dialect);
        if let Some(kind) = e.get("error") {
            assert!(e["detail"].is_string() && e.get("type").is_none());
            skipped += len;
            let n = kinds.get(kind.as_str().unwrap()).and_then(Value::as_u64).unwrap_or(0);
            kinds.insert(kind.as_str().unwrap().into(), (n + 1).into());
        } else {
            assert!(e["type"].is_string() && e["fields"].is_object(), "{e}");
            frames += 1;
        }
    }
    assert_eq!(at, input_len as u64, "events do not cover the input");
    assert_eq!(stats["frames"].as_u64(), Some(frames));
    assert_eq!(stats["bytes_skipped"].as_u64(), Some(skipped));
    assert_eq!(stats["errors"], Value::Object(kinds));
    assert!(stats["lost_frames"].is_u64());
}

#[test]
fn every_capture_decodes_exactly_as_the_library_does() {
    type Case = (&'static str, &'static str, fn(&[u8]) -> Vec<Value>);
    let cases: [Case; 6] = [
        ("pmu30", "pmu30", |b| library_events(pmu30::Pmu30::default(), b)),
        ("vectordebug", "vectordebug", |b| library_events(vectordebug::VectorDebug::default(), b)),
        ("plot", "plot", |b| library_events(plot::Plot::default(), b)),
        ("ascii-crc8", "ascii-crc8", |b| library_events(ascii_crc8::AsciiCrc8::default(), b)),
        ("powerscope", "powerscope", |b| library_events(powerscope::PowerScope::r1(), b)),
        ("powerscope", "powerscope:r0", |b| library_events(powerscope::PowerScope::r0(), b)),
    ];
    for (dir, name, expected) in cases {
        for file in captures(dir) {
            if name.ends_with("r0") != file.file_name().unwrap().to_str().unwrap().starts_with("seed_")
                && dir == "powerscope"
            {
                continue;
            }
            let input = std::fs::read(&file).unwrap();
            let got = lines(&run(&["decode", "--dialect", name, "--stats", file.to_str().unwrap()]));
            check_contract(&got, input.len(), dir);
            assert_eq!(&got[..got.len() - 1], &expected(&input)[..], "{}", file.display());
        }
    }
}

#[test]
fn pmu30_bad_crc_events_are_exact() {
    let out = run(&["decode", "--dialect", "pmu30", "--stats", "../tests/captures/pmu30/bad_crc.bin"]);
    let got = String::from_utf8(out.stdout).unwrap();
    let expected = r#"{"offset":0,"len":6,"dialect":"pmu30","type":"PING","fields":{}}
{"offset":6,"len":6,"dialect":"pmu30","error":"crc_mismatch","detail":"CRC mismatch: received 0xC1B3, computed 0xC1B2"}
{"offset":12,"len":125,"dialect":"pmu30","error":"crc_mismatch","detail":"CRC mismatch: received 0x0384, computed 0x0D9A"}
{"offset":137,"len":6,"dialect":"pmu30","type":"GET_INFO","fields":{}}
{"stats":{"frames":2,"errors":{"crc_mismatch":2},"bytes_skipped":131,"bytes_in_frames":12,"lost_frames":0}}
"#;
    assert_eq!(got, expected);
    assert!(out.status.success());
}

#[test]
fn auto_recognises_every_bundled_sample() {
    for (file, dialect, frames) in [
        ("pmu30.bin", "pmu30", 62),
        ("vectordebug.bin", "vectordebug", 12),
        ("plot.bin", "plot", 15),
        ("ascii-crc8.bin", "ascii-crc8", 12),
        ("powerscope.bin", "powerscope", 154),
    ] {
        let path = root().join("samples").join(file);
        let input = std::fs::read(&path).unwrap();
        let got = lines(&run(&["decode", "--dialect", "auto", "--stats", path.to_str().unwrap()]));
        check_contract(&got, input.len(), dialect);
        assert_eq!(got.last().unwrap()["stats"]["frames"], frames, "{file}");
        // Without --dialect, auto is the default.
        assert_eq!(lines(&run(&["decode", path.to_str().unwrap()])).len(), got.len() - 1);
    }
}

#[test]
fn standard_input_is_read_with_dash_or_nothing() {
    let input = std::fs::read(root().join("samples/powerscope.bin")).unwrap();
    let from_file = lines(&run(&["decode", "-d", "powerscope", "../samples/powerscope.bin"]));
    assert_eq!(lines(&run_stdin(&["decode", "-d", "powerscope", "-"], &input)), from_file);
    assert_eq!(lines(&run_stdin(&["decode", "-d", "powerscope"], &input)), from_file);
    assert_eq!(lines(&run_stdin(&["decode"], &input)), from_file);
}

#[test]
fn plot_help_table_becomes_a_commands_event() {
    let got = lines(&run(&["decode", "-d", "plot", "../samples/plot.bin"]));
    let commands: Vec<&Value> = got.iter().filter(|e| e["type"] == "COMMANDS").collect();
    assert_eq!(commands.len(), 1);
    assert_eq!(commands[0]["len"], 0);
    let names: Vec<&str> =
        commands[0]["fields"]["commands"].as_array().unwrap().iter().map(|c| c["cmd"].as_str().unwrap()).collect();
    assert_eq!(names, ["start", "stop", "status", "setpid", "dfu", "help"]);
    let setpid = &commands[0]["fields"]["commands"][3];
    assert_eq!(setpid["args"], "kp ki kd");
    assert_eq!(setpid["cat"], "param");
    assert_eq!(setpid["description"], "Set PID parameters");
}

#[test]
fn csv_has_one_row_per_sample() {
    let csv = |args: &[&str]| {
        let out = run(args);
        assert!(out.status.success());
        String::from_utf8(out.stdout).unwrap().lines().map(str::to_owned).collect::<Vec<_>>()
    };
    let plot = csv(&["decode", "-d", "plot", "-f", "csv", "../tests/captures/plot/clean_3ch_100hz_10s.bin"]);
    assert_eq!(plot[0], "offset,channel,value");
    assert_eq!(plot.len(), 1 + 3000);
    let vd = csv(&["decode", "-d", "vectordebug", "-f", "csv", "../tests/captures/vectordebug/01_clean_20khz.bin"]);
    assert_eq!(vd[0], "offset,seq,p0,p1,p2,p3,p4,p5");
    assert_eq!(vd.len(), 1 + 2000);
    assert_eq!(vd[1], "0,0,-2,-1046,1048,21,1182,0");
    let pmu = csv(&["decode", "-d", "pmu30", "-f", "csv", "../tests/captures/pmu30/telemetry_stream.bin"]);
    assert_eq!(pmu.len(), 1 + 60);
    assert_eq!(pmu[0].split(',').count(), 5 + 8 + 30 + 30);
    assert!(pmu[1].starts_with("8,123456,13600,-12,0,1000,1300,"), "{}", pmu[1]);
    let ps = csv(&["decode", "-d", "powerscope", "-f", "csv", "../tests/captures/powerscope/head_stream_clean.bin"]);
    assert_eq!(ps[0], "offset,type,runtime_id,seq,ts_ms,gap,bus_mv,current_ua,bus_v,current_ma,power_mw");
    assert_eq!(ps.len(), 1 + 154);
    // 12012 mV and 22300 µA: 12.012 V, 22.300 mA (not the real host's 2.23), 267.868 mW.
    assert_eq!(ps[1], "0,STREAM,1,0,59,0,12012,22300,12.012,22.300,267.868");
}

#[test]
fn text_format_follows_the_seed_shell_for_powerscope() {
    let out = run(&[
        "decode",
        "-d",
        "powerscope:r0",
        "-f",
        "text",
        "--stats",
        "../tests/captures/powerscope/seed_stream_clean.bin",
    ]);
    let text = String::from_utf8(out.stdout).unwrap();
    let first = text.lines().next().unwrap();
    assert!(first.ends_with("STREAM seq=       0 ts=         5 len=128 gap=  0"), "{first}");
    assert!(text.lines().last().unwrap().starts_with("stats: frames=150 errors=0"));
}

#[test]
fn non_finite_floats_are_null() {
    // SET_CHANNEL whose value is NaN: a corrupt but CRC-valid frame.
    let mut payload = vec![0x30, 5, 0];
    payload.extend_from_slice(&f32::NAN.to_le_bytes());
    let crc = serial_dialects::crc::crc16(&payload);
    let mut frame = vec![0xAA, 6, 0];
    frame.extend_from_slice(&payload);
    frame.extend_from_slice(&crc.to_le_bytes());
    let got = lines(&run_stdin(&["decode", "-d", "pmu30", "-"], &frame));
    assert_eq!(got[0]["type"], "SET_CHANNEL");
    assert_eq!(got[0]["fields"]["value"], Value::Null);
}

#[test]
fn a_corrupt_capture_is_not_an_error_of_the_tool() {
    let garbage: Vec<u8> = (0..5000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    for dialect in ["pmu30", "vectordebug", "plot", "ascii-crc8", "powerscope", "powerscope:r0"] {
        let got = lines(&run_stdin(&["decode", "-d", dialect, "--stats", "-"], &garbage));
        check_contract(&got, garbage.len(), dialect.split(':').next().unwrap());
    }
}

#[test]
fn usage_and_input_errors_exit_2_with_one_line() {
    let input = root().join("samples/pmu30.bin");
    let input = input.to_str().unwrap();
    for args in [
        vec!["decode", "--dialect", "pmu31", input],
        vec!["decode", "--dialect", "plot:65", input],
        vec!["decode", "--dialect", "vectordebug:x", input],
        vec!["decode", "--dialect", "pmu30", "/nonexistent/capture.bin"],
        vec!["decode", "--dialect", "pmu30", "."],
        vec!["decode", "--format", "xml", input],
        vec!["sniff", "/nonexistent"],
        vec!["frobnicate"],
    ] {
        let out = run(&args);
        assert_eq!(out.status.code(), Some(2), "{args:?}");
        assert!(out.stdout.is_empty(), "{args:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        assert!(!err.contains("panicked") && !err.contains("RUST_BACKTRACE"), "{err}");
        if args[0] != "frobnicate" && args[1] != "--format" {
            assert_eq!(err.lines().count(), 1, "{args:?}: {err}");
            assert!(err.starts_with("serial-dialects: "), "{err}");
        }
    }
    let noise: Vec<u8> = (0..3000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 11) as u8).collect();
    let out = run_stdin(&["decode", "--dialect", "auto", "-"], &noise);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8(out.stderr).unwrap().contains("cannot recognise the dialect"));
}

#[test]
fn sniff_names_the_dialect_of_every_sample_with_evidence() {
    for (file, best) in [
        ("pmu30.bin", "pmu30"),
        ("vectordebug.bin", "vectordebug"),
        ("plot.bin", "plot"),
        ("ascii-crc8.bin", "ascii-crc8"),
        ("powerscope.bin", "powerscope"),
    ] {
        let out = run(&["sniff", root().join("samples").join(file).to_str().unwrap()]);
        assert!(out.status.success());
        let text = String::from_utf8(out.stdout).unwrap();
        let first = text.lines().next().unwrap();
        assert!(first.starts_with(&format!("best: {best} (score ")), "{file}: {first}");
        // One row per candidate, below the header.
        assert_eq!(text.lines().count(), 2 + 8, "{text}");
    }
    let r0 = run(&["sniff", "../tests/captures/powerscope/seed_stream_clean.bin"]);
    assert!(String::from_utf8(r0.stdout).unwrap().starts_with("best: powerscope:r0 "));
}

#[test]
fn memory_stays_bounded_for_large_inputs() {
    // 48 MiB through standard input; the decoder holds at most its fixed buffer.
    let mut child = Command::new(BIN)
        .args(["decode", "-d", "pmu30", "--stats", "-"])
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let writer = std::thread::spawn(move || {
        let block = [0x55u8; 1 << 20];
        for _ in 0..48 {
            stdin.write_all(&block).unwrap();
        }
    });
    let mut peak_kib = 0u64;
    while child.try_wait().unwrap().is_none() {
        if let Ok(status) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
            if let Some(line) = status.lines().find(|l| l.starts_with("VmHWM:")) {
                let kib: u64 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
                peak_kib = peak_kib.max(kib);
            }
        }
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    writer.join().unwrap();
    assert!(child.wait().unwrap().success());
    assert!(peak_kib > 0, "could not read the peak memory");
    assert!(peak_kib < 24 * 1024, "peak resident memory {peak_kib} KiB for a 48 MiB input");
}
