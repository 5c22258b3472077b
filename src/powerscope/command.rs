//! Revision-1 commands: the command table (`cmd_id` of CMD frames, echoed by ACK and NACK)
//! and the parameters each command carries in its CMD payload
//! (docs/protocols/powerscope.md, "Commands").

use crate::buf::{self, Sink};
use crate::error::EncodeError;

use super::error::{Error, check_payload_size};
use super::frame::counted;
use super::header::Revision;

/// The shortest SET_PERIOD period the firmware accepts, in ms.
pub const PERIOD_MS_MIN: u16 = 5;
/// The longest SET_PERIOD period the firmware accepts, in ms.
pub const PERIOD_MS_MAX: u16 = 10_000;
/// The most entries a GET_SENSORS answer can hold (46 payload bytes / 2).
pub const MAX_SENSORS: usize = Revision::R1.max_payload_len() / 2;

/// The command table (`cmd_id` of CMD frames, echoed by ACK and NACK).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[repr(u8)]
pub enum CommandId {
    /// 0x01 START_STREAM.
    StartStream = 0x01,
    /// 0x02 STOP_STREAM.
    StopStream = 0x02,
    /// 0x03 SET_PERIOD.
    SetPeriod = 0x03,
    /// 0x04 GET_PERIOD.
    GetPeriod = 0x04,
    /// 0x05 PING.
    Ping = 0x05,
    /// 0x06 GET_SENSORS.
    GetSensors = 0x06,
    /// 0x07 READ_SENSOR.
    ReadSensor = 0x07,
    /// 0x08 GET_UPTIME.
    GetUptime = 0x08,
    /// 0x09 GET_BOARD_UID.
    GetBoardUid = 0x09,
}

impl CommandId {
    /// Every command, in `cmd_id` order.
    pub const ALL: [CommandId; 9] = [
        CommandId::StartStream,
        CommandId::StopStream,
        CommandId::SetPeriod,
        CommandId::GetPeriod,
        CommandId::Ping,
        CommandId::GetSensors,
        CommandId::ReadSensor,
        CommandId::GetUptime,
        CommandId::GetBoardUid,
    ];

    /// The command for a `cmd_id`, if it is one.
    pub const fn from_u8(id: u8) -> Option<CommandId> {
        match id {
            0x01 => Some(CommandId::StartStream),
            0x02 => Some(CommandId::StopStream),
            0x03 => Some(CommandId::SetPeriod),
            0x04 => Some(CommandId::GetPeriod),
            0x05 => Some(CommandId::Ping),
            0x06 => Some(CommandId::GetSensors),
            0x07 => Some(CommandId::ReadSensor),
            0x08 => Some(CommandId::GetUptime),
            0x09 => Some(CommandId::GetBoardUid),
            _ => None,
        }
    }

