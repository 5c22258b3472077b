//! The report's section on what `serial-dialects decode` costs in each output format: the
//! release binary (built here) run as a user runs it, `decode --dialect D --format F
//! INPUT > /dev/null`, on inputs written to temporary files. JSON Lines, CSV and text of
//! the same input are measured in the same rounds, so that they can be compared.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Instant;

use super::{Clock, fmt_rate, median, spread};

/// The section's heading (without `## `), which `splice` looks for.
pub const TITLE: &str = "`decode` output formats (the command line)";
/// Bytes of every input.
const INPUT_BYTES: usize = 16 << 20;
/// Runs of each input in each format, at most (fewer if `--reps` says so).
const MAX_RUNS: usize = 5;
const FORMATS: [&str; 3] = ["jsonl", "csv", "text"];

/// An input: its name, the dialect named on the command line, and the captures (in
/// `tests/captures`) repeated to make it.
struct Case {
    name: &'static str,
    dialect: &'static str,
    captures: &'static [&'static str],
}

const CASES: [Case; 5] = [
    Case { name: "pmu30 telemetry", dialect: "pmu30", captures: &["pmu30/telemetry_stream.bin"] },
    Case {
        name: "vectordebug capture (20 kHz)",
        dialect: "vectordebug",
        captures: &["vectordebug/01_clean_20khz.bin"],
    },
    Case { name: "plot 3 channels", dialect: "plot", captures: &["plot/clean_3ch_100hz_10s.bin"] },
    Case {
        name: "ascii-crc8 VIEW requests and replies",
        dialect: "ascii-crc8",
        captures: &["ascii-crc8/doc_view_99.bin", "ascii-crc8/doc_view_99.reply.bin"],
    },
    Case { name: "powerscope r1 samples", dialect: "powerscope", captures: &["powerscope/head_stream_clean.bin"] },
];

/// Builds the release binary (nothing to do when it is up to date) and returns its path, in
/// the target directory this report runs from.
fn binary() -> Result<PathBuf, String> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let status = Command::new(cargo)
        .args(["build", "--release", "--quiet", "-p", "serial-dialects-cli"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .status()
        .map_err(|e| format!("could not run cargo: {e}"))?;
    if !status.success() {
        return Err(format!("cargo build of the command line failed ({status})"));
    }
    // This example is TARGET/PROFILE/examples/perf_report.
    let exe = std::env::current_exe().map_err(|e| e.to_string())?;
    let target = exe.ancestors().nth(3).ok_or("no target directory")?;
    Ok(target.join("release").join(format!("serial-dialects{}", std::env::consts::EXE_SUFFIX)))
}

/// CPU seconds of this process's waited-for children (`/proc/self/stat` `cutime` +
/// `cstime`, in 10 ms ticks).
fn children_cpu() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").expect("--cpu-time needs Linux /proc/self/stat");
    // The fields after the command name's `)`: state is field 3, cutime and cstime 16 and 17.
    let fields: Vec<&str> =
        stat.rsplit_once(')').map(|(_, rest)| rest.split_whitespace().collect()).unwrap_or_default();
    let ticks = |i: usize| fields.get(i - 3).and_then(|v| v.parse::<f64>().ok()).expect("cutime and cstime");
    (ticks(16) + ticks(17)) / 100.0
}

/// The 1-minute load average (`/proc/loadavg`), or `?`.
fn load_average() -> String {
    std::fs::read_to_string("/proc/loadavg")
        .ok()
        .and_then(|l| l.split_whitespace().next().map(str::to_string))
        .unwrap_or_else(|| "?".into())
}

/// Seconds one `decode` of `input` takes: wall clock, or (`--cpu-time`) the child's CPU time.
fn run(bin: &Path, dialect: &str, format: &str, input: &Path, clock: Clock) -> f64 {
    let now = || match clock {
        Clock::Wall => {
            static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
            ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64()
        }
        Clock::ThreadCpu => children_cpu(),
    };
    let start = now();
    let status = Command::new(bin)
        .args(["decode", "--dialect", dialect, "--format", format])
        .arg(input)
        .stdout(Stdio::null())
        .status()
        .unwrap_or_else(|e| panic!("{}: {e}", bin.display()));
    assert!(status.success(), "decode --dialect {dialect} --format {format} failed ({status})");
    now() - start
}

