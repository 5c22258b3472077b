//! Compact JSON, byte for byte as `serde_json::to_writer` writes it (the same string
//! escapes; floats in the shortest form that reads back, laid out as serde_json lays them
//! out; `null` for NaN and infinities), written with no heap into the present writers'
//! [`Output`] (floats by `float.rs`): the values of the text line's ` key=value` fields.
//! `tests_serde.rs` checks it against serde_json.

use core::fmt::{self, Display, Write};

use serde::ser::{self, Serialize};

use super::Output;
use super::float::float;

/// Why a value could not be written: the output refused it, or a map key was not a string,
/// a number, a bool or a char (serde_json refuses those keys too).
#[derive(Debug)]
pub(crate) struct Error;

impl Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("the value cannot be written as a text field")
    }
}

impl ser::StdError for Error {}

impl ser::Error for Error {
    fn custom<T: Display>(_: T) -> Self {
        Error
    }
}

impl From<fmt::Error> for Error {
    fn from(_: fmt::Error) -> Self {
        Error
    }
}

/// Writes one value as JSON. With `bare`, a string that is not empty and has no whitespace
/// is written without quotes (the text line's rule for a field's own value; the strings
/// inside a list or an object are always quoted).
pub(crate) struct Json<'w, W: ?Sized> {
    pub(crate) out: &'w mut W,
    pub(crate) bare: bool,
}

impl<'w, W: Output + ?Sized> Json<'w, W> {
    fn nested(out: &'w mut W) -> Self {
        Json { out, bare: false }
    }

    fn open(self, bracket: char, variant: Option<&str>) -> Result<Compound<'w, W>, Error> {
        if let Some(name) = variant {
            self.out.write_char('{')?;
            quoted(self.out, name)?;
            self.out.write_char(':')?;
        }
        self.out.write_char(bracket)?;
        Ok(Compound { out: self.out, first: true, close: bracket, variant: variant.is_some() })
    }
}

/// Writes `s` in JSON quotes with serde_json's escapes.
fn quoted<W: Write + ?Sized>(out: &mut W, s: &str) -> fmt::Result {
    out.write_char('"')?;
    Escape(out).write_str(s)?;
    out.write_char('"')
}

/// A writer that escapes what it is given as the inside of a JSON string: `"`, `\` and the
/// control characters (`\b \t \n \f \r`, the others as `\u00xx`); nothing else.
struct Escape<'w, W: ?Sized>(&'w mut W);

impl<W: Write + ?Sized> Write for Escape<'_, W> {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut start = 0;
        for (i, b) in s.bytes().enumerate() {
            let short = match b {
                b'"' => "\\\"",
                b'\\' => "\\\\",
                0x08 => "\\b",
                b'\t' => "\\t",
                b'\n' => "\\n",
                0x0C => "\\f",
                b'\r' => "\\r",
                0x00..=0x1F => "",
                _ => continue,
            };
            // Every byte escaped is ASCII, so these are char boundaries.
            self.0.write_str(s.get(start..i).unwrap_or_default())?;
            start = i + 1;
            if short.is_empty() {
                self.0.write_str("\\u00")?;
                self.0.write_char(char::from(HEX[usize::from(b >> 4)]))?;
                self.0.write_char(char::from(HEX[usize::from(b & 0xF)]))?;
            } else {
                self.0.write_str(short)?;
            }
        }
        self.0.write_str(s.get(start..).unwrap_or_default())
    }
}

/// Records whether what a `Display` writes is empty or has whitespace.
struct Probe {
    empty: bool,
    space: bool,
}

impl Write for Probe {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        self.empty &= s.is_empty();
        self.space |= s.contains(char::is_whitespace);
        Ok(())
    }
}

/// Integer methods of [`Json`]: the output's own decimal writer.
macro_rules! integers {
    ($($method:ident($ty:ty) => $write:ident),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<(), Error> {
            self.out.$write(v.into());
            Ok(())
        }
    )*};
}

