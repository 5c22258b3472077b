//! The 119-byte TELEMETRY_DATA packet, its channel states and fault flags.

use crate::buf::{self, Sink};
use crate::crc;
use crate::error::EncodeError;

/// Output channels on a PMU-30.
pub const CHANNELS: usize = 30;
/// Analog inputs in a telemetry packet.
pub const ANALOG_INPUTS: usize = 8;
/// Bytes of a TELEMETRY_DATA payload.
pub const TELEMETRY_LEN: usize = 119;

/// Byte ranges of the telemetry payload, at the original documentation's offsets.
pub mod field {
    use core::ops::Range;

    /// Device uptime in ms, u32.
    pub const TIMESTAMP_MS: Range<usize> = 0..4;
    /// 30 channel state bytes.
    pub const CHANNEL_STATES: Range<usize> = 4..34;
    /// 8 × u16 ADC values.
    pub const ANALOG_VALUES: Range<usize> = 34..50;
    /// 30 × u16 output currents in mA.
    pub const OUTPUT_CURRENTS: Range<usize> = 50..110;
    /// Input voltage in mV, u16.
    pub const INPUT_VOLTAGE: Range<usize> = 110..112;
    /// Board temperature in °C, i8.
    pub const TEMPERATURE: usize = 112;
    /// Fault flags, u32.
    pub const FAULT_FLAGS: Range<usize> = 113..117;
    /// The inner "packet CRC", u16 (never checked).
    pub const CRC: Range<usize> = 117..119;
}

/// The state of one output channel. Values the original documentation does not name are
/// kept as [`ChannelState::Unknown`]; they never make a packet invalid.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum ChannelState {
    /// 0: output off.
    #[default]
    Off,
    /// 1: output on.
    On,
    /// 2: tripped by overcurrent.
    FaultOvercurrent,
    /// 3: tripped by overheating.
    FaultOverheat,
    /// 4: short circuit.
    FaultShort,
    /// 5: open load.
    FaultOpen,
    /// 6: PWM output active.
    PwmActive,
    /// 7: disabled by configuration.
    Disabled,
    /// Any other value, kept as received.
    Unknown(u8),
}

impl ChannelState {
    /// The state for a wire byte.
    pub const fn from_u8(v: u8) -> ChannelState {
        match v {
            0 => ChannelState::Off,
            1 => ChannelState::On,
            2 => ChannelState::FaultOvercurrent,
            3 => ChannelState::FaultOverheat,
            4 => ChannelState::FaultShort,
            5 => ChannelState::FaultOpen,
            6 => ChannelState::PwmActive,
            7 => ChannelState::Disabled,
            other => ChannelState::Unknown(other),
        }
    }

    /// The wire byte.
    pub const fn to_u8(self) -> u8 {
        match self {
            ChannelState::Off => 0,
            ChannelState::On => 1,
            ChannelState::FaultOvercurrent => 2,
            ChannelState::FaultOverheat => 3,
            ChannelState::FaultShort => 4,
            ChannelState::FaultOpen => 5,
            ChannelState::PwmActive => 6,
            ChannelState::Disabled => 7,
            ChannelState::Unknown(v) => v,
        }
    }

    /// The original documentation's name (`"UNKNOWN"` for unnamed values).
    pub const fn name(self) -> &'static str {
        match self {
            ChannelState::Off => "OFF",
            ChannelState::On => "ON",
            ChannelState::FaultOvercurrent => "FAULT_OVERCURRENT",
            ChannelState::FaultOverheat => "FAULT_OVERHEAT",
            ChannelState::FaultShort => "FAULT_SHORT",
            ChannelState::FaultOpen => "FAULT_OPEN",
            ChannelState::PwmActive => "PWM_ACTIVE",
            ChannelState::Disabled => "DISABLED",
            ChannelState::Unknown(_) => "UNKNOWN",
        }
    }

    /// ON or PWM_ACTIVE.
    pub const fn is_active(self) -> bool {
        matches!(self, ChannelState::On | ChannelState::PwmActive)
    }

    /// One of the four FAULT_* states.
    pub const fn is_fault(self) -> bool {
        matches!(
            self,
            ChannelState::FaultOvercurrent
                | ChannelState::FaultOverheat
                | ChannelState::FaultShort
                | ChannelState::FaultOpen
        )
    }
}

