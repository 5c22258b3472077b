//! The revision-1 device's command half: what it answers to each command, and the state
//! of each sensor's stream (docs/protocols/powerscope.md, "Commands" and "Errors").
//!
//! Semantics follow the shipped firmware (command table, NACK codes, per-sensor `seq`
//! reset by START_STREAM, SENSOR_BUSY for READ_SENSOR while streaming, default period
//! 1000 ms, frames `period + 3` ms apart), except where that firmware is wrong: an unknown
//! command is refused with a 1-byte INVALID_CMD and a wrong payload size with INVALID_LEN
//! (it sent a 46-byte NACK the host drops), and every command gets its own answer.

use heapless::Vec;

use crate::error::EncodeError;

use super::command::{Command, CommandId, MAX_SENSORS};
use super::frame::Frame;
use super::frame_queue::WireFrame;
use super::header::{FrameType, Revision};
use super::ina219::{INA219_TYPE_ID, Ina219Sample, SensorPacket};
use super::load_profile::Reading;
use super::message::{Ack, Cmd, Message, Nack, Stream};
use super::reply::{ErrorCode, Reply, SensorList};

/// The most sensors a [`Board`] has (the shipped firmware has at most 4).
pub const MAX_BOARD_SENSORS: usize = 8;

/// A stream's period until SET_PERIOD changes it, in ms (what GET_PERIOD answers at boot).
pub const DEFAULT_PERIOD_MS: u16 = 1000;

/// What the device does about a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Send this ACK or NACK.
    Reply(WireFrame),
    /// READ_SENSOR accepted: read the sensor at `index` and answer with
    /// [`Board::sample_reply`] (or [`read_failed`]).
    ReadSensor {
        /// Index of the sensor in the board's table.
        index: usize,
    },
}

/// One sensor's stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct StreamState {
    period_ms: u16,
    /// `seq` of the next STREAM frame.
    seq: u32,
    /// When the next sample is due (device clock, ms); `None` while the stream is stopped.
    due_ms: Option<u64>,
}

const IDLE: StreamState = StreamState { period_ms: DEFAULT_PERIOD_MS, seq: 0, due_ms: None };

/// The state the commands act on: the sensor table, the board's UID and one stream per
/// sensor.
#[derive(Debug, Clone)]
pub struct Board {
    runtime_ids: Vec<u8, MAX_BOARD_SENSORS>,
    streams: [StreamState; MAX_BOARD_SENSORS],
    uid: [u8; 12],
    /// Time the sampling state machine adds to every period (3 ms on the shipped firmware).
    overhead_ms: u16,
}

impl Board {
    /// A board whose INA219s have these runtime ids (the first [`MAX_BOARD_SENSORS`];
    /// a repeated id is listed but only its first sensor is addressed), with the 96-bit
    /// unique id `uid` (three little-endian words, as GET_BOARD_UID sends them), spacing
    /// samples `period + overhead_ms` apart. No stream runs.
    pub fn new(runtime_ids: &[u8], uid: [u8; 12], overhead_ms: u16) -> Board {
        let mut ids = Vec::new();
        for &id in runtime_ids.iter().take(MAX_BOARD_SENSORS) {
            let _ = ids.push(id);
        }
        Board { runtime_ids: ids, streams: [IDLE; MAX_BOARD_SENSORS], uid, overhead_ms }
    }

    /// The sensors' runtime ids.
    pub fn runtime_ids(&self) -> &[u8] {
        &self.runtime_ids
    }

    /// Stops every stream and restores the default periods (a device reset).
    pub fn reset(&mut self) {
        self.streams = [IDLE; MAX_BOARD_SENSORS];
    }

    fn index(&self, runtime_id: u8) -> Option<usize> {
        self.runtime_ids.iter().position(|&id| id == runtime_id)
    }

    /// The stream of a sensor runtime id; INVALID_VALUE for an id the board does not have.
    fn stream(&mut self, runtime_id: u8) -> Result<&mut StreamState, ErrorCode> {
        let index = self.index(runtime_id).ok_or(ErrorCode::InvalidValue)?;
        self.streams.get_mut(index).ok_or(ErrorCode::InvalidValue)
    }

    /// Acts on a decoded command received at device time `now_ms`.
    pub fn answer(&mut self, cmd: &Cmd, now_ms: u64) -> Result<Answer, EncodeError> {
        let ts_ms = now_ms as u32;
        let first_due = now_ms.saturating_add(u64::from(self.overhead_ms));
        let reply = match cmd.command {
            Command::StartStream { sensor } => self.stream(sensor).map(|s| {
                (s.seq, s.due_ms) = (0, Some(first_due));
                Reply::StartStream
            }),
            Command::StopStream { sensor } => self.stream(sensor).map(|s| {
                s.due_ms = None;
                Reply::StopStream
            }),
            Command::SetPeriod { .. } if cmd.command.validate().is_err() => Err(ErrorCode::InvalidValue),
            Command::SetPeriod { sensor, period_ms } => self.stream(sensor).map(|s| {
                s.period_ms = period_ms;
                Reply::SetPeriod
            }),
            Command::GetPeriod { sensor } => {
                self.stream(sensor).map(|s| Reply::GetPeriod { period_ms: u32::from(s.period_ms) })
            }
            Command::ReadSensor { sensor } => match self.index(sensor) {
                None => Err(ErrorCode::InvalidValue),
                Some(index) if self.is_streaming(index) => Err(ErrorCode::SensorBusy),
                Some(index) => return Ok(Answer::ReadSensor { index }),
            },
            Command::Ping => Ok(Reply::Ping),
            Command::GetSensors => {
                let mut list = [0u8; 2 * MAX_SENSORS];
                for (pair, &id) in list.chunks_exact_mut(2).zip(&self.runtime_ids) {
                    pair.copy_from_slice(&[id, INA219_TYPE_ID]);
                }
                let len = 2 * self.runtime_ids.len();
                let sensors = SensorList::new(list.get(..len).unwrap_or_default()).unwrap_or_default();
                return WireFrame::encode(&Message::Ack(Ack::new(cmd.seq, ts_ms, Reply::GetSensors(sensors))))
                    .map(Answer::Reply);
            }
            Command::GetUptime => Ok(Reply::GetUptime { uptime_ms: ts_ms }),
            Command::GetBoardUid => Ok(Reply::GetBoardUid { uid: self.uid }),
        };
        let frame = match reply {
            Ok(reply) => WireFrame::encode(&Message::Ack(Ack::new(cmd.seq, ts_ms, reply))),
            Err(error) => nack(cmd.seq, ts_ms, cmd.command.id() as u8, error),
        };
        frame.map(Answer::Reply)
    }

