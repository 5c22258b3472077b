//! The real captures of the plot dialect (copied from the real tool's test vectors), checked
//! against what the real DragoonPlot decoded (`.jsonl`) and against the dialect's decisions
//! where the real tool is wrong.

use serde_json::Value;
use serial_dialects::ErrorKind;
use serial_dialects::SliceDecoder;
use serial_dialects::plot::{Config, Message, Plot, TableEnd};

use crate::common;

#[derive(Debug, Clone, PartialEq)]
enum Ev {
    Data(u64, Vec<i16>),
    Label(u64, Vec<(u8, String)>),
    Text(u64, usize, String),
    Commands(u64, Vec<[String; 4]>, TableEnd),
    Error(u64, usize, ErrorKind),
}

fn decode(config: Config, input: &[u8]) -> Vec<Ev> {
    let events: Vec<Ev> = SliceDecoder::new(Plot::new(config), input)
        .map(|e| match (&e.item, e.error_kind()) {
            (_, Some(kind)) => Ev::Error(e.offset, e.len, kind),
            (serial_dialects::Item::Frame(m), None) => match m {
                Message::Data(d) => Ev::Data(e.offset, d.values().collect()),
                Message::Label(l) => {
                    Ev::Label(e.offset, l.entries().map(|x| (x.index, x.name().to_string())).collect())
                }
                Message::Text(t) => Ev::Text(e.offset, e.len, t.lossy().to_string()),
                Message::Commands(c) => Ev::Commands(
                    e.offset,
                    c.iter()
                        .map(|r| [r.cmd.to_string(), r.args.to_string(), r.cat.to_string(), r.description.to_string()])
                        .collect(),
                    c.ended_by(),
                ),
            },
            _ => unreachable!(),
        })
        .collect();
    events
}

fn capture(name: &str) -> (Vec<u8>, Vec<Value>) {
    common::capture_with_records("plot", name)
}

/// The real tool's `data` and `labels` events as [`Ev`] (labels merged by index, last wins,
/// as the tool's dict does).
fn expected_frames(records: &[Value]) -> Vec<Ev> {
    records
        .iter()
        .filter_map(|r| {
            let offset = r["offset"].as_u64()?;
            match r["event"].as_str()? {
                "data" => {
                    Some(Ev::Data(offset, r["values"].as_array()?.iter().map(|v| v.as_i64().unwrap() as i16).collect()))
                }
                "labels" => Some(Ev::Label(
                    offset,
                    r["labels"]
                        .as_array()?
                        .iter()
                        .map(|p| (p[0].as_u64().unwrap() as u8, p[1].as_str().unwrap().to_string()))
                        .collect(),
                )),
                _ => None,
            }
        })
        .collect()
}

fn frames(events: &[Ev]) -> Vec<Ev> {
    let mut out: Vec<Ev> = events.iter().filter(|e| matches!(e, Ev::Data(..) | Ev::Label(..))).cloned().collect();
    for e in &mut out {
        if let Ev::Label(_, entries) = e {
            let mut merged: Vec<(u8, String)> = Vec::new();
            for (i, n) in entries.drain(..) {
                match merged.iter_mut().find(|(j, _)| *j == i) {
                    Some(slot) => slot.1 = n,
                    None => merged.push((i, n)),
                }
            }
            *entries = merged;
        }
    }
    out
}

fn errors(events: &[Ev]) -> Vec<(u64, usize, ErrorKind)> {
    events.iter().filter_map(|e| if let Ev::Error(o, l, k) = e { Some((*o, *l, *k)) } else { None }).collect()
}

fn texts(events: &[Ev]) -> Vec<String> {
    events.iter().filter_map(|e| if let Ev::Text(_, _, s) = e { Some(s.clone()) } else { None }).collect()
}

fn assert_tiles(events: &[Ev], len: usize) {
    let mut at = 0u64;
    for e in events {
        let (o, l) = match e {
            Ev::Data(..) | Ev::Label(..) => continue,
            Ev::Text(o, l, _) | Ev::Error(o, l, _) => (*o, *l),
            Ev::Commands(o, ..) => (*o, 0),
        };
        assert!(o >= at, "{e:?} overlaps");
        at = o + l as u64;
    }
    assert!(at <= len as u64);
}

