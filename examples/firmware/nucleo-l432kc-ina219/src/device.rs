//! The device's answers to revision-1 commands, and its per-sensor stream state.
//!
//! Semantics follow the shipped firmware (command table, NACK codes, per-sensor `seq`
//! reset by START_STREAM, SENSOR_BUSY for READ_SENSOR while streaming, default period
//! 1000 ms), except where that firmware is wrong: an unknown command is refused with
//! INVALID_CMD and a wrong payload size with INVALID_LEN (it sent a 46-byte NACK the host
//! drops), and every command gets its own answer (it kept only the last of a burst).

use serial_dialects::EncodeError;
use serial_dialects::powerscope::{
    Ack, Cmd, Command, CommandId, ErrorCode, Frame, FrameType, INA219_TYPE_ID, Ina219Sample, MAX_SENSORS, Message,
    Nack, Reply, Revision, SensorList, SensorPacket, Stream,
};

use crate::frame::WireFrame;
use crate::ina219::Reading;

/// A stream's period until SET_PERIOD changes it, in ms (what GET_PERIOD answers at boot).
pub const DEFAULT_PERIOD_MS: u16 = 1000;

/// What the device does about a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// Send this ACK or NACK.
    Reply(WireFrame),
    /// READ_SENSOR accepted: read sensor `index` and answer with [`Device::sample_reply`]
    /// (or [`read_failed`]).
    ReadSensor {
        /// Index of the sensor in the board's table.
        index: usize,
    },
}

#[derive(Debug, Clone, Copy)]
struct StreamState {
    streaming: bool,
    period_ms: u16,
    /// `seq` of the next STREAM frame.
    seq: u32,
    /// START_STREAM arrived since the sampler last looked: sample now, not at the old
    /// schedule.
    restarted: bool,
}

/// The state the commands act on, for a board with `N` sensors.
#[derive(Debug)]
pub struct Device<const N: usize> {
    runtime_ids: [u8; N],
    streams: [StreamState; N],
    /// The GET_SENSORS answer, `{runtime_id, type_id}` pairs.
    sensor_list: [u8; 2 * MAX_SENSORS],
    uid: [u8; 12],
}

impl<const N: usize> Device<N> {
    const FITS: () = assert!(N <= MAX_SENSORS, "GET_SENSORS holds at most 23 sensors");

    /// A device whose INA219s have these runtime ids, with the board's 96-bit unique id
    /// (three little-endian words, as GET_BOARD_UID sends them). No stream runs.
    pub fn new(runtime_ids: [u8; N], uid: [u8; 12]) -> Self {
        let () = Self::FITS;
        let mut sensor_list = [0; 2 * MAX_SENSORS];
        for (pair, &id) in sensor_list.chunks_exact_mut(2).zip(&runtime_ids) {
            pair.copy_from_slice(&[id, INA219_TYPE_ID]);
        }
        let idle = StreamState { streaming: false, period_ms: DEFAULT_PERIOD_MS, seq: 0, restarted: false };
        Device { runtime_ids, streams: [idle; N], sensor_list, uid }
    }

    fn index(&self, runtime_id: u8) -> Option<usize> {
        self.runtime_ids.iter().position(|&id| id == runtime_id)
    }

    /// The stream of a sensor runtime id; INVALID_VALUE for an id the board does not have.
    fn stream(&mut self, runtime_id: u8) -> Result<&mut StreamState, ErrorCode> {
        let index = self.index(runtime_id).ok_or(ErrorCode::InvalidValue)?;
        self.streams.get_mut(index).ok_or(ErrorCode::InvalidValue)
    }

    /// Acts on a decoded command received at `now_ms` (device uptime).
    pub fn answer(&mut self, cmd: &Cmd, now_ms: u32) -> Result<Answer, EncodeError> {
        let reply = match cmd.command {
            Command::StartStream { sensor } => self.stream(sensor).map(|s| {
                (s.streaming, s.seq, s.restarted) = (true, 0, true);
                Reply::StartStream
            }),
            Command::StopStream { sensor } => self.stream(sensor).map(|s| {
                s.streaming = false;
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
                Some(index) if self.streams[index].streaming => Err(ErrorCode::SensorBusy),
                Some(index) => return Ok(Answer::ReadSensor { index }),
            },
            Command::Ping => Ok(Reply::Ping),
            Command::GetSensors => Ok(Reply::GetSensors(self.sensor_list())),
            Command::GetUptime => Ok(Reply::GetUptime { uptime_ms: now_ms }),
            Command::GetBoardUid => Ok(Reply::GetBoardUid { uid: self.uid }),
        };
        let frame = match reply {
            Ok(reply) => WireFrame::encode(&Message::Ack(Ack::new(cmd.seq, now_ms, reply))),
            Err(error) => nack(cmd.seq, now_ms, cmd.command.id() as u8, error),
        };
        frame.map(Answer::Reply)
    }

    /// The GET_SENSORS answer.
    fn sensor_list(&self) -> SensorList<'_> {
        // Always whole pairs, and N <= 23 is checked at compile time.
        SensorList::new(self.sensor_list.get(..2 * N).unwrap_or_default()).unwrap_or_default()
    }

