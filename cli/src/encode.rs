//! `encode`: one typed message from `field=value` arguments, written as its wire frame.
//!
//! Every dialect module (`encode/<dialect>.rs`) describes its messages ([`MessageSpec`], for
//! `--list`) and builds the library's typed message from the fields; the library writes
//! the frame. Before anything is written, the bytes are decoded again with the library's
//! own decoder: they must come back as one event of the requested type, so that
//! `encode X T ... | decode --dialect X -` always shows `T`.

mod ascii_crc8;
mod plot;
mod pmu30;
mod powerscope;
mod vectordebug;

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serial_dialects::stream::Item;
use serial_dialects::{DialectError, EncodeError, Message, SliceDecoder};

use crate::cli_error::CliError;
use crate::dialect::{CliDialect, Job, Selected};

/// Arguments of `encode`.
#[derive(Debug, clap::Args)]
pub struct EncodeArgs {
    /// The dialect, NAME[:VARIANT] (the names come from the registry, `dialect.rs`).
    #[arg(value_name = "NAME[:VARIANT]", help = format!("The dialect, NAME[:VARIANT] ({})", crate::dialect::canonical_list()))]
    pub dialect: String,
    /// The message type, as the JSON `type` of `decode` (e.g. SET_CHANNEL); case does not
    /// matter.
    pub message: Option<String>,
    /// The message's fields, as name=value (names as the JSON `fields` of `decode`).
    #[arg(value_name = "FIELD=VALUE")]
    pub fields: Vec<String>,
    /// Write the frame to this serial port (DTR asserted) instead of standard output.
    #[arg(long, short, conflicts_with_all = ["output", "hex"])]
    pub port: Option<String>,
    /// Baud rate for --port (ignored by USB CDC devices).
    #[arg(long, short, default_value_t = 115_200, requires = "port")]
    pub baud: u32,
    /// List the messages of the dialect (or only MESSAGE) with their fields, types, ranges
    /// and defaults.
    #[arg(long, conflicts_with_all = ["fields", "port", "output", "hex"])]
    pub list: bool,
    /// Write the frame to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the frame as one line of lowercase hex instead of raw bytes.
    #[arg(long)]
    pub hex: bool,
}

/// Runs `encode`.
pub fn run(args: &EncodeArgs) -> Result<(), CliError> {
    let selected = Selected::parse(&args.dialect).map_err(CliError::msg)?;
    let specs = messages(&selected);
    if args.list {
        let only = match &args.message {
            Some(name) => Some(resolve(&selected, &specs, name)?.0),
            None => None,
        };
        let mut out = io::stdout().lock();
        out.write_all(list_text(&selected, &specs, only).as_bytes())?;
        return out.flush().map_err(CliError::from);
    }
    let Some(name) = &args.message else {
        return Err(CliError::msg(format!(
            "missing MESSAGE; `serial-dialects encode {} --list` shows the messages",
            selected.name()
        )));
    };
    let bytes = encode_message(&selected, name, &args.fields)?;
    write_frame(args, &bytes)
}