impl From<u8> for ChannelState {
    fn from(v: u8) -> Self {
        ChannelState::from_u8(v)
    }
}

impl From<ChannelState> for u8 {
    fn from(s: ChannelState) -> u8 {
        s.to_u8()
    }
}

/// Every wire byte exactly once, in its canonical form: a derive would also produce
/// `Unknown(3)`, which is written as 3 and reads back as `FaultOverheat`.
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for ChannelState {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(ChannelState::from_u8(u.arbitrary()?))
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        <u8 as arbitrary::Arbitrary>::size_hint(depth)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for ChannelState {
    /// Serialized as its wire byte (the JSON contract's integers).
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_u8(self.to_u8())
    }
}

bitflags::bitflags! {
    /// The 32-bit system fault mask. Bits the original documentation does not name are kept
    /// (construct with [`FaultFlags::from_bits_retain`]).
    #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
    pub struct FaultFlags: u32 {
        /// Bit 0.
        const OVERVOLTAGE = 1 << 0;
        /// Bit 1.
        const UNDERVOLTAGE = 1 << 1;
        /// Bit 2.
        const OVERTEMPERATURE = 1 << 2;
        /// Bit 3.
        const CAN1_ERROR = 1 << 3;
        /// Bit 4.
        const CAN2_ERROR = 1 << 4;
        /// Bit 5.
        const FLASH_ERROR = 1 << 5;
        /// Bit 6.
        const CONFIG_ERROR = 1 << 6;
        /// Bit 7.
        const WATCHDOG_RESET = 1 << 7;
        /// Bit 8.
        const POWER_FAIL = 1 << 8;
        /// Bit 9.
        const GROUND_FAULT = 1 << 9;
        /// Bit 10.
        const REVERSE_POLARITY = 1 << 10;
        /// Bit 11.
        const SENSOR_ERROR = 1 << 11;
        /// Bit 12.
        const LUA_ERROR = 1 << 12;
        /// Bit 13.
        const LOGIC_ERROR = 1 << 13;
        /// Bit 16: a fault on channels 1–8.
        const CHANNEL_FAULT_1_8 = 1 << 16;
        /// Bit 17: a fault on channels 9–16.
        const CHANNEL_FAULT_9_16 = 1 << 17;
        /// Bit 18: a fault on channels 17–24.
        const CHANNEL_FAULT_17_24 = 1 << 18;
        /// Bit 19: a fault on channels 25–30.
        const CHANNEL_FAULT_25_30 = 1 << 19;
    }
}

/// Any 32-bit mask, unknown bits included (bitflags' own `Arbitrary` refuses unknown bits,
/// which real devices do send).
#[cfg(feature = "arbitrary")]
impl<'a> arbitrary::Arbitrary<'a> for FaultFlags {
    fn arbitrary(u: &mut arbitrary::Unstructured<'a>) -> arbitrary::Result<Self> {
        Ok(FaultFlags::from_bits_retain(u.arbitrary()?))
    }

    fn size_hint(depth: usize) -> (usize, Option<usize>) {
        <u32 as arbitrary::Arbitrary>::size_hint(depth)
    }
}

#[cfg(feature = "defmt")]
impl defmt::Format for FaultFlags {
    fn format(&self, f: defmt::Formatter<'_>) {
        defmt::write!(f, "FaultFlags({=u32:#x})", self.bits())
    }
}

/// A TELEMETRY_DATA payload (119 bytes), every field as on the wire.
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct TelemetryPacket {
    /// Device uptime in milliseconds.
    pub timestamp_ms: u32,
    /// The state of each of the 30 outputs.
    pub channel_states: [ChannelState; CHANNELS],
    /// 8 raw ADC values.
    pub analog_values: [u16; ANALOG_INPUTS],
    /// Output currents in mA.
    pub output_currents: [u16; CHANNELS],
    /// Input voltage in mV.
    pub input_voltage: u16,
    /// Board temperature in °C (signed).
    pub temperature: i8,
    /// System fault flags (unknown bits kept).
    pub fault_flags: FaultFlags,
    /// The inner "packet CRC" at offset 117: defined nowhere, carried as is and never
    /// checked (see [`inner_crc_matches`](Self::inner_crc_matches)).
    pub crc: u16,
}