    /// The name in the JSON contract (`START_STREAM` …).
    pub const fn name(self) -> &'static str {
        match self {
            CommandId::StartStream => "START_STREAM",
            CommandId::StopStream => "STOP_STREAM",
            CommandId::SetPeriod => "SET_PERIOD",
            CommandId::GetPeriod => "GET_PERIOD",
            CommandId::Ping => "PING",
            CommandId::GetSensors => "GET_SENSORS",
            CommandId::ReadSensor => "READ_SENSOR",
            CommandId::GetUptime => "GET_UPTIME",
            CommandId::GetBoardUid => "GET_BOARD_UID",
        }
    }

    /// The CMD payload size: `(min, max)`.
    pub const fn cmd_payload_len(self) -> (usize, usize) {
        match self {
            CommandId::StartStream | CommandId::StopStream | CommandId::GetPeriod | CommandId::ReadSensor => (1, 1),
            CommandId::SetPeriod => (3, 3),
            CommandId::Ping | CommandId::GetSensors | CommandId::GetUptime | CommandId::GetBoardUid => (0, 0),
        }
    }

    /// The ACK payload size: `(min, max)` (GET_SENSORS must also be even).
    pub const fn ack_payload_len(self) -> (usize, usize) {
        match self {
            CommandId::StartStream | CommandId::StopStream | CommandId::SetPeriod | CommandId::Ping => (0, 0),
            CommandId::GetPeriod | CommandId::GetUptime => (4, 4),
            CommandId::GetSensors => (0, 2 * MAX_SENSORS),
            CommandId::ReadSensor => (1, Revision::R1.max_payload_len()),
            CommandId::GetBoardUid => (12, 12),
        }
    }

    /// `CMD <name>`: the message a wrong CMD payload size is reported for.
    const fn cmd_label(self) -> &'static str {
        match self {
            CommandId::StartStream => "CMD START_STREAM",
            CommandId::StopStream => "CMD STOP_STREAM",
            CommandId::SetPeriod => "CMD SET_PERIOD",
            CommandId::GetPeriod => "CMD GET_PERIOD",
            CommandId::Ping => "CMD PING",
            CommandId::GetSensors => "CMD GET_SENSORS",
            CommandId::ReadSensor => "CMD READ_SENSOR",
            CommandId::GetUptime => "CMD GET_UPTIME",
            CommandId::GetBoardUid => "CMD GET_BOARD_UID",
        }
    }

    /// `ACK <name>`: the message a wrong ACK payload size is reported for.
    pub(crate) const fn ack_label(self) -> &'static str {
        match self {
            CommandId::StartStream => "ACK START_STREAM",
            CommandId::StopStream => "ACK STOP_STREAM",
            CommandId::SetPeriod => "ACK SET_PERIOD",
            CommandId::GetPeriod => "ACK GET_PERIOD",
            CommandId::Ping => "ACK PING",
            CommandId::GetSensors => "ACK GET_SENSORS",
            CommandId::ReadSensor => "ACK READ_SENSOR",
            CommandId::GetUptime => "ACK GET_UPTIME",
            CommandId::GetBoardUid => "ACK GET_BOARD_UID",
        }
    }
}

/// A command (CMD payload, host → device), with its parameters.
///
/// Decoding is lenient: a SET_PERIOD period outside 5..=10000 is reported as received
/// ([`validate`](Self::validate) tells), and the encoder refuses it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum Command {
    /// START_STREAM(sensor): start the sensor's stream (resets its `seq` to 0).
    StartStream {
        /// Sensor runtime id.
        sensor: u8,
    },
    /// STOP_STREAM(sensor).
    StopStream {
        /// Sensor runtime id.
        sensor: u8,
    },
    /// SET_PERIOD(sensor, period_ms).
    SetPeriod {
        /// Sensor runtime id.
        sensor: u8,
        /// Stream period in ms (5..=10000).
        period_ms: u16,
    },
    /// GET_PERIOD(sensor).
    GetPeriod {
        /// Sensor runtime id.
        sensor: u8,
    },
    /// PING().
    Ping,
    /// GET_SENSORS().
    GetSensors,
    /// READ_SENSOR(sensor).
    ReadSensor {
        /// Sensor runtime id.
        sensor: u8,
    },
    /// GET_UPTIME().
    GetUptime,
    /// GET_BOARD_UID().
    GetBoardUid,
}

impl Command {
    /// The command's id.
    pub const fn id(&self) -> CommandId {
        match self {
            Command::StartStream { .. } => CommandId::StartStream,
            Command::StopStream { .. } => CommandId::StopStream,
            Command::SetPeriod { .. } => CommandId::SetPeriod,
            Command::GetPeriod { .. } => CommandId::GetPeriod,
            Command::Ping => CommandId::Ping,
            Command::GetSensors => CommandId::GetSensors,
            Command::ReadSensor { .. } => CommandId::ReadSensor,
            Command::GetUptime => CommandId::GetUptime,
            Command::GetBoardUid => CommandId::GetBoardUid,
        }
    }

