//! The text line of a message, written by its `Serialize` implementation in one pass: the
//! message serializes as `{"type": ..., "fields": {...}}` (the `decode` JSON contract), and
//! these serializers write the `type` as it is and each field as ` key=value`, the value
//! by [`Json`] (no JSON document is built or parsed).

use core::fmt::{self, Display, Write};

use serde::ser::{self, Serialize, Serializer};

use super::json::{Error, Json};
use super::{Output, Writer};

/// Writes `TYPE key=value key=value ...` for a message in the `type` + `fields` shape.
pub(crate) fn write<T: Serialize + ?Sized, W: Write + ?Sized>(message: &T, out: &mut W) -> fmt::Result {
    let mut out = Writer::new(out);
    let written = message.serialize(Part { out: &mut out, part: Which::Message });
    out.finish()?;
    written.map_err(|_| fmt::Error)
}

/// What a [`Part`] serializer is given, or what a map key of the message names.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Which {
    /// The whole message: an object with `type` and `fields`.
    Message,
    /// The value of `type`: a string, written as it is.
    Type,
    /// The value of `fields`: an object, written as ` key=value` pairs.
    Fields,
    /// A member of the message other than `type` and `fields`: not written.
    Other,
}

/// One part of a message's shape. Anything but the shape of the contract is an [`Error`].
struct Part<'w, W: ?Sized> {
    out: &'w mut W,
    part: Which,
}

impl<'w, W: Output + ?Sized> Part<'w, W> {
    /// Writes a member: ` key=value` in `fields`, else the part its key names.
    fn member<T: Serialize + ?Sized>(out: &'w mut W, parent: Which, key: Which, v: &T) -> Result<(), Error> {
        match (parent, key) {
            (Which::Fields, _) => v.serialize(Json { out, bare: true }),
            (_, Which::Type | Which::Fields) => v.serialize(Part { out, part: key }),
            // Checked as JSON, written nowhere.
            _ => v.serialize(Json { out: &mut Discard, bare: false }),
        }
    }

    fn name(self, name: &str) -> Result<(), Error> {
        match self.part {
            Which::Type => Ok(self.out.write_str(name)?),
            _ => Err(Error),
        }
    }

    fn object(self) -> Result<Members<'w, W>, Error> {
        match self.part {
            Which::Message | Which::Fields => Ok(Members { out: self.out, part: self.part, key: Which::Other }),
            _ => Err(Error),
        }
    }
}

/// A writer that drops what it is given.
struct Discard;

impl Write for Discard {
    fn write_str(&mut self, _: &str) -> fmt::Result {
        Ok(())
    }
}

impl Output for Discard {
    fn uint(&mut self, _: u64) {}
    fn int(&mut self, _: i64) {}
}

/// Which part a member's key names.
fn part_named(key: &str) -> Which {
    match key {
        "type" => Which::Type,
        "fields" => Which::Fields,
        _ => Which::Other,
    }
}

type Impossible = ser::Impossible<(), Error>;

