//! Measures every workload of `benches/workloads.rs` (the criterion benches measure the same
//! ones) several times and prints docs/performance.md: median and spread per workload, the
//! machine, and a comparison with the real implementations and the targets of issue #6.
//!
//! ```sh
//! cargo run --release --example perf_report -- --write docs/performance.md   # ~1 minute
//! cargo run --release --example perf_report -- --reps 3                      # print only
//! cargo run --release --example perf_report -- --only vectordebug            # some workloads
//! cargo run --release --example perf_report -- --cpu-time                    # busy machine
//! cargo run --release --example perf_report -- --no-firmware                 # skip Cortex-M4
//! cargo run --release --example perf_report -- --output-only --write docs/performance.md
//! cargo run --release --features tokio --example perf_report -- --io-only --write docs/performance.md
//! ```
//!
//! `--output-only` measures only the section on `decode`'s output formats (`output.rs`:
//! the command-line binary, 20 to 40 s) and, with `--write`, replaces that section of the
//! file and keeps the rest as it was measured before.
//!
//! The firmware section runs `examples/firmware/codec-size/measure.sh` and `cycles.sh`
//! (thumbv7em target, flip-link, LLVM tools, qemu-system-arm; about a minute to build).
//!
//! `--cpu-time` times with the thread's CPU time (Linux `/proc/thread-self/schedstat`)
//! instead of the wall clock: on a machine shared with other jobs it shows what the code
//! costs rather than what share of a core it got.

#[cfg(feature = "tokio")]
#[path = "perf_report/io.rs"]
mod io;
#[path = "perf_report/output.rs"]
mod output;
#[path = "../benches/workloads.rs"]
mod workloads;

use std::fmt::Write as _;
use std::process::Command;
use std::time::{Duration, Instant};

use workloads::{Counts, SMALL_CHUNK, Which, decode_slice, decode_stream};

/// The least time one repetition runs (whole iterations, at least one).
const MIN_REPETITION: Duration = Duration::from_millis(200);

/// Figures of one workload over all repetitions.
struct Measured {
    mb_per_s: Vec<f64>,
    frames_per_s: Vec<f64>,
}

fn median(values: &[f64]) -> f64 {
    let mut v = values.to_vec();
    v.sort_by(f64::total_cmp);
    let n = v.len();
    if n % 2 == 1 { v[n / 2] } else { (v[n / 2 - 1] + v[n / 2]) / 2.0 }
}

fn min_max(values: &[f64]) -> (f64, f64) {
    values.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), &v| (lo.min(v), hi.max(v)))
}

/// What the measurements are timed with.
#[derive(Clone, Copy)]
enum Clock {
    Wall,
    ThreadCpu,
}

impl Clock {
    /// Seconds since an arbitrary origin.
    fn now(self) -> f64 {
        match self {
            Clock::Wall => {
                static ORIGIN: std::sync::OnceLock<Instant> = std::sync::OnceLock::new();
                ORIGIN.get_or_init(Instant::now).elapsed().as_secs_f64()
            }
            Clock::ThreadCpu => {
                let stat = std::fs::read_to_string("/proc/thread-self/schedstat")
                    .expect("--cpu-time needs Linux /proc/thread-self/schedstat");
                let ns: u64 = stat.split_whitespace().next().and_then(|v| v.parse().ok()).expect("schedstat");
                ns as f64 / 1e9
            }
        }
    }
}

/// One workload to measure: `work` processes `bytes` input bytes and returns what it
/// produced (the same every time).
struct Job<'a> {
    bytes: usize,
    work: Box<dyn FnMut() -> Counts + 'a>,
    expected: Counts,
    measured: Measured,
}

/// Every workload of the report, measured together: each round runs one repetition of every
/// workload, so that a slow spell of a shared machine (this VM's speed varies by a third
/// from minute to minute) weighs on all of them alike instead of on whichever ran then,
/// and figures that are compared with each other (decoding and checksums alone) are taken
/// side by side.
struct Bench<'a> {
    clock: Clock,
    jobs: Vec<Job<'a>>,
}

/// A primitive of the limits table: its name and one pass over the data.
type Primitive<'a> = (&'static str, Box<dyn Fn() -> Counts + 'a>);

