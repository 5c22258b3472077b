//! Regressions: inputs the fuzz targets (`fuzz/fuzz_targets/roundtrip_plot.rs`) and their
//! review found, inline.
//!
//! `HelpWriter` printed rows that the host's parser reads back differently. Each case
//! shows the damage on the bytes the old writer printed, then that the writer now refuses.

use serial_dialects::SliceDecoder;
use serial_dialects::plot::{self, Command, HelpWriter, Message, Plot, TableEnd, write_help_table};

/// The rows and how the table ended, as the host decodes `bytes`.
fn decoded_table(bytes: &[u8]) -> Vec<(Vec<String>, TableEnd)> {
    SliceDecoder::new(Plot::default(), bytes)
        .filter_map(|e| match e.into_frame() {
            Some(Message::Commands(list)) => Some((
                list.iter().map(|c| format!("{}|{}|{}|{}", c.cmd, c.args, c.cat, c.description)).collect(),
                list.ended_by(),
            )),
            _ => None,
        })
        .collect()
}

/// The table the old writer printed: no check beyond the field rules.
fn unchecked_table(rows: &[Command<'_>]) -> String {
    let sep = plot::help::SEPARATOR;
    let mut out = format!("\r\nGMU Commands\r\n{sep}\r\nCMD      | ARGS     | CAT   | DESCRIPTION\r\n{sep}\r\n");
    for c in rows {
        out += &format!("{:<8} | {:<8} | {:<5} | {}\r\n", c.cmd, c.args, c.cat, c.description);
    }
    out + sep + "\r\n"
}

fn refused(rows: &[Command<'_>]) -> bool {
    write_help_table(String::new(), "GMU Commands", rows).is_err()
}

const START: Command<'static> = Command { cmd: "start", args: "-", cat: "state", description: "Start" };

/// Found by `roundtrip_plot` (crash-7654a3fa…): a cmd holding the marker restarted the table,
/// so the decoded table was empty instead of holding the row.
#[test]
fn a_row_holding_the_marker_is_refused() {
    let cmd = "staR\u{1}t-\u{1}st\0\0\0\0\0\0\0\0\0\0\0\0\0\0\u{4}\0\0\0GMU Commands\0";
    let rows = [Command { cmd, args: "", cat: "", description: "" }];
    let old = unchecked_table(&rows);
    assert_eq!(decoded_table(old.as_bytes()), [(vec![], TableEnd::Timeout)]);
    assert!(refused(&rows));
    // The marker anywhere in the row, also in the description.
    assert!(refused(&[START, Command { description: "see GMU Commands", ..START }]));
    // Not a near miss.
    let mut out = String::new();
    write_help_table(&mut out, "GMU Commands", &[Command { description: "GMU Command list", ..START }]).unwrap();
    assert_eq!(
        decoded_table(out.as_bytes()),
        [(vec!["start|-|state|GMU Command list".to_string()], TableEnd::Separator)]
    );
}

/// A control character before `ª` (C2 AA) makes its AA a frame start byte, and the frame
/// candidate behind it swallowed the rest of the row.
#[test]
fn a_row_whose_text_would_start_a_frame_is_refused() {
    let rows = [Command { description: "a\u{1}\u{aa}\u{1}\0\0", ..START }];
    let old = unchecked_table(&rows);
    let rows_seen = decoded_table(old.as_bytes());
    assert_ne!(rows_seen, [(vec!["start|-|state|a\u{1}\u{aa}\u{1}\0\0".to_string()], TableEnd::Separator)]);
    assert!(refused(&rows));
    // ª and « in clean text are text, and U+0A80 (E0 AA 80) is not.
    let mut out = String::new();
    write_help_table(&mut out, "GMU Commands", &[Command { description: "5 ª « x", ..START }]).unwrap();
    assert_eq!(decoded_table(out.as_bytes()), [(vec!["start|-|state|5 ª « x".to_string()], TableEnd::Separator)]);
    assert!(refused(&[Command { description: "\u{a80}", ..START }]));
}

/// A second row starting with `---------+` ended the table early.
#[test]
fn a_row_that_reads_as_the_closing_separator_is_refused() {
    let rows = [START, Command { cmd: "---------+x", ..START }];
    let old = unchecked_table(&rows);
    assert_eq!(decoded_table(old.as_bytes()), [(vec!["start|-|state|Start".to_string()], TableEnd::Separator)]);
    assert!(refused(&rows));
}

/// The `help`/`sys` row ends the table: a row after it was lost.
#[test]
fn a_row_after_the_help_row_is_refused() {
    let help = Command { cmd: "help", args: "-", cat: "sys", description: "Show this help" };
    let rows = [help, START];
    let old = unchecked_table(&rows);
    assert_eq!(decoded_table(old.as_bytes()), [(vec!["help|-|sys|Show this help".to_string()], TableEnd::HelpRow)]);
    assert!(refused(&rows));
    // As the last row it is fine (the seed's own table ends with it).
    let mut out = String::new();
    write_help_table(&mut out, "GMU Commands", &[START, help]).unwrap();
    assert_eq!(decoded_table(out.as_bytes()).len(), 1);
    assert_eq!(decoded_table(out.as_bytes())[0].1, TableEnd::HelpRow);
}

/// A row longer than the parser's 1024-byte line was cut.
#[test]
fn a_row_longer_than_the_parsers_line_is_refused() {
    let fits = "d".repeat(1024 - "start    | -        | state | ".len());
    let mut out = String::new();
    write_help_table(&mut out, "GMU Commands", &[Command { description: &fits, ..START }]).unwrap();
    assert_eq!(decoded_table(out.as_bytes())[0].0, [format!("start|-|state|{fits}")]);
    let long = fits.clone() + "d";
    let rows = [Command { description: &long, ..START }];
    assert_ne!(decoded_table(unchecked_table(&rows).as_bytes())[0].0, [format!("start|-|state|{long}")]);
    assert!(refused(&rows));
}

#[test]
fn rows_outside_a_table_and_unreadable_markers_are_refused() {
    let mut sink = String::new();
    let mut w = HelpWriter::new(&mut sink);
    assert!(w.row(&START).is_err(), "before begin");
    for marker in ["", "CMD", "---", "a\r\nb", "x\u{a80}"] {
        assert!(w.begin(marker).is_err(), "{marker:?}");
    }
    w.begin("GMU Commands").unwrap();
    w.row(&START).unwrap();
    w.end().unwrap();
    assert!(w.row(&START).is_err(), "after end");
    assert_eq!(decoded_table(sink.as_bytes()), [(vec!["start|-|state|Start".to_string()], TableEnd::Separator)]);
}
