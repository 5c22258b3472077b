//! Building any message of a dialect from `name=value` text (feature `std`).
//!
//! Every dialect implements [`EncodeFields`]: it lists its message types with their fields
//! ([`MessageSpec`], [`FieldSpec`]: type, range, default, for people), and builds the wire
//! frame of one of them from the fields given as text ([`Fields`]). [`encode_fields`] does
//! the whole job for any dialect: finds the message type (case does not matter; a dialect's
//! aliases too), refuses unknown fields, builds the message and encodes it. The command
//! line's `encode` is this, plus writing the bytes; field names are those of the JSON of
//! `decode` (`docs/decode-json.md`).
//!
//! ```
//! use serial_dialects::fields::encode_fields;
//! use serial_dialects::pmu30::{Config, Pmu30};
//!
//! let (name, bytes) = encode_fields::<Pmu30>(&Config::default(), "set_channel", &["channel_id=5", "value=75"])?;
//! assert_eq!(name, "SET_CHANNEL");
//! assert_eq!(bytes[0], 0xAA);
//! # Ok::<(), serial_dialects::fields::Failure>(())
//! ```

use core::fmt;
use core::str::FromStr;
use std::format;
use std::string::{String, ToString};
use std::vec::Vec;

use crate::dialect::{DialectConfig, Encode};
use crate::error::EncodeError;

/// A dialect whose messages can be built from `name=value` fields.
pub trait EncodeFields: Encode {
    /// The message types of the dialect under `config`, with their fields.
    fn messages(config: &Self::Config) -> Vec<MessageSpec>;

    /// The message type and preset field that `name`, when it is not a message type of
    /// [`messages`](EncodeFields::messages), stands for (powerscope's `SET_PERIOD` means
    /// `CMD cmd=SET_PERIOD`); matched without regard to case. The default has no aliases.
    fn alias(config: &Self::Config, name: &str) -> Option<Alias> {
        let _ = (config, name);
        None
    }

    /// The wire frame of message type `name` (exactly a [`MessageSpec::name`] of
    /// [`messages`](EncodeFields::messages)) with the given fields, encoded with `config`.
    /// Reads every field of the spec that is given (see [`Fields`]).
    fn encode_fields(config: &Self::Config, name: &str, fields: &mut Fields) -> Result<Vec<u8>, Failure>;
}

/// What a message name that is an alias means: `message` with `field=value` preset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Alias {
    /// The message type ([`MessageSpec::name`]).
    pub message: &'static str,
    /// The field the alias sets.
    pub field: &'static str,
    /// Its value.
    pub value: &'static str,
}

/// Builds the frame of message type `name` (or an [alias](EncodeFields::alias); case does
/// not matter) of dialect `D` under `config` from `field=value` arguments. Returns the
/// message type's name and the bytes. Refuses an unknown type, an argument that is not
/// `field=value`, a field given twice or unknown to the type, a value that does not read,
/// and a message the encoder refuses.
pub fn encode_fields<D: EncodeFields>(
    config: &D::Config,
    name: &str,
    args: &[impl AsRef<str>],
) -> Result<(&'static str, Vec<u8>), Failure> {
    let specs = D::messages(config);
    let (spec, preset) = resolve::<D>(config, &specs, name)?;
    let mut fields = Fields::parse(args)?;
    if let Some(alias) = preset {
        if fields.has(alias.field) {
            return Err(usage(format!(
                "{name} already names the {} `{}`; leave out {}=",
                spec.name, alias.field, alias.field
            )));
        }
        fields.items.push(Given { name: alias.field.to_string(), value: alias.value.to_string(), used: false });
    }
    fields.check_known(config.name(), spec)?;
    let bytes = D::encode_fields(config, spec.name, &mut fields)?;
    if let Some(unused) = fields.items.iter().find(|g| !g.used) {
        // The field table and the encoder disagree: a bug of the dialect, not of the input.
        return Err(usage(format!(
            "internal error: field `{}` of {} is listed but not encoded",
            unused.name, spec.name
        )));
    }
    Ok((spec.name, bytes))
}

/// The spec of message type `name` (case-insensitive), directly or through an alias.
pub fn resolve<'s, D: EncodeFields>(
    config: &D::Config,
    specs: &'s [MessageSpec],
    name: &str,
) -> Result<(&'s MessageSpec, Option<Alias>), Failure> {
    let find = |n: &str| specs.iter().find(|s| s.name.eq_ignore_ascii_case(n));
    if let Some(spec) = find(name) {
        return Ok((spec, None));
    }
    if let Some(alias) = D::alias(config, name) {
        if let Some(spec) = find(alias.message) {
            return Ok((spec, Some(alias)));
        }
    }
    let known: Vec<&str> = specs.iter().map(|s| s.name).collect();
    Err(usage(format!("unknown message type {name:?} for {} (known: {})", config.name(), known.join(", "))))
}

