//! The two passes of `render` over a capture, in bounded memory: the first finds the
//! series and the x and y ranges ([`Extent`]), the second keeps, per series and per pixel
//! column, the smallest and largest y ([`Columns`]); marks are kept per column too. A
//! 100 MB capture costs `series × width` buckets, not its events.

use crate::series::{Mark, MarkKind, Out, SeriesInfo};

/// An inclusive range, grown point by point.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Range {
    pub min: f64,
    pub max: f64,
}

impl Range {
    fn of(value: f64) -> Range {
        Range { min: value, max: value }
    }

    fn grow(range: &mut Option<Range>, value: f64) {
        if !value.is_finite() {
            return;
        }
        *range = Some(match *range {
            Some(r) => Range { min: r.min.min(value), max: r.max.max(value) },
            None => Range::of(value),
        });
    }

    /// The range with room around it (a flat range gets ±1).
    pub fn padded(self) -> Range {
        let span = self.max - self.min;
        if span < 1e-12 {
            return Range { min: self.min - 1.0, max: self.max + 1.0 };
        }
        Range { min: self.min - span * 0.05, max: self.max + span * 0.05 }
    }
}

/// First pass: the series (with their final names) and the ranges.
#[derive(Debug, Default)]
pub struct Extent {
    pub series: Vec<SeriesInfo>,
    pub y: Vec<Option<Range>>,
    pub x: Option<Range>,
    pub marks: usize,
}

impl Out for Extent {
    fn series(&mut self, id: usize, info: SeriesInfo) {
        if id == self.series.len() {
            self.series.push(info);
            self.y.push(None);
        }
    }

    fn rename(&mut self, id: usize, name: String) {
        if let Some(info) = self.series.get_mut(id) {
            info.name = name;
        }
    }

    fn point(&mut self, id: usize, x: f64, y: f64) {
        if let Some(range) = self.y.get_mut(id) {
            Range::grow(range, y);
            Range::grow(&mut self.x, x);
        }
    }

    fn mark(&mut self, mark: Mark) {
        Range::grow(&mut self.x, mark.x);
        self.marks += 1;
    }
}

/// Second pass: min/max per series per column, and which columns have marks.
#[derive(Debug)]
pub struct Columns {
    x: Range,
    count: usize,
    /// `buckets[series][column]`.
    pub buckets: Vec<Vec<Option<Range>>>,
    /// Per column: (rejected, lost).
    pub marks: Vec<(bool, bool)>,
}

impl Columns {
    /// `count` columns across `x`, for `series` series.
    pub fn new(x: Range, count: usize, series: usize) -> Columns {
        let count = count.max(1);
        Columns { x, count, buckets: vec![vec![None; count]; series], marks: vec![(false, false); count] }
    }

    fn column(&self, x: f64) -> usize {
        let span = self.x.max - self.x.min;
        // A single x (or no range at all) is one column.
        if span.is_nan() || span <= 0.0 {
            return 0;
        }
        let at = ((x - self.x.min) / span * self.count as f64).max(0.0) as usize;
        at.min(self.count - 1)
    }

    /// The x in the middle of `column`.
    pub fn x_of(&self, column: usize) -> f64 {
        let span = self.x.max - self.x.min;
        self.x.min + (column as f64 + 0.5) / self.count as f64 * span
    }

    /// The envelope of series `id`: each column's minimum then maximum.
    pub fn envelope(&self, id: usize) -> Vec<(f64, f64)> {
        let Some(buckets) = self.buckets.get(id) else { return Vec::new() };
        let mut points = Vec::with_capacity(buckets.len() * 2);
        for (column, range) in buckets.iter().enumerate() {
            if let Some(range) = range {
                let x = self.x_of(column);
                points.push((x, range.min));
                if range.max != range.min {
                    points.push((x, range.max));
                }
            }
        }
        points
    }

    /// The x of the columns with a mark of `kind`.
    pub fn marks_of(&self, kind: MarkKind) -> Vec<f64> {
        let of = |(rejected, lost): (bool, bool)| if kind == MarkKind::Rejected { rejected } else { lost };
        (0..self.count).filter(|&c| self.marks.get(c).copied().is_some_and(of)).map(|c| self.x_of(c)).collect()
    }
}

impl Out for Columns {
    fn series(&mut self, _: usize, _: SeriesInfo) {}

    fn rename(&mut self, _: usize, _: String) {}

    fn point(&mut self, id: usize, x: f64, y: f64) {
        if !y.is_finite() {
            return;
        }
        let column = self.column(x);
        if let Some(bucket) = self.buckets.get_mut(id).and_then(|b| b.get_mut(column)) {
            Range::grow(bucket, y);
        }
    }

    fn mark(&mut self, mark: Mark) {
        let column = self.column(mark.x);
        if let Some((rejected, lost)) = self.marks.get_mut(column) {
            match mark.kind {
                MarkKind::Rejected => *rejected = true,
                MarkKind::Lost => *lost = true,
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_spike_survives_and_columns_cover_the_range() {
        let mut columns = Columns::new(Range { min: 0.0, max: 1000.0 }, 10, 1);
        for i in 0..=1000 {
            columns.point(0, f64::from(i), if i == 555 { 99.0 } else { 1.0 });
        }
        columns.mark(Mark { x: 1000.0, kind: MarkKind::Lost });
        columns.mark(Mark { x: -5.0, kind: MarkKind::Rejected });
        let envelope = columns.envelope(0);
        assert_eq!(envelope.len(), 11, "{envelope:?}");
        assert_eq!(envelope[5], (550.0, 1.0));
        assert_eq!(envelope[6], (550.0, 99.0));
        assert_eq!(columns.marks_of(MarkKind::Lost), [950.0]);
        assert_eq!(columns.marks_of(MarkKind::Rejected), [50.0]);
        // Unknown series and non-finite values are ignored.
        columns.point(3, 1.0, 1.0);
        columns.point(0, 1.0, f64::NAN);
        assert!(columns.envelope(3).is_empty());
    }

    #[test]
    fn extent_and_padding() {
        let mut extent = Extent::default();
        extent.series(0, SeriesInfo { name: "a".into(), unit: "V" });
        extent.point(0, 2.0, 5.0);
        extent.point(0, 4.0, 5.0);
        extent.rename(0, "b".into());
        assert_eq!(extent.x, Some(Range { min: 2.0, max: 4.0 }));
        assert_eq!(extent.y[0].unwrap().padded(), Range { min: 4.0, max: 6.0 });
        assert_eq!(Range { min: 0.0, max: 10.0 }.padded(), Range { min: -0.5, max: 10.5 });
        assert_eq!(extent.series[0].name, "b");
        // A single x makes one column.
        let columns = Columns::new(Range { min: 3.0, max: 3.0 }, 100, 1);
        assert_eq!(columns.column(3.0), 0);
    }
}