/// Measures every input in every format and returns the section (from its heading to a
/// blank line), or a note that it could not be measured.
pub fn section(clock: Clock, reps: usize, selected: &dyn Fn(&str) -> bool) -> String {
    let mut w = format!("## {TITLE}\n\n");
    let bin = match binary() {
        Ok(bin) => bin,
        Err(why) => return w + &format!("Not measured: {why}.\n\n"),
    };
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures");
    let cases: Vec<&Case> = CASES.iter().filter(|c| selected(c.name)).collect();
    let inputs: Vec<PathBuf> = cases
        .iter()
        .map(|case| {
            let unit: Vec<u8> = case
                .captures
                .iter()
                .flat_map(|c| std::fs::read(root.join(c)).unwrap_or_else(|e| panic!("{c}: {e}")))
                .collect();
            let bytes: Vec<u8> = unit.iter().copied().cycle().take(INPUT_BYTES).collect();
            let path =
                std::env::temp_dir().join(format!("serial-dialects-perf-{}-{}.bin", std::process::id(), case.dialect));
            std::fs::write(&path, bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            path
        })
        .collect();
    // Seconds per run, by case and format; every round runs each case in each format once.
    let runs = reps.clamp(1, MAX_RUNS);
    let load_before = load_average();
    let mut secs = vec![[const { Vec::new() }; FORMATS.len()]; cases.len()];
    for round in 0..runs {
        for ((case, input), secs) in cases.iter().zip(&inputs).zip(&mut secs) {
            for (format, secs) in FORMATS.iter().zip(secs.iter_mut()) {
                secs.push(run(&bin, case.dialect, format, input, clock));
            }
        }
        eprintln!("decode output: round {} of {runs}", round + 1);
    }
    let load_after = load_average();
    for input in &inputs {
        let _ = std::fs::remove_file(input);
    }

    writeln!(
        w,
        "What `serial-dialects decode` costs in each output format, end to end: the release \
         binary (built by this report) run as `decode --dialect D --format F INPUT > /dev/null`, \
         a new process each time, on inputs of {} MiB (the captures in `tests/captures` \
         repeated, written to a temporary file). MB/s of input, median of {runs} runs with \
         the spread (min–max); the runs are taken in rounds, each round running every input in \
         every format once, so that the formats of an input are compared within one run of \
         this report{}. Every format is written from the typed messages: JSON Lines by their \
         `Serialize`, CSV rows and text lines by the library's `present::Present`. Load \
         average (1 minute) before and after: {load_before} and {load_after}.\n",
        INPUT_BYTES >> 20,
        match clock {
            Clock::Wall => "",
            Clock::ThreadCpu => " (timed with the child's CPU time, in 10 ms ticks)",
        }
    )
    .unwrap();
    writeln!(
        w,
        "| input | `--dialect` | jsonl, MB/s | csv, MB/s | text, MB/s | csv time ÷ jsonl time | text time ÷ jsonl time |"
    )
    .unwrap();
    writeln!(w, "|---|---|---:|---:|---:|---:|---:|").unwrap();
    let mut slower = Vec::new();
    for (case, secs) in cases.iter().zip(&secs) {
        let rates: Vec<Vec<f64>> =
            secs.iter().map(|s| s.iter().map(|t| INPUT_BYTES as f64 / t / 1e6).collect()).collect();
        let cell = |rates: &[f64]| format!("{} ({})", fmt_rate(median(rates)), spread(rates));
        let ratio = |i: usize| median(&secs[i]) / median(&secs[0]);
        if ratio(1) > 1.0 {
            slower.push(case.name);
        }
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {:.2} | {:.2} |",
            case.name,
            case.dialect,
            cell(&rates[0]),
            cell(&rates[1]),
            cell(&rates[2]),
            ratio(1),
            ratio(2)
        )
        .unwrap();
    }
    match slower.as_slice() {
        [] => writeln!(w, "\ncsv is at least as fast as jsonl for every input above.\n").unwrap(),
        names => writeln!(w, "\ncsv is slower than jsonl for: {}.\n", names.join(", ")).unwrap(),
    }
    w
}

/// `doc` with its section of this title replaced by `section`, or with `section` added
/// before the limits section if it has none.
pub fn splice(doc: &str, section: &str) -> String {
    splice_titled(doc, TITLE, section)
}

/// `doc` with its section headed `## title` replaced by `section`, or with `section` added
/// before the limits section if it has none.
pub fn splice_titled(doc: &str, title: &str, section: &str) -> String {
    let heading = format!("## {title}\n");
    let (start, end) = match doc.find(&heading) {
        Some(start) => {
            let body = start + heading.len();
            (start, doc[body..].find("\n## ").map_or(doc.len(), |i| body + i + 1))
        }
        None => {
            let at = doc.find("## Limits on this machine").unwrap_or(doc.len());
            (at, at)
        }
    };
    format!("{}{section}{}", &doc[..start], &doc[end..])
}
