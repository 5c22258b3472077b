//! What `chart` and `render` draw: every dialect's events as time series of physical
//! quantities, and marks where frames were lost or rejected.
//!
//! A [`Timeline`] is fed the events of a stream in order and tells an [`Out`] about new
//! series (name and unit), points (`x`, `y`) and marks. What a frame carries is the
//! dialect's [`Plottable`] implementation (`extract.rs`); everything else (series
//! identities, marks from error events and the decoder's `lost_frames`) is common.

mod extract;

use std::collections::HashMap;

use serial_dialects::Stats;
use serial_dialects::plot::Scaling;
use serial_dialects::stream::{EventOf, Item};

pub use extract::Plottable;

/// The x axis of a dialect's series.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Axis {
    /// What x counts, with its unit: `time (s)`, `seq`, `sample`.
    pub title: &'static str,
    /// Seconds per x unit when x is (or implies) time, for `--realtime`; `None` where the
    /// frames carry no time.
    pub seconds_per_unit: Option<f64>,
    /// The time window a live chart starts with, in x units.
    pub default_window: f64,
}

/// A series as it is first seen.
#[derive(Debug, Clone, PartialEq)]
pub struct SeriesInfo {
    /// Its name in legends (a plot channel's LABEL, `sensor 1 voltage`, `ch3 current`).
    pub name: String,
    /// The unit of y: the series of one unit share a panel. Empty for raw values.
    pub unit: &'static str,
}

/// Why a mark is drawn.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MarkKind {
    /// Bytes were rejected (an error event).
    Rejected,
    /// The dialect's sequence numbers say frames were lost.
    Lost,
}

/// Where the stream went wrong.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Mark {
    /// The x of the last point before it (0 before any point).
    pub x: f64,
    pub kind: MarkKind,
}

/// Where a [`Timeline`] puts what it finds.
pub trait Out {
    /// Series `id` (0, 1, 2, ... in order of appearance) is new.
    fn series(&mut self, id: usize, info: SeriesInfo);
    /// Series `id` has a new name (a plot LABEL frame after its first samples).
    fn rename(&mut self, id: usize, name: String);
    /// A point of series `id`, in increasing x for a given series.
    fn point(&mut self, id: usize, x: f64, y: f64);
    /// A mark.
    fn mark(&mut self, mark: Mark);
}

/// Per-channel display scaling of plot channels, as DragoonPlot has: `(raw + offset) × scale`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Scalings {
    by_channel: HashMap<u8, Scaling>,
}

impl Scalings {
    /// Parses `--scale CH=S` and `--offset CH=O` lists.
    pub fn parse(scales: &[String], offsets: &[String]) -> Result<Scalings, String> {
        let mut by_channel: HashMap<u8, Scaling> = HashMap::new();
        for (text, is_scale) in scales.iter().map(|s| (s, true)).chain(offsets.iter().map(|o| (o, false))) {
            let what = if is_scale { "--scale" } else { "--offset" };
            let (channel, value) = text
                .split_once('=')
                .and_then(|(c, v)| Some((c.trim().parse::<u8>().ok()?, v.trim().parse::<f64>().ok()?)))
                .filter(|(_, v)| v.is_finite())
                .ok_or_else(|| format!("invalid {what} {text:?}: expected CHANNEL=NUMBER, e.g. 0=0.5"))?;
            let scaling = by_channel.entry(channel).or_default();
            if is_scale {
                scaling.scale = value;
            } else {
                scaling.offset = value;
            }
        }
        Ok(Scalings { by_channel })
    }

    /// The scaling of plot channel `channel` (identity unless set).
    pub fn of(&self, channel: u8) -> Scaling {
        self.by_channel.get(&channel).copied().unwrap_or_default()
    }
}

/// Turns one stream's events into series, points and marks.
pub struct Timeline<D: Plottable> {
    tracker: D::Tracker,
    ids: HashMap<u32, usize>,
    last_x: Option<f64>,
    lost_seen: u64,
}

impl<D: Plottable> Timeline<D> {
    /// A timeline for one stream; `scalings` apply to plot channels.
    pub fn new(scalings: Scalings) -> Self {
        Timeline { tracker: D::tracker(scalings), ids: HashMap::new(), last_x: None, lost_seen: 0 }
    }