/// Builds the frame of message `name` with `field=value` arguments, and checks that the
/// library decodes it back as one `name` event.
pub fn encode_message(selected: &Selected, name: &str, args: &[String]) -> Result<Vec<u8>, CliError> {
    let specs = messages(selected);
    let (spec, preset) = resolve(selected, &specs, name)?;
    let mut fields = Fields::parse(args)?;
    if let Some((field, value)) = preset {
        if fields.has(field) {
            return Err(CliError::msg(format!("{name} already names the {} `{field}`; leave out {field}=", spec.name)));
        }
        fields.items.push(Given { name: field.to_string(), value: value.to_string(), used: false });
    }
    fields.check_known(selected, spec)?;
    let bytes = match selected {
        Selected::Pmu30(c) => pmu30::encode(c, spec.name, &mut fields),
        Selected::VectorDebug(c) => vectordebug::encode(c, spec.name, &mut fields),
        Selected::Plot(c) => plot::encode(c, spec.name, &mut fields),
        Selected::AsciiCrc8(_) => ascii_crc8::encode(spec.name, &mut fields),
        Selected::PowerScope(c) => powerscope::encode(c, spec.name, &mut fields),
    }
    .map_err(|e| match e {
        Failure::Encode(e) => CliError::msg(format!("cannot encode {} {}: {e}", selected.name(), spec.name)),
        Failure::Usage(m) => CliError::msg(m),
    })?;
    if let Some(unused) = fields.items.iter().find(|g| !g.used) {
        // The field table and the encoder disagree: a bug of this tool, not of the input.
        return Err(CliError::msg(format!(
            "internal error: field `{}` of {} is listed but not encoded",
            unused.name, spec.name
        )));
    }
    selected
        .dispatch(Check { bytes: &bytes, message: spec.name })
        .map_err(|m| CliError::msg(format!("cannot encode {} {}: {m}", selected.name(), spec.name)))?;
    Ok(bytes)
}

/// The message specs of a dialect.
fn messages(selected: &Selected) -> Vec<MessageSpec> {
    match selected {
        Selected::Pmu30(c) => pmu30::messages(c),
        Selected::VectorDebug(c) => vectordebug::messages(c),
        Selected::Plot(c) => plot::messages(c),
        Selected::AsciiCrc8(_) => ascii_crc8::messages(),
        Selected::PowerScope(c) => powerscope::messages(c),
    }
}

/// A preset field that a message alias implies (`SET_PERIOD` = `CMD cmd=SET_PERIOD`).
type Preset = Option<(&'static str, &'static str)>;

/// Finds the spec of `name` (case-insensitive), directly or through a dialect's alias.
fn resolve<'s>(
    selected: &Selected,
    specs: &'s [MessageSpec],
    name: &str,
) -> Result<(&'s MessageSpec, Preset), CliError> {
    let find = |n: &str| specs.iter().find(|s| s.name.eq_ignore_ascii_case(n));
    if let Some(spec) = find(name) {
        return Ok((spec, None));
    }
    let alias = match selected {
        Selected::PowerScope(c) => powerscope::alias(c, name),
        _ => None,
    };
    if let Some((target, field, value)) = alias {
        if let Some(spec) = find(target) {
            return Ok((spec, Some((field, value))));
        }
    }
    let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
    Err(CliError::msg(format!("unknown message type {name:?} for {} (known: {})", selected.name(), known.join(", "))))
}

/// Writes the frame where the arguments say.
fn write_frame(args: &EncodeArgs, bytes: &[u8]) -> Result<(), CliError> {
    let text;
    let bytes = if args.hex {
        text = format!("{}\n", hex(bytes));
        text.as_bytes()
    } else {
        bytes
    };
    if let Some(path) = &args.port {
        let mut port = serialport::new(path, args.baud)
            .timeout(Duration::from_secs(2))
            .open()
            .map_err(|e| CliError::msg(format!("cannot open {path}: {e}")))?;
        port.write_data_terminal_ready(true).map_err(|e| CliError::msg(format!("cannot assert DTR on {path}: {e}")))?;
        port.write_all(bytes).map_err(|e| CliError::io(format!("cannot write to {path}"), e))?;
        return port.flush().map_err(|e| CliError::io(format!("cannot write to {path}"), e));
    }
    if let Some(path) = &args.output {
        let label = path.display();
        let mut file = File::create(path).map_err(|e| CliError::io(format!("cannot create {label}"), e))?;
        file.write_all(bytes).map_err(|e| CliError::io(format!("cannot write {label}"), e))?;
        return file.flush().map_err(|e| CliError::io(format!("cannot write {label}"), e));
    }
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush().map_err(CliError::from)
}

/// Lowercase hex of `bytes`.
fn hex(bytes: &[u8]) -> String {
    bytes.iter().fold(String::with_capacity(2 * bytes.len()), |mut s, b| {
        let _ = write!(s, "{b:02x}");
        s
    })
}