    /// The ACK of an accepted READ_SENSOR, with the reading of sensor `index`.
    pub fn sample_reply(
        &self,
        cmd: &Cmd,
        index: usize,
        reading: Reading,
        now_ms: u32,
    ) -> Result<WireFrame, EncodeError> {
        let packet = SensorPacket::Ina219(self.sample(index, reading));
        WireFrame::encode(&Message::Ack(Ack::new(cmd.seq, now_ms, Reply::ReadSensor(packet))))
    }

    /// Whether sensor `index` streams, and at what period; clears its "restarted" mark,
    /// which is returned too (the sampler then samples at once).
    pub fn take_schedule(&mut self, index: usize) -> Option<(u16, bool)> {
        let s = self.streams.get_mut(index)?;
        let restarted = core::mem::take(&mut s.restarted);
        s.streaming.then_some((s.period_ms, restarted))
    }

    /// The STREAM frame for a reading of sensor `index` taken at `now_ms`, with the next
    /// `seq` of its stream; `None` if the stream stopped while the sensor was being read.
    pub fn stream_frame(
        &mut self,
        index: usize,
        reading: Reading,
        now_ms: u32,
    ) -> Option<Result<WireFrame, EncodeError>> {
        let sample = self.sample(index, reading);
        let s = self.streams.get_mut(index).filter(|s| s.streaming)?;
        let seq = s.seq;
        s.seq = s.seq.wrapping_add(1);
        let packet = SensorPacket::Ina219(sample);
        Some(WireFrame::encode(&Message::Stream(Stream::new(seq, now_ms, packet))))
    }

    fn sample(&self, index: usize, reading: Reading) -> Ina219Sample {
        let runtime_id = self.runtime_ids.get(index).copied().unwrap_or_default();
        Ina219Sample { runtime_id, bus_mv: reading.bus_mv, current_ua: reading.current_ua }
    }
}

/// The NACK of an accepted READ_SENSOR whose sensor did not answer on the bus.
pub fn read_failed(cmd: &Cmd, now_ms: u32) -> Result<WireFrame, EncodeError> {
    nack(cmd.seq, now_ms, CommandId::ReadSensor as u8, ErrorCode::Internal)
}

/// The answer to a frame the stream decoder rejected: a checksum-valid CMD whose
/// `cmd_id` is unknown gets INVALID_CMD, one whose payload has the wrong size
/// INVALID_LEN. Anything else (noise, a bad CRC, a frame of another type) gets none,
/// since its header cannot be trusted or asks for nothing.
pub fn refusal(bytes: &[u8], now_ms: u32) -> Option<Result<WireFrame, EncodeError>> {
    let header = Frame::new_checked(bytes, Revision::R1).ok()?.header_repr();
    if FrameType::from_u8(header.frame_type) != Some(FrameType::Cmd) {
        return None;
    }
    let error = match CommandId::from_u8(header.cmd_id) {
        Some(_) => ErrorCode::InvalidLen,
        None => ErrorCode::InvalidCmd,
    };
    Some(nack(header.seq, now_ms, header.cmd_id, error))
}

fn nack(seq: u32, now_ms: u32, cmd_id: u8, error: ErrorCode) -> Result<WireFrame, EncodeError> {
    WireFrame::encode(&Message::Nack(Nack::new(seq, now_ms, cmd_id, error)))
}

#[cfg(test)]
mod tests {
    use std::vec::Vec;

    use serial_dialects::powerscope::PowerScope;
    use serial_dialects::{SliceDecoder, StreamDecoder};

    use super::*;

    /// The shipped firmware's simulator board: INA219s with runtime ids 1 and 2, and the
    /// UID of the golden vectors.
    const UID: [u8; 12] = [0x48, 0x35, 0x8a, 0xb4, 0xa2, 0x91, 0x92, 0x5a, 0xfc, 0x00, 0xe4, 0xf0];

    fn sim_board() -> Device<2> {
        Device::new([1, 2], UID)
    }

