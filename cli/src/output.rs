//! Writing events: JSON Lines (the contract of docs/decode-json.md), CSV samples, or one
//! readable line per event.

use std::io::{self, Write};

use serde_json::{Map, Value};
use serial_dialects::powerscope::Ina219Sample;
use serial_dialects::stream::{EventOf, Item};
use serial_dialects::{DialectError, Stats};

use crate::dialect::CliDialect;

/// Output format of `decode` and `monitor`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    /// One JSON object per event (docs/decode-json.md).
    Jsonl,
    /// One row per sample, with a header row (plot values, vectordebug records, pmu30
    /// telemetry, powerscope readings in physical units, ascii-crc8 lux values).
    Csv,
    /// One readable line per event.
    Text,
}

/// Writes events of one dialect in one format.
pub struct EventSink<W: Write> {
    out: W,
    format: Format,
    dialect: &'static str,
    /// Reused buffer for a frame's JSON.
    json: Vec<u8>,
    csv_header_done: bool,
    /// Flush after every event (live monitoring).
    flush_each: bool,
}

impl<W: Write> EventSink<W> {
    pub fn new(out: W, format: Format, dialect: &'static str, flush_each: bool) -> Self {
        EventSink { out, format, dialect, json: Vec::with_capacity(4096), csv_header_done: false, flush_each }
    }

    /// Writes one event.
    pub fn event<D: CliDialect>(&mut self, event: &EventOf<'_, D>) -> io::Result<()> {
        match &event.item {
            Item::Frame(frame) => {
                self.json.clear();
                serde_json::to_writer(&mut self.json, frame).map_err(io::Error::other)?;
                match self.format {
                    Format::Jsonl => self.jsonl_frame(event.offset, event.len)?,
                    Format::Csv | Format::Text => {
                        let value: Value = serde_json::from_slice(&self.json).map_err(io::Error::other)?;
                        self.frame_value(event.offset, event.len, &value)?;
                    }
                }
            }
            Item::Error(error) => self.error(event.offset, event.len, error)?,
        }
        if self.flush_each {
            self.out.flush()?;
        }
        Ok(())
    }

    /// Writes a frame given as its JSON value (`{"type", "fields"}`), e.g. a `COMMANDS`
    /// event produced by a live timeout.
    pub fn frame_value(&mut self, offset: u64, len: usize, value: &Value) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                self.json.clear();
                serde_json::to_writer(&mut self.json, value).map_err(io::Error::other)?;
                self.jsonl_frame(offset, len)
            }
            Format::Text => self.text_frame(offset, len, value),
            Format::Csv => self.csv_frame(offset, value),
        }
    }

    fn jsonl_frame(&mut self, offset: u64, len: usize) -> io::Result<()> {
        write!(self.out, "{{\"offset\":{offset},\"len\":{len},\"dialect\":\"{}\",", self.dialect)?;
        // The frame's JSON is an object; splice its members after ours.
        match self.json.first() {
            Some(b'{') if self.json.len() > 2 => self.out.write_all(&self.json[1..])?,
            _ => {
                self.out.write_all(b"\"value\":")?;
                self.out.write_all(&self.json)?;
                self.out.write_all(b"}")?;
            }
        }
        self.out.write_all(b"\n")
    }

    fn error<E: DialectError>(&mut self, offset: u64, len: usize, error: &E) -> io::Result<()> {
        let kind = error.kind().as_str();
        let detail = error.to_string();
        match self.format {
            Format::Jsonl => {
                write!(
                    self.out,
                    "{{\"offset\":{offset},\"len\":{len},\"dialect\":\"{}\",\"error\":\"{kind}\",\"detail\":",
                    self.dialect
                )?;
                serde_json::to_writer(&mut self.out, &detail).map_err(io::Error::other)?;
                self.out.write_all(b"}\n")
            }
            Format::Text => writeln!(self.out, "{offset:>10} +{len:<5} !{kind}: {detail}"),
            Format::Csv => Ok(()),
        }
    }

    /// Writes the statistics: a last JSON line, a text line, or (CSV) a line on stderr.
    pub fn stats(&mut self, stats: &Stats) -> io::Result<()> {
        match self.format {
            Format::Jsonl => {
                /// `{"stats": {...}}` with the fields in their declared order.
                #[derive(serde::Serialize)]
                struct Line<'a> {
                    stats: &'a Stats,
                }
                serde_json::to_writer(&mut self.out, &Line { stats }).map_err(io::Error::other)?;
                self.out.write_all(b"\n")?;
            }
            Format::Text => writeln!(self.out, "{}", stats_line(stats))?,
            Format::Csv => eprintln!("{}", stats_line(stats)),
        }
        self.out.flush()
    }

    pub fn flush(&mut self) -> io::Result<()> {
        self.out.flush()
    }

    fn text_frame(&mut self, offset: u64, len: usize, value: &Value) -> io::Result<()> {
        let kind = value.get("type").and_then(Value::as_str).unwrap_or("?");
        let empty = Map::new();
        let fields = value.get("fields").and_then(Value::as_object).unwrap_or(&empty);
        write!(self.out, "{offset:>10} +{len:<5} {kind}")?;
        if self.dialect == "powerscope" && kind == "STREAM" {
            // The seed's shell line, then the reading in physical units.
            let n = |k: &str| fields.get(k).and_then(Value::as_u64).unwrap_or(0);
            write!(self.out, " seq={:8} ts={:10} len={:3} gap={:3}", n("seq"), n("ts_ms"), n("payload_len"), n("gap"))?;
            if let Some(sample) = ina219(fields) {
                write!(
                    self.out,
                    " sensor={} {:.3} V {:.3} mA {:.3} mW",
                    sample.runtime_id,
                    sample.bus_volts(),
                    sample.current_ma(),
                    sample.power_mw()
                )?;
            }
            return writeln!(self.out);
        }
        for (key, v) in fields {
            match v {
                Value::String(s) if !s.is_empty() && !s.contains(char::is_whitespace) => {
                    write!(self.out, " {key}={s}")?
                }
                other => write!(self.out, " {key}={other}")?,
            }
        }
        writeln!(self.out)
    }

    fn csv_frame(&mut self, offset: u64, value: &Value) -> io::Result<()> {
        let kind = value.get("type").and_then(Value::as_str).unwrap_or("");
        let Some(fields) = value.get("fields").and_then(Value::as_object) else {
            return Ok(());
        };
        let rows = csv_rows(self.dialect, kind, offset, fields);
        if rows.is_empty() {
            return Ok(());
        }
        if !self.csv_header_done {
            writeln!(self.out, "{}", csv_header(self.dialect))?;
            self.csv_header_done = true;
        }
        for row in rows {
            writeln!(self.out, "{row}")?;
        }
        Ok(())
    }
}