// ---------------------------------------------------------------------------------------
// Decoding the frame again.

/// Decodes the encoded bytes with the dialect's decoder: every byte must belong to a frame
/// (no error event), exactly one event must be of the requested type, and every other
/// event must span no bytes (a help table's zero-length COMMANDS) unless the message is
/// made of several events itself (plot COMMANDS: the table's TEXT lines).
struct Check<'a> {
    bytes: &'a [u8],
    message: &'a str,
}

impl Job for Check<'_> {
    type Output = Result<(), String>;

    fn run<D: CliDialect>(self, dialect: D) -> Result<(), String> {
        let mut matching = 0usize;
        let mut others = Vec::new();
        for event in SliceDecoder::new(dialect, self.bytes) {
            match &event.item {
                Item::Error(e) => {
                    return Err(format!(
                        "the frame would not decode ({} at byte {}: {e})",
                        e.kind().as_str(),
                        event.offset
                    ));
                }
                Item::Frame(frame) => {
                    let kind = frame.name();
                    if kind == self.message {
                        matching += 1;
                    } else if event.len > 0 {
                        others.push(kind);
                    }
                }
            }
        }
        let multi_event = D::NAME == "plot" && self.message == "COMMANDS";
        if matching == 1 && (others.is_empty() || multi_event) {
            return Ok(());
        }
        if others.is_empty() {
            return Err(format!("the bytes decode as {matching} {} events, not one", self.message));
        }
        Err(format!("the bytes would decode as {}, not {}", others.join(" + "), self.message))
    }
}

// ---------------------------------------------------------------------------------------
// Field descriptions (for --list).

/// Whether a field must be given.
#[derive(Debug, Clone)]
pub enum Need {
    /// It must be given.
    Required,
    /// This value is used when it is not given.
    Default(String),
    /// One of a group of alternatives must be given (the text names the group).
    OneOf(&'static str),
    /// It may be left out (the text says when it is needed or what leaving it out means).
    Optional(String),
}

/// One field of a message.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    pub name: &'static str,
    /// Type, range and form, for people (`u16, 0..=29`).
    pub kind: String,
    pub need: Need,
}

/// A required field.
pub fn req(name: &'static str, kind: impl Into<String>) -> FieldSpec {
    FieldSpec { name, kind: kind.into(), need: Need::Required }
}

/// A field with a default.
pub fn dflt(name: &'static str, kind: impl Into<String>, default: impl ToString) -> FieldSpec {
    FieldSpec { name, kind: kind.into(), need: Need::Default(default.to_string()) }
}

/// A field of a group of alternatives.
pub fn one_of(name: &'static str, kind: impl Into<String>, group: &'static str) -> FieldSpec {
    FieldSpec { name, kind: kind.into(), need: Need::OneOf(group) }
}

/// A field that may be left out.
pub fn optional(name: &'static str, kind: impl Into<String>, meaning: impl Into<String>) -> FieldSpec {
    FieldSpec { name, kind: kind.into(), need: Need::Optional(meaning.into()) }
}

/// One message type of a dialect.
#[derive(Debug, Clone)]
pub struct MessageSpec {
    /// The JSON `type`.
    pub name: &'static str,
    /// What it is, for people.
    pub about: String,
    pub fields: Vec<FieldSpec>,
    /// Arguments after the message name that encode a typical message.
    pub example: &'static str,
}