const CAPTURES: [&str; 9] = [
    "ch32_frames",
    "clean_3ch_100hz_10s",
    "count0_count33",
    "extreme_values",
    "garbage_benign",
    "help_end_separator",
    "help_documented_format_then_data",
    "labels_then_data",
    "truncated_frame",
];

/// Captures where the real tool's `data`/`labels` events are ground truth.
const CLEAN: [&str; 7] = [
    "clean_3ch_100hz_10s",
    "ch32_frames",
    "extreme_values",
    "labels_then_data",
    "garbage_benign",
    "help_documented_format_then_data",
    "truncated_frame",
];

#[test]
fn clean_captures_give_exactly_the_real_tools_frames() {
    for name in CLEAN {
        let (bin, records) = capture(name);
        let events = decode(Config::default(), &bin);
        assert_tiles(&events, bin.len());
        let expected = expected_frames(&records);
        assert!(!expected.is_empty(), "{name}");
        assert_eq!(frames(&events), expected, "{name}");
        assert_eq!(errors(&events), [], "{name}: no byte of a clean capture is rejected");
    }
}

#[test]
fn clean_3ch_has_all_1000_frames_and_no_junk_text() {
    let (bin, _) = capture("clean_3ch_100hz_10s");
    let events = decode(Config::default(), &bin);
    assert_eq!(events.len(), 1000, "the real tool also printed 24 junk terminal lines; we print none");
    assert!(events.iter().all(|e| matches!(e, Ev::Data(_, v) if v.len() == 3)));
}

#[test]
fn garbage_benign_recovers_all_40_frames_and_the_garbage_is_text() {
    let (bin, _) = capture("garbage_benign");
    let events = decode(Config::default(), &bin);
    assert_eq!(events.iter().filter(|e| matches!(e, Ev::Data(..))).count(), 40);
    assert!(events.iter().all(|e| matches!(e, Ev::Data(..) | Ev::Text(..))));
}

#[test]
fn every_capture_is_chunking_invariant() {
    for name in CAPTURES {
        let (bin, _) = capture(name);
        common::assert_chunking_invariant(Plot::default, &bin);
        common::assert_chunking_invariant(|| Plot::new(Config::wide()), &bin);
    }
}

#[test]
fn count0_count33_recovers_the_frame_the_real_tool_loses() {
    let (bin, records) = capture("count0_count33");
    // plot:64 accepts COUNT 33 and 64, like the real tool.
    let events = decode(Config::wide(), &bin);
    let mut expected = expected_frames(&records);
    // `AA AA 03 07 00 08 00 09 00` at 350: the first AA is rejected (COUNT 170) and the
    // second starts the (7, 8, 9) frame, which the real tool loses.
    let at = expected.iter().position(|e| matches!(e, Ev::Data(359, _))).unwrap();
    expected.insert(at, Ev::Data(351, vec![7, 8, 9]));
    assert_eq!(frames(&events), expected);
    let bad = ErrorKind::BadLength;
    assert_eq!(errors(&events), [(0, 1, bad), (10, 1, bad), (218, 1, bad), (334, 1, bad), (350, 1, bad)]);

    // The documented limit (32) rejects COUNT 33 and 64 too; everything else is the same.
    let events = decode(Config::default(), &bin);
    let documented_expected: Vec<Ev> =
        expected.iter().filter(|e| matches!(e, Ev::Data(_, v) if v.len() <= 32)).cloned().collect();
    assert_eq!(frames(&events), documented_expected);
    assert_eq!(
        errors(&events),
        [(0, 1, bad), (10, 1, bad), (20, 1, bad), (88, 1, bad), (218, 1, bad), (334, 1, bad), (350, 1, bad)]
    );
}