/// A workload's place in a [`Bench`].
#[derive(Clone, Copy)]
struct JobId(usize);

impl<'a> Bench<'a> {
    fn new(clock: Clock) -> Self {
        Bench { clock, jobs: Vec::new() }
    }

    /// Adds a workload (run once here, for the result every repetition must repeat).
    fn add(&mut self, bytes: usize, mut work: impl FnMut() -> Counts + 'a) -> JobId {
        let expected = work();
        let measured = Measured { mb_per_s: Vec::new(), frames_per_s: Vec::new() };
        self.jobs.push(Job { bytes, work: Box::new(work), expected, measured });
        JobId(self.jobs.len() - 1)
    }

    /// Runs `reps` rounds. A repetition runs its workload as many whole times as fit in
    /// [`MIN_REPETITION`] (at least once); the clock is read after every pass, because the
    /// thread CPU clock only advances at scheduler ticks.
    fn run(&mut self, reps: usize) {
        for round in 0..reps {
            for job in &mut self.jobs {
                let start = self.clock.now();
                let mut iterations = 0u32;
                let mut secs = 0.0;
                while iterations == 0 || secs < MIN_REPETITION.as_secs_f64() {
                    assert_eq!((job.work)(), job.expected, "a workload must give the same events every time");
                    iterations += 1;
                    secs = self.clock.now() - start;
                }
                let passes = f64::from(iterations);
                job.measured.mb_per_s.push(job.bytes as f64 * passes / secs / 1e6);
                job.measured.frames_per_s.push(job.expected.frames as f64 * passes / secs);
            }
            eprintln!("round {} of {reps}", round + 1);
        }
    }

    /// What the workload gives every time.
    #[cfg(feature = "tokio")]
    fn expected(&self, id: JobId) -> Counts {
        self.jobs[id.0].expected
    }

    fn get(&self, id: JobId) -> &Measured {
        &self.jobs[id.0].measured
    }
}

