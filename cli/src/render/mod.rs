//! `render`: a picture (PNG or SVG) of a whole capture: one panel per quantity with axes,
//! units, a legend of the series' names and marks where bytes were rejected or frames
//! lost. The capture is decoded twice in bounded memory (`columns.rs`); the text comes from
//! the bundled DejaVu Sans (PNG) or is SVG text, so no system library is needed.

mod columns;
mod draw;

#[cfg(test)]
mod tests;

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use serial_dialects::io::Events;

use self::columns::{Columns, Extent};
use crate::cli_error::CliError;
use crate::dialect::{CliDialect, Job, Selected};
use crate::series::{Out, Plottable, Scalings, Timeline};

/// Bytes read from the capture at a time.
const READ_CHUNK: usize = 64 * 1024;
/// The largest picture side, in pixels.
const MAX_SIDE: u32 = 16_384;

/// Arguments of `render`.
#[derive(Debug, clap::Args)]
pub struct RenderArgs {
    /// The capture file.
    pub input: PathBuf,
    /// The dialect, NAME[:VARIANT].
    #[arg(short, long, value_name = "NAME[:VARIANT]")]
    pub dialect: String,
    /// The picture to write: FILE.png or FILE.svg.
    #[arg(short, long, value_name = "FILE")]
    pub output: PathBuf,
    /// Width in pixels.
    #[arg(long, default_value_t = 1600)]
    pub width: u32,
    /// Height in pixels.
    #[arg(long, default_value_t = 900)]
    pub height: u32,
    /// Plot channel scaling, CHANNEL=FACTOR (repeatable): value = (raw + offset) × scale.
    #[arg(long, value_name = "CH=S")]
    pub scale: Vec<String>,
    /// Plot channel offset, CHANNEL=OFFSET (repeatable), added before scaling.
    #[arg(long, value_name = "CH=O")]
    pub offset: Vec<String>,
}

/// The picture format, from the output's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Png,
    Svg,
}

impl Format {
    fn of(path: &Path) -> Result<Format, CliError> {
        match path.extension().and_then(|e| e.to_str()).map(str::to_ascii_lowercase).as_deref() {
            Some("png") => Ok(Format::Png),
            Some("svg") => Ok(Format::Svg),
            _ => Err(CliError::msg(format!(
                "cannot tell the format of {}: name it FILE.png or FILE.svg",
                path.display()
            ))),
        }
    }
}

/// What the picture shows, decoded from the capture.
pub struct Picture {
    pub title: String,
    pub axis: crate::series::Axis,
    pub extent: Extent,
    pub columns: Columns,
}

/// Runs `render`.
pub fn run(args: &RenderArgs) -> Result<(), CliError> {
    let selected = Selected::parse(&args.dialect).map_err(CliError::msg)?;
    let scalings = Scalings::parse(&args.scale, &args.offset).map_err(CliError::msg)?;
    let format = Format::of(&args.output)?;
    for (name, side) in [("--width", args.width), ("--height", args.height)] {
        if !(100..=MAX_SIDE).contains(&side) {
            return Err(CliError::msg(format!("{name} {side}: expected 100 to {MAX_SIDE} pixels")));
        }
    }
    let label = args.input.display().to_string();
    let title = format!(
        "{} · {}",
        selected.name(),
        args.input.file_name().map_or(label.clone(), |n| n.to_string_lossy().into_owned())
    );
    let picture =
        selected.dispatch(Decode { input: &args.input, label: &label, scalings, width: args.width, title })?;
    draw::write(&picture, &args.output, format, (args.width, args.height))
}

/// Both passes over the capture, generic over the dialect.
struct Decode<'a> {
    input: &'a Path,
    label: &'a str,
    scalings: Scalings,
    width: u32,
    title: String,
}

impl Job for Decode<'_> {
    type Output = Result<Picture, CliError>;

    fn run<D: CliDialect>(self, dialect: D) -> Result<Picture, CliError> {
        let mut extent = Extent::default();
        // The dialect keeps cross-frame state: each pass starts from a fresh one.
        let fresh = D::new(*dialect.config());
        pass(dialect, self.input, self.label, self.scalings.clone(), &mut extent)?;
        let x = extent.x.unwrap_or(columns::Range { min: 0.0, max: 1.0 });
        let mut columns = Columns::new(x, self.width as usize, extent.series.len());
        pass(fresh, self.input, self.label, self.scalings, &mut columns)?;
        Ok(Picture { title: self.title, axis: D::AXIS, extent, columns })
    }
}

/// Decodes the whole capture into `out`.
fn pass<D: Plottable>(
    dialect: D,
    input: &Path,
    label: &str,
    scalings: Scalings,
    out: &mut dyn Out,
) -> Result<(), CliError> {
    let file = File::open(input).map_err(|e| CliError::io(format!("cannot open {label}"), e))?;
    let reader: Box<dyn Read> = Box::new(BufReader::with_capacity(READ_CHUNK, file));
    let mut events = Events::with_read_size(dialect, reader, READ_CHUNK);
    let mut timeline = Timeline::<D>::new(scalings);
    while let Some(event) = events.next() {
        let event = event.map_err(|e| CliError::io(format!("cannot read {label}"), e))?;
        let stats = *events.stats();
        timeline.event(&event.borrowed(), &stats, out);
    }
    Ok(())
}
