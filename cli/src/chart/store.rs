//! What the live chart knows: a bounded ring of points per series, the marks, and the
//! decoder's statistics. The reading thread fills it; the drawing thread reads it.

use std::collections::VecDeque;

use serial_dialects::Stats;

use crate::series::{Mark, Out, SeriesInfo};

/// Points kept per series: 6.5 s of a 20 kHz vectordebug stream, 2 MiB.
pub const MAX_POINTS: usize = 1 << 17;
/// Marks kept.
const MAX_MARKS: usize = 4096;

/// One series' recent points.
#[derive(Debug)]
pub struct Ring {
    pub info: SeriesInfo,
    points: VecDeque<(f64, f64)>,
}

impl Ring {
    /// The points with `x0 <= x <= x1` reduced to at most two per column of `columns`
    /// (the column's minimum and maximum, in that order): a spike of one sample among
    /// thousands per column survives. Fewer points than columns are kept as they are.
    pub fn envelope(&self, x0: f64, x1: f64, columns: usize) -> Vec<(f64, f64)> {
        let start = self.points.partition_point(|p| p.0 < x0);
        let end = self.points.partition_point(|p| p.0 <= x1);
        let visible = self.points.range(start..end.max(start));
        if end.saturating_sub(start) <= columns.saturating_mul(2) {
            return visible.copied().collect();
        }
        let span = (x1 - x0).max(f64::MIN_POSITIVE);
        let last_column = columns.saturating_sub(1);
        let mut out = Vec::with_capacity(columns * 2);
        let mut current: Option<(usize, f64, f64)> = None;
        let flush = |out: &mut Vec<(f64, f64)>, (column, min, max): (usize, f64, f64)| {
            let x = x0 + (column as f64 + 0.5) / columns as f64 * span;
            out.push((x, min));
            if max != min {
                out.push((x, max));
            }
        };
        for &(x, y) in visible {
            let column = (((x - x0) / span * columns as f64) as usize).min(last_column);
            current = match current {
                Some((c, min, max)) if c == column => Some((c, min.min(y), max.max(y))),
                Some(done) => {
                    flush(&mut out, done);
                    Some((column, y, y))
                }
                None => Some((column, y, y)),
            };
        }
        if let Some(done) = current {
            flush(&mut out, done);
        }
        out
    }

    /// How many points are kept.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.points.len()
    }
}

/// How the reading ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ended {
    /// A file was read to its end.
    EndOfInput,
    /// The port or file failed: shown, and the exit status of `chart` says so.
    Failed(String),
}

/// Everything the reading thread has found so far.
#[derive(Debug, Default)]
pub struct Store {
    pub series: Vec<Ring>,
    pub marks: VecDeque<Mark>,
    pub stats: Stats,
    /// Bytes read so far.
    pub bytes: u64,
    /// The largest x of any point.
    pub latest_x: Option<f64>,
    pub ended: Option<Ended>,
}

impl Store {
    /// The marks with `x0 <= x <= x1`.
    pub fn marks_between(&self, x0: f64, x1: f64) -> impl Iterator<Item = &Mark> {
        self.marks.iter().filter(move |m| m.x >= x0 && m.x <= x1)
    }
}

impl Out for Store {
    fn series(&mut self, id: usize, info: SeriesInfo) {
        // Ids come in order; anything else would be a bug of the timeline, ignored.
        if id == self.series.len() {
            self.series.push(Ring { info, points: VecDeque::new() });
        }
    }

    fn rename(&mut self, id: usize, name: String) {
        if let Some(ring) = self.series.get_mut(id) {
            ring.info.name = name;
        }
    }

    fn point(&mut self, id: usize, x: f64, y: f64) {
        let Some(ring) = self.series.get_mut(id) else { return };
        if ring.points.len() >= MAX_POINTS {
            ring.points.pop_front();
        }
        ring.points.push_back((x, y));
        self.latest_x = Some(self.latest_x.map_or(x, |l| l.max(x)));
    }

    fn mark(&mut self, mark: Mark) {
        if self.marks.len() >= MAX_MARKS {
            self.marks.pop_front();
        }
        self.marks.push_back(mark);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ring(points: impl IntoIterator<Item = (f64, f64)>) -> Store {
        let mut store = Store::default();
        store.series(0, SeriesInfo { name: "a".into(), unit: "" });
        for (x, y) in points {
            store.point(0, x, y);
        }
        store
    }

    #[test]
    fn a_single_spike_among_thousands_survives_the_envelope() {
        let store = ring((0..100_000).map(|i| (f64::from(i), if i == 54_321 { 1000.0 } else { 1.0 })));
        let envelope = store.series[0].envelope(0.0, 99_999.0, 100);
        assert!(envelope.len() <= 200, "{}", envelope.len());
        assert_eq!(envelope.iter().map(|p| p.1).fold(f64::MIN, f64::max), 1000.0);
        assert_eq!(envelope.iter().filter(|p| p.1 == 1000.0).count(), 1);
        // Columns are in order, the spike in column 54.
        assert!(envelope.windows(2).all(|w| w[0].0 <= w[1].0));
        let spike = envelope.iter().find(|p| p.1 == 1000.0).unwrap();
        assert_eq!(spike.0, 54.5 * 99_999.0 / 100.0);
    }

    #[test]
    fn sparse_points_are_kept_and_the_window_cuts() {
        let store = ring((0..10).map(|i| (f64::from(i), f64::from(i * 2))));
        assert_eq!(store.series[0].envelope(2.0, 4.0, 80), [(2.0, 4.0), (3.0, 6.0), (4.0, 8.0)]);
        assert!(store.series[0].envelope(20.0, 30.0, 80).is_empty());
        assert!(store.series[0].envelope(5.0, 1.0, 80).is_empty());
    }

    #[test]
    fn memory_is_bounded() {
        let mut store = ring((0..MAX_POINTS as u32 + 10).map(|i| (f64::from(i), 0.0)));
        assert_eq!(store.series[0].len(), MAX_POINTS);
        assert_eq!(store.latest_x, Some(f64::from(MAX_POINTS as u32 + 9)));
        for _ in 0..MAX_MARKS + 5 {
            store.mark(Mark { x: 1.0, kind: crate::series::MarkKind::Lost });
        }
        assert_eq!(store.marks.len(), MAX_MARKS);
        // Unknown ids are ignored.
        store.point(7, 0.0, 0.0);
        store.rename(7, "x".into());
        store.series(5, SeriesInfo { name: "b".into(), unit: "" });
        assert_eq!(store.series.len(), 1);
    }
}