fn stats_line(stats: &Stats) -> String {
    let errors: Vec<String> = stats.errors.iter().map(|(k, n)| format!("{k}={n}")).collect();
    format!(
        "stats: frames={} errors={} [{}] bytes_skipped={} lost_frames={}",
        stats.frames,
        stats.errors.total(),
        errors.join(" "),
        stats.bytes_skipped,
        stats.lost_frames
    )
}

fn ina219(fields: &Map<String, Value>) -> Option<Ina219Sample> {
    Some(Ina219Sample {
        runtime_id: u8::try_from(fields.get("runtime_id")?.as_u64()?).ok()?,
        bus_mv: u16::try_from(fields.get("bus_mv")?.as_u64()?).ok()?,
        current_ua: i32::try_from(fields.get("current_ua")?.as_i64()?).ok()?,
    })
}

/// The CSV header of a dialect.
pub fn csv_header(dialect: &str) -> String {
    match dialect {
        "plot" => "offset,channel,value".to_string(),
        "vectordebug" => "offset,seq,p0,p1,p2,p3,p4,p5".to_string(),
        "pmu30" => {
            let mut h = vec!["offset,timestamp_ms,input_voltage_mv,temperature_c,fault_flags".to_string()];
            h.extend((0..8).map(|i| format!("analog_{i}")));
            h.extend((0..30).map(|i| format!("state_{i}")));
            h.extend((0..30).map(|i| format!("current_ma_{i}")));
            h.join(",")
        }
        "powerscope" => "offset,type,runtime_id,seq,ts_ms,gap,bus_mv,current_ua,bus_v,current_ma,power_mw".to_string(),
        "ascii-crc8" => "offset,id,request,position,lux".to_string(),
        _ => "offset".to_string(),
    }
}

fn join(values: &[Value]) -> String {
    values.iter().map(Value::to_string).collect::<Vec<_>>().join(",")
}

/// The CSV rows of one frame (none for frames that carry no samples).
pub fn csv_rows(dialect: &str, kind: &str, offset: u64, f: &Map<String, Value>) -> Vec<String> {
    let get = |k: &str| f.get(k).cloned().unwrap_or(Value::Null);
    let list = |k: &str| f.get(k).and_then(Value::as_array).cloned().unwrap_or_default();
    match (dialect, kind) {
        ("plot", "DATA") => list("values").iter().enumerate().map(|(i, v)| format!("{offset},{i},{v}")).collect(),
        ("vectordebug", "DBG_FRAME1") => list("frames")
            .iter()
            .map(|r| {
                let payload = r.get("payload").and_then(Value::as_array).cloned().unwrap_or_default();
                format!("{offset},{},{}", r.get("seq").cloned().unwrap_or(Value::Null), join(&payload))
            })
            .collect(),
        ("pmu30", "TELEMETRY_DATA") => vec![format!(
            "{offset},{},{},{},{},{},{},{}",
            get("timestamp_ms"),
            get("input_voltage"),
            get("temperature"),
            get("fault_flags"),
            join(&list("analog_values")),
            join(&list("channel_states")),
            join(&list("output_currents"))
        )],
        ("powerscope", "STREAM") | ("powerscope", "ACK") => {
            let sample = ina219(f);
            if kind == "ACK" && sample.is_none() {
                return Vec::new();
            }
            let (raw, units) = match sample {
                Some(s) => (
                    format!("{},{}", s.bus_mv, s.current_ua),
                    format!("{:.3},{:.3},{:.3}", s.bus_volts(), s.current_ma(), s.power_mw()),
                ),
                None => (",".to_string(), ",,".to_string()),
            };
            vec![format!(
                "{offset},{kind},{},{},{},{},{raw},{units}",
                csv_opt(f.get("runtime_id")),
                csv_opt(f.get("seq")),
                csv_opt(f.get("ts_ms")),
                csv_opt(f.get("gap"))
            )]
        }
        ("ascii-crc8", "REPLY") => {
            let request = f.get("request").and_then(Value::as_str).unwrap_or("");
            let id = csv_opt(f.get("id"));
            if let Some(lux) = f.get("lux") {
                return vec![format!("{offset},{id},{request},0,{lux}")];
            }
            let start = f.get("offset").and_then(Value::as_u64).unwrap_or(0);
            list("values")
                .iter()
                .enumerate()
                .map(|(i, v)| format!("{offset},{id},{request},{},{v}", start + i as u64))
                .collect()
        }
        _ => Vec::new(),
    }
}

fn csv_opt(v: Option<&Value>) -> String {
    match v {
        None | Some(Value::Null) => String::new(),
        Some(Value::String(s)) => s.clone(),
        Some(other) => other.to_string(),
    }
}
