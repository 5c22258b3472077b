//! `chart`: a live terminal chart of a dialect's samples, from a serial port or a capture.
//!
//! A thread reads and decodes (`feed.rs`) into a bounded [`Store`]; this thread draws it
//! (`view.rs`) at most [`FRAME_INTERVAL`] apart and handles the keys. The terminal is
//! restored on every way out (`terminal.rs`).

mod feed;
mod store;
mod terminal;
mod view;

#[cfg(test)]
mod tests;

use std::collections::BTreeSet;
use std::fs::File;
use std::io::Read;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use crossterm::event::{self, Event, KeyCode, KeyEventKind, KeyModifiers};

use self::feed::{Feed, lock};
use self::store::{Ended, Store};
use self::view::{Rates, View};
use crate::cli_error::CliError;
use crate::dialect::Selected;
use crate::series::{AxisOf, Scalings};

/// At most this often the screen is redrawn (~30 frames per second).
const FRAME_INTERVAL: Duration = Duration::from_millis(33);
/// Rates are measured over this long.
const RATE_INTERVAL: Duration = Duration::from_secs(1);
/// The narrowest and widest time windows, in x units.
const WINDOW_LIMITS: (f64, f64) = (1e-3, 1e9);

/// Arguments of `chart`.
#[derive(Debug, clap::Args)]
#[command(group(clap::ArgGroup::new("source").required(true).args(["port", "input"])))]
pub struct ChartArgs {
    /// The dialect, NAME[:VARIANT].
    #[arg(short, long, value_name = "NAME[:VARIANT]")]
    pub dialect: String,
    /// A serial port to read live (e.g. /dev/ttyACM0, COM6).
    #[arg(short, long)]
    pub port: Option<String>,
    /// Baud rate of --port (ignored by USB CDC devices).
    #[arg(short, long, default_value_t = 115_200, requires = "port")]
    pub baud: u32,
    /// A capture to replay, as fast as it is drawn (or see --realtime).
    pub input: Option<PathBuf>,
    /// Replay INPUT at the pace of its frames' own time (powerscope ts_ms, pmu30
    /// timestamp_ms, vectordebug seq at 20 kHz); plot and ascii-crc8 frames carry none.
    #[arg(long, requires = "input")]
    pub realtime: bool,
    /// Plot channel scaling, CHANNEL=FACTOR (repeatable): value = (raw + offset) × scale.
    #[arg(long, value_name = "CH=S")]
    pub scale: Vec<String>,
    /// Plot channel offset, CHANNEL=OFFSET (repeatable), added before scaling.
    #[arg(long, value_name = "CH=O")]
    pub offset: Vec<String>,
}

/// Runs `chart`.
pub fn run(args: &ChartArgs) -> Result<(), CliError> {
    let selected = Selected::parse(&args.dialect).map_err(CliError::msg)?;
    let scalings = Scalings::parse(&args.scale, &args.offset).map_err(CliError::msg)?;
    let (source, live, label): (Box<dyn Read + Send>, bool, String) = match (&args.port, &args.input) {
        (Some(port), _) => (Box::new(crate::monitor::open_port(port, args.baud)?), true, port.clone()),
        (None, Some(path)) => {
            let label = path.display().to_string();
            let file = File::open(path).map_err(|e| CliError::io(format!("cannot open {label}"), e))?;
            (Box::new(file), false, label)
        }
        (None, None) => return Err(CliError::msg("chart needs --port PATH or an INPUT file")),
    };
    let stop = Arc::new(AtomicBool::new(false));
    let flag = Arc::clone(&stop);
    // SIGINT and SIGTERM from outside (in raw mode Ctrl-C typed here is a key).
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .map_err(|e| CliError::msg(format!("cannot install the Ctrl-C handler: {e}")))?;

    let axis = selected.dispatch(AxisOf);
    let store = Arc::new(Mutex::new(Store::default()));
    let feed =
        Feed { source, live, realtime: args.realtime, scalings, store: Arc::clone(&store), stop: Arc::clone(&stop) };
    let reader = {
        let selected = selected.clone();
        std::thread::Builder::new()
            .name("chart-reader".into())
            .spawn(move || selected.dispatch(feed))
            .map_err(|e| CliError::msg(format!("cannot start the reading thread: {e}")))?
    };
    let view = View {
        title: format!("{} · {label}", selected.name()),
        axis,
        window: axis.default_window,
        paused_at: None,
        hidden: BTreeSet::new(),
    };
    let result = interact(view, &store, &stop);
    stop.store(true, Ordering::SeqCst);
    // The reader notices `stop` within a read timeout; a panic there was reported already.
    let _ = reader.join();
    result?;
    match &lock(&store).ended {
        Some(Ended::Failed(why)) => Err(CliError::msg(format!("{label}: {why}"))),
        _ => Ok(()),
    }
}