/// The real implementation's figure (MB/s) and the target (MB/s, whole input) of issue #6.
fn reference(which: Which) -> (Option<(f64, &'static str)>, f64) {
    match which {
        Which::VectorDebug => (Some((250.0, "250 (C, gcc -O2)")), 1500.0),
        Which::Pmu30 => (Some((0.7, "0.7 (Python)")), 1500.0),
        Which::Plot => (Some((3.0, "2–3 (Python)")), 500.0),
        Which::AsciiCrc8 => (None, 300.0),
        Which::PowerScopeR1 => (None, 1000.0),
    }
}

/// The bytes every decoded frame's checksum covers, exactly as the decoder checks them, laid
/// out one frame after the other, and the kind of checksum: the work no decoder of the
/// dialect can skip. vectordebug's CRC covers the COBS-decoded packet, which is decoded here
/// beforehand (the decoder feeds the CRC block by block from the COBS bytes instead).
/// `None` for dialects without a checksum.
fn checksummed_bytes(which: Which, input: &[u8]) -> Option<(Vec<u8>, Vec<std::ops::Range<usize>>, bool)> {
    use serial_dialects::SliceDecoder;
    use serial_dialects::{ascii_crc8, pmu30, vectordebug};
    // The frames' byte ranges in the input.
    fn frames<D: serial_dialects::Dialect>(dialect: D, input: &[u8]) -> Vec<std::ops::Range<usize>> {
        SliceDecoder::new(dialect, input)
            .filter(|e| e.frame().is_some())
            .map(|e| e.offset as usize..e.offset as usize + e.len)
            .collect()
    }
    let (ranges, is_crc16): (Vec<std::ops::Range<usize>>, bool) = match which {
        // MSG_ID and payload: after `AA LEN(2)`, before the CRC.
        Which::Pmu30 => {
            (frames(pmu30::Pmu30::default(), input).into_iter().map(|r| r.start + 3..r.end - 2).collect(), true)
        }
        // SRC..DATA: after `&`, before the two CRC digits and `*`.
        Which::AsciiCrc8 => (
            frames(ascii_crc8::AsciiCrc8::default(), input).into_iter().map(|r| r.start + 1..r.end - 3).collect(),
            false,
        ),
        Which::VectorDebug => {
            let mut decoded = Vec::new();
            let mut ranges = Vec::new();
            let mut packet = vec![0u8; workloads::CAPACITY];
            for r in frames(vectordebug::VectorDebug::default(), input) {
                // COBS bytes without the 0x00 delimiter; the CRC covers all but the last two.
                let n =
                    serial_dialects::cobs::decode(&input[r.start..r.end - 1], &mut packet).expect("a decoded packet");
                ranges.push(decoded.len()..decoded.len() + n - 2);
                decoded.extend_from_slice(&packet[..n]);
            }
            return Some((decoded, ranges, true));
        }
        Which::Plot | Which::PowerScopeR1 => return None,
    };
    Some((input.to_vec(), ranges, is_crc16))
}

/// Checks that every range's checksum is the one stored right behind it (CRC-16 little
/// endian, CRC-8 as two hex digits): the ranges cover what the frames' checksums cover.
fn assert_coverage(name: &str, bytes: &[u8], ranges: &[std::ops::Range<usize>], is_crc16: bool) {
    for r in ranges {
        let stored = &bytes[r.end..r.end + 2];
        let covered = &bytes[r.clone()];
        let matches = if is_crc16 {
            u16::from_le_bytes([stored[0], stored[1]]) == serial_dialects::crc::crc16(covered)
        } else {
            std::str::from_utf8(stored).ok().and_then(|hex| u8::from_str_radix(hex, 16).ok())
                == Some(serial_dialects::crc::crc8(covered))
        };
        assert!(matches, "{name}: the checksum behind {r:?} covers those bytes");
    }
}

/// The checksums of one workload's frames, to be computed alone.
struct Checksums {
    bytes: Vec<u8>,
    ranges: Vec<std::ops::Range<usize>>,
    is_crc16: bool,
}

impl Checksums {
    /// For a checksummed workload, its frames' covered bytes, checked against the frames'
    /// own checksums (the coverage is right); `None` for the others.
    fn of(input: &workloads::Input) -> Option<Checksums> {
        let (bytes, ranges, is_crc16) = checksummed_bytes(input.which, &input.bytes)?;
        assert_coverage(&input.name, &bytes, &ranges, is_crc16);
        Some(Checksums { bytes, ranges, is_crc16 })
    }

    /// Every frame's checksum, one after the other.
    fn compute(&self) -> Counts {
        let mut acc = 0u64;
        for r in &self.ranges {
            let covered = std::hint::black_box(&self.bytes[r.clone()]);
            acc = acc.wrapping_add(if self.is_crc16 {
                u64::from(serial_dialects::crc::crc16(covered))
            } else {
                u64::from(serial_dialects::crc::crc8(covered))
            });
        }
        Counts { frames: self.ranges.len() as u64, errors: 0, bytes: acc }
    }
}

/// Runs one of `examples/firmware/codec-size`'s scripts (they build the firmware binaries
/// and need the thumbv7em target, flip-link, llvm-size/llvm-objdump and, for the cycles,
/// qemu-system-arm) and returns its standard output, or why it could not.
fn firmware_script(script: &str) -> Result<String, String> {
    let root = env!("CARGO_MANIFEST_DIR");
    let output = Command::new("bash")
        .arg(format!("{root}/examples/firmware/codec-size/{script}"))
        .current_dir(format!("{root}/examples/firmware"))
        // The scripts run cargo for another target and workspace: none of this build's settings.
        .env_remove("CARGO_TARGET_DIR")
        .env_remove("RUSTFLAGS")
        .output()
        .map_err(|e| format!("could not run {script}: {e}"))?;
    if output.status.success() {
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    } else {
        let stderr = String::from_utf8_lossy(&output.stderr);
        let last = stderr.lines().rev().take(3).collect::<Vec<_>>().into_iter().rev().collect::<Vec<_>>().join(" / ");
        Err(format!("{script} failed ({}): {last}", output.status))
    }
}

/// Issue #6, part 4: what each codec adds to a Cortex-M4 binary, and the instructions of
/// one 200-record vectordebug encode counted under QEMU.
fn firmware_section(w: &mut String) {
    writeln!(w, "\n## Firmware cost (Cortex-M4)\n").unwrap();
    writeln!(
        w,
        "Measured by `examples/firmware/codec-size` (run by this report): one bare cortex-m-rt \
         binary per codec path for `thumbv7em-none-eabihf`, `opt-level = \"s\"`, fat LTO, the \
         library with `default-features = false` (256-entry CRC tables); flash and the \
         worst-case stack of `main` against a `baseline` binary of the same runtime. See \
         [examples/firmware/codec-size/README.md](../examples/firmware/codec-size/README.md) \
         for what each binary does and the method.\n"
    )
    .unwrap();
    match firmware_script("measure.sh") {
        Ok(table) => writeln!(w, "{table}\n").unwrap(),
        Err(why) => writeln!(w, "Not measured: {why}\n").unwrap(),
    }
    writeln!(
        w,
        "Encoding one 200-record DBG_FRAME1 packet (`PacketBuilder` → `finish` → `emit_wire`), \
         instructions counted under QEMU `netduinoplus2` with `-icount shift=0` (calibrated on \
         a loop of known length), cycles estimated at 80 MHz for a CPI of 1.3 to 2.0:\n"
    )
    .unwrap();
    match firmware_script("cycles.sh") {
        Ok(out) => writeln!(w, "```text\n{out}\n```").unwrap(),
        Err(why) => writeln!(w, "Not measured: {why}").unwrap(),
    }
}

fn command_output(program: &str, args: &[&str]) -> String {
    Command::new(program)
        .args(args)
        .output()
        .ok()
        .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
        .unwrap_or_default()
}

fn machine() -> String {
    let lscpu = command_output("lscpu", &[]);
    let field = |name: &str| {
        lscpu
            .lines()
            .find_map(|l| l.strip_prefix(name).map(|v| v.trim_start_matches(':').trim().to_string()))
            .unwrap_or_else(|| "?".to_string())
    };
    let rustc = command_output(&std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into()), &["-V"]);
    // Virtual machines often do not report a maximum; the current clock is what there is.
    let mhz = match field("CPU max MHz") {
        max if max != "?" => format!("max {max} MHz"),
        _ => std::fs::read_to_string("/proc/cpuinfo")
            .ok()
            .and_then(|info| {
                info.lines()
                    .find_map(|l| l.strip_prefix("cpu MHz").map(|v| v.trim_start_matches([' ', '\t', ':']).to_string()))
            })
            .map_or_else(|| "clock unknown".to_string(), |v| format!("{v} MHz")),
    };
    format!(
        "{} ({} CPUs, {} threads per core, {mhz}), {}, {}, release profile, default features (`speed-over-size`: slice-by-16 CRC-16 and CRC-8)",
        field("Model name"),
        field("CPU(s)"),
        field("Thread(s) per core"),
        std::env::consts::ARCH,
        rustc
    )
}