// Every byte's state, so that a packet's 30 states are 30 table loads: the `match` of
// `ChannelState::from_u8` compiles to a compare, a select and two byte stores per channel,
// about twice the work. 512 bytes, so only with `speed-over-size` (the feature that already
// trades flash for speed).
#[cfg(feature = "speed-over-size")]
static STATES: [ChannelState; 256] = {
    let mut table = [ChannelState::Off; 256];
    let mut i = 0;
    while i < table.len() {
        table[i] = ChannelState::from_u8(i as u8);
        i += 1;
    }
    table
};

/// The states of the 30 channel bytes.
#[inline]
fn channel_states(bytes: &[u8; CHANNELS]) -> [ChannelState; CHANNELS] {
    let mut states = [ChannelState::Off; CHANNELS];
    for (state, &b) in states.iter_mut().zip(bytes) {
        #[cfg(feature = "speed-over-size")]
        let s = STATES[usize::from(b)];
        #[cfg(not(feature = "speed-over-size"))]
        let s = ChannelState::from_u8(b);
        *state = s;
    }
    states
}

impl TelemetryPacket {
    /// Reads a packet from its 119 payload bytes.
    #[inline]
    pub fn parse(p: &[u8; TELEMETRY_LEN]) -> TelemetryPacket {
        // Every field is built in place (no default packet overwritten field by field), and
        // the channel states are mapped from one 30-byte array, which the compiler turns
        // into a few vector operations instead of 30 separate byte conversions.
        // Every offset is a constant inside the 119 bytes: the readers' `None` (and so the
        // zero fallbacks) never happens, and the compiler drops the checks.
        let u16_at = |at| buf::u16_le(p, at).unwrap_or(0);
        TelemetryPacket {
            timestamp_ms: buf::u32_le(p, field::TIMESTAMP_MS.start).unwrap_or(0),
            channel_states: channel_states(&buf::array(p, field::CHANNEL_STATES.start).unwrap_or([0; CHANNELS])),
            analog_values: core::array::from_fn(|i| u16_at(field::ANALOG_VALUES.start + 2 * i)),
            output_currents: core::array::from_fn(|i| u16_at(field::OUTPUT_CURRENTS.start + 2 * i)),
            input_voltage: u16_at(field::INPUT_VOLTAGE.start),
            temperature: i8::from_le_bytes([p[field::TEMPERATURE]]),
            fault_flags: FaultFlags::from_bits_retain(buf::u32_le(p, field::FAULT_FLAGS.start).unwrap_or(0)),
            crc: u16_at(field::CRC.start),
        }
    }

    /// Writes the packet's 119 payload bytes, `crc` as it is.
    pub fn write(&self, out: &mut [u8; TELEMETRY_LEN]) {
        out[field::TIMESTAMP_MS].copy_from_slice(&self.timestamp_ms.to_le_bytes());
        for (o, s) in out[field::CHANNEL_STATES].iter_mut().zip(&self.channel_states) {
            *o = s.to_u8();
        }
        for (o, v) in out[field::ANALOG_VALUES].chunks_exact_mut(2).zip(&self.analog_values) {
            o.copy_from_slice(&v.to_le_bytes());
        }
        for (o, v) in out[field::OUTPUT_CURRENTS].chunks_exact_mut(2).zip(&self.output_currents) {
            o.copy_from_slice(&v.to_le_bytes());
        }
        out[field::INPUT_VOLTAGE].copy_from_slice(&self.input_voltage.to_le_bytes());
        out[field::TEMPERATURE] = self.temperature.to_le_bytes()[0];
        out[field::FAULT_FLAGS].copy_from_slice(&self.fault_flags.bits().to_le_bytes());
        out[field::CRC].copy_from_slice(&self.crc.to_le_bytes());
    }

