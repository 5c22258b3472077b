//! `decode`: a capture file or standard input, in bounded memory, to events.

use std::fs::File;
use std::io::{self, BufWriter, IsTerminal, Read, Write};
use std::path::Path;

use indicatif::{ProgressBar, ProgressStyle};
use serial_dialects::{Stats, StreamDecoder};

use crate::cli_error::CliError;
use crate::dialect::{CliDialect, Job, Selected};
use crate::output::{EventSink, Format};
use crate::sniff;

/// Buffer of the stream decoder: larger than every dialect's largest frame (vectordebug's
/// 16 450 bytes), so results never depend on it.
pub const DECODER_CAPACITY: usize = 64 * 1024;
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

/// Feeds everything `reader` gives to a stream decoder and writes the events.
pub fn decode_stream<D: CliDialect, W: Write>(
    dialect: D,
    reader: &mut dyn Read,
    label: &str,
    sink: &mut EventSink<W>,
    progress: Option<&ProgressBar>,
) -> Result<Stats, CliError> {
    let mut decoder: Box<StreamDecoder<D, DECODER_CAPACITY>> = Box::new(StreamDecoder::new(dialect));
    let mut chunk = vec![0u8; READ_CHUNK];
    let mut failure: Option<io::Error> = None;
    loop {
        let n = match reader.read(&mut chunk) {
            Ok(0) => break,
            Ok(n) => n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(CliError::io(format!("cannot read {label}"), e)),
        };
        decoder.feed(&chunk[..n], |event| {
            if failure.is_none() {
                failure = sink.event::<D>(&event).err();
            }
        });
        if let Some(e) = failure.take() {
            return Err(e.into());
        }
        if let Some(bar) = progress {
            bar.inc(n as u64);
        }
    }
    decoder.finish_with(|event| {
        if failure.is_none() {
            failure = sink.event::<D>(&event).err();
        }
    });
    if let Some(e) = failure {
        return Err(e.into());
    }
    Ok(*decoder.stats())
}
