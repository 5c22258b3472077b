//! Decodes a capture file and prints one JSON object per event (the `decode` JSON Lines
//! contract of docs/decode-json.md), then a statistics line.
//!
//! ```sh
//! cargo run --features serde --example decode -- powerscope tests/captures/powerscope/head_stream_clean.bin
//! cargo run --features serde --example decode -- pmu30:crc-with-length capture.bin
//! ```

use std::io::{self, BufWriter, Write};
use std::process::ExitCode;

use serde::Serialize;
use serde_json::{Map, Value, json};
use serial_dialects::stream::{Dialect, Item, SliceDecoder};
use serial_dialects::{DialectError, Stats};

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [name, path] = args.as_slice() else {
        eprintln!("usage: decode DIALECT[:VARIANT] FILE");
        return ExitCode::from(2);
    };
    let input = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("decode: cannot read {path}: {e}");
            return ExitCode::from(2);
        }
    };
    let (dialect, variant) = name.split_once(':').unwrap_or((name.as_str(), ""));
    let result = match dialect {
        "pmu30" => match serial_dialects::pmu30::Config::from_variant(variant) {
            Some(config) => print_events(serial_dialects::pmu30::Pmu30::new(config), &input),
            None => return unknown(name),
        },
        "plot" => match serial_dialects::plot::Config::from_variant(variant) {
            Some(config) => print_events(serial_dialects::plot::Plot::new(config), &input),
            None => return unknown(name),
        },
        "powerscope" => match serial_dialects::powerscope::Config::from_name(name) {
            Some(config) => print_events(serial_dialects::powerscope::PowerScope::new(config), &input),
            None => return unknown(name),
        },
        "vectordebug" if variant.is_empty() => {
            print_events(serial_dialects::vectordebug::VectorDebug::default(), &input)
        }
        "ascii-crc8" if variant.is_empty() => print_events(serial_dialects::ascii_crc8::AsciiCrc8::default(), &input),
        _ => {
            eprintln!("decode: unknown dialect {name:?}");
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("decode: {e}");
            ExitCode::from(2)
        }
    }
}

fn unknown(name: &str) -> ExitCode {
    eprintln!("decode: unknown dialect or variant {name:?}");
    ExitCode::from(2)
}

/// Writes every event of `input` as one JSON line, then the statistics.
fn print_events<D>(dialect: D, input: &[u8]) -> io::Result<()>
where
    D: Dialect,
    for<'a> D::Frame<'a>: Serialize,
{
    let mut out = BufWriter::new(io::stdout().lock());
    let mut decoder = SliceDecoder::new(dialect, input);
    for event in &mut decoder {
        let mut line = Map::new();
        line.insert("offset".into(), json!(event.offset));
        line.insert("len".into(), json!(event.len));
        line.insert("dialect".into(), json!(D::NAME));
        match &event.item {
            Item::Frame(frame) => {
                if let Value::Object(body) = serde_json::to_value(frame)? {
                    line.extend(body);
                }
            }
            Item::Error(error) => {
                line.insert("error".into(), json!(error.kind().as_str()));
                line.insert("detail".into(), json!(error.to_string()));
            }
        }
        serde_json::to_writer(&mut out, &line)?;
        out.write_all(b"\n")?;
    }
    let stats: &Stats = decoder.stats();
    serde_json::to_writer(&mut out, &json!({ "stats": stats }))?;
    out.write_all(b"\n")?;
    out.flush()
}