/// Methods of [`Key`] that write the value's `Display` in quotes.
macro_rules! quoted_display {
    ($($method:ident($ty:ty)),* $(,)?) => {$(
        fn $method(self, v: $ty) -> Result<(), Error> {
            self.display(v)
        }
    )*};
}

impl<'w, W: Output + ?Sized> ser::Serializer for Json<'w, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Compound<'w, W>;
    type SerializeTuple = Compound<'w, W>;
    type SerializeTupleStruct = Compound<'w, W>;
    type SerializeTupleVariant = Compound<'w, W>;
    type SerializeMap = Compound<'w, W>;
    type SerializeStruct = Compound<'w, W>;
    type SerializeStructVariant = Compound<'w, W>;

    fn serialize_bool(self, v: bool) -> Result<(), Error> {
        Ok(self.out.write_str(if v { "true" } else { "false" })?)
    }
    integers! {
        serialize_i8(i8) => int, serialize_i16(i16) => int, serialize_i32(i32) => int, serialize_i64(i64) => int,
        serialize_u8(u8) => uint, serialize_u16(u16) => uint, serialize_u32(u32) => uint, serialize_u64(u64) => uint,
    }
    fn serialize_i128(self, v: i128) -> Result<(), Error> {
        Ok(write!(self.out, "{v}")?)
    }
    fn serialize_u128(self, v: u128) -> Result<(), Error> {
        Ok(write!(self.out, "{v}")?)
    }
    fn serialize_f32(self, v: f32) -> Result<(), Error> {
        if !v.is_finite() {
            return self.serialize_unit();
        }
        Ok(float(self.out, v, 13, -6)?)
    }
    fn serialize_f64(self, v: f64) -> Result<(), Error> {
        if !v.is_finite() {
            return self.serialize_unit();
        }
        Ok(float(self.out, v, 16, -5)?)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> Result<(), Error> {
        if self.bare && !v.is_empty() && !v.contains(char::is_whitespace) {
            Ok(self.out.write_str(v)?)
        } else {
            Ok(quoted(self.out, v)?)
        }
    }
    fn collect_str<T: Display + ?Sized>(self, v: &T) -> Result<(), Error> {
        let mut probe = Probe { empty: true, space: false };
        if self.bare {
            write!(probe, "{v}")?;
        }
        if self.bare && !probe.empty && !probe.space {
            Ok(write!(self.out, "{v}")?)
        } else {
            self.out.write_char('"')?;
            write!(Escape(&mut *self.out), "{v}")?;
            Ok(self.out.write_char('"')?)
        }
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Error> {
        use ser::SerializeSeq;
        let mut seq = self.serialize_seq(Some(v.len()))?;
        v.iter().try_for_each(|b| seq.serialize_element(b))?;
        seq.end()
    }
    fn serialize_none(self) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Error> {
        Ok(self.out.write_str("null")?)
    }
    fn serialize_unit_struct(self, _: &'static str) -> Result<(), Error> {
        self.serialize_unit()
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        v: &T,
    ) -> Result<(), Error> {
        self.out.write_char('{')?;
        quoted(self.out, variant)?;
        self.out.write_char(':')?;
        v.serialize(Json::nested(&mut *self.out))?;
        Ok(self.out.write_char('}')?)
    }
    fn serialize_seq(self, _: Option<usize>) -> Result<Compound<'w, W>, Error> {
        self.open('[', None)
    }
    fn serialize_tuple(self, _: usize) -> Result<Compound<'w, W>, Error> {
        self.open('[', None)
    }
    fn serialize_tuple_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, W>, Error> {
        self.open('[', None)
    }
    fn serialize_tuple_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, W>, Error> {
        self.open('[', Some(variant))
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Compound<'w, W>, Error> {
        self.open('{', None)
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Compound<'w, W>, Error> {
        self.open('{', None)
    }
    fn serialize_struct_variant(
        self,
        _: &'static str,
        _: u32,
        variant: &'static str,
        _: usize,
    ) -> Result<Compound<'w, W>, Error> {
        self.open('{', Some(variant))
    }
}

/// A list or an object being written.
pub(crate) struct Compound<'w, W: ?Sized> {
    out: &'w mut W,
    first: bool,
    /// `[` or `{`.
    close: char,
    /// Inside `{"variant":` (one more `}` at the end).
    variant: bool,
}

