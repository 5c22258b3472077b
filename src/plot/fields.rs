//! The message table of plot and its field builders ([`EncodeFields`]): data and label
//! frames, text lines and help tables.

use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

use super::{
    COMMAND_TEXT_CAPACITY, Command, Config, LabelEntry, MAX_COMMANDS, MAX_LABEL_LEN, Plot, Text, write_help_table,
};
use crate::fields::{EncodeFields, Failure, FieldValue, Fields, List, MessageSpec, emit_vec, req, usage};

impl EncodeFields for Plot {
    fn messages(config: &Config) -> Vec<MessageSpec> {
        messages(config)
    }

    fn encode_fields(config: &Config, name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
        encode(config, name, f)
    }
}

fn messages(config: &Config) -> Vec<MessageSpec> {
    let max = config.max_channels;
    vec![
        MessageSpec {
            name: "DATA",
            about: format!("(0x{:02X}) int16 samples, value i is channel i", super::DATA_START),
            fields: vec![req("values", format!("list of 1..={max} i16"))],
            example: "values=100,2000,-500",
            several_events: false,
        },
        MessageSpec {
            name: "LABEL",
            about: format!("(0x{:02X}) channel names", super::LABEL_START),
            fields: vec![req(
                "labels",
                format!(
                    "list of 1..={max} INDEX:NAME (index 0..={}, name 1..={MAX_LABEL_LEN} bytes of UTF-8, no ',')",
                    max.saturating_sub(1)
                ),
            )],
            example: "labels=0:Temp,1:Humidity",
            several_events: false,
        },
        MessageSpec {
            name: "TEXT",
            about: "a text line (written with \\r\\n)".to_string(),
            fields: vec![req(
                "line",
                format!("text without line breaks, at most {} bytes", config.max_line.saturating_sub(2)),
            )],
            example: "'line=boot ok'",
            several_events: false,
        },
        MessageSpec {
            name: "COMMANDS",
            about: format!(
                "a help table: the `{}` marker, header and one row per command (decodes as TEXT lines and COMMANDS)",
                config.help_marker
            ),
            fields: vec![req(
                "commands",
                format!(
                    "rows CMD|ARGS|CAT|DESCRIPTION separated by ';' (at most {MAX_COMMANDS} rows, \
                     {COMMAND_TEXT_CAPACITY} bytes of text; ARGS `-` gives a button)"
                ),
            )],
            example: "'commands=start|-|state|Start the motor;speed|<rpm>|param|Set the speed'",
            several_events: true,
        },
    ]
}

fn encode(config: &Config, name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
    match name {
        "DATA" => {
            let values: List<i16> = f.req("values")?;
            emit_vec(super::frame::data_frame_len(values.0.len()), |out| {
                super::emit_data(&values.0, config.max_channels, out)
            })
        }
        "LABEL" => {
            let text: String = f.req("labels")?;
            let labels = parse_labels(&text)?;
            emit_vec(super::frame::label_frame_len(&labels), |out| {
                super::emit_labels(&labels, config.max_channels, out)
            })
        }
        "TEXT" => {
            let line: String = f.req("line")?;
            if line.contains(['\r', '\n']) {
                return Err(usage("field `line`: a line cannot hold \\r or \\n"));
            }
            let raw = format!("{line}\r\n");
            let text = Text::new(raw.as_bytes());
            emit_vec(text.buffer_len(), |out| text.emit(out))
        }
        "COMMANDS" => {
            let text: String = f.req("commands")?;
            let rows = parse_rows(&text)?;
            let mut table = String::new();
            write_help_table(&mut table, config.help_marker, &rows).map_err(|_| {
                usage(
                    "field `commands`: a row cannot be written (CMD must not be empty; no field may hold a line \
                     break or start or end with a space; CMD, ARGS and CAT cannot hold '|')",
                )
            })?;
            Ok(table.into_bytes())
        }
        other => Err(usage(format!("no message {other}"))),
    }
}

/// `INDEX:NAME,INDEX:NAME` (names are sent whole: the library would cut a longer one).
fn parse_labels(text: &str) -> Result<Vec<LabelEntry<'_>>, Failure> {
    if text.is_empty() {
        return Ok(Vec::new());
    }
    text.split(',')
        .enumerate()
        .map(|(i, item)| {
            let bad = |why: String| usage(format!("field `labels`: item {}: {why}", i + 1));
            let (index, name) = item.split_once(':').ok_or_else(|| bad(format!("{item:?} is not INDEX:NAME")))?;
            let index = u8::read(index).map_err(bad)?;
            if name.len() > MAX_LABEL_LEN {
                return Err(bad(format!("name {name:?} is {} bytes, at most {MAX_LABEL_LEN} fit", name.len())));
            }
            Ok(super::label(index, name))
        })
        .collect()
}

/// `CMD|ARGS|CAT|DESCRIPTION;...`.
fn parse_rows(text: &str) -> Result<Vec<Command<'_>>, Failure> {
    text.split(';')
        .enumerate()
        .map(|(i, row)| match row.split('|').collect::<Vec<_>>().as_slice() {
            [cmd, args, cat, description] => Ok(Command { cmd, args, cat, description }),
            _ => Err(usage(format!("field `commands`: row {}: {row:?} is not CMD|ARGS|CAT|DESCRIPTION", i + 1))),
        })
        .collect()
}
