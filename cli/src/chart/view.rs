//! Drawing the live chart: a title line, one panel per quantity (unit), a status line and
//! a key line. Pure drawing from the [`Store`] and the [`View`]: tested on ratatui's
//! `TestBackend`.

use std::collections::BTreeSet;

use ratatui::Frame;
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::style::{Color, Modifier, Style};
use ratatui::symbols::Marker;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Axis as ChartAxis, Block, Chart, Dataset, GraphType, LegendPosition, Paragraph};

use super::store::{Ended, Store};
use crate::series::{self, Axis, MarkKind};

/// Colours of the series, in order (then again).
pub const COLORS: [Color; 8] = [
    Color::Cyan,
    Color::Yellow,
    Color::Green,
    Color::Magenta,
    Color::LightBlue,
    Color::LightRed,
    Color::White,
    Color::LightGreen,
];

/// The marks of one kind in a panel: their points, legend name and colour.
type MarkDataset = (Vec<(f64, f64)>, &'static str, Color);

/// What the person looking has chosen.
#[derive(Debug, Clone, PartialEq)]
pub struct View {
    /// The dialect's name and the source, for the title.
    pub title: String,
    pub axis: Axis,
    /// Width of the time window, in x units.
    pub window: f64,
    /// `Some(right edge)` while paused.
    pub paused_at: Option<f64>,
    /// Series toggled off with their digit.
    pub hidden: BTreeSet<usize>,
}

impl View {
    /// The x range shown.
    pub fn x_range(&self, store: &Store) -> (f64, f64) {
        let end = self.paused_at.or(store.latest_x).unwrap_or(self.window);
        (end - self.window, end)
    }
}

/// Frames and bytes per second, measured by the drawing loop.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Rates {
    pub frames_per_s: f64,
    pub bytes_per_s: f64,
    /// Screens drawn per second (the chart keeping up shows ~30).
    pub draws_per_s: f64,
}

/// Draws the whole screen.
pub fn draw(frame: &mut Frame<'_>, store: &Store, view: &View, rates: &Rates) {
    let [title, charts, status, keys] =
        Layout::vertical([Constraint::Length(1), Constraint::Min(3), Constraint::Length(1), Constraint::Length(1)])
            .areas(frame.area());
    let (x0, x1) = view.x_range(store);
    let state = match (&store.ended, view.paused_at) {
        (_, Some(_)) => Span::styled("PAUSED", Style::default().fg(Color::Black).bg(Color::Yellow)),
        (Some(Ended::EndOfInput), None) => Span::styled("END OF INPUT", Style::default().fg(Color::Green)),
        (Some(Ended::Failed(_)), None) => Span::styled("FAILED", Style::default().fg(Color::Red)),
        (None, None) => Span::styled("LIVE", Style::default().fg(Color::Green)),
    };
    let heading = Line::from(vec![
        Span::styled(view.title.as_str(), Style::default().add_modifier(Modifier::BOLD)),
        Span::raw(format!("  window {} {}  ", number(view.window), view.axis.title)),
        state,
    ]);
    frame.render_widget(Paragraph::new(heading), title);

    let panels = series::panels(store.series.iter().map(|s| s.info.unit));
    if panels.is_empty() {
        let waiting = Paragraph::new("waiting for samples...").block(Block::bordered());
        frame.render_widget(waiting, charts);
    } else {
        // A panel with many series (pmu30's channels) gets room for its legend.
        let weights =
            panels.iter().map(|(_, ids)| Constraint::Fill(u16::try_from(ids.len() + 2).unwrap_or(u16::MAX).max(8)));
        let areas = Layout::vertical(weights).split(charts);
        for ((unit, ids), area) in panels.iter().zip(areas.iter()) {
            draw_panel(frame, *area, store, view, unit, ids, (x0, x1));
        }
    }
    frame.render_widget(Paragraph::new(status_line(store, view, rates)), status);
    let help = "q quit · space pause · ←/→ scroll (paused) · +/- window · 1-9,0 toggle series";
    frame.render_widget(Paragraph::new(Span::styled(help, Style::default().fg(Color::DarkGray))), keys);
}