/// One message type of a dialect.
#[derive(Debug, Clone)]
pub struct MessageSpec {
    /// The JSON `type` ([`Message::name`](crate::Message::name)).
    pub name: &'static str,
    /// What it is, for people.
    pub about: String,
    /// Its fields.
    pub fields: Vec<FieldSpec>,
    /// Arguments after the message name that encode a typical message.
    pub example: &'static str,
    /// Its frame decodes as several events, this message last (plot's help table: its text
    /// lines, then `COMMANDS`); otherwise as exactly one.
    pub several_events: bool,
}

/// One field of a message.
#[derive(Debug, Clone)]
pub struct FieldSpec {
    /// The field's name (the JSON field's).
    pub name: &'static str,
    /// Type, range and form, for people (`u16, 0..=29`).
    pub kind: String,
    /// Whether it must be given.
    pub need: Need,
}

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

impl fmt::Display for Need {
    /// `required`, `default VALUE`, `one of GROUP`, or the text of an optional field.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Need::Required => f.write_str("required"),
            Need::Default(d) => write!(f, "default {d}"),
            Need::OneOf(group) => write!(f, "one of {group}"),
            Need::Optional(meaning) => f.write_str(meaning),
        }
    }
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

/// Why a message could not be built.
#[derive(Debug, Clone, PartialEq)]
pub enum Failure {
    /// The dialect's encoder refused the message.
    Encode(EncodeError),
    /// A field is missing, unreadable or inconsistent, or the message type is unknown (the
    /// text says what, for people).
    Usage(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Encode(e) => fmt::Display::fmt(e, f),
            Failure::Usage(text) => f.write_str(text),
        }
    }
}

impl core::error::Error for Failure {}

impl From<EncodeError> for Failure {
    fn from(e: EncodeError) -> Self {
        Failure::Encode(e)
    }
}

/// A usage failure.
pub fn usage(text: impl Into<String>) -> Failure {
    Failure::Usage(text.into())
}

/// Runs an emitter into a buffer of `len` bytes and keeps what it wrote.
pub fn emit_vec(len: usize, emit: impl FnOnce(&mut [u8]) -> Result<usize, EncodeError>) -> Result<Vec<u8>, Failure> {
    let mut buf = std::vec![0u8; len];
    let n = emit(&mut buf)?;
    buf.truncate(n);
    Ok(buf)
}

#[derive(Debug)]
struct Given {
    name: String,
    value: String,
    used: bool,
}

/// The `field=value` arguments of one message; reading a field marks it used.
#[derive(Debug)]
pub struct Fields {
    items: Vec<Given>,
}

impl Fields {
    /// Splits `name=value` arguments; refuses a missing `=`, an empty name or a field given
    /// twice.
    pub fn parse(args: &[impl AsRef<str>]) -> Result<Fields, Failure> {
        let mut items: Vec<Given> = Vec::with_capacity(args.len());
        for arg in args {
            let arg = arg.as_ref();
            let Some((name, value)) = arg.split_once('=') else {
                return Err(usage(format!("expected FIELD=VALUE, got {arg:?}")));
            };
            if name.is_empty() {
                return Err(usage(format!("expected FIELD=VALUE, got {arg:?} (no field name)")));
            }
            if items.iter().any(|g| g.name == name) {
                return Err(usage(format!("field `{name}` is given twice")));
            }
            items.push(Given { name: name.to_string(), value: value.to_string(), used: false });
        }
        Ok(Fields { items })
    }

    /// Refuses fields that `spec` (of the dialect named `dialect`) does not have.
    fn check_known(&self, dialect: &str, spec: &MessageSpec) -> Result<(), Failure> {
        for g in &self.items {
            if !spec.fields.iter().any(|f| f.name == g.name) {
                let names: Vec<&str> = spec.fields.iter().map(|f| f.name).collect();
                let known = if names.is_empty() { "it has no fields".to_string() } else { names.join(", ") };
                return Err(usage(format!("unknown field `{}` for {dialect} {} (fields: {known})", g.name, spec.name)));
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

/// A value read from a field's text.
pub trait FieldValue: Sized {
    /// Reads the value; the error says what is wrong, for people.
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
            /// Decimal or 0x-hex, with an optional sign, in the type's range.
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
    /// `true`, `1`, `yes` or `false`, `0`, `no`, in any case.
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

/// The items of `list`, which must be exactly `N` (the field is named `name`).
pub fn exactly<T, const N: usize>(name: &str, list: List<T>) -> Result<[T; N], Failure> {
    let got = list.0.len();
    <[T; N]>::try_from(list.0).map_err(|_| usage(format!("field `{name}` needs {N} values, got {got}")))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::vec;

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
        assert!(Fields::parse(&["a"]).is_err());
        assert!(Fields::parse(&["=1"]).is_err());
        assert!(Fields::parse(&["a=1", "a=2"]).is_err());
        let mut f = Fields::parse(&["a=1", "text=x=y"]).unwrap();
        assert_eq!(f.req::<String>("text").ok(), Some("x=y".to_string()));
        assert!(matches!(f.req::<u8>("b"), Err(Failure::Usage(m)) if m.contains("missing required field `b`")));
    }
}
