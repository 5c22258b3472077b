//! Requests (`PC_` → `STM`): DATA is a 2-digit command code followed by parameters
//! (`docs/protocols/ascii-crc8.md`, 2.1).

use super::address::Address;
use super::digits::{decimal, digit, put_decimal};
use super::frame::{OVERHEAD, emit_frame_with};
use crate::buf::{Counter, Sink};
use crate::error::EncodeError;

/// The command codes of the original documentation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum CommandCode {
    /// `10`: start periodic measurement.
    Start,
    /// `11`: stop periodic measurement.
    Stop,
    /// `12`: the latest measurement.
    Download,
    /// `13xxzz`: `zz` archived measurements from offset `xx` (newest first).
    View,
    /// `14xxxx`: set the measurement interval in ms.
    SetInterval,
    /// `15`: read the measurement interval.
    GetInterval,
    /// `16x`: set the BH1750 mode.
    SetMode,
    /// `17`: read the BH1750 mode.
    GetMode,
    /// `18`: probe the I2C bus for the sensor.
    I2cScan,
}

impl CommandCode {
    /// Every command, in code order.
    pub const ALL: [CommandCode; 9] = [
        CommandCode::Start,
        CommandCode::Stop,
        CommandCode::Download,
        CommandCode::View,
        CommandCode::SetInterval,
        CommandCode::GetInterval,
        CommandCode::SetMode,
        CommandCode::GetMode,
        CommandCode::I2cScan,
    ];

    /// The 2-digit code (10–18).
    pub const fn code(self) -> u8 {
        match self {
            CommandCode::Start => 10,
            CommandCode::Stop => 11,
            CommandCode::Download => 12,
            CommandCode::View => 13,
            CommandCode::SetInterval => 14,
            CommandCode::GetInterval => 15,
            CommandCode::SetMode => 16,
            CommandCode::GetMode => 17,
            CommandCode::I2cScan => 18,
        }
    }

    /// The command for a code.
    pub const fn from_code(code: u8) -> Option<CommandCode> {
        Some(match code {
            10 => CommandCode::Start,
            11 => CommandCode::Stop,
            12 => CommandCode::Download,
            13 => CommandCode::View,
            14 => CommandCode::SetInterval,
            15 => CommandCode::GetInterval,
            16 => CommandCode::SetMode,
            17 => CommandCode::GetMode,
            18 => CommandCode::I2cScan,
            _ => return None,
        })
    }

    /// The name in the original documentation (`START`, …, `I2C_SCAN`), the JSON `type`.
    pub const fn name(self) -> &'static str {
        match self {
            CommandCode::Start => "START",
            CommandCode::Stop => "STOP",
            CommandCode::Download => "DOWNLOAD",
            CommandCode::View => "VIEW",
            CommandCode::SetInterval => "SET_INTERVAL",
            CommandCode::GetInterval => "GET_INTERVAL",
            CommandCode::SetMode => "SET_MODE",
            CommandCode::GetMode => "GET_MODE",
            CommandCode::I2cScan => "I2C_SCAN",
        }
    }

    /// Reads the code from the first two characters of a request's DATA.
    pub fn from_data(data: &[u8]) -> Option<CommandCode> {
        let code = decimal(data.get(..2)?)?;
        CommandCode::from_code(code as u8)
    }
}

impl core::fmt::Display for CommandCode {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(self.name())
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for CommandCode {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.name())
    }
}

/// The largest VIEW offset (`xx`).
pub const VIEW_MAX_OFFSET: u8 = 99;
/// The VIEW count range (`zz`).
pub const VIEW_COUNT: core::ops::RangeInclusive<u8> = 1..=99;
/// The SET_INTERVAL range in ms.
pub const INTERVAL_MS: core::ops::RangeInclusive<u32> = 1..=9999;
/// The SET_MODE range (1–3 continuous H/H2/L, 4–6 one-time H/H2/L).
pub const MODE: core::ops::RangeInclusive<u8> = 1..=6;

/// A request's command with its parameters, read as the device reads them.
///
/// A parameter the device could not read is `None` (the device answers `01` ERR_PARAM).
/// Decoding never checks ranges: [`validate`](Command::validate) does, and the encoder
/// refuses what it rejects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Command {
    /// `10`.
    Start,
    /// `11`.
    Stop,
    /// `12`.
    Download,
    /// `13xxzz`: two fixed-width 2-digit parameters right after the code.
    View {
        /// `xx`: offset from the newest measurement (0–99).
        offset: Option<u8>,
        /// `zz`: how many measurements (1–99).
        count: Option<u8>,
    },
    /// `14xxxx`: all consecutive digits after the code, at least 4.
    SetInterval {
        /// The interval in ms (1–9999 is valid).
        interval_ms: Option<u32>,
    },
    /// `15`.
    GetInterval,
    /// `16x`: one digit right after the code.
    SetMode {
        /// The mode (1–6 is valid).
        mode: Option<u8>,
    },
    /// `17`.
    GetMode,
    /// `18`.
    I2cScan,
}