/// The drawing and key loop, in the terminal session, until `q`, Ctrl-C or `stop`.
fn interact(mut view: View, store: &Mutex<Store>, stop: &AtomicBool) -> Result<(), CliError> {
    let mut session = terminal::Session::start()?;
    let failed = |e: std::io::Error| CliError::msg(format!("terminal: {e}"));
    let mut rates = Rates::default();
    // (when, frames, bytes, screens drawn) at the last measurement.
    let mut measured = (Instant::now(), 0u64, 0u64, 0u64);
    let mut draws = 0u64;
    while !stop.load(Ordering::SeqCst) {
        let drawn_at = Instant::now();
        if drawn_at.duration_since(measured.0) >= RATE_INTERVAL {
            let store = lock(store);
            let seconds = drawn_at.duration_since(measured.0).as_secs_f64();
            rates = Rates {
                frames_per_s: store.stats.frames.saturating_sub(measured.1) as f64 / seconds,
                bytes_per_s: store.bytes.saturating_sub(measured.2) as f64 / seconds,
                draws_per_s: draws.saturating_sub(measured.3) as f64 / seconds,
            };
            measured = (drawn_at, store.stats.frames, store.bytes, draws);
        }
        draws += 1;
        session.terminal.draw(|frame| view::draw(frame, &lock(store), &view, &rates)).map_err(failed)?;
        // Keys until the next frame is due.
        loop {
            let left = FRAME_INTERVAL.saturating_sub(drawn_at.elapsed());
            if left.is_zero() || !event::poll(left).map_err(failed)? {
                break;
            }
            if let Event::Key(key) = event::read().map_err(failed)? {
                if key.kind == KeyEventKind::Release {
                    continue;
                }
                let ctrl_c = key.code == KeyCode::Char('c') && key.modifiers.contains(KeyModifiers::CONTROL);
                if ctrl_c || key.code == KeyCode::Char('q') {
                    return Ok(());
                }
                let latest = lock(store).latest_x;
                handle_key(&mut view, key.code, latest);
                break;
            }
        }
    }
    Ok(())
}

/// What a key does to the view (`q` and Ctrl-C are handled by the loop).
fn handle_key(view: &mut View, code: KeyCode, latest_x: Option<f64>) {
    match code {
        KeyCode::Char(' ') => {
            view.paused_at = match view.paused_at {
                Some(_) => None,
                None => Some(latest_x.unwrap_or(view.window)),
            };
        }
        KeyCode::Left | KeyCode::Right => {
            if let Some(end) = view.paused_at.as_mut() {
                let step = view.window / 4.0;
                *end += if code == KeyCode::Left { -step } else { step };
            }
        }
        KeyCode::Char('+') => view.window = (view.window / 2.0).max(WINDOW_LIMITS.0),
        KeyCode::Char('-') => view.window = (view.window * 2.0).min(WINDOW_LIMITS.1),
        KeyCode::Char(digit) if digit.is_ascii_digit() => {
            if let Some(id) = view::series_of_digit(digit) {
                if !view.hidden.remove(&id) {
                    view.hidden.insert(id);
                }
            }
        }
        _ => {}
    }
}