    /// Writes the 119 payload bytes into `out`.
    // In one piece: the fixed layout is filled in a local array by `write`, which is cheaper
    // on the encoding path than a bounds-checked put per field.
    pub(super) fn write_to(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        let mut bytes = [0u8; TELEMETRY_LEN];
        self.write(&mut bytes);
        out.put(&bytes)
    }

    /// The payload's bytes 0..117 (everything before the inner `crc`).
    fn covered_bytes(&self) -> [u8; TELEMETRY_LEN] {
        let mut bytes = [0u8; TELEMETRY_LEN];
        self.write(&mut bytes);
        bytes
    }

    /// CRC-16/CCITT-FALSE over payload bytes 0..117: the value a sender that fills the
    /// inner `crc` would put there.
    pub fn compute_inner_crc(&self) -> u16 {
        crc::crc16(&self.covered_bytes()[..field::CRC.start])
    }

    /// Whether the inner `crc` equals CRC-16 over payload bytes 0..117. Informational
    /// only: real senders also write 0 there.
    pub fn inner_crc_matches(&self) -> bool {
        self.crc == self.compute_inner_crc()
    }

    /// Sets the inner `crc` to [`compute_inner_crc`](Self::compute_inner_crc).
    pub fn fill_inner_crc(&mut self) {
        self.crc = self.compute_inner_crc();
    }

    /// Input voltage in volts.
    pub fn input_volts(&self) -> f32 {
        f32::from(self.input_voltage) / 1000.0
    }

    /// Sum of all output currents in mA.
    pub fn total_current_ma(&self) -> u32 {
        self.output_currents.iter().map(|&c| u32::from(c)).sum()
    }

    /// Indices (0-based) of channels that are ON or PWM_ACTIVE.
    pub fn active_channels(&self) -> impl Iterator<Item = usize> + '_ {
        self.channel_states.iter().enumerate().filter(|(_, s)| s.is_active()).map(|(i, _)| i)
    }

    /// Indices (0-based) of channels in a FAULT_* state.
    pub fn faulted_channels(&self) -> impl Iterator<Item = usize> + '_ {
        self.channel_states.iter().enumerate().filter(|(_, s)| s.is_fault()).map(|(i, _)| i)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for TelemetryPacket {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("TelemetryPacket", 8)?;
        st.serialize_field("timestamp_ms", &self.timestamp_ms)?;
        st.serialize_field("channel_states", &self.channel_states[..])?;
        st.serialize_field("analog_values", &self.analog_values)?;
        st.serialize_field("output_currents", &self.output_currents[..])?;
        st.serialize_field("input_voltage", &self.input_voltage)?;
        st.serialize_field("temperature", &self.temperature)?;
        st.serialize_field("fault_flags", &self.fault_flags.bits())?;
        st.serialize_field("crc", &self.crc)?;
        st.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_write_round_trip_keeps_unknown_values() {
        let mut bytes = [0u8; TELEMETRY_LEN];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (i as u8).wrapping_mul(37);
        }
        let t = TelemetryPacket::parse(&bytes);
        let mut again = [0u8; TELEMETRY_LEN];
        t.write(&mut again);
        assert_eq!(bytes, again);
        assert!(t.channel_states.iter().any(|s| matches!(s, ChannelState::Unknown(_))));
    }

    #[cfg(feature = "speed-over-size")]
    #[test]
    fn state_table_matches_from_u8() {
        for b in 0..=u8::MAX {
            assert_eq!(STATES[usize::from(b)], ChannelState::from_u8(b));
        }
    }

    #[test]
    fn temperature_is_signed_and_flags_keep_unknown_bits() {
        let mut bytes = [0u8; TELEMETRY_LEN];
        bytes[field::TEMPERATURE] = 0xF4;
        bytes[field::FAULT_FLAGS].copy_from_slice(&0x8001_4002u32.to_le_bytes());
        let t = TelemetryPacket::parse(&bytes);
        assert_eq!(t.temperature, -12);
        assert_eq!(t.fault_flags.bits(), 0x8001_4002);
        assert!(t.fault_flags.contains(FaultFlags::UNDERVOLTAGE | FaultFlags::CHANNEL_FAULT_1_8));
    }
}