    /// The sensor the command addresses, if it takes one.
    pub const fn sensor(&self) -> Option<u8> {
        match *self {
            Command::StartStream { sensor }
            | Command::StopStream { sensor }
            | Command::SetPeriod { sensor, .. }
            | Command::GetPeriod { sensor }
            | Command::ReadSensor { sensor } => Some(sensor),
            Command::Ping | Command::GetSensors | Command::GetUptime | Command::GetBoardUid => None,
        }
    }

    /// Reads a CMD payload for `cmd_id`. Its size must be exact.
    pub fn parse(cmd_id: u8, payload: &[u8]) -> Result<Command, Error> {
        let id = CommandId::from_u8(cmd_id).ok_or(Error::UnknownCommand { frame_type: "CMD", cmd_id })?;
        check_payload_size(id.cmd_label(), payload.len(), id.cmd_payload_len())?;
        let sensor = payload.first().copied().unwrap_or_default();
        Ok(Command::new(id, sensor, buf::u16_le(payload, 1).unwrap_or_default()))
    }

    /// The command `id` with its parameters; those it does not take are ignored.
    pub const fn new(id: CommandId, sensor: u8, period_ms: u16) -> Command {
        match id {
            CommandId::StartStream => Command::StartStream { sensor },
            CommandId::StopStream => Command::StopStream { sensor },
            CommandId::SetPeriod => Command::SetPeriod { sensor, period_ms },
            CommandId::GetPeriod => Command::GetPeriod { sensor },
            CommandId::Ping => Command::Ping,
            CommandId::GetSensors => Command::GetSensors,
            CommandId::ReadSensor => Command::ReadSensor { sensor },
            CommandId::GetUptime => Command::GetUptime,
            CommandId::GetBoardUid => Command::GetBoardUid,
        }
    }

    /// The CMD payload length (what [`emit`](Self::emit) writes).
    pub fn payload_len(&self) -> usize {
        counted(|out| self.emit(out))
    }

    /// Checks the parameters against the firmware's ranges (SET_PERIOD: 5..=10000 ms).
    pub fn validate(&self) -> Result<(), EncodeError> {
        match *self {
            Command::SetPeriod { period_ms, .. } if !(PERIOD_MS_MIN..=PERIOD_MS_MAX).contains(&period_ms) => {
                Err(EncodeError::OutOfRange { field: "period_ms" })
            }
            _ => Ok(()),
        }
    }

    /// Writes the CMD payload: the sensor, if the command takes one, then SET_PERIOD's
    /// period. Writes what [`validate`](Self::validate) refuses too (the frame encoder
    /// checks first).
    pub fn emit(&self, out: &mut impl Sink) -> Result<(), EncodeError> {
        if let Some(sensor) = self.sensor() {
            out.put_u8(sensor)?;
        }
        if let Command::SetPeriod { period_ms, .. } = *self {
            out.put_u16_le(period_ms)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The payload every command writes has the size its parse requires, and parses back.
    #[test]
    fn every_command_writes_the_size_of_the_table() {
        for id in CommandId::ALL {
            let command = match id {
                CommandId::StartStream => Command::StartStream { sensor: 7 },
                CommandId::StopStream => Command::StopStream { sensor: 7 },
                CommandId::SetPeriod => Command::SetPeriod { sensor: 7, period_ms: 0x1234 },
                CommandId::GetPeriod => Command::GetPeriod { sensor: 7 },
                CommandId::Ping => Command::Ping,
                CommandId::GetSensors => Command::GetSensors,
                CommandId::ReadSensor => Command::ReadSensor { sensor: 7 },
                CommandId::GetUptime => Command::GetUptime,
                CommandId::GetBoardUid => Command::GetBoardUid,
            };
            assert_eq!(command.id(), id);
            let (min, max) = id.cmd_payload_len();
            assert_eq!((command.payload_len(), command.payload_len()), (min, max), "{id:?}");
            let mut bytes = [0u8; 3];
            let mut writer = crate::buf::SliceWriter::new(&mut bytes);
            command.emit(&mut writer).unwrap();
            assert_eq!(Command::parse(id as u8, writer.written()), Ok(command));
        }
    }
}
