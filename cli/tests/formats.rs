//! `decode --format csv` and `--format text`, pinned: the exact output for captures of every
//! dialect, as the command printed it before CSV rows and text lines were written from the
//! typed messages (when they were formatted from each frame's JSON parsed back). The
//! expected files are in `cli/tests/formats/`, named `CAPTURE.DIALECT.csv` or `.txt`.

use std::path::Path;
use std::process::Command;

mod common;

use common::BIN;

/// The captures pinned (paths from the repository's root) and the dialect they are decoded
/// with: for each dialect, messages of every kind its captures have (pmu30 telemetry rows,
/// floats and quoted strings; vectordebug records and CLI text; plot labels, data and a help
/// table; ascii-crc8 replies to DOWNLOAD and VIEW and device lines; powerscope samples,
/// answers and errors in both revisions), and some without any CSV row.
const CASES: &[(&str, &str)] = &[
    ("tests/captures/pmu30/telemetry_stream.bin", "pmu30"),
    ("tests/captures/pmu30/set_channel.bin", "pmu30"),
    ("tests/captures/pmu30/error_messages.bin", "pmu30"),
    ("tests/captures/vectordebug/02_cli_interleaved.bin", "vectordebug"),
    ("tests/captures/plot/help_documented_format_then_data.bin", "plot"),
    ("tests/captures/plot/labels_then_data.bin", "plot"),
    ("samples/ascii-crc8.bin", "ascii-crc8"),
    ("tests/captures/ascii-crc8/doc_bad_crc.reply.bin", "ascii-crc8"),
    ("tests/captures/powerscope/head_commands_dev2host.bin", "powerscope"),
    ("tests/captures/powerscope/head_stream_bad_crc.bin", "powerscope"),
    ("tests/captures/powerscope/seed_stream_truncated.bin", "powerscope:r0"),
];

#[test]
fn csv_and_text_are_exactly_as_pinned() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut compared = 0;
    for &(capture, dialect) in CASES {
        let stem = Path::new(capture).file_stem().and_then(|s| s.to_str()).expect("a file name");
        for (format, ext) in [("csv", "csv"), ("text", "txt")] {
            let expected_path =
                root.join("cli/tests/formats").join(format!("{stem}.{}.{ext}", dialect.replace(':', "-")));
            let expected =
                std::fs::read_to_string(&expected_path).unwrap_or_else(|e| panic!("{}: {e}", expected_path.display()));
            let out = Command::new(BIN)
                .args(["decode", "--dialect", dialect, "--format", format, "--stats"])
                .arg(root.join(capture))
                .output()
                .expect("the binary runs");
            assert!(out.status.success(), "{capture} {format}: {}", String::from_utf8_lossy(&out.stderr));
            let got = String::from_utf8(out.stdout).expect("UTF-8 output");
            if got != expected {
                let line = got.lines().zip(expected.lines()).position(|(a, b)| a != b);
                panic!(
                    "{capture} as {dialect} in {format} differs from {} (first at line {:?})",
                    expected_path.display(),
                    line.map(|l| l + 1)
                );
            }
            compared += 1;
        }
    }
    assert_eq!(compared, 2 * CASES.len());
}

#[test]
fn csv_has_its_header_only_before_a_first_row_and_its_stats_on_stderr() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let run = |capture: &str, dialect: &str| {
        Command::new(BIN)
            .args(["decode", "--dialect", dialect, "--format", "csv", "--stats"])
            .arg(root.join(capture))
            .output()
            .expect("the binary runs")
    };
    // No rows: no header either.
    let none = run("tests/captures/pmu30/set_channel.bin", "pmu30");
    assert!(none.stdout.is_empty());
    assert_eq!(String::from_utf8(none.stderr).unwrap(), "stats: frames=10 errors=0 [] bytes_skipped=0 lost_frames=0\n");
    // The first row comes after six answers without a sample.
    let rows = run("tests/captures/powerscope/head_commands_dev2host.bin", "powerscope");
    let out = String::from_utf8(rows.stdout).unwrap();
    let mut lines = out.lines();
    assert_eq!(lines.next(), Some("offset,type,runtime_id,seq,ts_ms,gap,bus_mv,current_ua,bus_v,current_ma,power_mw"));
    assert_eq!(lines.next(), Some("136,ACK,2,7,130,,12304,23600,12.304,23.600,290.374"));
    assert!(lines.all(|l| !l.starts_with("offset")));
}