/// The `--list` text of a dialect (or of one of its messages).
fn list_text(selected: &Selected, specs: &[MessageSpec], only: Option<&MessageSpec>) -> String {
    let dialect = selected.name();
    let mut s = String::new();
    if only.is_none() {
        let _ = writeln!(s, "Messages of {dialect} (serial-dialects encode {dialect} MESSAGE [FIELD=VALUE ...]):\n");
    }
    for spec in specs.iter().filter(|s| only.is_none_or(|o| o.name == s.name)) {
        let _ = writeln!(s, "{}  {}", spec.name, spec.about);
        if spec.fields.is_empty() {
            let _ = writeln!(s, "    (no fields)");
        }
        let name_width = spec.fields.iter().map(|f| f.name.len()).max().unwrap_or(0);
        let kind_width = spec.fields.iter().map(|f| f.kind.chars().count()).max().unwrap_or(0);
        for f in &spec.fields {
            let need = match &f.need {
                Need::Required => "required".to_string(),
                Need::Default(d) => format!("default {d}"),
                Need::OneOf(group) => format!("one of {group}"),
                Need::Optional(meaning) => meaning.clone(),
            };
            let _ = writeln!(s, "    {:<name_width$}  {:<kind_width$}  {need}", f.name, f.kind);
        }
        let example = if spec.example.is_empty() { String::new() } else { format!(" {}", spec.example) };
        let _ = writeln!(s, "    e.g. serial-dialects encode {dialect} {}{example}\n", spec.name);
    }
    s.push_str(
        "Values: integers in decimal or 0x-hex (negative where signed); floats; true/false; text as \
         is; *_hex fields as hex digits (\"0a1b\"); lists comma-separated. Quote values with spaces or ';'.\n",
    );
    s
}

// ---------------------------------------------------------------------------------------
// Reading `field=value` arguments.

/// Why a dialect encoder failed.
pub enum Failure {
    /// The library's encoder refused the message.
    Encode(EncodeError),
    /// A field is missing, unreadable or inconsistent (the whole message).
    Usage(String),
}

impl From<EncodeError> for Failure {
    fn from(e: EncodeError) -> Self {
        Failure::Encode(e)
    }
}

/// The result of a dialect encoder.
pub type Encoded = Result<Vec<u8>, Failure>;

/// A usage failure.
pub fn usage(text: impl Into<String>) -> Failure {
    Failure::Usage(text.into())
}

