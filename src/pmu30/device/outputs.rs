//! The electrical side of the model: the 30 outputs as SET_CHANNEL leaves them, their loads,
//! and the TELEMETRY_DATA packet they give. Deterministic: the noise comes from the seeded
//! generator, the slow drifts from the time.
//!
//! The model, documented in `docs/simulators.md`:
//!
//! * A SET_CHANNEL value is a duty cycle in percent. 0 is OFF, 100 is ON, anything between is
//!   PWM_ACTIVE. Channels at and above the enabled count are DISABLED.
//! * Channel `n` drives a load of `500 + 250 × (n mod 8)` mA at 100 %; its current is that
//!   times the duty cycle, ±1 % noise. A channel whose bit is set in
//!   [`Settings::shorted_loads`](super::Settings::shorted_loads) trips as soon as it is
//!   switched on: FAULT_OVERCURRENT, 0 mA, and its group's CHANNEL_FAULT bit; switching it
//!   off clears the fault.
//! * The input is 13.8 V less 20 mV per ampere drawn, ±30 mV noise (UNDERVOLTAGE below
//!   10.5 V); the board is at 25 °C plus 1 °C per ampere (OVERTEMPERATURE from 85 °C).
//! * The 8 analog inputs are slow triangle waves (a period of 4.096 s, phase-shifted per
//!   input) over 0–4095, ±4 noise.
//! * The inner packet CRC is CRC-16/CCITT-FALSE over the first 117 bytes.

use crate::device::xorshift::Xorshift;
use crate::pmu30::payload::{CHANNEL_ID_MAX, CHANNEL_VALUE_MAX, error_code};
use crate::pmu30::telemetry::{ANALOG_INPUTS, CHANNELS, ChannelState, FaultFlags, TelemetryPacket};

/// Nominal input voltage, mV.
const NOMINAL_INPUT_MV: i32 = 13_800;
/// Input voltage drop per ampere drawn, mV.
const DROP_MV_PER_A: i32 = 20;
/// Below this the UNDERVOLTAGE flag is set, mV.
const UNDERVOLTAGE_MV: i32 = 10_500;
/// Board temperature with no load, °C.
const AMBIENT_C: i32 = 25;
/// From this temperature the OVERTEMPERATURE flag is set, °C.
const OVERTEMPERATURE_C: i32 = 85;

/// The outputs: each channel's duty cycle and whether it tripped.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Outputs {
    duty: [f32; CHANNELS],
    enabled: usize,
    shorted: u32,
}

impl Outputs {
    /// All outputs off; channels `enabled..30` disabled; `shorted` (bit n = channel n) trip.
    pub fn new(enabled: u8, shorted: u32) -> Outputs {
        Outputs { duty: [0.0; CHANNELS], enabled: usize::from(enabled).min(CHANNELS), shorted }
    }

    /// Every output off (a reset).
    pub fn all_off(&mut self) {
        self.duty = [0.0; CHANNELS];
    }

    /// Applies SET_CHANNEL, or says which ERROR code refuses it.
    pub fn set(&mut self, channel_id: u16, value: f32) -> Result<(), u16> {
        if channel_id > CHANNEL_ID_MAX {
            return Err(error_code::CHANNEL_OUT_OF_RANGE);
        }
        if !(value.is_finite() && (0.0..=CHANNEL_VALUE_MAX).contains(&value)) {
            return Err(error_code::INVALID_CHANNEL_VALUE);
        }
        let channel = usize::from(channel_id);
        if channel >= self.enabled {
            return Err(error_code::CHANNEL_DISABLED);
        }
        match self.duty.get_mut(channel) {
            Some(duty) => *duty = value,
            None => return Err(error_code::CHANNEL_OUT_OF_RANGE),
        }
        Ok(())
    }

    /// The duty cycle of `channel`, in percent.
    pub fn duty(&self, channel: usize) -> Option<f32> {
        self.duty.get(channel).copied()
    }

    fn state(&self, channel: usize) -> ChannelState {
        let duty = self.duty.get(channel).copied().unwrap_or(0.0);
        if channel >= self.enabled {
            ChannelState::Disabled
        } else if duty <= 0.0 {
            ChannelState::Off
        } else if self.shorted & (1 << channel) != 0 {
            ChannelState::FaultOvercurrent
        } else if duty >= CHANNEL_VALUE_MAX {
            ChannelState::On
        } else {
            ChannelState::PwmActive
        }
    }

    /// The telemetry packet at device uptime `uptime_ms`.
    pub fn telemetry(&self, uptime_ms: u64, rng: &mut Xorshift) -> TelemetryPacket {
        let mut packet = TelemetryPacket { timestamp_ms: uptime_ms as u32, ..TelemetryPacket::default() };
        let mut total_ma: i32 = 0;
        let mut faults = FaultFlags::empty();
        for channel in 0..CHANNELS {
            let state = self.state(channel);
            let current = if state.is_active() {
                let full_load = 500.0 + 250.0 * (channel % 8) as f32;
                let duty = self.duty.get(channel).copied().unwrap_or(0.0);
                let nominal = (full_load * duty / 100.0) as i32;
                (nominal + nominal * rng.spread(100) / 10_000).max(0)
            } else {
                0
            };
            if state.is_fault() {
                faults |= channel_fault_group(channel);
            }
            total_ma = total_ma.saturating_add(current);
            if let Some(slot) = packet.channel_states.get_mut(channel) {
                *slot = state;
            }
            if let Some(slot) = packet.output_currents.get_mut(channel) {
                *slot = u16::try_from(current).unwrap_or(u16::MAX);
            }
        }
        for (input, value) in packet.analog_values.iter_mut().enumerate().take(ANALOG_INPUTS) {
            let phase = ((uptime_ms + input as u64 * 512) % 4096) as i32;
            let triangle = if phase < 2048 { phase * 2 } else { (4096 - phase) * 2 };
            *value = (triangle + rng.spread(4)).clamp(0, 4095) as u16;
        }
        let volts = NOMINAL_INPUT_MV - DROP_MV_PER_A * total_ma / 1000 + rng.spread(30);
        if volts < UNDERVOLTAGE_MV {
            faults |= FaultFlags::UNDERVOLTAGE;
        }
        let temperature = AMBIENT_C + total_ma / 1000;
        if temperature >= OVERTEMPERATURE_C {
            faults |= FaultFlags::OVERTEMPERATURE;
        }
        packet.input_voltage = volts.clamp(0, i32::from(u16::MAX)) as u16;
        packet.temperature = temperature.clamp(i32::from(i8::MIN), i32::from(i8::MAX)) as i8;
        packet.fault_flags = faults;
        packet.fill_inner_crc();
        packet
    }
}

/// The CHANNEL_FAULT bit of the group of 8 outputs `channel` (0-based) is in.
fn channel_fault_group(channel: usize) -> FaultFlags {
    match channel {
        0..=7 => FaultFlags::CHANNEL_FAULT_1_8,
        8..=15 => FaultFlags::CHANNEL_FAULT_9_16,
        16..=23 => FaultFlags::CHANNEL_FAULT_17_24,
        _ => FaultFlags::CHANNEL_FAULT_25_30,
    }
}