    fn cmd(seq: u32, command: Command) -> Cmd {
        Cmd::new(seq, 0, command)
    }

    fn reply(answer: Result<Answer, EncodeError>) -> Message<'static> {
        let Ok(Answer::Reply(frame)) = answer else { panic!("expected a reply, got {answer:?}") };
        let bytes: &'static [u8] = Vec::leak(frame.as_bytes().to_vec());
        Message::from_bytes(bytes, Revision::R1).unwrap()
    }

    fn nack_code(answer: Result<Answer, EncodeError>) -> Option<ErrorCode> {
        match reply(answer) {
            Message::Nack(n) => Some(n.error),
            _ => None,
        }
    }

    fn reading_of(packet: &SensorPacket<'_>) -> Reading {
        let s = packet.ina219().unwrap();
        Reading { bus_mv: s.bus_mv, current_ua: s.current_ua }
    }

    /// The golden session of the shipped firmware (`tests/captures/powerscope/head_commands_*`):
    /// our answers to its twelve commands are byte for byte its answers, and our STREAM
    /// frames carry the same seq for the same readings.
    #[test]
    fn answers_the_golden_session_byte_for_byte() {
        let host = include_bytes!("../../../../tests/captures/powerscope/head_commands_host2dev.bin");
        let device = include_bytes!("../../../../tests/captures/powerscope/head_commands_dev2host.bin");
        let expected: Vec<(Message<'_>, &[u8])> = SliceDecoder::new(PowerScope::r1(), device)
            .map(|e| {
                let range = e.offset as usize..e.offset as usize + e.len;
                match e.into_frame() {
                    Some(m) => (m, &device[range]),
                    other => panic!("golden device output has a non-frame: {other:?}"),
                }
            })
            .collect();
        let (acks, streams): (Vec<_>, Vec<_>) = expected.iter().partition(|(m, _)| !matches!(m, Message::Stream(_)));

        let mut board = sim_board();
        let mut decoder: StreamDecoder<PowerScope, 64> = StreamDecoder::new(PowerScope::r1());
        let mut answered = 0;
        for chunk in host.chunks(7) {
            let mut rest: &[u8] = chunk;
            while !rest.is_empty() {
                rest = &rest[decoder.push(rest)..];
                while let Some((event, _)) = decoder.next_with_bytes() {
                    let Some(Message::Cmd(c)) = event.frame() else { panic!("not a command") };
                    let (want, want_bytes) = acks[answered];
                    let now = want.header().unwrap().ts_ms;
                    let frame = match board.answer(c, now).unwrap() {
                        Answer::Reply(frame) => frame,
                        Answer::ReadSensor { index } => {
                            let Message::Ack(Ack { reply: Reply::ReadSensor(p), .. }) = want else { panic!() };
                            board.sample_reply(c, index, reading_of(&p), now).unwrap()
                        }
                    };
                    assert_eq!(frame.as_bytes(), want_bytes, "answer to {c:?}");
                    if matches!(c.command, Command::StartStream { .. }) {
                        assert_eq!(board.take_schedule(0), Some((20, true)));
                        for (m, bytes) in &streams {
                            let Message::Stream(s) = m else { unreachable!() };
                            let frame = board.stream_frame(0, reading_of(&s.packet), s.ts_ms).unwrap().unwrap();
                            assert_eq!(frame.as_bytes(), *bytes);
                        }
                    }
                    answered += 1;
                }
            }
        }
        assert_eq!(answered, 12);
        assert_eq!(board.take_schedule(0), None, "STOP_STREAM stopped sensor 1");
    }

    #[test]
    fn refuses_bad_parameters_with_the_shipped_codes() {
        let mut b = sim_board();
        let invalid = Some(ErrorCode::InvalidValue);
        assert_eq!(nack_code(b.answer(&cmd(1, Command::StartStream { sensor: 9 }), 0)), invalid);
        assert_eq!(nack_code(b.answer(&cmd(2, Command::SetPeriod { sensor: 2, period_ms: 4 }), 0)), invalid);
        assert_eq!(nack_code(b.answer(&cmd(3, Command::SetPeriod { sensor: 2, period_ms: 10_001 }), 0)), invalid);
        assert_eq!(nack_code(b.answer(&cmd(4, Command::GetPeriod { sensor: 7 }), 0)), invalid);
        assert_eq!(nack_code(b.answer(&cmd(5, Command::ReadSensor { sensor: 0 }), 0)), invalid);
        assert_eq!(nack_code(b.answer(&cmd(6, Command::StartStream { sensor: 1 }), 0)), None);
        let busy = b.answer(&cmd(7, Command::ReadSensor { sensor: 1 }), 0);
        assert_eq!(nack_code(busy), Some(ErrorCode::SensorBusy));
        assert_eq!(nack_code(b.answer(&cmd(8, Command::StopStream { sensor: 1 }), 0)), None);
        assert_eq!(b.answer(&cmd(9, Command::ReadSensor { sensor: 2 }), 0), Ok(Answer::ReadSensor { index: 1 }));
        // Edges of the period range are accepted.
        for period_ms in [5, 10_000] {
            assert_eq!(nack_code(b.answer(&cmd(10, Command::SetPeriod { sensor: 1, period_ms }), 0)), None);
        }
    }

    /// A frame with this header, payload and a correct CRC (what a buggy host may send).
    fn raw_cmd(cmd_id: u8, seq: u32, payload: &[u8]) -> Vec<u8> {
        let mut frame = Vec::from([0xA5, 0x5A, 1, 0, payload.len() as u8, 0, cmd_id, 0]);
        frame.extend_from_slice(&seq.to_le_bytes());
        frame.extend_from_slice(&0u32.to_le_bytes());
        frame.extend_from_slice(payload);
        let crc = serial_dialects::crc::crc16(&frame);
        frame.extend_from_slice(&crc.to_le_bytes());
        frame
    }

    #[test]
    fn rejected_commands_get_invalid_cmd_or_invalid_len() {
        let mut wire = raw_cmd(0x42, 8, &[]); // unknown command
        wire.extend(raw_cmd(0x05, 9, &[1])); // PING with a byte
        wire.extend(raw_cmd(0x03, 10, &[1])); // SET_PERIOD with 1 byte
        let mut bad_crc = raw_cmd(0x05, 11, &[]);
        bad_crc[17] ^= 1;
        wire.extend(bad_crc);
        wire.extend(raw_cmd(0x05, 12, &[])); // a valid PING after it is still answered

        let mut decoder: StreamDecoder<PowerScope, 64> = StreamDecoder::new(PowerScope::r1());
        assert_eq!(decoder.push(&wire[..64]), 64);
        let mut answers = Vec::new();
        let mut fed = 64;
        loop {
            while let Some((event, bytes)) = decoder.next_with_bytes() {
                let frame = match event.frame() {
                    Some(Message::Cmd(c)) => match sim_board().answer(c, 77).unwrap() {
                        Answer::Reply(f) => Some(f),
                        Answer::ReadSensor { .. } => None,
                    },
                    _ => refusal(bytes, 77).map(Result::unwrap),
                };
                answers.extend(frame.map(|f| reply(Ok(Answer::Reply(f)))));
            }
            if fed == wire.len() {
                break;
            }
            fed += decoder.push(&wire[fed..]);
        }
        let summary: Vec<_> = answers
            .iter()
            .map(|m| match m {
                Message::Nack(n) => (n.seq, n.cmd_id, Some(n.error)),
                other => other.header().map(|h| (h.seq, h.cmd_id, None)).unwrap(),
            })
            .collect();
        assert_eq!(
            summary,
            [
                (8, 0x42, Some(ErrorCode::InvalidCmd)),
                (9, 5, Some(ErrorCode::InvalidLen)),
                (10, 3, Some(ErrorCode::InvalidLen)),
                (12, 5, None)
            ]
        );
    }

    #[test]
    fn stream_seq_restarts_and_stops() {
        let mut b = sim_board();
        let r = Reading { bus_mv: 3300, current_ua: -1500 };
        assert!(b.stream_frame(1, r, 0).is_none(), "no frame while stopped");
        b.answer(&cmd(1, Command::StartStream { sensor: 2 }), 0).unwrap();
        assert_eq!(b.take_schedule(1), Some((DEFAULT_PERIOD_MS, true)));
        assert_eq!(b.take_schedule(1), Some((DEFAULT_PERIOD_MS, false)));
        let seq = |f: WireFrame| reply(Ok(Answer::Reply(f))).header().unwrap().seq;
        assert_eq!(seq(b.stream_frame(1, r, 10).unwrap().unwrap()), 0);
        assert_eq!(seq(b.stream_frame(1, r, 20).unwrap().unwrap()), 1);
        b.answer(&cmd(2, Command::StartStream { sensor: 2 }), 30).unwrap();
        assert_eq!(seq(b.stream_frame(1, r, 40).unwrap().unwrap()), 0);
        b.answer(&cmd(3, Command::StopStream { sensor: 2 }), 50).unwrap();
        assert!(b.stream_frame(1, r, 60).is_none());
    }
}
