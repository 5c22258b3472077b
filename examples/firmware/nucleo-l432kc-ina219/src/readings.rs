//! The latest reading of each INA219, as the library's device model reads its samples.
//!
//! The chip converts continuously and its registers always hold the latest conversion, so
//! the sampler task copies them here every millisecond; the model takes a STREAM sample
//! or answers READ_SENSOR from this copy. A chip that failed its last read has no reading:
//! the model then skips the sample (no `seq` used) or answers NACK INTERNAL.

use serial_dialects::powerscope::load_profile::{Reading, SampleSource};

/// The latest reading of each of `N` sensors (`None`: not read yet, or the read failed).
#[derive(Debug, Clone)]
pub struct LatestReadings<const N: usize> {
    readings: [Option<Reading>; N],
}

impl<const N: usize> LatestReadings<N> {
    /// No reading yet.
    pub const fn new() -> Self {
        LatestReadings { readings: [None; N] }
    }

    /// Records the outcome of reading the sensor at `index`.
    pub fn update(&mut self, index: usize, reading: Option<Reading>) {
        if let Some(slot) = self.readings.get_mut(index) {
            *slot = reading;
        }
    }
}

impl<const N: usize> Default for LatestReadings<N> {
    fn default() -> Self {
        Self::new()
    }
}

impl<const N: usize> SampleSource for LatestReadings<N> {
    fn read(&mut self, index: usize, _uptime_ms: u64) -> Option<Reading> {
        self.readings.get(index).copied().flatten()
    }
}

#[cfg(test)]
mod tests {
    use serial_dialects::device::Device;
    use serial_dialects::powerscope::device::{Model, Settings};
    use serial_dialects::powerscope::{Cmd, Command, ErrorCode, Message, Reply, Revision, SensorPacket};
    use std::vec::Vec;

    use super::*;

    fn cmd(seq: u32, command: Command) -> Vec<u8> {
        let mut buf = [0u8; 64];
        let n = Message::Cmd(Cmd::new(seq, 0, command)).emit(&mut buf).unwrap();
        buf[..n].to_vec()
    }

    /// The board's model answers READ_SENSOR from the latest reading, and INTERNAL when
    /// the chip did not answer.
    #[test]
    fn the_model_reads_the_latest_readings() {
        let settings = Settings { sensors: heapless::Vec::from_slice(&[1]).unwrap(), ..Settings::default() };
        let mut model = Model::with_source(settings, LatestReadings::<1>::new());
        model.receive(&cmd(1, Command::ReadSensor { sensor: 1 }), 5);
        model.source_mut().update(0, Some(Reading { bus_mv: 12_304, current_ua: -23_600 }));
        model.receive(&cmd(2, Command::ReadSensor { sensor: 1 }), 6);
        let mut answers = Vec::new();
        let mut buf = [0u8; 64];
        while let Some(t) = model.transmit(6, &mut buf) {
            answers.push(match Message::from_bytes(&buf[..t.len], Revision::R1).unwrap() {
                Message::Nack(n) => Err(n.error),
                Message::Ack(a) => match a.reply {
                    Reply::ReadSensor(SensorPacket::Ina219(s)) => Ok((s.bus_mv, s.current_ua)),
                    other => panic!("{other:?}"),
                },
                other => panic!("{other:?}"),
            });
        }
        assert_eq!(answers, [Err(ErrorCode::Internal), Ok((12_304, -23_600))]);
    }
}