fn draw_panel(
    frame: &mut Frame<'_>,
    area: Rect,
    store: &Store,
    view: &View,
    unit: &str,
    ids: &[usize],
    (x0, x1): (f64, f64),
) {
    // Braille: two dots per cell across.
    let columns = usize::from(area.width).saturating_mul(2).max(1);
    let visible: Vec<(usize, Vec<(f64, f64)>)> = ids
        .iter()
        .filter(|id| !view.hidden.contains(id))
        .filter_map(|&id| Some((id, store.series.get(id)?.envelope(x0, x1, columns))))
        .collect();
    let (mut y0, mut y1) = visible
        .iter()
        .flat_map(|(_, points)| points.iter().map(|p| p.1))
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), y| (lo.min(y), hi.max(y)));
    if !y0.is_finite() || !y1.is_finite() {
        (y0, y1) = (0.0, 1.0);
    }
    if y1 - y0 < 1e-9 {
        (y0, y1) = (y0 - 1.0, y1 + 1.0);
    }
    // (points at the bottom of the panel, legend name, colour) per kind of mark.
    let marks: Vec<MarkDataset> =
        [(MarkKind::Rejected, "rejected", Color::Red), (MarkKind::Lost, "lost", Color::LightRed)]
            .into_iter()
            .map(|(kind, name, color)| {
                let at: Vec<(f64, f64)> =
                    store.marks_between(x0, x1).filter(|m| m.kind == kind).map(|m| (m.x, y0)).collect();
                (at, name, color)
            })
            .collect();
    let mut datasets: Vec<Dataset<'_>> = visible
        .iter()
        .filter_map(|(id, points)| {
            let ring = store.series.get(*id)?;
            Some(
                Dataset::default()
                    .name(format!("{} {}", key_of(*id), ring.info.name))
                    .marker(Marker::Braille)
                    .graph_type(GraphType::Line)
                    .style(Style::default().fg(COLORS[id % COLORS.len()]))
                    .data(points),
            )
        })
        .collect();
    for (at, name, color) in &marks {
        if !at.is_empty() {
            datasets.push(
                Dataset::default()
                    .name(*name)
                    .marker(Marker::Bar)
                    .graph_type(GraphType::Scatter)
                    .style(Style::default().fg(*color))
                    .data(at),
            );
        }
    }
    let hidden: Vec<String> = ids.iter().filter(|id| view.hidden.contains(id)).map(|id| key_of(*id)).collect();
    let mut title = series::panel_title(unit);
    if !hidden.is_empty() {
        title = format!("{title}  (hidden: {})", hidden.join(" "));
    }
    let chart = Chart::new(datasets)
        .block(Block::bordered().title(title))
        .x_axis(ChartAxis::default().title(view.axis.title).bounds([x0, x1]).labels([
            tick(x0, x1 - x0),
            tick((x0 + x1) / 2.0, x1 - x0),
            tick(x1, x1 - x0),
        ]))
        .y_axis(ChartAxis::default().bounds([y0, y1]).labels([
            tick(y0, y1 - y0),
            tick((y0 + y1) / 2.0, y1 - y0),
            tick(y1, y1 - y0),
        ]))
        .legend_position(Some(LegendPosition::TopLeft))
        .hidden_legend_constraints((Constraint::Ratio(1, 2), Constraint::Ratio(1, 1)));
    frame.render_widget(chart, area);
}

/// The key that toggles series `id`: `1`..`9`, then `0`; later series have none.
fn key_of(id: usize) -> String {
    match id {
        0..=8 => format!("[{}]", id + 1),
        9 => "[0]".to_string(),
        _ => "   ".to_string(),
    }
}

/// The series a digit key toggles.
pub fn series_of_digit(digit: char) -> Option<usize> {
    match digit.to_digit(10)? {
        0 => Some(9),
        d => Some(d as usize - 1),
    }
}

/// `frames/s · bytes/s · errors by kind · lost frames · how it ended`.
pub fn status_line(store: &Store, view: &View, rates: &Rates) -> Line<'static> {
    let errors: Vec<String> =
        store.stats.errors.iter().filter(|(_, n)| *n > 0).map(|(k, n)| format!("{k} {n}")).collect();
    let errors = if errors.is_empty() { "none".to_string() } else { errors.join(", ") };
    let mut spans = vec![Span::raw(format!(
        "{} frames/s · {}B/s · frames {} · errors: {errors} · lost {} · drawn {}/s",
        number(rates.frames_per_s),
        number(rates.bytes_per_s),
        store.stats.frames,
        store.stats.lost_frames,
        number(rates.draws_per_s),
    ))];
    if view.paused_at.is_some() {
        spans.push(Span::styled(" · PAUSED", Style::default().fg(Color::Yellow)));
    }
    if let Some(Ended::Failed(why)) = &store.ended {
        spans.push(Span::styled(format!(" · {why}"), Style::default().fg(Color::Red)));
    }
    Line::from(spans)
}

/// An axis label: as many decimals as an axis `span` wide needs (three significant
/// digits of the span).
pub fn tick(value: f64, span: f64) -> String {
    let decimals =
        if span > 0.0 && span.is_finite() { (2.0 - span.log10().floor()).clamp(0.0, 6.0) as usize } else { 2 };
    format!("{value:.decimals$}")
}

/// A number for the window and rates: short, with k/M for large values.
pub fn number(value: f64) -> String {
    let magnitude = value.abs();
    if magnitude >= 1e6 {
        format!("{:.2}M", value / 1e6)
    } else if magnitude >= 1e4 {
        format!("{:.1}k", value / 1e3)
    } else if magnitude >= 100.0 || value.fract() == 0.0 {
        format!("{value:.0}")
    } else if magnitude >= 1.0 {
        format!("{value:.2}")
    } else {
        format!("{value:.3}")
    }
}