/// Runs a library emitter into a buffer of `len` bytes and keeps what it wrote.
pub fn emit_vec(len: usize, emit: impl FnOnce(&mut [u8]) -> Result<usize, EncodeError>) -> Encoded {
    let mut buf = vec![0u8; len];
    let n = emit(&mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

struct Given {
    name: String,
    value: String,
    used: bool,
}

/// The `field=value` arguments of one message; reading a field marks it used.
pub struct Fields {
    items: Vec<Given>,
}

impl Fields {
    /// Splits `name=value` arguments; refuses a missing `=`, an empty name or a field given
    /// twice.
    pub fn parse(args: &[String]) -> Result<Fields, CliError> {
        let mut items: Vec<Given> = Vec::with_capacity(args.len());
        for arg in args {
            let Some((name, value)) = arg.split_once('=') else {
                return Err(CliError::msg(format!("expected FIELD=VALUE, got {arg:?}")));
            };
            if name.is_empty() {
                return Err(CliError::msg(format!("expected FIELD=VALUE, got {arg:?} (no field name)")));
            }
            if items.iter().any(|g| g.name == name) {
                return Err(CliError::msg(format!("field `{name}` is given twice")));
            }
            items.push(Given { name: name.to_string(), value: value.to_string(), used: false });
        }
        Ok(Fields { items })
    }

    /// Refuses fields that `spec` does not have.
    fn check_known(&self, selected: &Selected, spec: &MessageSpec) -> Result<(), CliError> {
        for g in &self.items {
            if !spec.fields.iter().any(|f| f.name == g.name) {
                let names: Vec<&str> = spec.fields.iter().map(|f| f.name).collect();
                let known = if names.is_empty() { "it has no fields".to_string() } else { names.join(", ") };
                return Err(CliError::msg(format!(
                    "unknown field `{}` for {} {} (fields: {known})",
                    g.name,
                    selected.name(),
                    spec.name
                )));
            }
        }
        Ok(())
    }

    /// Whether the field is given.
    pub fn has(&self, name: &str) -> bool {
        self.items.iter().any(|g| g.name == name)
    }

    /// The raw text of a field, if given.
    fn raw(&mut self, name: &str) -> Option<&str> {
        let g = self.items.iter_mut().find(|g| g.name == name)?;
        g.used = true;
        Some(&g.value)
    }

    /// The field's value, if given.
    pub fn opt<T: FieldValue>(&mut self, name: &str) -> Result<Option<T>, Failure> {
        match self.raw(name) {
            None => Ok(None),
            Some(text) => T::read(text).map(Some).map_err(|why| usage(format!("field `{name}`: {why}"))),
        }
    }

    /// The field's value; an error when it is missing.
    pub fn req<T: FieldValue>(&mut self, name: &str) -> Result<T, Failure> {
        self.opt(name)?.ok_or_else(|| usage(format!("missing required field `{name}`")))
    }

    /// The field's value, or `default`.
    pub fn or<T: FieldValue>(&mut self, name: &str, default: T) -> Result<T, Failure> {
        Ok(self.opt(name)?.unwrap_or(default))
    }

    /// Exactly one of `names` must be given; returns its name.
    pub fn pick(&self, names: &[&'static str]) -> Result<&'static str, Failure> {
        let given: Vec<&'static str> = names.iter().copied().filter(|n| self.has(n)).collect();
        match given.as_slice() {
            [one] => Ok(one),
            [] => Err(usage(format!("missing field: give one of {}", names.join(", ")))),
            _ => Err(usage(format!("fields {} exclude each other; give one", given.join(" and ")))),
        }
    }
}

/// A value read from a field's text. The error says what is wrong, for people.
pub trait FieldValue: Sized {
    fn read(text: &str) -> Result<Self, String>;
}

/// Reads an integer: decimal or 0x-hex, with an optional sign.
fn integer(text: &str) -> Result<i128, String> {
    let t = text.trim();
    let (negative, digits) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t.strip_prefix('+').unwrap_or(t)),
    };
    let (radix, body) = match digits.strip_prefix("0x").or_else(|| digits.strip_prefix("0X")) {
        Some(hex) => (16, hex),
        None => (10, digits),
    };
    // `from_str_radix` accepts a sign of its own; a second one is not a number.
    let not_a_number = || format!("{text:?} is not an integer (decimal or 0x-hex)");
    if body.is_empty() || body.starts_with(['+', '-']) {
        return Err(not_a_number());
    }
    let v = i128::from_str_radix(body, radix).map_err(|_| not_a_number())?;
    Ok(if negative { -v } else { v })
}

macro_rules! int_values {
    ($($t:ty),*) => {$(
        impl FieldValue for $t {
            fn read(text: &str) -> Result<Self, String> {
                let v = integer(text)?;
                <$t>::try_from(v).map_err(|_| {
                    format!("{} is out of range for {} ({}..={})", text.trim(), stringify!($t), <$t>::MIN, <$t>::MAX)
                })
            }
        }
    )*};
}

int_values!(u8, u16, u32, i8, i16, i32);

impl FieldValue for f32 {
    fn read(text: &str) -> Result<Self, String> {
        f32::from_str(text.trim()).map_err(|_| format!("{text:?} is not a number"))
    }
}

impl FieldValue for bool {
    fn read(text: &str) -> Result<Self, String> {
        match text.trim().to_ascii_lowercase().as_str() {
            "true" | "1" | "yes" => Ok(true),
            "false" | "0" | "no" => Ok(false),
            _ => Err(format!("{text:?} is not true or false")),
        }
    }
}

impl FieldValue for String {
    fn read(text: &str) -> Result<Self, String> {
        Ok(text.to_string())
    }
}

/// Bytes given as hex digits (`*_hex` fields).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HexBytes(pub Vec<u8>);

impl FieldValue for HexBytes {
    fn read(text: &str) -> Result<Self, String> {
        let t = text.trim();
        if t.len() % 2 != 0 {
            return Err(format!("{text:?} is not hex bytes (an odd number of digits)"));
        }
        let digit = |c: u8| (c as char).to_digit(16);
        t.as_bytes()
            .chunks_exact(2)
            .map(|pair| match (digit(pair[0]), digit(pair[1])) {
                (Some(hi), Some(lo)) => Ok((hi * 16 + lo) as u8),
                _ => Err(format!("{text:?} is not hex bytes (digits 0-9, a-f)")),
            })
            .collect::<Result<Vec<u8>, String>>()
            .map(HexBytes)
    }
}

/// A comma-separated list (empty text: no items).
#[derive(Debug, Clone, PartialEq)]
pub struct List<T>(pub Vec<T>);

impl<T: FieldValue> FieldValue for List<T> {
    fn read(text: &str) -> Result<Self, String> {
        if text.trim().is_empty() {
            return Ok(List(Vec::new()));
        }
        text.split(',')
            .enumerate()
            .map(|(i, item)| T::read(item).map_err(|why| format!("item {}: {why}", i + 1)))
            .collect::<Result<Vec<T>, String>>()
            .map(List)
    }
}

/// A list that must have exactly `N` items.
pub fn exactly<T: Copy + Default, const N: usize>(name: &str, list: List<T>) -> Result<[T; N], Failure> {
    let got = list.0.len();
    <[T; N]>::try_from(list.0).map_err(|_| usage(format!("field `{name}` needs {N} values, got {got}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integers_read_decimal_hex_and_signs() {
        assert_eq!(u16::read("75"), Ok(75));
        assert_eq!(u16::read("0x1F"), Ok(31));
        assert_eq!(i16::read("-32768"), Ok(-32768));
        assert_eq!(i16::read("-0x10"), Ok(-16));
        assert!(u8::read("256").unwrap_err().contains("out of range for u8 (0..=255)"));
        assert!(u8::read("-1").unwrap_err().contains("out of range"));
        for bad in ["", "x", "1.5", "--1", "0x", "-+1", "0x-1"] {
            assert!(u32::read(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn hex_lists_and_bools() {
        assert_eq!(HexBytes::read("00aBff"), Ok(HexBytes(vec![0, 0xab, 0xff])));
        assert_eq!(HexBytes::read(""), Ok(HexBytes(vec![])));
        assert!(HexBytes::read("abc").is_err());
        assert!(HexBytes::read("zz").is_err());
        assert_eq!(List::<i16>::read("1, -2,3"), Ok(List(vec![1, -2, 3])));
        assert_eq!(List::<i16>::read(""), Ok(List(vec![])));
        assert!(List::<i16>::read("1,,3").unwrap_err().starts_with("item 2:"));
        assert_eq!(bool::read("TRUE"), Ok(true));
        assert!(bool::read("maybe").is_err());
    }

    #[test]
    fn fields_refuse_bad_arguments() {
        assert!(Fields::parse(&["a".into()]).is_err());
        assert!(Fields::parse(&["=1".into()]).is_err());
        assert!(Fields::parse(&["a=1".into(), "a=2".into()]).is_err());
        let mut f = Fields::parse(&["a=1".into(), "text=x=y".into()]).unwrap();
        assert_eq!(f.req::<String>("text").ok(), Some("x=y".to_string()));
        assert!(matches!(f.req::<u8>("b"), Err(Failure::Usage(m)) if m.contains("missing required field `b`")));
    }

    /// Every message of every dialect has an example that encodes and decodes back as it.
    #[test]
    fn every_listed_example_encodes() {
        for name in crate::dialect::names() {
            let selected = Selected::parse(name).unwrap();
            for spec in messages(&selected) {
                let args: Vec<String> = split_example(spec.example);
                if let Err(e) = encode_message(&selected, spec.name, &args) {
                    panic!("{name} {} {}: {e}", spec.name, spec.example);
                }
            }
        }
    }

    /// Splits an example like a shell would for these simple cases ('...' quotes).
    fn split_example(example: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        for c in example.chars() {
            match c {
                '\'' => quoted = !quoted,
                ' ' if !quoted => {
                    if !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                    }
                }
                c => cur.push(c),
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }
}