impl<W: Output + ?Sized> Compound<'_, W> {
    fn comma(&mut self) -> fmt::Result {
        if !core::mem::replace(&mut self.first, false) {
            self.out.write_char(',')?;
        }
        Ok(())
    }

    fn element<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        self.comma()?;
        v.serialize(Json::nested(&mut *self.out))
    }

    fn field<T: Serialize + ?Sized>(&mut self, key: &str, v: &T) -> Result<(), Error> {
        self.comma()?;
        quoted(self.out, key)?;
        self.out.write_char(':')?;
        v.serialize(Json::nested(&mut *self.out))
    }

    fn finish(self) -> Result<(), Error> {
        self.out.write_char(if self.close == '[' { ']' } else { '}' })?;
        if self.variant {
            self.out.write_char('}')?;
        }
        Ok(())
    }
}

macro_rules! sequence {
    ($($trait:ident :: $method:ident),*) => {$(
        impl<W: Output + ?Sized> ser::$trait for Compound<'_, W> {
            type Ok = ();
            type Error = Error;
            fn $method<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
                self.element(v)
            }
            fn end(self) -> Result<(), Error> {
                self.finish()
            }
        }
    )*};
}

sequence!(SerializeSeq::serialize_element, SerializeTuple::serialize_element, SerializeTupleStruct::serialize_field);
sequence!(SerializeTupleVariant::serialize_field);

impl<W: Output + ?Sized> ser::SerializeMap for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        self.comma()?;
        key.serialize(Key(&mut *self.out))?;
        Ok(self.out.write_char(':')?)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        v.serialize(Json::nested(&mut *self.out))
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl<W: Output + ?Sized> ser::SerializeStruct for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
        self.field(key, v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

impl<W: Output + ?Sized> ser::SerializeStructVariant for Compound<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
        self.field(key, v)
    }
    fn end(self) -> Result<(), Error> {
        self.finish()
    }
}

/// A map key: a string, or a number, bool or char in quotes (as serde_json writes keys).
struct Key<'w, W: ?Sized>(&'w mut W);

impl<W: Output + ?Sized> Key<'_, W> {
    fn display(self, v: impl Display) -> Result<(), Error> {
        Ok(write!(self.0, "\"{v}\"")?)
    }
}

type Impossible = ser::Impossible<(), Error>;

impl<W: Output + ?Sized> ser::Serializer for Key<'_, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible;
    type SerializeTuple = Impossible;
    type SerializeTupleStruct = Impossible;
    type SerializeTupleVariant = Impossible;
    type SerializeMap = Impossible;
    type SerializeStruct = Impossible;
    type SerializeStructVariant = Impossible;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        Ok(quoted(self.0, v)?)
    }
    fn collect_str<T: Display + ?Sized>(self, v: &T) -> Result<(), Error> {
        Json::nested(self.0).collect_str(v)
    }
    fn serialize_char(self, v: char) -> Result<(), Error> {
        self.serialize_str(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.serialize_str(variant)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    quoted_display! {
        serialize_bool(bool), serialize_i8(i8), serialize_i16(i16), serialize_i32(i32), serialize_i64(i64),
        serialize_i128(i128), serialize_u8(u8), serialize_u16(u16), serialize_u32(u32), serialize_u64(u64),
        serialize_u128(u128),
    }
    refuse! {
        serialize_f32(f32); serialize_f64(f64); serialize_bytes(&[u8]);
        serialize_none(); serialize_unit(); serialize_unit_struct(&'static str);
    }
    refuse! { generic: serialize_some(); serialize_newtype_variant(&'static str, u32, &'static str); }
    refuse! { compound:
        serialize_seq(Option<usize>); serialize_tuple(usize); serialize_tuple_struct(&'static str, usize);
        serialize_tuple_variant(&'static str, u32, &'static str, usize); serialize_map(Option<usize>);
        serialize_struct(&'static str, usize); serialize_struct_variant(&'static str, u32, &'static str, usize);
    }
}