/// Reads a fixed-width decimal parameter at `range` of `data`.
fn fixed(data: &[u8], range: core::ops::Range<usize>) -> Option<u8> {
    decimal(data.get(range)?).and_then(|v| u8::try_from(v).ok())
}

impl Command {
    /// The command's code.
    pub const fn code(&self) -> CommandCode {
        match self {
            Command::Start => CommandCode::Start,
            Command::Stop => CommandCode::Stop,
            Command::Download => CommandCode::Download,
            Command::View { .. } => CommandCode::View,
            Command::SetInterval { .. } => CommandCode::SetInterval,
            Command::GetInterval => CommandCode::GetInterval,
            Command::SetMode { .. } => CommandCode::SetMode,
            Command::GetMode => CommandCode::GetMode,
            Command::I2cScan => CommandCode::I2cScan,
        }
    }

    /// Reads a request's DATA; `None` when it does not start with a known 2-digit code.
    pub fn parse(data: &[u8]) -> Option<Command> {
        let code = CommandCode::from_data(data)?;
        let params = data.get(2..).unwrap_or(&[]);
        Some(match code {
            CommandCode::Start => Command::Start,
            CommandCode::Stop => Command::Stop,
            CommandCode::Download => Command::Download,
            CommandCode::View => Command::View { offset: fixed(params, 0..2), count: fixed(params, 2..4) },
            CommandCode::SetInterval => {
                let n = params.iter().take_while(|b| b.is_ascii_digit()).count();
                let interval_ms = if n >= 4 { params.get(..n).and_then(decimal) } else { None };
                Command::SetInterval { interval_ms }
            }
            CommandCode::GetInterval => Command::GetInterval,
            CommandCode::SetMode => Command::SetMode { mode: params.first().copied().and_then(digit) },
            CommandCode::GetMode => Command::GetMode,
            CommandCode::I2cScan => Command::I2cScan,
        })
    }

    /// Checks the parameters against the ranges of the original documentation: VIEW offset 0–99 and count 1–99,
    /// SET_INTERVAL 1–9999 ms, SET_MODE 1–6; every parameter present.
    pub fn validate(&self) -> Result<(), EncodeError> {
        let ok = |field: &'static str, valid: bool| if valid { Ok(()) } else { Err(EncodeError::OutOfRange { field }) };
        match *self {
            Command::View { offset, count } => {
                ok("offset", offset.is_some_and(|o| o <= VIEW_MAX_OFFSET))?;
                ok("count", count.is_some_and(|c| VIEW_COUNT.contains(&c)))
            }
            Command::SetInterval { interval_ms } => {
                ok("interval_ms", interval_ms.is_some_and(|v| INTERVAL_MS.contains(&v)))
            }
            Command::SetMode { mode } => ok("mode", mode.is_some_and(|m| MODE.contains(&m))),
            _ => Ok(()),
        }
    }

    /// Puts the DATA of the original documentation's examples: parameterless commands as
    /// code + `0` (`100`), VIEW `13xxzz`, SET_INTERVAL `14xxxx`, SET_MODE `16x`. Ranges are not
    /// checked here ([`validate`](Self::validate) does); a missing parameter is written as 0.
    fn write_data(&self, data: &mut impl Sink) -> Result<(), EncodeError> {
        put_decimal(data, u32::from(self.code().code()), 2)?;
        match *self {
            Command::View { offset, count } => {
                put_decimal(data, u32::from(offset.unwrap_or(0)), 2)?;
                put_decimal(data, u32::from(count.unwrap_or(0)), 2)
            }
            Command::SetInterval { interval_ms } => put_decimal(data, interval_ms.unwrap_or(0), 4),
            Command::SetMode { mode } => put_decimal(data, u32::from(mode.unwrap_or(0)), 1),
            _ => data.put(b"0"),
        }
    }

    /// Bytes of the frame [`encode_request`] writes for this command.
    pub fn buffer_len(&self) -> usize {
        let mut data = Counter::new();
        // Counting cannot fail.
        let _ = self.write_data(&mut data);
        OVERHEAD + data.len()
    }
}

/// Writes a request frame `&PC_STM<id><len><data><crc>*` for `command` into `out` and
/// returns its length. DATA is written as in the original documentation's examples (see
/// [`Command::validate`] for the ranges the encoder enforces; the ID must be ≤ 99).
pub fn encode_request(out: &mut [u8], id: u8, command: &Command) -> Result<usize, EncodeError> {
    command.validate()?;
    emit_frame_with(out, Address::PC, Address::STM, id, |data| command.write_data(data))
}
