//! The `type` + `fields` JSON shape of the decode contract, shared by [`super::Message`]
//! (contiguous payload) and [`super::WirePacket`] (payload decoded from COBS on the fly).

use serde::ser::{Serialize, SerializeStruct, Serializer};

use super::record::Record;
use crate::fmt::{Hex, Lossy};

/// The fields of one packet, with its payload given as iterators.
pub(crate) enum Fields<R, B> {
    Dbg { records: R },
    Cli { data: B },
    Unknown { packet_type: u8 },
}

/// `{"type": ..., "fields": {...}}`.
pub(crate) struct Json<R, B>(pub(crate) Fields<R, B>);

impl<R, B> Serialize for Json<R, B>
where
    R: Iterator<Item = Record> + Clone,
    B: Iterator<Item = u8> + Clone,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let name = match self.0 {
            Fields::Dbg { .. } => "DBG_FRAME1",
            Fields::Cli { .. } => "CLI",
            Fields::Unknown { .. } => "UNKNOWN",
        };
        let mut st = s.serialize_struct("Message", 2)?;
        st.serialize_field("type", name)?;
        st.serialize_field("fields", &FieldsRef(&self.0))?;
        st.end()
    }
}

struct FieldsRef<'r, R, B>(&'r Fields<R, B>);

impl<R, B> Serialize for FieldsRef<'_, R, B>
where
    R: Iterator<Item = Record> + Clone,
    B: Iterator<Item = u8> + Clone,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0 {
            // Exactly the contract's keys: trailing bytes (len % 14) and an unknown type's
            // payload are in the typed API, not in the JSON.
            Fields::Dbg { records } => {
                let mut st = s.serialize_struct("DbgFrame1", 1)?;
                st.serialize_field("frames", &Seq(records.clone()))?;
                st.end()
            }
            Fields::Cli { data } => {
                let mut st = s.serialize_struct("Cli", 2)?;
                st.serialize_field("data_hex", &Str(Hex(data.clone())))?;
                st.serialize_field("text", &Str(Lossy(data.clone())))?;
                st.end()
            }
            Fields::Unknown { packet_type } => {
                let mut st = s.serialize_struct("Unknown", 1)?;
                st.serialize_field("packet_type", packet_type)?;
                st.end()
            }
        }
    }
}

/// A sequence from a cloneable iterator.
struct Seq<R>(R);

impl<R: Iterator<Item = Record> + Clone> Serialize for Seq<R> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.clone())
    }
}

/// A string from a `Display`.
struct Str<D>(D);

impl<D: core::fmt::Display> Serialize for Str<D> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(&self.0)
    }
}