impl<'w, W: Output + ?Sized> Serializer for Part<'w, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible;
    type SerializeTuple = Impossible;
    type SerializeTupleStruct = Impossible;
    type SerializeTupleVariant = Impossible;
    type SerializeMap = Members<'w, W>;
    type SerializeStruct = Members<'w, W>;
    type SerializeStructVariant = Impossible;

    fn serialize_str(self, v: &str) -> Result<(), Error> {
        self.name(v)
    }
    fn collect_str<T: Display + ?Sized>(self, v: &T) -> Result<(), Error> {
        match self.part {
            Which::Type => Ok(write!(self.out, "{v}")?),
            _ => Err(Error),
        }
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> Result<(), Error> {
        self.name(variant)
    }
    fn serialize_map(self, _: Option<usize>) -> Result<Members<'w, W>, Error> {
        self.object()
    }
    fn serialize_struct(self, _: &'static str, _: usize) -> Result<Members<'w, W>, Error> {
        self.object()
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    fn serialize_some<T: Serialize + ?Sized>(self, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    refuse! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
        serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_bytes(&[u8]);
        serialize_none(); serialize_unit(); serialize_unit_struct(&'static str);
    }
    refuse! { generic: serialize_newtype_variant(&'static str, u32, &'static str); }
    refuse! { compound:
        serialize_seq(Option<usize>); serialize_tuple(usize); serialize_tuple_struct(&'static str, usize);
        serialize_tuple_variant(&'static str, u32, &'static str, usize);
        serialize_struct_variant(&'static str, u32, &'static str, usize);
    }
}

/// The members of the message object, or of its `fields`.
struct Members<'w, W: ?Sized> {
    out: &'w mut W,
    /// [`Which::Message`] or [`Which::Fields`].
    part: Which,
    /// What the last map key named (members given as a map).
    key: Which,
}

impl<W: Output + ?Sized> ser::SerializeStruct for Members<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, key: &'static str, v: &T) -> Result<(), Error> {
        if self.part == Which::Fields {
            self.out.write_char(' ')?;
            self.out.write_str(key)?;
            self.out.write_char('=')?;
        }
        Part::member(&mut *self.out, self.part, part_named(key), v)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

impl<W: Output + ?Sized> ser::SerializeMap for Members<'_, W> {
    type Ok = ();
    type Error = Error;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Error> {
        let mut name = KeyName { out: &mut *self.out, fields: self.part == Which::Fields, named: Which::Other };
        key.serialize(&mut name)?;
        self.key = name.named;
        Ok(())
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, v: &T) -> Result<(), Error> {
        Part::member(&mut *self.out, self.part, self.key, v)
    }
    fn end(self) -> Result<(), Error> {
        Ok(())
    }
}

/// A map key (a string): in `fields`, written as ` key=`; in the message object, noted
/// as the part it names.
struct KeyName<'w, W: ?Sized> {
    out: &'w mut W,
    fields: bool,
    named: Which,
}

impl<W: Output + ?Sized> Serializer for &mut KeyName<'_, W> {
    type Ok = ();
    type Error = Error;
    type SerializeSeq = Impossible;
    type SerializeTuple = Impossible;
    type SerializeTupleStruct = Impossible;
    type SerializeTupleVariant = Impossible;
    type SerializeMap = Impossible;
    type SerializeStruct = Impossible;
    type SerializeStructVariant = Impossible;

    fn serialize_str(self, key: &str) -> Result<(), Error> {
        if self.fields {
            self.out.write_char(' ')?;
            self.out.write_str(key)?;
            self.out.write_char('=')?;
        } else {
            self.named = part_named(key);
        }
        Ok(())
    }
    fn collect_str<T: Display + ?Sized>(self, _: &T) -> Result<(), Error> {
        Err(Error)
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(self, _: &'static str, v: &T) -> Result<(), Error> {
        v.serialize(self)
    }
    refuse! {
        serialize_bool(bool); serialize_i8(i8); serialize_i16(i16); serialize_i32(i32); serialize_i64(i64);
        serialize_u8(u8); serialize_u16(u16); serialize_u32(u32); serialize_u64(u64);
        serialize_f32(f32); serialize_f64(f64); serialize_char(char); serialize_bytes(&[u8]);
        serialize_none(); serialize_unit(); serialize_unit_struct(&'static str);
        serialize_unit_variant(&'static str, u32, &'static str);
    }
    refuse! { generic: serialize_some(); serialize_newtype_variant(&'static str, u32, &'static str); }
    refuse! { compound:
        serialize_seq(Option<usize>); serialize_tuple(usize); serialize_tuple_struct(&'static str, usize);
        serialize_tuple_variant(&'static str, u32, &'static str, usize); serialize_map(Option<usize>);
        serialize_struct(&'static str, usize); serialize_struct_variant(&'static str, u32, &'static str, usize);
    }
}
