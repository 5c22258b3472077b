//! The chart's screen, drawn on ratatui's `TestBackend` for a capture of every dialect.

use std::sync::atomic::AtomicBool;
use std::sync::{Arc, Mutex};

use ratatui::Terminal;
use ratatui::backend::TestBackend;

use super::*;

/// The store after reading `path` (relative to the repository) to its end.
fn filled(dialect: &str, path: &str, scalings: Scalings) -> (Store, View) {
    let bytes = std::fs::read(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let selected = Selected::parse(dialect).unwrap();
    let store = Arc::new(Mutex::new(Store::default()));
    let feed = Feed {
        source: Box::new(std::io::Cursor::new(bytes)),
        live: false,
        realtime: false,
        scalings,
        store: Arc::clone(&store),
        stop: Arc::new(AtomicBool::new(false)),
    };
    selected.dispatch(feed);
    let axis = selected.dispatch(AxisOf);
    let view = View {
        title: format!("{dialect} · {path}"),
        axis,
        window: axis.default_window,
        paused_at: None,
        hidden: BTreeSet::new(),
    };
    let store = Arc::try_unwrap(store).unwrap().into_inner().unwrap();
    (store, view)
}

/// The screen as text lines.
fn screen(store: &Store, view: &View, rates: &Rates) -> Vec<String> {
    screen_of_size(store, view, rates, (140, 45))
}

fn screen_of_size(store: &Store, view: &View, rates: &Rates, (width, height): (u16, u16)) -> Vec<String> {
    let mut terminal = Terminal::new(TestBackend::new(width, height)).unwrap();
    terminal.draw(|frame| view::draw(frame, store, view, rates)).unwrap();
    let buffer = terminal.backend().buffer();
    let width = usize::from(buffer.area.width);
    buffer.content().chunks(width).map(|row| row.iter().map(|c| c.symbol()).collect()).collect()
}

fn has(lines: &[String], text: &str) -> bool {
    lines.iter().any(|l| l.contains(text))
}

fn check(lines: &[String], texts: &[&str]) {
    for text in texts {
        assert!(has(lines, text), "{text:?} not on the screen:\n{}", lines.join("\n"));
    }
}

const RATES: Rates = Rates { frames_per_s: 1234.0, bytes_per_s: 28_000.0, draws_per_s: 30.0 };

#[test]
fn plot_channels_with_label_names_and_scaling() {
    let scalings = Scalings::parse(&["1=0.5".into()], &[]).unwrap();
    let (store, view) = filled("plot", "tests/captures/plot/labels_then_data.bin", scalings);
    let lines = screen(&store, &view, &RATES);
    check(&lines, &["plot · tests/captures/plot/labels_then_data.bin", "window 500 sample", "END OF INPUT", "value"]);
    check(&lines, &["[1] ADC0", "[2] Gyro X", "[3] Accel Z", "sample"]);
    // Status line: rates, frames, no errors.
    let frames = store.stats.frames;
    check(&lines, &["1234 frames/s · 28.0kB/s", &format!("frames {frames} · errors: none · lost 0 · drawn 30/s")]);
    // The y axis spans the values drawn: up to 32767 (channel 2), down to -32768 / 2
    // (channel 1 halved).
    check(&lines, &["-16384", "32767"]);
}

#[test]
fn plot_sample_without_labels() {
    let (store, view) = filled("plot", "samples/plot.bin", Scalings::default());
    let lines = screen(&store, &view, &RATES);
    check(&lines, &["[1] ch0", "[2] ch1", "[3] ch2", "frames 15"]);
    // x ends at the last sample (1), the window is 500 wide.
    check(&lines, &["-499", "1│"]);
}

#[test]
fn vectordebug_six_variables_over_seq() {
    let (store, view) = filled("vectordebug", "samples/vectordebug.bin", Scalings::default());
    let lines = screen(&store, &view, &RATES);
    for i in 0..6 {
        check(&lines, &[&format!("[{}] payload[{i}]", i + 1)]);
    }
    let last = store.latest_x.unwrap();
    check(&lines, &["seq", &format!("{last}"), &format!("{}", last - 20_000.0), "frames 12"]);
}

#[test]
fn vectordebug_lost_frames_and_crc_errors_in_the_status_line() {
    let (store, view) = filled("vectordebug", "tests/captures/vectordebug/12_seq_wrap_gap.bin", Scalings::default());
    assert!(store.stats.lost_frames > 0);
    let lines = screen(&store, &view, &RATES);
    check(&lines, &[&format!("lost {}", store.stats.lost_frames), "lost"]);
    let (store, view) = filled("vectordebug", "tests/captures/vectordebug/04_crc_error.bin", Scalings::default());
    let crc = store.stats.errors.get(serial_dialects::ErrorKind::CrcMismatch);
    assert!(crc > 0);
    let lines = screen(&store, &view, &RATES);
    check(&lines, &[&format!("crc_mismatch {crc}"), "rejected"]);
}

#[test]
fn powerscope_voltage_current_and_power_panels() {
    let (store, view) = filled("powerscope", "samples/powerscope.bin", Scalings::default());
    let lines = screen(&store, &view, &RATES);
    check(&lines, &["voltage (V)", "current (mA)", "power (mW)", "time (s)", "window 10 time (s)"]);
    check(&lines, &["[1] sensor 1 voltage", "[2] sensor 1 current", "[3] sensor 1 power", "[4] sensor 2 voltage"]);
    check(&lines, &["frames 154 · errors: none"]);
}

#[test]
fn pmu30_currents_input_voltage_and_temperature() {
    let (store, view) = filled("pmu30", "samples/pmu30.bin", Scalings::default());
    // 16 channels: the legend needs a tall terminal.
    let lines = screen_of_size(&store, &view, &RATES, (140, 60));
    check(&lines, &["current (mA)", "voltage (V)", "temperature (°C)", "input voltage", "temperature"]);
    check(&lines, &["[1] ch0 current", "[9] ch8 current"]);
    // Last telemetry at 124.636 s, window 10 s.
    check(&lines, &["114.6", "124.6"]);
    let (store, view) = filled("pmu30", "tests/captures/pmu30/bad_crc.bin", Scalings::default());
    let lines = screen(&store, &view, &RATES);
    check(&lines, &["crc_mismatch 2", "waiting for samples"]);
}

#[test]
fn ascii_crc8_lux_values() {
    let (store, view) = filled("ascii-crc8", "samples/ascii-crc8.bin", Scalings::default());
    let lines = screen(&store, &view, &RATES);
    check(&lines, &["illuminance (lx)", "[1] lux", "reading", "2600", "frames 12"]);
}

#[test]
fn pause_scroll_window_and_toggles() {
    let (store, mut view) = filled("powerscope", "samples/powerscope.bin", Scalings::default());
    let latest = store.latest_x;
    handle_key(&mut view, KeyCode::Char(' '), latest);
    assert_eq!(view.paused_at, latest);
    let lines = screen(&store, &view, &RATES);
    check(&lines, &["PAUSED", "· PAUSED"]);
    handle_key(&mut view, KeyCode::Left, latest);
    assert_eq!(view.paused_at, latest.map(|x| x - 2.5));
    handle_key(&mut view, KeyCode::Right, latest);
    handle_key(&mut view, KeyCode::Right, latest);
    assert_eq!(view.paused_at, latest.map(|x| x + 2.5));
    handle_key(&mut view, KeyCode::Char('+'), latest);
    assert_eq!(view.window, 5.0);
    handle_key(&mut view, KeyCode::Char('-'), latest);
    handle_key(&mut view, KeyCode::Char('-'), latest);
    assert_eq!(view.window, 20.0);
    handle_key(&mut view, KeyCode::Char('2'), latest);
    let lines = screen(&store, &view, &RATES);
    check(&lines, &["(hidden: [2])"]);
    assert!(!has(&lines, "[2] sensor 1 current"));
    handle_key(&mut view, KeyCode::Char('2'), latest);
    handle_key(&mut view, KeyCode::Char(' '), latest);
    assert_eq!(view.paused_at, None);
    // Arrows do nothing while live.
    handle_key(&mut view, KeyCode::Left, latest);
    assert_eq!(view.paused_at, None);
    let lines = screen(&store, &view, &RATES);
    check(&lines, &["[2] sensor 1 current", "END OF INPUT"]);
    assert!(!has(&lines, "PAUSED"));
    assert_eq!(view::series_of_digit('0'), Some(9));
    assert_eq!(view::series_of_digit('1'), Some(0));
}

#[test]
fn an_empty_store_waits_and_a_failure_is_shown() {
    let mut store = Store::default();
    let axis = crate::series::Axis { title: "seq", seconds_per_unit: None, default_window: 100.0 };
    let view = View { title: "t".into(), axis, window: 100.0, paused_at: None, hidden: BTreeSet::new() };
    let lines = screen(&store, &view, &Rates::default());
    check(&lines, &["waiting for samples...", "LIVE", "0 frames/s"]);
    store.ended = Some(Ended::Failed("read failed: gone".into()));
    let lines = screen(&store, &view, &Rates::default());
    check(&lines, &["FAILED", "read failed: gone"]);
}
