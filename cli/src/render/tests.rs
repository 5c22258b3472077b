//! `render` of every sample capture to PNG and SVG: sizes, each series' colour in the
//! picture, the legend's names in the SVG text, marks.

use std::collections::HashSet;
use std::path::PathBuf;

use super::draw::{LOST, PALETTE, REJECTED};
use super::*;
use crate::series;

const DIALECTS: [&str; 5] = ["plot", "pmu30", "powerscope", "vectordebug", "ascii-crc8"];

fn repo(path: &str) -> PathBuf {
    PathBuf::from(format!("{}/../{path}", env!("CARGO_MANIFEST_DIR")))
}

fn out_path(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("serial-dialects-render-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir.join(name)
}

fn render(dialect: &str, input: &str, output: &Path, size: (u32, u32)) {
    let args = RenderArgs {
        input: repo(input),
        dialect: dialect.into(),
        output: output.to_path_buf(),
        width: size.0,
        height: size.1,
        scale: Vec::new(),
        offset: Vec::new(),
    };
    run(&args).unwrap();
}

/// Width, height and the set of colours of a PNG.
fn png_colors(path: &Path) -> (u32, u32, HashSet<(u8, u8, u8)>) {
    let decoder = png::Decoder::new(std::fs::File::open(path).unwrap());
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size()];
    let info = reader.next_frame(&mut buf).unwrap();
    assert_eq!(info.color_type, png::ColorType::Rgb);
    let colors = buf[..info.buffer_size()].chunks_exact(3).map(|p| (p[0], p[1], p[2])).collect();
    (info.width, info.height, colors)
}

/// The series of a capture, as the picture groups them: `(names, palette slot)`.
fn series_of(dialect: &str, input: &str) -> Vec<(String, usize)> {
    let bytes = std::fs::read(repo(input)).unwrap();
    let recorded = Selected::parse(dialect).unwrap().dispatch(Record(bytes));
    let panels = series::panels(recorded.series.iter().map(|s| s.unit));
    panels
        .iter()
        .flat_map(|(_, ids)| ids.iter().enumerate().map(|(slot, &id)| (recorded.series[id].name.clone(), slot)))
        .collect()
}

/// Whether the SVG has a text element that says exactly `text`.
fn has_text(svg: &str, text: &str) -> bool {
    svg.split("<text").skip(1).any(|element| {
        element.split_once('>').and_then(|(_, rest)| rest.split_once("</text>")).is_some_and(|(t, _)| t.trim() == text)
    })
}

struct Record(Vec<u8>);

impl Job for Record {
    type Output = series::Recorded;
    fn run<D: CliDialect>(self, dialect: D) -> series::Recorded {
        series::record(dialect, &self.0, Scalings::default())
    }
}

#[test]
fn every_sample_to_png_with_each_series_colour() {
    for dialect in DIALECTS {
        let input = format!("samples/{dialect}.bin");
        let path = out_path(&format!("{dialect}.png"));
        render(dialect, &input, &path, (800, 600));
        let (width, height, colors) = png_colors(&path);
        assert_eq!((width, height), (800, 600), "{dialect}");
        let series = series_of(dialect, &input);
        assert!(!series.is_empty(), "{dialect}");
        for (name, slot) in &series {
            let c = PALETTE[slot % PALETTE.len()];
            assert!(colors.contains(&(c.0, c.1, c.2)), "{dialect}: colour of {name} not in the picture");
        }
        // A palette colour no series uses is not drawn; the clean samples have no marks.
        let used = series.iter().map(|(_, slot)| slot).max().unwrap();
        if let Some(unused) = PALETTE.get(used + 1) {
            assert!(!colors.contains(&(unused.0, unused.1, unused.2)), "{dialect}");
        }
        assert!(!colors.contains(&(REJECTED.0, REJECTED.1, REJECTED.2)), "{dialect}");
        assert!(colors.len() > 20, "{dialect}: text is antialiased, so many colours");
    }
}

#[test]
fn every_sample_to_svg_with_the_legend_names() {
    for dialect in DIALECTS {
        let input = format!("samples/{dialect}.bin");
        let path = out_path(&format!("{dialect}.svg"));
        render(dialect, &input, &path, (1000, 700));
        let svg = std::fs::read_to_string(&path).unwrap();
        assert!(
            svg.starts_with("<svg") && svg.contains(r#"width="1000""#) && svg.contains(r#"height="700""#),
            "{dialect}"
        );
        for (name, _) in series_of(dialect, &input) {
            assert!(
                svg.contains(&format!(">{name}<")) || svg.contains(&format!(">\n{name}\n<")),
                "{dialect}: legend {name}"
            );
        }
        let axis = Selected::parse(dialect).unwrap().dispatch(series::AxisOf);
        assert!(svg.contains(axis.title), "{dialect}: x axis title");
        assert!(svg.contains(dialect), "{dialect}: title");
    }
}

#[test]
fn rejected_and_lost_frames_are_marked() {
    let path = out_path("crc.png");
    render("vectordebug", "tests/captures/vectordebug/04_crc_error.bin", &path, (900, 500));
    let (_, _, colors) = png_colors(&path);
    assert!(colors.contains(&(REJECTED.0, REJECTED.1, REJECTED.2)));
    let path = out_path("gap.svg");
    render("vectordebug", "tests/captures/vectordebug/12_seq_wrap_gap.bin", &path, (900, 500));
    let svg = std::fs::read_to_string(&path).unwrap();
    assert!(has_text(&svg, "lost frames") && has_text(&svg, "rejected bytes"));
    let path = out_path("gap.png");
    render("vectordebug", "tests/captures/vectordebug/12_seq_wrap_gap.bin", &path, (900, 500));
    let (_, _, colors) = png_colors(&path);
    assert!(colors.contains(&(LOST.0, LOST.1, LOST.2)));
}

#[test]
fn bad_arguments_are_refused() {
    let base = || RenderArgs {
        input: repo("samples/plot.bin"),
        dialect: "plot".into(),
        output: out_path("x.png"),
        width: 800,
        height: 600,
        scale: Vec::new(),
        offset: Vec::new(),
    };
    let message = |args: RenderArgs| run(&args).unwrap_err().to_string();
    assert!(message(RenderArgs { output: out_path("x.jpg"), ..base() }).contains("FILE.png or FILE.svg"));
    assert!(message(RenderArgs { width: 10, ..base() }).contains("--width 10"));
    assert!(message(RenderArgs { height: 100_000, ..base() }).contains("--height 100000"));
    assert!(message(RenderArgs { dialect: "nope".into(), ..base() }).contains("unknown dialect"));
    assert!(message(RenderArgs { input: repo("samples/missing.bin"), ..base() }).contains("cannot open"));
    assert!(message(RenderArgs { scale: vec!["x".into()], ..base() }).contains("invalid --scale"));
}

#[test]
fn a_capture_without_samples_still_draws() {
    let path = out_path("empty.svg");
    render("pmu30", "tests/captures/pmu30/connect_sequence.bin", &path, (400, 300));
    assert!(has_text(&std::fs::read_to_string(&path).unwrap(), "no samples in this capture"));
}