    /// Takes one event; `stats` are the decoder's statistics after it.
    pub fn event(&mut self, event: &EventOf<'_, D>, stats: &Stats, out: &mut dyn Out) {
        let here = self.last_x.unwrap_or(0.0);
        if stats.lost_frames > self.lost_seen {
            self.lost_seen = stats.lost_frames;
            out.mark(Mark { x: here, kind: MarkKind::Lost });
        }
        match &event.item {
            Item::Frame(frame) => {
                let mut emit = Emit { ids: &mut self.ids, out, last_x: &mut self.last_x };
                D::extract(&mut self.tracker, frame, &mut emit);
            }
            Item::Error(_) => out.mark(Mark { x: here, kind: MarkKind::Rejected }),
        }
    }
}

/// What a dialect's extractor writes to: series are named by a key of the dialect's
/// choosing (`group << 16 | index`), numbered here in order of appearance.
pub struct Emit<'a> {
    ids: &'a mut HashMap<u32, usize>,
    out: &'a mut dyn Out,
    last_x: &'a mut Option<f64>,
}

impl Emit<'_> {
    /// A point of the series `key`, which `info` describes if it is new.
    pub fn point(&mut self, key: u32, x: f64, y: f64, info: impl FnOnce() -> SeriesInfo) {
        let id = match self.ids.get(&key) {
            Some(&id) => id,
            None => {
                let id = self.ids.len();
                self.ids.insert(key, id);
                self.out.series(id, info());
                id
            }
        };
        *self.last_x = Some(self.last_x.map_or(x, |last| last.max(x)));
        self.out.point(id, x, y);
    }

    /// Renames the series `key`, if it exists already (else its `info` will name it).
    pub fn rename(&mut self, key: u32, name: String) {
        if let Some(&id) = self.ids.get(&key) {
            self.out.rename(id, name);
        }
    }
}

/// The x axis of a dialect (for code that is not generic over it).
pub struct AxisOf;

impl crate::dialect::Job for AxisOf {
    type Output = Axis;

    fn run<D: crate::dialect::CliDialect>(self, _: D) -> Axis {
        D::AXIS
    }
}

/// Everything an [`Out`] was told, kept (tests, and `render`'s first pass uses a lighter one).
#[cfg(test)]
#[derive(Debug, Default)]
pub struct Recorded {
    pub series: Vec<SeriesInfo>,
    pub points: Vec<Vec<(f64, f64)>>,
    pub marks: Vec<Mark>,
}

#[cfg(test)]
impl Out for Recorded {
    fn series(&mut self, id: usize, info: SeriesInfo) {
        assert_eq!(id, self.series.len());
        self.series.push(info);
        self.points.push(Vec::new());
    }
    fn rename(&mut self, id: usize, name: String) {
        self.series[id].name = name;
    }
    fn point(&mut self, id: usize, x: f64, y: f64) {
        self.points[id].push((x, y));
    }
    fn mark(&mut self, mark: Mark) {
        self.marks.push(mark);
    }
}

/// Decodes a whole capture into a [`Recorded`] (tests).
#[cfg(test)]
pub fn record<D: Plottable>(dialect: D, bytes: &[u8], scalings: Scalings) -> Recorded {
    let mut events = serial_dialects::io::Events::new(dialect, bytes);
    let mut timeline = Timeline::<D>::new(scalings);
    let mut out = Recorded::default();
    while let Some(Ok(event)) = events.next() {
        let stats = *events.stats();
        timeline.event(&event.borrowed(), &stats, &mut out);
    }
    out
}

#[cfg(test)]
mod tests;

/// The quantity a unit measures, for panel titles: `current (mA)`.
pub fn panel_title(unit: &str) -> String {
    let quantity = match unit {
        "V" => "voltage",
        "mA" => "current",
        "mW" => "power",
        "°C" => "temperature",
        "lx" => "illuminance",
        "" => return "value".to_string(),
        _ => "value",
    };
    format!("{quantity} ({unit})")
}

/// Groups series by unit, in order of first appearance: the panels of a chart or picture.
pub fn panels<'a>(units: impl IntoIterator<Item = &'a str>) -> Vec<(&'a str, Vec<usize>)> {
    let mut panels: Vec<(&str, Vec<usize>)> = Vec::new();
    for (id, unit) in units.into_iter().enumerate() {
        match panels.iter_mut().find(|(u, _)| *u == unit) {
            Some((_, ids)) => ids.push(id),
            None => panels.push((unit, vec![id])),
        }
    }
    panels
}
