//! `decode`: a capture file or standard input, in bounded memory, to events.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use serial_dialects::Stats;
use serial_dialects::io::Events;

use crate::cli_error::CliError;
use crate::dialect::{CliDialect, Job, Selected};
use crate::output::{EventSink, Format};
use crate::sniff;

/// Bytes read from the input at a time.
const READ_CHUNK: usize = 64 * 1024;
/// Inputs at least this large get a progress bar (when stderr is a terminal).
const PROGRESS_THRESHOLD: u64 = 8 * 1024 * 1024;

/// Runs `decode`.
pub fn run(dialect: &str, format: Format, stats: bool, input: Option<&Path>) -> Result<(), CliError> {
    let named = if dialect == "auto" { None } else { Some(Selected::parse(dialect).map_err(CliError::msg)?) };
    let (mut reader, size, label) = open_input(input)?;
    let selected = if let Some(selected) = named {
        selected
    } else {
        // Sniff a head of the input, then decode the head and the rest as one stream.
        let mut head = Vec::new();
        (&mut reader).take(sniff::SNIFF_BYTES as u64).read_to_end(&mut head).map_err(|e| CliError::io(&label, e))?;
        let best = sniff::best(&head)
            .ok_or_else(|| CliError::msg(format!("cannot recognise the dialect of {label}; name it with --dialect")))?;
        let selected = best.selected;
        reader = Box::new(io::Cursor::new(head).chain(reader));
        selected
    };
    let progress = progress_bar(size);
    let stdout = io::stdout().lock();
    let job =
        DecodeJob { reader, label: &label, out: BufWriter::with_capacity(1 << 16, stdout), format, stats, progress };
    selected.dispatch(job)
}

type Input = (Box<dyn Read>, Option<u64>, String);

fn open_input(input: Option<&Path>) -> Result<Input, CliError> {
    match input {
        None => Ok((Box::new(io::stdin().lock()), None, "standard input".into())),
        Some(p) if p.as_os_str() == "-" => Ok((Box::new(io::stdin().lock()), None, "standard input".into())),
        Some(p) => {
            let label = p.display().to_string();
            let file = File::open(p).map_err(|e| CliError::io(format!("cannot open {label}"), e))?;
            let meta = file.metadata().map_err(|e| CliError::io(format!("cannot read {label}"), e))?;
            if meta.is_dir() {
                return Err(CliError::msg(format!("cannot read {label}: it is a directory")));
            }
            Ok((Box::new(file), Some(meta.len()), label))
        }
    }
}

fn progress_bar(size: Option<u64>) -> Option<ProgressBar> {
    let size = size?;
    if size < PROGRESS_THRESHOLD || !io::stderr().is_terminal() {
        return None;
    }
    let bar = ProgressBar::new(size);
    if let Ok(style) = ProgressStyle::with_template("{bar:40} {bytes}/{total_bytes} {bytes_per_sec} {eta}") {
        bar.set_style(style);
    }
    Some(bar)
}

struct DecodeJob<'a, W: Write> {
    reader: Box<dyn Read + 'a>,
    label: &'a str,
    out: W,
    format: Format,
    stats: bool,
    progress: Option<ProgressBar>,
}

impl<W: Write> Job for DecodeJob<'_, W> {
    type Output = Result<(), CliError>;

    fn run<D: CliDialect>(mut self, dialect: D) -> Result<(), CliError> {
        let mut sink = EventSink::new(self.out, self.format, D::NAME, false);
        let stats = decode_stream(dialect, &mut self.reader, self.label, &mut sink, self.progress.as_ref())?;
        if let Some(bar) = &self.progress {
            bar.finish_and_clear();
        }
        if self.stats {
            sink.stats(&stats)?;
        }
        sink.flush()?;
        Ok(())
    }
}

/// Decodes everything `reader` gives (through [`Events`]) and writes the events.
pub fn decode_stream<D: CliDialect, W: Write>(
    dialect: D,
    reader: &mut dyn Read,
    label: &str,
    sink: &mut EventSink<W>,
    progress: Option<&ProgressBar>,
) -> Result<Stats, CliError> {
    let counted = Counted { reader, progress };
    let mut events = Events::with_read_size(dialect, counted, READ_CHUNK);
    for event in &mut events {
        let event = event.map_err(|e| CliError::io(format!("cannot read {label}"), e))?;
        sink.event::<D>(&event.borrowed())?;
    }
    Ok(*events.stats())
}

/// A reader that moves the progress bar by what it reads.
struct Counted<'a, 'r> {
    reader: &'a mut (dyn Read + 'r),
    progress: Option<&'a ProgressBar>,
}

impl Read for Counted<'_, '_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.reader.read(buf)?;
        if let Some(bar) = self.progress {
            bar.inc(n as u64);
        }
        Ok(n)
    }
}
