//! Drawing a [`Picture`] with plotters, to PNG (bitmap backend, text from the bundled
//! DejaVu Sans through `ab_glyph`) or SVG (text as SVG text).

use std::path::Path;
use std::sync::Once;

use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::{FontStyle, register_font};

use super::columns::Range;
use super::{Format, Picture};
use crate::cli_error::CliError;
use crate::series::{self, MarkKind};

/// DejaVu Sans (see `cli/assets/DejaVuSans-LICENSE.txt`).
const FONT: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
/// The family name text is drawn with; the bundled font is registered under it.
const FAMILY: &str = "sans-serif";

/// Series colours, in order within a panel (then again). No red or orange: those are the
/// marks'.
pub const PALETTE: [RGBColor; 14] = [
    RGBColor(31, 119, 180),
    RGBColor(44, 160, 44),
    RGBColor(148, 103, 189),
    RGBColor(140, 86, 75),
    RGBColor(227, 119, 194),
    RGBColor(188, 189, 34),
    RGBColor(23, 190, 207),
    RGBColor(0, 0, 128),
    RGBColor(0, 128, 128),
    RGBColor(128, 0, 128),
    RGBColor(85, 107, 47),
    RGBColor(70, 130, 180),
    RGBColor(218, 165, 32),
    RGBColor(105, 105, 105),
];
/// Where bytes were rejected.
pub const REJECTED: RGBColor = RGBColor(220, 20, 20);
/// Where frames were lost.
pub const LOST: RGBColor = RGBColor(255, 140, 0);

/// Writes `picture` to `path`.
pub fn write(picture: &Picture, path: &Path, format: Format, size: (u32, u32)) -> Result<(), CliError> {
    let failed = |e: String| CliError::msg(format!("cannot draw {}: {e}", path.display()));
    // Text is measured with the bundled font for both formats (and drawn with it in PNGs).
    static REGISTER: Once = Once::new();
    REGISTER.call_once(|| {
        // The bundled font is valid: a failure would show as an error of the drawing.
        let _ = register_font(FAMILY, FontStyle::Normal, FONT);
    });
    match format {
        Format::Png => {
            let root = BitMapBackend::new(path, size).into_drawing_area();
            draw(picture, &root).map_err(|e| failed(e.to_string()))?;
            root.present().map_err(|e| failed(e.to_string()))
        }
        Format::Svg => {
            let root = SVGBackend::new(path, size).into_drawing_area();
            draw(picture, &root).map_err(|e| failed(e.to_string()))?;
            root.present().map_err(|e| failed(e.to_string()))
        }
    }
}

type DrawResult<DB> = Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

fn draw<DB: DrawingBackend>(picture: &Picture, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
    root.fill(&WHITE)?;
    let (heading, body) = root.split_vertically(36);
    heading.draw_text(&picture.title, &(FAMILY, 22).into_font().color(&BLACK), (12, 8))?;
    let panels = series::panels(picture.extent.series.iter().map(|s| s.unit));
    if panels.is_empty() {
        let note = "no samples in this capture";
        body.draw_text(note, &(FAMILY, 20).into_font().color(&BLACK), (12, 12))?;
        return Ok(());
    }
    let areas = split_by_weight(body, panels.iter().map(|(_, ids)| ids.len() + 2));
    let x = picture.extent.x.unwrap_or(Range { min: 0.0, max: 1.0 }).padded();
    for ((unit, ids), area) in panels.iter().zip(&areas) {
        let y = ids
            .iter()
            .filter_map(|&id| *picture.extent.y.get(id)?)
            .reduce(|a, b| Range { min: a.min.min(b.min), max: a.max.max(b.max) })
            .unwrap_or(Range { min: 0.0, max: 1.0 })
            .padded();
        draw_panel(picture, area, unit, ids, x, y)?;
    }
    Ok(())
}

/// Stacks areas whose heights follow `weights` (a panel with many series has room for
/// its legend).
fn split_by_weight<DB: DrawingBackend>(
    area: DrawingArea<DB, Shift>,
    weights: impl Iterator<Item = usize> + Clone,
) -> Vec<DrawingArea<DB, Shift>> {
    let weights: Vec<u32> = weights.map(|w| u32::try_from(w.max(8)).unwrap_or(u32::MAX)).collect();
    let total: u32 = weights.iter().fold(0u32, |sum, w| sum.saturating_add(*w)).max(1);
    let height = area.dim_in_pixel().1;
    let mut areas = Vec::with_capacity(weights.len());
    let mut rest = area;
    for (index, weight) in weights.iter().enumerate() {
        if index + 1 == weights.len() {
            areas.push(rest);
            break;
        }
        let share = u64::from(height) * u64::from(*weight) / u64::from(total);
        let (top, bottom) = rest.split_vertically(u32::try_from(share).unwrap_or(height));
        areas.push(top);
        rest = bottom;
    }
    areas
}

fn draw_panel<DB: DrawingBackend>(
    picture: &Picture,
    area: &DrawingArea<DB, Shift>,
    unit: &str,
    ids: &[usize],
    x: Range,
    y: Range,
) -> DrawResult<DB> {
    let mut chart = ChartBuilder::on(area)
        .margin(8)
        .caption(series::panel_title(unit), (FAMILY, 18))
        .x_label_area_size(40)
        .y_label_area_size(80)
        .build_cartesian_2d(x.min..x.max, y.min..y.max)?;
    let y_desc = if unit.is_empty() { "value".to_string() } else { unit.to_string() };
    chart
        .configure_mesh()
        .x_desc(picture.axis.title)
        .y_desc(y_desc)
        .label_style((FAMILY, 14))
        .axis_desc_style((FAMILY, 15))
        .light_line_style(WHITE)
        .draw()?;
    for (slot, &id) in ids.iter().enumerate() {
        let color = PALETTE[slot % PALETTE.len()];
        let name = picture.extent.series.get(id).map_or(String::new(), |s| s.name.clone());
        let points = picture.columns.envelope(id);
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(2)))?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 20, y)], color.stroke_width(3)));
    }
    // Rejected marks last: where both fall in one column, the rejection shows.
    for (kind, color, name) in [(MarkKind::Lost, LOST, "lost frames"), (MarkKind::Rejected, REJECTED, "rejected bytes")]
    {
        let at = picture.columns.marks_of(kind);
        if at.is_empty() {
            continue;
        }
        let lines = at.into_iter().map(|mx| PathElement::new(vec![(mx, y.min), (mx, y.max)], color.stroke_width(1)));
        chart
            .draw_series(lines)?
            .label(name)
            .legend(move |(x, y)| PathElement::new(vec![(x + 10, y - 6), (x + 10, y + 6)], color.stroke_width(2)));
    }
    // A legend of many series (pmu30's channels) gets a smaller font, to fit its panel.
    let entries = ids.len() as u32 + 2;
    let legend_font = (area.dim_in_pixel().1.saturating_sub(70) / entries.max(1)).clamp(9, 14);
    chart
        .configure_series_labels()
        .position(SeriesLabelPosition::UpperRight)
        .label_font((FAMILY, legend_font))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .draw()?;
    Ok(())
}
