//! The reading side of the live chart, on its own thread: bytes from a port or a file,
//! decoded, turned into series (through the shared [`Timeline`]) and put in the [`Store`].

use std::io::Read;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use serial_dialects::io::Events;

use super::store::{Ended, Store};
use crate::dialect::{CliDialect, Job};
use crate::monitor::{is_quiet, port_failure};
use crate::series::{Scalings, Timeline};

/// Bytes read at a time.
const READ_CHUNK: usize = 4096;
/// The longest sleep of `--realtime` pacing, so that quitting stays quick.
const PACING_STEP: Duration = Duration::from_millis(50);

/// Locks the store; a panic on the other thread (already reported) leaves it usable.
pub fn lock(store: &Mutex<Store>) -> MutexGuard<'_, Store> {
    store.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Reads `source` to its end (or until `stop`), filling `store`.
pub struct Feed {
    pub source: Box<dyn Read + Send>,
    /// A port: read timeouts are quiet moments, the end of input is a failure.
    pub live: bool,
    /// Pace a file by the frames' own time.
    pub realtime: bool,
    pub scalings: Scalings,
    pub store: Arc<Mutex<Store>>,
    pub stop: Arc<AtomicBool>,
}

impl Job for Feed {
    type Output = ();

    fn run<D: CliDialect>(self, dialect: D) {
        let Feed { source, live, realtime, scalings, store, stop } = self;
        let mut events = Events::with_read_size(dialect, source, READ_CHUNK);
        let mut timeline = Timeline::<D>::new(scalings);
        let mut pacing = realtime.then(|| Pacing::new(D::AXIS.seconds_per_unit)).flatten();
        let ended = loop {
            if stop.load(Ordering::SeqCst) {
                return;
            }
            match events.next() {
                Some(Ok(event)) => {
                    let stats = *events.stats();
                    let latest = {
                        let mut store = lock(&store);
                        timeline.event(&event.borrowed(), &stats, &mut *store);
                        store.stats = stats;
                        store.bytes = events.position();
                        store.latest_x
                    };
                    if let (Some(pacing), Some(x)) = (pacing.as_mut(), latest) {
                        pacing.wait_for(x, &stop);
                    }
                }
                Some(Err(e)) if live && is_quiet(&e) => {}
                Some(Err(e)) => break Ended::Failed(format!("read failed: {}", port_failure(&e))),
                None if live => break Ended::Failed("the port was closed".to_string()),
                None => break Ended::EndOfInput,
            }
        };
        let mut store = lock(&store);
        store.stats = *events.stats();
        store.bytes = events.position();
        store.ended = Some(ended);
    }
}

/// `--realtime`: holds each frame back until as much wall time has passed since the first
/// as the frames' own time says.
struct Pacing {
    seconds_per_unit: f64,
    start: Option<(Instant, f64)>,
}

impl Pacing {
    /// `None` for dialects whose frames carry no time.
    fn new(seconds_per_unit: Option<f64>) -> Option<Pacing> {
        seconds_per_unit.map(|seconds_per_unit| Pacing { seconds_per_unit, start: None })
    }

    fn wait_for(&mut self, x: f64, stop: &AtomicBool) {
        let (wall, first) = *self.start.get_or_insert((Instant::now(), x));
        let due = Duration::try_from_secs_f64((x - first) * self.seconds_per_unit).unwrap_or(Duration::ZERO);
        let Some(due) = wall.checked_add(due) else { return };
        while !stop.load(Ordering::SeqCst) {
            let now = Instant::now();
            if now >= due {
                break;
            }
            std::thread::sleep((due - now).min(PACING_STEP));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pacing_waits_for_the_frames_time_and_stops_at_once() {
        let stop = AtomicBool::new(false);
        let mut pacing = Pacing::new(Some(0.001)).unwrap();
        let start = Instant::now();
        pacing.wait_for(1000.0, &stop);
        pacing.wait_for(1060.0, &stop);
        let waited = start.elapsed();
        assert!(waited >= Duration::from_millis(60) && waited < Duration::from_secs(2), "{waited:?}");
        stop.store(true, Ordering::SeqCst);
        let start = Instant::now();
        pacing.wait_for(1e9, &stop);
        assert!(start.elapsed() < Duration::from_millis(100));
        assert!(Pacing::new(None).is_none());
    }

    #[test]
    fn a_file_is_read_to_its_end() {
        let bytes = std::fs::read(format!("{}/../samples/powerscope.bin", env!("CARGO_MANIFEST_DIR"))).unwrap();
        let store = Arc::new(Mutex::new(Store::default()));
        let feed = Feed {
            source: Box::new(std::io::Cursor::new(bytes.clone())),
            live: false,
            realtime: false,
            scalings: Scalings::default(),
            store: Arc::clone(&store),
            stop: Arc::new(AtomicBool::new(false)),
        };
        crate::dialect::Selected::parse("powerscope").unwrap().dispatch(feed);
        let store = lock(&store);
        assert_eq!(store.ended, Some(Ended::EndOfInput));
        assert_eq!(store.bytes, bytes.len() as u64);
        assert_eq!(store.stats.frames, 154);
        assert_eq!(store.series[0].len(), store.series[1].len());
    }
}