    /// The ACK of an accepted READ_SENSOR, with the reading of the sensor at `index`.
    pub fn sample_reply(
        &self,
        cmd: &Cmd,
        index: usize,
        reading: Reading,
        now_ms: u64,
    ) -> Result<WireFrame, EncodeError> {
        let packet = SensorPacket::Ina219(self.sample(index, reading));
        WireFrame::encode(&Message::Ack(Ack::new(cmd.seq, now_ms as u32, Reply::ReadSensor(packet))))
    }

    /// Whether the sensor at `index` streams.
    pub fn is_streaming(&self, index: usize) -> bool {
        self.streams.get(index).is_some_and(|s| s.due_ms.is_some())
    }

    /// The streaming sensor whose sample is due first, and when: `(index, due_ms)`.
    pub fn next_due(&self) -> Option<(usize, u64)> {
        let count = self.runtime_ids.len();
        self.streams
            .iter()
            .take(count)
            .enumerate()
            .filter_map(|(i, s)| s.due_ms.map(|due| (i, due)))
            .min_by_key(|&(_, due)| due)
    }

    /// The spacing of the sensor at `index`'s samples: its period plus the overhead.
    pub fn interval_ms(&self, index: usize) -> u64 {
        self.streams.get(index).map_or(u64::from(DEFAULT_PERIOD_MS), |s| u64::from(s.period_ms))
            + u64::from(self.overhead_ms)
    }

    /// Skips `count` samples of the sensor at `index` that were never sent (the host was
    /// too slow for them to be worth producing): their `seq`s and their times go by.
    pub fn skip(&mut self, index: usize, count: u64) {
        let interval = self.interval_ms(index);
        if let Some(s) = self.streams.get_mut(index) {
            s.seq = s.seq.wrapping_add(count as u32);
            s.due_ms = s.due_ms.map(|due| due.saturating_add(interval.saturating_mul(count)));
        }
    }

    /// The STREAM frame of the due sample of the sensor at `index`, taken with `reading`
    /// (or none when the sensor did not answer: no `seq` is used), and schedules the next
    /// sample. `None` if the sensor does not stream.
    pub fn stream_frame(&mut self, index: usize, reading: Option<Reading>) -> Option<Result<WireFrame, EncodeError>> {
        let interval = self.interval_ms(index);
        let sample = reading.map(|r| self.sample(index, r));
        let s = self.streams.get_mut(index)?;
        let due = s.due_ms?;
        s.due_ms = Some(due.saturating_add(interval));
        let sample = sample?;
        let seq = s.seq;
        s.seq = s.seq.wrapping_add(1);
        let packet = SensorPacket::Ina219(sample);
        Some(WireFrame::encode(&Message::Stream(Stream::new(seq, due as u32, packet))))
    }

    fn sample(&self, index: usize, reading: Reading) -> Ina219Sample {
        let runtime_id = self.runtime_ids.get(index).copied().unwrap_or_default();
        Ina219Sample { runtime_id, bus_mv: reading.bus_mv, current_ua: reading.current_ua }
    }
}

/// The NACK of an accepted READ_SENSOR whose sensor did not answer.
pub fn read_failed(cmd: &Cmd, now_ms: u64) -> Result<WireFrame, EncodeError> {
    nack(cmd.seq, now_ms as u32, CommandId::ReadSensor as u8, ErrorCode::Internal)
}

/// The answer to a frame the stream decoder rejected: a checksum-valid CMD whose
/// `cmd_id` is unknown gets INVALID_CMD, one whose payload has the wrong size
/// INVALID_LEN. Anything else (noise, a bad CRC, a frame of another type) gets none,
/// since its header cannot be trusted or asks for nothing.
pub fn refusal(bytes: &[u8], now_ms: u64) -> Option<Result<WireFrame, EncodeError>> {
    let header = Frame::new_checked(bytes, Revision::R1).ok()?.header_repr();
    if FrameType::from_u8(header.frame_type) != Some(FrameType::Cmd) {
        return None;
    }
    let error = match CommandId::from_u8(header.cmd_id) {
        Some(_) => ErrorCode::InvalidLen,
        None => ErrorCode::InvalidCmd,
    };
    Some(nack(header.seq, now_ms as u32, header.cmd_id, error))
}

fn nack(seq: u32, ts_ms: u32, cmd_id: u8, error: ErrorCode) -> Result<WireFrame, EncodeError> {
    WireFrame::encode(&Message::Nack(Nack::new(seq, ts_ms, cmd_id, error)))
}
