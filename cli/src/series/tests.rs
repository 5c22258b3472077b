//! Series of every dialect's sample capture.

use serial_dialects::{ascii_crc8, plot, pmu30, powerscope, vectordebug};

use super::*;

fn sample(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../samples/{name}.bin", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn capture(path: &str) -> Vec<u8> {
    std::fs::read(format!("{}/../tests/captures/{path}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn names(recorded: &Recorded) -> Vec<(&str, &str)> {
    recorded.series.iter().map(|s| (s.name.as_str(), s.unit)).collect()
}

#[test]
fn plot_channels_take_their_label_names_and_scaling() {
    let scalings = Scalings::parse(&["1=0.5".into()], &["1=10".into()]).unwrap();
    let recorded = record(plot::Plot::new(Default::default()), &capture("plot/labels_then_data.bin"), scalings);
    // Later LABEL frames rename the channels: the last name wins.
    assert_eq!(names(&recorded), [("ADC0", ""), ("Gyro X", ""), ("Accel Z", "")]);
    // Samples are DATA frames in order.
    assert_eq!(recorded.points[0][0].0, 0.0);
    let plain = record(plot::Plot::new(Default::default()), &capture("plot/labels_then_data.bin"), Scalings::default());
    assert_eq!(plain.points[1][0].1, 2000.0);
    assert_eq!(recorded.points[1][0].1, (2000.0 + 10.0) * 0.5);
    assert_eq!(recorded.points[0][0].1, 100.0);
}

#[test]
fn plot_without_labels_names_channels_by_index() {
    let recorded = record(plot::Plot::new(Default::default()), &sample("plot"), Scalings::default());
    assert_eq!(names(&recorded), [("ch0", ""), ("ch1", ""), ("ch2", "")]);
    assert_eq!(recorded.points[2], [(0.0, 3.0), (1.0, 6.0)]);
    assert!(recorded.marks.is_empty());
}

#[test]
fn vectordebug_draws_six_variables_over_unwrapped_seq() {
    let recorded =
        record(vectordebug::VectorDebug::new(Default::default()), &sample("vectordebug"), Scalings::default());
    assert_eq!(recorded.series.len(), 6);
    assert_eq!(recorded.series[5].name, "payload[5]");
    let xs: Vec<f64> = recorded.points[0].iter().map(|p| p.0).collect();
    assert!(xs.windows(2).all(|w| w[1] == w[0] + 1.0), "contiguous seq");
    let wrapped = record(
        vectordebug::VectorDebug::new(Default::default()),
        &capture("vectordebug/12_seq_wrap_gap.bin"),
        Scalings::default(),
    );
    let xs: Vec<f64> = wrapped.points[0].iter().map(|p| p.0).collect();
    assert!(xs.windows(2).all(|w| w[1] > w[0]), "seq keeps increasing past the wrap");
    assert!(wrapped.marks.iter().any(|m| m.kind == MarkKind::Lost), "{:?}", wrapped.marks);
}

#[test]
fn powerscope_sensors_in_volts_milliamperes_and_milliwatts() {
    let bytes = sample("powerscope");
    let recorded = record(powerscope::PowerScope::new(Default::default()), &bytes, Scalings::default());
    let units: Vec<&str> = recorded.series.iter().map(|s| s.unit).collect();
    assert!(units.len() >= 3 && units.len() % 3 == 0, "{:?}", names(&recorded));
    assert_eq!(&units[..3], ["V", "mA", "mW"]);
    assert!(recorded.series[0].name.starts_with("sensor ") && recorded.series[0].name.ends_with(" voltage"));
    // Power is voltage × current at every point.
    for ((v, i), p) in recorded.points[0].iter().zip(&recorded.points[1]).zip(&recorded.points[2]) {
        assert_eq!(v.0, p.0);
        assert!((v.1 * i.1 - p.1).abs() < 1e-3 * p.1.abs().max(1.0), "{v:?} {i:?} {p:?}");
    }
}

#[test]
fn pmu30_used_channels_input_voltage_and_temperature() {
    let recorded = record(pmu30::Pmu30::new(Default::default()), &sample("pmu30"), Scalings::default());
    let found = names(&recorded);
    // Channels 0..=11 carry current, 29 is in a fault state, 12, 15 and 16 switch on later;
    // the ones that stay OFF at 0 mA are not drawn.
    let channels: Vec<&str> = found.iter().filter(|n| n.1 == "mA").map(|n| n.0).collect();
    let expected: Vec<String> = (0..12).chain([29, 12, 15, 16]).map(|c| format!("ch{c} current")).collect();
    assert_eq!(channels, expected);
    assert!(found.contains(&("input voltage", "V")) && found.contains(&("temperature", "°C")));
    let voltage = found.iter().position(|n| n.0 == "input voltage").unwrap();
    assert_eq!(recorded.points[voltage][0], (123.456, 13.6));
    assert_eq!(recorded.points[0][0], (123.456, 500.0));
}

#[test]
fn ascii_crc8_lux_from_download_and_view_replies() {
    let recorded = record(ascii_crc8::AsciiCrc8::new(Default::default()), &sample("ascii-crc8"), Scalings::default());
    assert_eq!(names(&recorded), [("lux", "lx")]);
    let ys: Vec<f64> = recorded.points[0].iter().map(|p| p.1).collect();
    // DOWNLOAD 2600, then the VIEW log oldest first.
    assert_eq!(ys, [2600.0, 2591.0, 2592.0, 2593.0, 2594.0, 2595.0, 2596.0, 2597.0, 2598.0, 2599.0, 2600.0]);
}

#[test]
fn rejected_bytes_are_marked_where_they_happened() {
    let recorded = record(pmu30::Pmu30::new(Default::default()), &capture("pmu30/bad_crc.bin"), Scalings::default());
    assert!(recorded.marks.iter().any(|m| m.kind == MarkKind::Rejected), "{:?}", recorded.marks);
}

#[test]
fn scalings_are_parsed_and_refused() {
    let s = Scalings::parse(&["3=0.25".into()], &["3=-512".into(), "4=1".into()]).unwrap();
    assert_eq!(s.of(3), serial_dialects::plot::Scaling { offset: -512.0, scale: 0.25 });
    assert_eq!(s.of(4), serial_dialects::plot::Scaling { offset: 1.0, scale: 1.0 });
    assert_eq!(s.of(0), Default::default());
    for bad in ["3", "x=1", "3=y", "300=1", "1=inf"] {
        assert!(Scalings::parse(&[bad.into()], &[]).is_err(), "{bad}");
    }
}