fn fmt_rate(v: f64) -> String {
    if v >= 100.0 { format!("{v:.0}") } else { format!("{v:.1}") }
}

fn fmt_count(v: f64) -> String {
    if v >= 1e6 { format!("{:.2} M", v / 1e6) } else { format!("{:.0} k", v / 1e3) }
}

fn spread(values: &[f64]) -> String {
    let (lo, hi) = min_max(values);
    format!("{}–{}", fmt_rate(lo), fmt_rate(hi))
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let value = |flag: &str| args.iter().position(|a| a == flag).and_then(|i| args.get(i + 1)).cloned();
    let reps: usize = value("--reps").and_then(|v| v.parse().ok()).unwrap_or(7).max(1);
    let only = value("--only").unwrap_or_default();
    let clock = if args.iter().any(|a| a == "--cpu-time") { Clock::ThreadCpu } else { Clock::Wall };
    let selected = |name: &str| name.contains(only.as_str());
    let started = Instant::now();
    if args.iter().any(|a| a == "--io-only") {
        #[cfg(feature = "tokio")]
        {
            let section = io::section(clock, reps, &selected);
            match value("--write") {
                Some(path) => {
                    let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                    std::fs::write(&path, io::splice(&doc, &section)).unwrap_or_else(|e| panic!("{path}: {e}"));
                }
                None => print!("{section}"),
            }
            return;
        }
        #[cfg(not(feature = "tokio"))]
        panic!("--io-only needs --features tokio");
    }
    if args.iter().any(|a| a == "--output-only") {
        let section = output::section(clock, reps, &selected);
        match value("--write") {
            Some(path) => {
                let doc = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
                std::fs::write(&path, output::splice(&doc, &section)).unwrap_or_else(|e| panic!("{path}: {e}"));
            }
            None => print!("{section}"),
        }
        return;
    }

    // Every input first, then every workload measured together (see `Bench`).
    let clean: Vec<_> = workloads::clean_inputs().into_iter().filter(|i| selected(&i.name)).collect();
    let encode: Vec<_> = workloads::encode_inputs().into_iter().filter(|i| selected(&i.name)).collect();
    let garbage: Vec<_> = workloads::garbage_inputs().into_iter().filter(|i| selected(&i.name)).collect();
    let checksums: Vec<_> = clean.iter().map(Checksums::of).collect();
    let data = workloads::clean_inputs().swap_remove(0).bytes;
    let zero_free: Vec<u8> = data.iter().map(|&b| b | 1).collect();
    let primitives: Vec<Primitive> = vec![
        (
            "CRC-16/CCITT-FALSE (`serial_dialects::crc::crc16`)",
            Box::new(|| Counts {
                frames: u64::from(serial_dialects::crc::crc16(std::hint::black_box(&data))),
                ..Counts::default()
            }),
        ),
        (
            "CRC-8/SMBUS (`serial_dialects::crc::crc8`)",
            Box::new(|| Counts {
                frames: u64::from(serial_dialects::crc::crc8(std::hint::black_box(&data))),
                ..Counts::default()
            }),
        ),
        (
            "`memchr::memchr` (no match)",
            Box::new(|| Counts {
                frames: memchr::memchr(0, std::hint::black_box(&zero_free)).map_or(0, |i| i as u64),
                ..Counts::default()
            }),
        ),
    ];
    let primitives: Vec<_> = primitives.into_iter().filter(|(name, _)| selected(name)).collect();

    let mut bench = Bench::new(clock);
    let decoding: Vec<_> = clean
        .iter()
        .map(|input| {
            let whole = bench.add(input.bytes.len(), || decode_slice(input.which, &input.bytes));
            let chunked = bench.add(input.bytes.len(), || decode_stream(input.which, &input.bytes, SMALL_CHUNK));
            assert_eq!(
                decode_slice(input.which, &input.bytes),
                decode_stream(input.which, &input.bytes, SMALL_CHUNK),
                "{}: both drivers give the same events",
                input.name
            );
            (whole, chunked)
        })
        .collect();
    let encoding: Vec<_> = encode
        .iter()
        .map(|input| {
            let mut out = vec![0u8; workloads::CAPACITY];
            bench.add(input.bytes, move || workloads::encode_all(input, &mut out))
        })
        .collect();
    let garbage_ids: Vec<_> =
        garbage.iter().map(|input| bench.add(input.bytes.len(), || decode_slice(input.which, &input.bytes))).collect();
    let primitive_ids: Vec<_> = primitives.iter().map(|(_, work)| bench.add(data.len(), work)).collect();
    let checksum_ids: Vec<_> = clean
        .iter()
        .zip(&checksums)
        .map(|(input, c)| c.as_ref().map(|c| bench.add(input.bytes.len(), || c.compute())))
        .collect();
    bench.run(reps);

    let mut doc = String::new();
    let w = &mut doc;
    writeln!(w, "# Performance\n").unwrap();
    writeln!(
        w,
        "Generated by `cargo run --release --example perf_report -- --write docs/performance.md` \
         (about a minute of measuring after the build); the criterion benches (`cargo bench --bench decode`) measure the same \
         workloads (`benches/workloads.rs`).\n"
    )
    .unwrap();
    writeln!(w, "Machine: {}.\n", machine()).unwrap();
    if let Clock::ThreadCpu = clock {
        writeln!(w, "Timed with the thread's CPU time (`--cpu-time`), not the wall clock.\n").unwrap();
    }
    writeln!(
        w,
        "Every figure is the median of {reps} repetitions (each at least {} ms of whole passes over \
         the input) with the spread (min–max) beside it. The repetitions are taken in rounds: \
         each round measures every workload of the report once, so that a slow spell of this \
         shared machine weighs on all figures alike. MB/s are 10⁶ input bytes per second. \
         \"Whole\" is a `SliceDecoder` over the whole input (zero-copy); \"64-byte\" is a \
         `StreamDecoder<_, {}>` fed with `push`/`next` in 64-byte chunks. Every event (typed \
         message or error) is consumed (`black_box`), as the CLI would before writing JSON.\n",
        MIN_REPETITION.as_millis(),
        workloads::CAPACITY
    )
    .unwrap();

    writeln!(w, "## Stream decoding of realistic captures\n").unwrap();
    writeln!(
        w,
        "Inputs of {} MiB: the captures in `tests/captures` repeated, and for vectordebug \
         DBG_FRAME1 packets of 200 records (20 kHz, one packet per 10 ms) from the encoder. \
         The real implementations: the PC tool's C code (vectordebug) and the Python hosts \
         (pmu30, plot), on a 2-core 2.1 GHz Xeon. Target: issue #6 (whole input; 64-byte chunks \
         at least half of it).\n",
        workloads::INPUT_BYTES >> 20
    )
    .unwrap();
    writeln!(
        w,
        "| workload | feeding | MB/s (median) | MB/s (min–max) | frames/s (median) | real implementation, MB/s | × real | target, MB/s | met |"
    )
    .unwrap();
    writeln!(w, "|---|---|---:|---:|---:|---:|---:|---:|---|").unwrap();
    for (input, &(whole, chunked)) in clean.iter().zip(&decoding) {
        let (real, target) = reference(input.which);
        for (feeding, m, target) in [("whole", bench.get(whole), target), ("64-byte", bench.get(chunked), target / 2.0)]
        {
            let mb = median(&m.mb_per_s);
            let (real_text, times) = match real {
                Some((figure, text)) => (text.to_string(), format!("{:.1}×", mb / figure)),
                None => ("–".to_string(), "–".to_string()),
            };
            writeln!(
                w,
                "| {} | {feeding} | {} | {} | {} | {real_text} | {times} | {} | {} |",
                input.name,
                fmt_rate(mb),
                spread(&m.mb_per_s),
                fmt_count(median(&m.frames_per_s)),
                fmt_rate(target),
                if mb >= target { "yes" } else { "no" }
            )
            .unwrap();
        }
    }

    writeln!(w, "\n## Encoding\n").unwrap();
    writeln!(
        w,
        "The typed messages of the first MiB of each input above, written one after the other \
         with `emit` into a reused buffer; MB/s of wire bytes written.\n"
    )
    .unwrap();
    writeln!(w, "| workload | MB/s (median) | MB/s (min–max) | frames/s (median) |").unwrap();
    writeln!(w, "|---|---:|---:|---:|").unwrap();
    for (input, &id) in encode.iter().zip(&encoding) {
        let m = bench.get(id);
        writeln!(
            w,
            "| {} | {} | {} | {} |",
            input.name,
            fmt_rate(median(&m.mb_per_s)),
            spread(&m.mb_per_s),
            fmt_count(median(&m.frames_per_s))
        )
        .unwrap();
    }

    writeln!(w, "\n## Garbage-heavy input\n").unwrap();
    writeln!(
        w,
        "Inputs of {} MiB, whole (`SliceDecoder`): random bytes; random bytes with the dialect's \
         start marker (`AA`, `00`, `&`, `A5 5A`) at a random place in every 32 bytes (false \
         starts); and real frames corrupted at 10⁻² per byte by the corruption harness \
         (`tests/common/corruption.rs`: bit flips, drops, insertions, bursts).\n",
        workloads::GARBAGE_BYTES >> 20
    )
    .unwrap();
    writeln!(w, "| workload | MB/s (median) | MB/s (min–max) | frames/s (median) | errors per MB |").unwrap();
    writeln!(w, "|---|---:|---:|---:|---:|").unwrap();
    for (input, &id) in garbage.iter().zip(&garbage_ids) {
        let m = bench.get(id);
        let errors = bench.jobs[id.0].expected.errors;
        writeln!(
            w,
            "| {} | {} | {} | {} | {:.0} |",
            input.name,
            fmt_rate(median(&m.mb_per_s)),
            spread(&m.mb_per_s),
            fmt_count(median(&m.frames_per_s)),
            errors as f64 / (input.bytes.len() as f64 / 1e6)
        )
        .unwrap();
    }
    writeln!(w, "\n{}", output::section(clock, reps, &selected).trim_end()).unwrap();
    #[cfg(feature = "tokio")]
    writeln!(w, "\n{}", io::section(clock, reps, &selected).trim_end()).unwrap();
    writeln!(w, "\n## Limits on this machine\n").unwrap();
    writeln!(
        w,
        "The primitives the decoders are built on, over the same {} MiB: the `crc` crate's \
         table CRCs as this build uses them, and `memchr` for a byte that never occurs. Issue #6 \
         quotes about 3.9 GB/s for slice-by-16 CRC-16 and above 20 GB/s for memchr.\n",
        workloads::INPUT_BYTES >> 20
    )
    .unwrap();
    writeln!(w, "| primitive | MB/s (median) | MB/s (min–max) |").unwrap();
    writeln!(w, "|---|---:|---:|").unwrap();
    for ((name, _), &id) in primitives.iter().zip(&primitive_ids) {
        let m = bench.get(id);
        writeln!(w, "| {name} | {} | {} |", fmt_rate(median(&m.mb_per_s)), spread(&m.mb_per_s)).unwrap();
    }

    writeln!(
        w,
        "\nThe checksums alone: every frame's CRC computed with this crate's routine (`crc::crc16`, \
         `crc::crc8`: the `crc` crate's slice-by-16 tables) over exactly the bytes it covers, frame \
         after frame, in MB/s of the workload's input (vectordebug's CRC covers the COBS-decoded \
         packet, decoded beforehand here and taken in one piece, which is cheaper than the \
         decoder's block by block). A decoder that checks every frame with these routines \
         cannot be faster. Beside it, the whole-input decoding rate of the first table, \
         measured in the same rounds. powerscope r1 is not listed: its sample frames take a CRC \
         shortcut of their own (17 independent table lookups), and its bound is the work per \
         frame.\n"
    )
    .unwrap();
    writeln!(
        w,
        "| workload | checksums alone, MB/s (median) | decoding, MB/s (median) | decoding / checksums | target, MB/s |"
    )
    .unwrap();
    writeln!(w, "|---|---:|---:|---:|---:|").unwrap();
    // What a target leaves for everything but the CRC, as a share of the CRC's own time.
    let mut left_at_target = Vec::new();
    for ((input, &(whole, _)), id) in clean.iter().zip(&decoding).zip(&checksum_ids) {
        let Some(id) = *id else { continue };
        let (alone, decoding) = (median(&bench.get(id).mb_per_s), median(&bench.get(whole).mb_per_s));
        let target = reference(input.which).1;
        if target > decoding {
            left_at_target.push(format!("{} {:.0} %", input.name, 100.0 * (alone / target - 1.0)));
        }
        writeln!(
            w,
            "| {} | {} | {} | {:.0} % | {} |",
            input.name,
            fmt_rate(alone),
            fmt_rate(decoding),
            100.0 * decoding / alone,
            fmt_rate(reference(input.which).1)
        )
        .unwrap();
    }

    writeln!(w, "\n## What bounds each figure\n").unwrap();
    writeln!(
        w,
        "Instruction counts below are callgrind's, over the same inputs (they do not vary with \
         the machine's load, unlike the times above).\n\n\
         * The checksummed dialects compute each frame's CRC once (the drivers call \
         `Dialect::decode_scanned` with the bytes the scanner has checked). The \
         checksums-alone table above is their ceiling with the `crc` crate's tables. Issue \
         #6's targets assume a 3.9 GB/s slice-by-16 CRC-16; at the rates measured above, the \
         targets not met leave everything else (finding the frames, parsing them, building \
         the events) this share of the time the CRC itself takes: {}. The slice-by-16 loop \
         is bound by loads (two per byte: the byte and its table entry); variants that load \
         words and split them with shifts ran slower here.\n\
         * pmu30 telemetry (121-byte frames, about 630 instructions each): the CRC over 120 \
         bytes about 260, the typed parse (30 channel states through a table, 30 values) \
         about 110, the scanner about 50, the driver, the copy of the 168-byte event and the \
         consuming loop the rest.\n\
         * vectordebug (2.8 KB packets, about 5.1 instructions per byte whole, 7.3 in 64-byte \
         chunks): one walk over each packet's COBS blocks feeds the CRC (about 2.4 per byte) \
         and reads the header and every record's `seq`, which `decode_scanned` reuses; the \
         delimiter is found with `memchr`, and a packet arriving in chunks is searched for \
         it once (inline, 16 bytes at a time).\n\
         * Every event is a value of `Event<Frame, Error>`: {} bytes for pmu30, {} for \
         vectordebug, {} for plot (a decoded help table is boxed under `alloc`), {} for \
         ascii-crc8 and {} for powerscope. Small frames are bound by the work per event, not \
         by the bytes: a plot 3-channel data frame (8 bytes) is about 54 instructions (plot's \
         own scan and decode about 17, the consuming loop about 15, the driver the rest); a \
         powerscope r1 sample (25 bytes) about 163 (the scan about 46, of which the CRC's 17 \
         independent lookups about 36; the parse and gap check about 50; the driver, the \
         event and the loop the rest). Instruction counts are not the whole story for such \
         frames: moving a decoded frame out of a `Result` into the event's `Item` made the \
         compiler copy it through the stack in pieces that defeat store forwarding, which \
         stalled every frame (plot 3-channel ran at half its present speed; powerscope r1 is \
         faster now with more instructions); pmu30, plot and powerscope build the `Item` directly \
         (`Dialect::decode_scanned_item`). A copy of the powerscope message's padding \
         through the stack of this kind remains. powerscope r1 at 1 GB/s would need 40 M frames/s, 25 ns (50 cycles) per frame.\n\
         * `StreamDecoder` copies each pushed chunk into its buffer once and moves the \
         unconsumed tail to the front only when a push does not fit behind it (at most once \
         per buffer's worth of input); vectordebug's scanner resumes its delimiter search \
         where it stopped, and a scanner that has read a frame's length (pmu30) tells the \
         driver not to scan again before the frame is complete (`Dialect::needed`). \
         `SliceDecoder` copies nothing: frames borrow from the input.",
        if left_at_target.is_empty() { "none here".to_string() } else { left_at_target.join(", ") },
        size_of::<serial_dialects::stream::EventOf<'static, serial_dialects::pmu30::Pmu30>>(),
        size_of::<serial_dialects::stream::EventOf<'static, serial_dialects::vectordebug::VectorDebug>>(),
        size_of::<serial_dialects::stream::EventOf<'static, serial_dialects::plot::Plot>>(),
        size_of::<serial_dialects::stream::EventOf<'static, serial_dialects::ascii_crc8::AsciiCrc8>>(),
        size_of::<serial_dialects::stream::EventOf<'static, serial_dialects::powerscope::PowerScope>>(),
    )
    .unwrap();
    if args.iter().any(|a| a == "--no-firmware") {
        writeln!(w, "\n## Firmware cost (Cortex-M4)\n\nNot measured in this run (`--no-firmware`).").unwrap();
    } else {
        firmware_section(w);
    }
    eprintln!("measured in {:.0} s", started.elapsed().as_secs_f64());

    match value("--write") {
        Some(path) => {
            // The command line's chart/render figures are measured by hand
            // (cli/examples/chart_load.rs): carried over from the file being replaced.
            let old = std::fs::read_to_string(&path).unwrap_or_default();
            let doc = match section_of(&old, CLI_PICTURES) {
                Some(section) => output::splice_titled(&doc, CLI_PICTURES, section),
                None => doc,
            };
            std::fs::write(&path, &doc).unwrap_or_else(|e| panic!("{path}: {e}"))
        }
        None => print!("{doc}"),
    }
}

/// The title of the hand-measured section kept across regenerations.
const CLI_PICTURES: &str = "Live chart and rendered pictures (the command line)";

/// The section titled `title` of `doc`, heading included, up to the next `## `.
fn section_of<'a>(doc: &'a str, title: &str) -> Option<&'a str> {
    let start = doc.find(&format!("## {title}\n"))?;
    let body = start + 4 + title.len();
    let end = doc[body..].find("\n## ").map_or(doc.len(), |i| body + i + 1);
    doc.get(start..end)
}
