//! Sensor packets (revision 1 STREAM payloads and READ_SENSOR answers) and the INA219
//! sample with its physical units (docs/protocols/powerscope.md, "Sensor packets and the
//! INA219 sample").

use crate::buf::Sink;
use crate::error::EncodeError;

use super::frame::counted;
use super::header::Revision;

/// The `type_id` of an INA219 in the GET_SENSORS answer.
pub const INA219_TYPE_ID: u8 = 1;

/// One INA219 reading, as the firmware sends it (7 bytes: `runtime_id u8, bus_mV u16 LE,
/// current_uA i32 LE`).
///
/// The raw integers are what is on the wire; the unit helpers give V, mA and mW
/// (V = mV / 1000, mA = µA / 1000, mW = V × mA). The real host scales the current 10× too
/// small; this crate does not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Ina219Sample {
    /// The sensor's runtime id (1 and 2 on the real boards).
    pub runtime_id: u8,
    /// Bus voltage in mV (the driver's `((reg >> 3) & 0x1FFF) * 4`, saturated).
    pub bus_mv: u16,
    /// Current in µA (signed: the shunt current can flow either way).
    pub current_ua: i32,
}

impl Ina219Sample {
    /// Wire length of a sample, runtime id included.
    pub const LEN: usize = 7;

    /// Reads a sample from exactly [`Self::LEN`] bytes.
    pub fn parse(bytes: &[u8]) -> Option<Ina219Sample> {
        <&[u8; Self::LEN]>::try_from(bytes).ok().map(Ina219Sample::from_bytes)
    }

    /// Reads a sample from its 7 wire bytes.
    pub const fn from_bytes(bytes: &[u8; Self::LEN]) -> Ina219Sample {
        let [runtime_id, v0, v1, c0, c1, c2, c3] = *bytes;
        Ina219Sample {
            runtime_id,
            bus_mv: u16::from_le_bytes([v0, v1]),
            current_ua: i32::from_le_bytes([c0, c1, c2, c3]),
        }
    }

    /// The 7 wire bytes.
    pub fn to_bytes(&self) -> [u8; Self::LEN] {
        let v = self.bus_mv.to_le_bytes();
        let c = self.current_ua.to_le_bytes();
        [self.runtime_id, v[0], v[1], c[0], c[1], c[2], c[3]]
    }

    /// Bus voltage in volts.
    pub fn bus_volts(&self) -> f32 {
        f32::from(self.bus_mv) / 1000.0
    }

    /// Current in milliamperes.
    pub fn current_ma(&self) -> f32 {
        self.current_ua as f32 / 1000.0
    }

    /// Power in milliwatts: V × mA.
    pub fn power_mw(&self) -> f32 {
        self.bus_volts() * self.current_ma()
    }

    /// Power in nanowatts, exact: mV × µA.
    pub fn power_nw(&self) -> i64 {
        i64::from(self.bus_mv) * i64::from(self.current_ua)
    }
}

/// A sensor packet: `runtime_id u8` followed by the sensor's raw sample.
///
/// A 7-byte packet is read as an [`Ina219Sample`] (the only sensor type the firmware has);
/// any other length keeps its bytes raw, so that it re-encodes exactly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum SensorPacket<'a> {
    /// An INA219 sample (7 bytes).
    Ina219(Ina219Sample),
    /// Another sensor's sample: any length but 6 sample bytes (0..=45).
    Raw {
        /// The sensor's runtime id.
        runtime_id: u8,
        /// The sample bytes after the runtime id.
        sample: &'a [u8],
    },
}

impl<'a> SensorPacket<'a> {
    /// The most sample bytes after the runtime id (a 46-byte payload).
    pub const MAX_SAMPLE_LEN: usize = Revision::R1.max_payload_len() - 1;

    /// Reads a packet from a whole payload; `None` for an empty payload.
    pub fn parse(payload: &'a [u8]) -> Option<SensorPacket<'a>> {
        if let Some(sample) = Ina219Sample::parse(payload) {
            return Some(SensorPacket::Ina219(sample));
        }
        let (&runtime_id, sample) = payload.split_first()?;
        Some(SensorPacket::Raw { runtime_id, sample })
    }

    /// The sensor's runtime id.
    pub fn runtime_id(&self) -> u8 {
        match self {
            SensorPacket::Ina219(s) => s.runtime_id,
            SensorPacket::Raw { runtime_id, .. } => *runtime_id,
        }
    }

    /// The INA219 sample, if this is one.
    pub fn ina219(&self) -> Option<&Ina219Sample> {
        match self {
            SensorPacket::Ina219(s) => Some(s),
            SensorPacket::Raw { .. } => None,
        }
    }

    /// Wire length of the packet (what [`emit`](Self::emit) writes).
    #[inline]
    pub fn len(&self) -> usize {
        counted(|out| self.emit(out))
    }

    /// Always false: a packet holds at least its runtime id.
    pub fn is_empty(&self) -> bool {
        false
    }

    /// Checks that the packet can be sent and decodes back to itself: a raw sample is at
    /// most 45 bytes and not 6 bytes long (that is an INA219 sample).
    pub fn validate(&self) -> Result<(), EncodeError> {
        match self {
            SensorPacket::Ina219(_) => Ok(()),
            SensorPacket::Raw { sample, .. } if sample.len() > Self::MAX_SAMPLE_LEN => {
                Err(EncodeError::TooLong { field: "sample", len: sample.len(), max: Self::MAX_SAMPLE_LEN })
            }
            SensorPacket::Raw { sample, .. } if sample.len() == Ina219Sample::LEN - 1 => {
                Err(EncodeError::OutOfRange { field: "sample" })
            }
            SensorPacket::Raw { .. } => Ok(()),
        }
    }

    /// Writes the packet: the runtime id, then the sample.
    #[inline]
    pub fn emit(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        match self {
            SensorPacket::Ina219(s) => out.put(&s.to_bytes()),
            SensorPacket::Raw { runtime_id, sample } => {
                out.put_u8(*runtime_id)?;
                out.put(sample)
            }
        }
    }

    /// Number of JSON fields [`serialize_fields`](Self::serialize_fields) writes.
    #[cfg(feature = "serde")]
    pub(crate) fn field_count(&self) -> usize {
        match self {
            SensorPacket::Ina219(_) => 3,
            SensorPacket::Raw { .. } => 2,
        }
    }

    /// Writes `runtime_id`, `bus_mv`, `current_ua` (or `runtime_id`, `sample_hex`).
    #[cfg(feature = "serde")]
    pub(crate) fn serialize_fields<S: serde::ser::SerializeStruct>(&self, s: &mut S) -> Result<(), S::Error> {
        match self {
            SensorPacket::Ina219(x) => {
                s.serialize_field("runtime_id", &x.runtime_id)?;
                s.serialize_field("bus_mv", &x.bus_mv)?;
                s.serialize_field("current_ua", &x.current_ua)
            }
            SensorPacket::Raw { runtime_id, sample } => {
                s.serialize_field("runtime_id", runtime_id)?;
                s.serialize_field("sample_hex", &format_args!("{}", crate::fmt::Hex(*sample)))
            }
        }
    }
}
