//! `sniff` and `--dialect auto`: decode the start of a capture with every dialect and
//! score how much of it each one explains, weighting frames by how much they prove.

use std::io::{self, Read, Write};
use std::path::Path;

use serial_dialects::Message;
use serial_dialects::stream::{Item, SliceDecoder};

use crate::cli_error::CliError;
use crate::dialect::{CliDialect, Job, Selected};
use Proof::{Checked, Line, Unchecked};

/// How much of the input `--dialect auto` looks at.
pub const SNIFF_BYTES: usize = 256 * 1024;
/// How much of the input `sniff` looks at.
const SNIFF_COMMAND_BYTES: usize = 4 * 1024 * 1024;
/// The lowest score `--dialect auto` accepts from a dialect without verified frames.
pub const MIN_SCORE: f64 = 0.25;
/// Checksum-verified frames that make a dialect acceptable whatever its score (a capture
/// full of errors is still recognised by the frames that pass their CRC).
pub const MIN_VERIFIED: u64 = 2;

/// What one dialect made of the input.
#[derive(Debug, Clone, PartialEq)]
pub struct Evidence {
    pub selected: Selected,
    /// Weighted share of the input explained by frames, 0..=1.
    pub score: f64,
    /// Frames whose checksum was verified.
    pub checked: u64,
    /// Binary frames without a checksum (plot data/labels, powerscope r0).
    pub unchecked: u64,
    /// Text lines and other weak evidence.
    pub text: u64,
    pub errors: u64,
    pub bytes_in_frames: u64,
    pub total: usize,
}

/// How much a frame of one type proves that its dialect is right (each dialect lists its
/// types that prove less than a checksum-verified frame: `CliDialect::proofs`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Proof {
    /// A frame whose checksum was verified, worth this weight per byte (1.0 in full).
    Checked(f64),
    /// A binary frame without a checksum.
    Unchecked(f64),
    /// Weak evidence, counted with the text lines.
    Text(f64),
    /// A text line (its text in the JSON field `line` or `text`): worth 0.3 when it is clean
    /// printable text, nothing otherwise (random bytes make text lines full of control
    /// characters).
    Line,
}

/// The weight and strength of a frame of type `kind`, by the dialect's `proofs`.
fn weight<D: CliDialect>(config: &D::Config, frame: &D::Message<'_>) -> (f64, Strength) {
    let kind = frame.name();
    let proof = D::proofs(config).iter().find(|(k, _)| *k == kind || *k == "*").map_or(Checked(1.0), |(_, p)| *p);
    match proof {
        Checked(w) => (w, Strength::Checked),
        Unchecked(w) => (w, Strength::Unchecked),
        Proof::Text(w) => (w, Strength::Text),
        Line => {
            let value = serde_json::to_value(frame).unwrap_or_default();
            let fields = value.get("fields");
            let text = fields.and_then(|f| f.get("line").or_else(|| f.get("text"))).and_then(|t| t.as_str());
            let clean = text
                .is_some_and(|t| !t.is_empty() && !t.chars().any(|c| c.is_control() && c != '\t' || c == '\u{FFFD}'));
            (if clean { 0.3 } else { 0.0 }, Strength::Text)
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Strength {
    Checked,
    Unchecked,
    Text,
}

struct ScoreJob<'a> {
    input: &'a [u8],
    selected: Selected,
}

impl Job for ScoreJob<'_> {
    type Output = Evidence;

    fn run<D: CliDialect>(self, dialect: D) -> Evidence {
        let config = *dialect.config();
        let mut ev = Evidence {
            selected: self.selected,
            score: 0.0,
            checked: 0,
            unchecked: 0,
            text: 0,
            errors: 0,
            bytes_in_frames: 0,
            total: self.input.len(),
        };
        let mut weighted = 0.0;
        for event in SliceDecoder::new(dialect, self.input) {
            match &event.item {
                Item::Frame(frame) => {
                    let (w, strength) = weight::<D>(&config, frame);
                    weighted += w * event.len as f64;
                    ev.bytes_in_frames += event.len as u64;
                    match strength {
                        Strength::Checked => ev.checked += 1,
                        Strength::Unchecked => ev.unchecked += 1,
                        Strength::Text => ev.text += 1,
                    }
                }
                Item::Error(_) => ev.errors += 1,
            }
        }
        if !self.input.is_empty() {
            ev.score = weighted / self.input.len() as f64;
        }
        ev
    }
}

/// Every candidate dialect's evidence, best first (ties keep the candidates' order).
pub fn score_all(input: &[u8]) -> Vec<Evidence> {
    let mut all: Vec<Evidence> = Selected::candidates()
        .into_iter()
        .map(|selected| selected.clone().dispatch(ScoreJob { input, selected }))
        .collect();
    // Verified frames first: two CRC-16-valid frames are near-certain proof, a high share
    // of unchecked bytes is not.
    all.sort_by(|a, b| b.verified().cmp(&a.verified()).then(b.score.total_cmp(&a.score)));
    all
}

impl Evidence {
    fn verified(&self) -> bool {
        self.checked >= MIN_VERIFIED
    }

    /// Whether this evidence is enough for `--dialect auto`.
    pub fn acceptable(&self) -> bool {
        self.verified() || self.score >= MIN_SCORE
    }
}

/// The best dialect for `input`, if its evidence is [acceptable](Evidence::acceptable).
pub fn best(input: &[u8]) -> Option<Evidence> {
    score_all(input).into_iter().next().filter(Evidence::acceptable)
}

/// Runs `sniff`.
pub fn run(input: &Path) -> Result<(), CliError> {
    let label = if input.as_os_str() == "-" { "standard input".to_string() } else { input.display().to_string() };
    let mut bytes = Vec::new();
    let reader: Box<dyn Read> = if input.as_os_str() == "-" {
        Box::new(io::stdin().lock())
    } else {
        let file = std::fs::File::open(input).map_err(|e| CliError::io(format!("cannot open {label}"), e))?;
        if file.metadata().map(|m| m.is_dir()).unwrap_or(false) {
            return Err(CliError::msg(format!("cannot read {label}: it is a directory")));
        }
        Box::new(file)
    };
    reader
        .take(SNIFF_COMMAND_BYTES as u64)
        .read_to_end(&mut bytes)
        .map_err(|e| CliError::io(format!("cannot read {label}"), e))?;
    let all = score_all(&bytes);
    let mut out = io::stdout().lock();
    match all.first().filter(|e| e.acceptable()) {
        Some(best) => writeln!(
            out,
            "best: {} (score {:.3}: {} checksum-verified frames, {} unchecked frames, {} text lines, {} errors in {} bytes)",
            best.selected.name(),
            best.score,
            best.checked,
            best.unchecked,
            best.text,
            best.errors,
            best.total
        )?,
        None => writeln!(
            out,
            "best: none (no dialect has {MIN_VERIFIED} verified frames or a score of {MIN_SCORE} on {} bytes)",
            bytes.len()
        )?,
    }
    writeln!(
        out,
        "{:<22} {:>6} {:>8} {:>9} {:>6} {:>7} {:>9}",
        "dialect", "score", "checked", "unchecked", "text", "errors", "in frames"
    )?;
    for e in &all {
        let share = if e.total == 0 { 0.0 } else { 100.0 * e.bytes_in_frames as f64 / e.total as f64 };
        writeln!(
            out,
            "{:<22} {:>6.3} {:>8} {:>9} {:>6} {:>7} {:>8.1}%",
            e.selected.name(),
            e.score,
            e.checked,
            e.unchecked,
            e.text,
            e.errors,
            share
        )?;
    }
    out.flush()?;
    Ok(())
}