#[test]
fn truncated_frame_shows_what_the_original_documentation_allows() {
    let (bin, _) = capture("truncated_frame");
    let events = decode(Config::default(), &bin);
    // `AA 03 64 00 D0` is cut off by the next frame's start: without a checksum its COUNT
    // decides, so it swallows 3 bytes of the next frame (the same bogus frame the real tool
    // reports); the 5 bytes left over are text, and the frame after is back in sync.
    assert_eq!(events[1], Ev::Data(8, vec![100, -21808, 2819]));
    assert_eq!(events[2], Ev::Text(16, 5, "\u{0}\u{c}\u{0}\r\u{0}".to_string()));
    assert_eq!(events[3], Ev::Data(21, vec![14, 15, 16]));
    assert_eq!(events.len(), 6);
}

#[test]
fn help_documented_format_then_data_produces_commands() {
    let (bin, records) = capture("help_documented_format_then_data");
    let events = decode(Config::default(), &bin);
    // The text lines are the real tool's lines (ASCII text) plus the first, empty line.
    let real_lines: Vec<String> =
        records.iter().filter(|r| r["event"] == "text").map(|r| r["line"].as_str().unwrap().to_string()).collect();
    let ours = texts(&events);
    assert_eq!(ours[0], "");
    assert_eq!(ours[1..], real_lines[..]);
    // The real app finds no table (it looks for "Commands ==="); the documented marker works.
    let commands: Vec<&Ev> = events.iter().filter(|e| matches!(e, Ev::Commands(..))).collect();
    assert_eq!(commands.len(), 1);
    let Ev::Commands(offset, rows, how) = commands[0] else { unreachable!() };
    // Right after the `help | - | sys` line, whose LF is at 465.
    let help_line = records.iter().find(|r| r["line"].as_str().is_some_and(|l| l.starts_with("help"))).unwrap();
    assert_eq!(*offset, help_line["offset"].as_u64().unwrap() + 1);
    assert_eq!(*how, TableEnd::HelpRow);
    let cmds: Vec<&str> = rows.iter().map(|r| r[0].as_str()).collect();
    assert_eq!(cmds, ["start", "stop", "status", "setpid", "dfu", "help"]);
    assert_eq!(rows[3], ["setpid", "kp ki kd", "param", "Set PID parameters"].map(String::from));
    // The position of the COMMANDS event: just after that line's TEXT event.
    let i = events.iter().position(|e| matches!(e, Ev::Commands(..))).unwrap();
    assert!(matches!(&events[i - 1], Ev::Text(o, l, s) if o + *l as u64 == *offset && s.starts_with("help")));
}

#[test]
fn help_end_separator_with_the_real_apps_marker() {
    let (bin, records) = capture("help_end_separator");
    // The default marker is not in this capture: no table.
    let events = decode(Config::default(), &bin);
    assert!(!events.iter().any(|e| matches!(e, Ev::Commands(..))));
    // With the real app's marker the table ends at the closing separator, as it did there.
    let config = Config { help_marker: "Commands ===", ..Config::default() };
    let events = decode(config, &bin);
    let real = records.iter().find(|r| r["event"] == "commands").unwrap();
    let Some(Ev::Commands(offset, rows, how)) = events.iter().find(|e| matches!(e, Ev::Commands(..))) else {
        panic!("no COMMANDS event")
    };
    assert_eq!(*how, TableEnd::Separator);
    assert_eq!(*offset, real["offset"].as_u64().unwrap() + 1, "just after the separator line's LF");
    let buttons: Vec<(String, String, String)> = rows
        .iter()
        .filter(|r| r[1] == "-")
        .map(|r| {
            let c = serial_dialects::plot::Command { cmd: &r[0], args: &r[1], cat: &r[2], description: &r[3] };
            (c.button_label().to_string(), c.click().to_string(), c.cat.to_string())
        })
        .collect();
    let real_buttons: Vec<(String, String, String)> = real["buttons"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["label"].as_str().unwrap().into(),
                b["data"].as_str().unwrap().into(),
                b["category"].as_str().unwrap().into(),
            )
        })
        .collect();
    assert_eq!(buttons, real_buttons);
    // The row after the end is ordinary text.
    assert!(texts(&events).last().unwrap().starts_with("after"));
    assert_eq!(events.iter().filter(|e| matches!(e, Ev::Commands(..))).count(), 1);
}
