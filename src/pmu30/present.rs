//! The CSV rows and the text line of a message ([`Present`]): one row per TELEMETRY_DATA
//! packet, in raw wire units.

use core::fmt::{self, Write};

use super::message::Message;
use crate::present::{Present, Writer};

impl Present for Message<'_> {
    const CSV_HEADER: &'static str = concat!(
        "offset,timestamp_ms,input_voltage_mv,temperature_c,fault_flags,",
        "analog_0,analog_1,analog_2,analog_3,analog_4,analog_5,analog_6,analog_7,",
        "state_0,state_1,state_2,state_3,state_4,state_5,state_6,state_7,state_8,state_9,",
        "state_10,state_11,state_12,state_13,state_14,state_15,state_16,state_17,state_18,state_19,",
        "state_20,state_21,state_22,state_23,state_24,state_25,state_26,state_27,state_28,state_29,",
        "current_ma_0,current_ma_1,current_ma_2,current_ma_3,current_ma_4,current_ma_5,current_ma_6,",
        "current_ma_7,current_ma_8,current_ma_9,current_ma_10,current_ma_11,current_ma_12,current_ma_13,",
        "current_ma_14,current_ma_15,current_ma_16,current_ma_17,current_ma_18,current_ma_19,current_ma_20,",
        "current_ma_21,current_ma_22,current_ma_23,current_ma_24,current_ma_25,current_ma_26,current_ma_27,",
        "current_ma_28,current_ma_29",
    );

    /// One row for a TELEMETRY_DATA packet: timestamp, input voltage (mV), temperature
    /// (°C), the fault mask, the 8 analog inputs, the 30 channel states (wire values) and
    /// the 30 output currents (mA); nothing for other messages.
    fn write_csv_rows<W: Write + ?Sized>(&self, offset: u64, out: &mut W) -> fmt::Result {
        let Message::TelemetryData(t) = self else {
            return Ok(());
        };
        let mut w = Writer::new(out);
        w.uint(offset).byte(b',').uint(t.timestamp_ms.into()).byte(b',').uint(t.input_voltage.into());
        w.byte(b',').int(t.temperature.into()).byte(b',').uint(t.fault_flags.bits().into());
        for &v in &t.analog_values {
            w.byte(b',').uint(v.into());
        }
        for state in &t.channel_states {
            w.byte(b',').uint(state.to_u8().into());
        }
        for &v in &t.output_currents {
            w.byte(b',').uint(v.into());
        }
        w.byte(b'\n');
        w.finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pmu30::{TELEMETRY_LEN, TelemetryPacket};
    use std::string::String;
    use std::vec::Vec;

    #[test]
    fn the_header_names_every_column_of_a_row() {
        let mut names: Vec<String> =
            ["offset", "timestamp_ms", "input_voltage_mv", "temperature_c", "fault_flags"].map(String::from).into();
        names.extend((0..8).map(|i| std::format!("analog_{i}")));
        names.extend((0..30).map(|i| std::format!("state_{i}")));
        names.extend((0..30).map(|i| std::format!("current_ma_{i}")));
        assert_eq!(<Message<'_> as Present>::CSV_HEADER, names.join(","));

        let mut bytes = [0u8; TELEMETRY_LEN];
        bytes[crate::pmu30::telemetry::field::TEMPERATURE] = 0xF4; // -12 °C
        let mut row = String::new();
        Message::TelemetryData(TelemetryPacket::parse(&bytes)).write_csv_rows(7, &mut row).unwrap();
        assert_eq!(row.trim_end().split(',').count(), names.len());
        assert!(row.starts_with("7,0,0,-12,0,0,"), "{row}");
        row.clear();
        Message::Ping {}.write_csv_rows(7, &mut row).unwrap();
        assert_eq!(row, "");
    }
}
