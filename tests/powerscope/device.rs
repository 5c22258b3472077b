//! The powerscope device model (docs/protocols/powerscope.md, "Device model"), driven
//! in-process: every command and NACK, the golden session byte for byte, stream timing over
//! simulated time, the drop-oldest queue, revision 0's ramp and commands, garbage input.

use std::collections::HashMap;

use serial_dialects::device::{Device, OutputKind};
use serial_dialects::powerscope::device::{Model, QUEUE_CAPACITY, Settings};
use serial_dialects::powerscope::load_profile::{Reading, SampleSource};
use serial_dialects::powerscope::{Ack, Cmd, Command, Config, ErrorCode, Message, PowerScope, Reply, SensorPacket};
use serial_dialects::{SliceDecoder, StreamDecoder};

use super::crafted;

const MAX: usize = <Model as Device>::MAX_TRANSMIT;

/// Every piece the model has to send at `now`, appended to `wire`; returns the kinds.
fn drain<D: Device>(model: &mut D, now: u64, wire: &mut Vec<u8>) -> Vec<OutputKind> {
    let mut buf = vec![0u8; D::MAX_TRANSMIT];
    let mut kinds = Vec::new();
    while let Some(t) = model.transmit(now, &mut buf) {
        assert!(t.len >= 1 && t.len <= D::MAX_TRANSMIT);
        wire.extend_from_slice(&buf[..t.len]);
        kinds.push(t.kind);
        assert!(kinds.len() < 100_000, "transmit never answered None");
    }
    kinds
}

/// Runs the model from `from` to `to` ms, reading its output every `step` ms.
fn run<D: Device>(model: &mut D, from: u64, to: u64, step: u64, wire: &mut Vec<u8>) {
    let mut now = from;
    while now <= to {
        drain(model, now, wire);
        now += step;
    }
}

/// A CMD frame; out-of-range parameters are written as they are (the device refuses them).
fn cmd_bytes(seq: u32, command: Command) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let n = Message::Cmd(Cmd::new(seq, 0, command)).emit_verbatim(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// The decoded revision-1 messages of `wire`, asserting every byte is in a frame.
fn messages(wire: &[u8]) -> Vec<Message<'_>> {
    SliceDecoder::new(PowerScope::r1(), wire)
        .map(|e| e.into_frame().expect("the model sends only valid frames"))
        .collect()
}

/// `(seq, cmd_id, error)` of every NACK in `wire`.
fn nacks(wire: &[u8]) -> Vec<(u32, u8, ErrorCode)> {
    messages(wire)
        .into_iter()
        .filter_map(|m| match m {
            Message::Nack(n) => Some((n.seq, n.cmd_id, n.error)),
            _ => None,
        })
        .collect()
}

/// Readings by device time, as the golden capture's board measured them.
struct Recorded(HashMap<u64, Reading>);

impl SampleSource for Recorded {
    fn read(&mut self, _index: usize, uptime_ms: u64) -> Option<Reading> {
        self.0.get(&uptime_ms).copied()
    }
}

fn reading_of(packet: &SensorPacket<'_>) -> Reading {
    let s = packet.ina219().unwrap();
    Reading { bus_mv: s.bus_mv, current_ua: s.current_ua }
}

/// The shipped firmware's golden session: the twelve commands sent at the times the
/// device answered them give exactly the device's bytes, ACKs and STREAM frames in order
/// (readings taken from the capture through a recorded sample source).
#[test]
fn replays_the_golden_session_byte_for_byte() {
    let host = include_bytes!("../captures/powerscope/head_commands_host2dev.bin");
    let device = include_bytes!("../captures/powerscope/head_commands_dev2host.bin");
    let golden = messages(device);
    let mut readings = HashMap::new();
    let mut answer_times = Vec::new();
    for m in &golden {
        match m {
            Message::Stream(s) => {
                readings.insert(u64::from(s.ts_ms), reading_of(&s.packet));
            }
            Message::Ack(Ack { ts_ms, reply, .. }) => {
                if let Reply::ReadSensor(p) = reply {
                    readings.insert(u64::from(*ts_ms), reading_of(p));
                }
                answer_times.push(u64::from(*ts_ms));
            }
            other => panic!("unexpected {other:?}"),
        }
    }
    let commands: Vec<(u64, usize)> =
        SliceDecoder::new(PowerScope::r1(), &host[..]).map(|e| (e.offset, e.len)).collect();
    assert_eq!(commands.len(), 12);

    let mut model = Model::with_source(Settings::default(), Recorded(readings));
    let mut wire = Vec::new();
    let mut next = 0;
    for now in 0..=300u64 {
        while next < commands.len() && answer_times[next] == now {
            let (offset, len) = commands[next];
            model.receive(&host[offset as usize..offset as usize + len], now);
            next += 1;
        }
        drain(&mut model, now, &mut wire);
    }
    assert_eq!(next, 12);
    assert_eq!(wire, device, "the model's bytes are the shipped device's");
    let stats = model.stats();
    assert_eq!((stats.requests, stats.replies, stats.frames_sent, stats.refused), (12, 12, 5, 0));
    assert_eq!(stats.bytes_received, host.len() as u64);
    assert_eq!(stats.bytes_sent, device.len() as u64);
}

/// Every NACK the device sends, with the shipped codes; and a bad CRC or a frame that is
/// not a command gets no answer.
#[test]
fn refuses_every_bad_command_with_the_right_nack() {
    let mut model = Model::new(Settings::default());
    let mut host = Vec::new();
    for (seq, command) in [
        (1, Command::StartStream { sensor: 9 }),
        (2, Command::SetPeriod { sensor: 2, period_ms: 4 }),
        (3, Command::SetPeriod { sensor: 2, period_ms: 10_001 }),
        (4, Command::GetPeriod { sensor: 7 }),
        (5, Command::ReadSensor { sensor: 0 }),
        (6, Command::StopStream { sensor: 3 }),
        (7, Command::SetPeriod { sensor: 9, period_ms: 100 }),
        (8, Command::StartStream { sensor: 1 }),
        (9, Command::ReadSensor { sensor: 1 }),
    ] {
        host.extend(cmd_bytes(seq, command));
    }
    host.extend(crafted(1, 0x42, &[])); // unknown command, seq 7 in `crafted`
    host.extend(crafted(1, 0x05, &[1])); // PING with a byte
    host.extend(crafted(1, 0x03, &[1])); // SET_PERIOD with 1 byte
    let mut bad_crc = cmd_bytes(20, Command::Ping);
    bad_crc[17] ^= 0xFF;
    host.extend(bad_crc);
    host.extend(crafted(2, 0x05, &[])); // an ACK from the host: nothing to answer
    host.extend(b"noise");
    host.extend(cmd_bytes(21, Command::Ping));
    // Byte by byte: the model's decoder does not depend on the host's chunking.
    for &b in &host {
        model.receive(&[b], 10);
    }
    let mut wire = Vec::new();
    drain(&mut model, 10, &mut wire);
    let invalid = ErrorCode::InvalidValue;
    assert_eq!(
        nacks(&wire),
        [
            (1, 1, invalid),
            (2, 3, invalid),
            (3, 3, invalid),
            (4, 4, invalid),
            (5, 7, invalid),
            (6, 2, invalid),
            (7, 3, invalid),
            (9, 7, ErrorCode::SensorBusy),
            (7, 0x42, ErrorCode::InvalidCmd),
            (7, 5, ErrorCode::InvalidLen),
            (7, 3, ErrorCode::InvalidLen),
        ]
    );
    let acks: Vec<u32> = messages(&wire)
        .iter()
        .filter_map(|m| match m {
            Message::Ack(a) => Some(a.seq),
            _ => None,
        })
        .collect();
    assert_eq!(acks, [8, 21], "START_STREAM(1) and the last PING are accepted");
    let stats = model.stats();
    assert_eq!(stats.requests, 13, "10 decoded commands and 3 refused frames");
    assert_eq!(stats.refused, 11);
    assert_eq!(stats.replies, 13);
    assert_eq!(stats.bad_input, 6, "3 refused frames, the bad CRC, the ACK and the noise");
}

#[test]
fn answers_the_information_commands() {
    let settings = Settings { sensors: heapless::Vec::from_slice(&[4, 7, 9]).unwrap(), ..Settings::default() };
    let mut model = Model::new(settings);
    model.reset(1_000); // device time restarts at 1000
    let mut host = Vec::new();
    for (seq, c) in [
        (1, Command::Ping),
        (2, Command::GetSensors),
        (3, Command::GetBoardUid),
        (4, Command::GetUptime),
        (5, Command::GetPeriod { sensor: 7 }),
        (6, Command::SetPeriod { sensor: 7, period_ms: 5 }),
        (7, Command::GetPeriod { sensor: 7 }),
        (8, Command::SetPeriod { sensor: 9, period_ms: 10_000 }),
        (9, Command::ReadSensor { sensor: 9 }),
        (10, Command::StopStream { sensor: 4 }),
    ] {
        host.extend(cmd_bytes(seq, c));
    }
    model.receive(&host, 1_250);
    let mut wire = Vec::new();
    let kinds = drain(&mut model, 1_250, &mut wire);
    assert!(kinds.iter().all(|&k| k == OutputKind::Reply));
    let replies: Vec<(u32, u32, Reply<'_>)> = messages(&wire)
        .into_iter()
        .map(|m| match m {
            Message::Ack(a) => (a.seq, a.ts_ms, a.reply),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(replies.len(), 10);
    assert!(replies.iter().all(|r| r.1 == 250), "ts_ms is the device time");
    assert_eq!(replies[0].2, Reply::Ping);
    let Reply::GetSensors(list) = replies[1].2 else { panic!() };
    assert_eq!(list.iter().map(|s| (s.runtime_id, s.type_id)).collect::<Vec<_>>(), [(4, 1), (7, 1), (9, 1)]);
    assert_eq!(replies[2].2.uid_words(), Some([0xb48a3548, 0x5a9291a2, 0xf0e400fc]));
    assert_eq!(replies[3].2, Reply::GetUptime { uptime_ms: 250 });
    assert_eq!(replies[4].2, Reply::GetPeriod { period_ms: 1000 });
    assert_eq!(replies[6].2, Reply::GetPeriod { period_ms: 5 });
    let Reply::ReadSensor(SensorPacket::Ina219(sample)) = replies[8].2 else { panic!() };
    assert_eq!(sample.runtime_id, 9);
    // Sensor index 2: a 3.3 V supply behind the load profile.
    assert!((3_000..=3_310).contains(&sample.bus_mv), "{sample:?}");
    assert_eq!(replies[9].2, Reply::StopStream, "stopping a stopped stream is fine");
}

/// A sensor that does not answer: READ_SENSOR gets INTERNAL, and its stream sends nothing
/// (and uses no `seq`) until it answers again.
#[test]
fn a_silent_sensor_gets_internal_and_sends_no_samples() {
    struct Flaky;
    impl SampleSource for Flaky {
        fn read(&mut self, _index: usize, uptime_ms: u64) -> Option<Reading> {
            (uptime_ms >= 500).then_some(Reading { bus_mv: 3300, current_ua: -1500 })
        }
    }
    let mut model = Model::with_source(Settings::default(), Flaky);
    model.receive(&cmd_bytes(1, Command::ReadSensor { sensor: 1 }), 0);
    let mut host = cmd_bytes(2, Command::SetPeriod { sensor: 1, period_ms: 97 });
    host.extend(cmd_bytes(3, Command::StartStream { sensor: 1 }));
    model.receive(&host, 0);
    let mut wire = Vec::new();
    run(&mut model, 0, 1_000, 1, &mut wire);
    assert_eq!(nacks(&wire), [(1, 7, ErrorCode::Internal)]);
    let streams: Vec<(u32, u32)> = messages(&wire)
        .iter()
        .filter_map(|m| match m {
            Message::Stream(s) => Some((s.seq, s.ts_ms)),
            _ => None,
        })
        .collect();
    // Due every 100 ms from 3: only those from 500 on are read.
    assert_eq!(streams, [(0, 503), (1, 603), (2, 703), (3, 803), (4, 903)]);
}

/// Two sensors at their periods over 10 simulated seconds: the right number of frames,
/// spaced `period + 3`, seq without gaps, readings from the load profile in range.
#[test]
fn streams_at_the_set_period_without_gaps() {
    let mut model = Model::new(Settings::default());
    let mut host = cmd_bytes(1, Command::SetPeriod { sensor: 1, period_ms: 10 });
    host.extend(cmd_bytes(2, Command::StartStream { sensor: 1 }));
    host.extend(cmd_bytes(3, Command::StartStream { sensor: 2 }));
    model.receive(&host, 0);
    assert_eq!(model.poll_at(), Some(0), "replies are waiting");
    let mut wire = Vec::new();
    drain(&mut model, 0, &mut wire);
    assert_eq!(model.poll_at(), Some(3), "the first samples are due 3 ms after START");
    run(&mut model, 1, 10_000, 7, &mut wire);
    model.receive(&cmd_bytes(4, Command::StopStream { sensor: 1 }), 10_000);
    drain(&mut model, 10_000, &mut wire);
    let mut decoder: StreamDecoder<PowerScope, 64> = StreamDecoder::new(PowerScope::r1());
    let mut per_sensor: HashMap<u8, Vec<(u32, u32, i32, u16)>> = HashMap::new();
    decoder.feed(&wire, |e| {
        if let Some(Message::Stream(s)) = e.frame() {
            let sample = s.packet.ina219().unwrap();
            per_sensor.entry(sample.runtime_id).or_default().push((s.seq, s.ts_ms, sample.current_ua, sample.bus_mv));
        }
    });
    decoder.finish();
    assert_eq!(decoder.stats().errors.total(), 0);
    assert_eq!(decoder.stats().lost_frames, 0, "the host kept up: nothing lost");
    let one = &per_sensor[&1];
    let two = &per_sensor[&2];
    // Sensor 1: due at 3, 16, 29, ... <= 10000: 770 frames; sensor 2 at 3, 1006, ...: 10.
    assert_eq!(one.len(), 770);
    assert_eq!(two.len(), 10);
    for (i, w) in one.windows(2).enumerate() {
        assert_eq!(w[1].0, w[0].0 + 1, "seq at {i}");
        assert_eq!(w[1].1 - w[0].1, 13, "spacing at {i}");
    }
    assert_eq!(one[0].1, 3);
    assert_eq!(two.iter().map(|f| f.1).collect::<Vec<_>>(), (0..10).map(|k| 3 + 1003 * k).collect::<Vec<_>>());
    // Frames per second: 1000 / 13 for sensor 1.
    assert_eq!(one.iter().filter(|f| (1_000..2_000).contains(&f.1)).count(), 77);
    // The load profile: sensor 1 draws 35 mA..1.57 A from 5 V, sensor 2 charges a battery
    // on 12 V (the current flows back, the wiring raises the bus voltage).
    assert!(one.iter().all(|f| (34_000..=1_571_000).contains(&f.2) && (4_700..=5_010).contains(&f.3)));
    assert!(two.iter().all(|f| (-786_000..=-16_000).contains(&f.2) && (11_990..=12_130).contains(&f.3)));
    assert!(one.iter().any(|f| f.2 > 1_300_000) && one.iter().any(|f| f.2 < 40_000), "it steps and ramps");
    assert_eq!(model.stats().dropped, 0);
    assert_eq!(model.stats().frames_sent, 780);
}

/// A host that reads too slowly: the queue keeps the newest `queue_depth` frames, the
/// dropped ones are counted, and the decoder sees exactly as many lost frames.
#[test]
fn drops_the_oldest_frames_for_a_slow_reader() {
    let settings = Settings { queue_depth: 16, ..Settings::default() };
    let mut model = Model::new(settings);
    let mut host = cmd_bytes(1, Command::SetPeriod { sensor: 1, period_ms: 5 });
    host.extend(cmd_bytes(2, Command::StartStream { sensor: 1 }));
    model.receive(&host, 0);
    let mut wire = Vec::new();
    drain(&mut model, 0, &mut wire);
    run(&mut model, 1, 200, 1, &mut wire);
    // The host stops reading for 400 ms (50 samples due), then for an hour.
    drain(&mut model, 600, &mut wire);
    assert_eq!(model.backlog(), 0);
    run(&mut model, 601, 800, 1, &mut wire);
    drain(&mut model, 3_600_800, &mut wire);
    run(&mut model, 3_600_801, 3_601_000, 1, &mut wire);
    let mut decoder = SliceDecoder::new(PowerScope::r1(), &wire);
    let frames = decoder.by_ref().filter(|e| matches!(e.frame(), Some(Message::Stream(_)))).count() as u64;
    let dropped = model.stats().dropped;
    assert_eq!(decoder.stats().lost_frames, dropped);
    // Due at 3 + 8k: 126 by 1000 ms of uptime, plus every sample of the hour.
    let due = (3_601_000 - 3) / 8 + 1;
    assert_eq!(frames + dropped, due);
    assert_eq!(frames, model.stats().frames_sent);
    assert!(dropped > 400_000);
}

#[test]
fn reset_stops_streams_and_restarts_the_clock() {
    let mut model = Model::new(Settings::default());
    model.receive(&cmd_bytes(1, Command::StartStream { sensor: 2 }), 100);
    let mut wire = Vec::new();
    run(&mut model, 100, 3_000, 10, &mut wire);
    model.receive(&cmd_bytes(2, Command::SetPeriod { sensor: 2, period_ms: 50 }), 3_000);
    model.reset(5_000);
    assert_eq!(model.poll_at(), None, "nothing streams after a reset");
    model.receive(&cmd_bytes(3, Command::GetPeriod { sensor: 2 }), 5_020);
    model.receive(&cmd_bytes(4, Command::GetUptime), 5_020);
    let mut after = Vec::new();
    run(&mut model, 5_000, 8_000, 10, &mut after);
    let replies: Vec<Reply<'_>> = messages(&after)
        .into_iter()
        .map(|m| match m {
            Message::Ack(a) => a.reply,
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(replies, [Reply::GetPeriod { period_ms: 1000 }, Reply::GetUptime { uptime_ms: 20 }]);
    assert_eq!(model.stats().resets, 1);
}

/// Garbage of every kind never stops the model, never grows what it holds, and never
/// makes it send anything but valid frames.
#[test]
fn garbage_never_stops_or_grows_the_model() {
    let mut model = Model::new(Settings::default());
    let mut rng = 0x1234_5678u32;
    let mut wire = Vec::new();
    for round in 0..400u64 {
        let chunk: Vec<u8> = (0..97)
            .map(|i| {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                // Magic bytes often, so that headers are tried.
                if i % 9 == 0 {
                    0xA5
                } else if i % 9 == 1 {
                    0x5A
                } else {
                    rng as u8
                }
            })
            .collect();
        model.receive(&chunk, round);
        if round % 50 == 0 {
            drain(&mut model, round, &mut wire);
        }
    }
    model.receive(&cmd_bytes(9, Command::Ping), 400);
    drain(&mut model, 400, &mut wire);
    let all = messages(&wire);
    assert!(matches!(all.last(), Some(Message::Ack(Ack { seq: 9, reply: Reply::Ping, .. }))), "still answers");
    assert!(model.stats().bad_input > 100);
    assert!(model.backlog() <= QUEUE_CAPACITY);
}

/// A buffer too short for the next frame gets `None` and loses nothing.
#[test]
fn a_short_buffer_leaves_the_frame_queued() {
    let mut model = Model::new(Settings::default());
    model.receive(&cmd_bytes(1, Command::Ping), 0);
    let mut small = [0u8; 17];
    assert_eq!(model.transmit(0, &mut small), None);
    let mut buf = [0u8; MAX];
    assert_eq!(model.transmit(0, &mut buf).map(|t| (t.len, t.kind)), Some((18, OutputKind::Reply)));
}

fn r0_model() -> Model {
    Model::new(Settings::new(Config::r0()))
}

/// Revision 0 streams test ramps every 5 ms from boot; STOP ends and START resumes the
/// stream; other bytes are ignored without an answer.
#[test]
fn r0_streams_ramps_and_obeys_start_and_stop() {
    let mut model = r0_model();
    let mut wire = Vec::new();
    run(&mut model, 0, 1_000, 1, &mut wire);
    model.receive(&[0x02, 0x55, 0x02], 1_000);
    run(&mut model, 1_001, 2_000, 1, &mut wire);
    model.receive(&[0x01], 2_000);
    model.receive(&[0x01], 2_001); // already streaming: nothing changes
    run(&mut model, 2_000, 2_500, 1, &mut wire);
    let mut decoder = SliceDecoder::new(PowerScope::r0(), &wire);
    let frames: Vec<(u32, u32)> = decoder
        .by_ref()
        .map(|e| match e.into_frame() {
            Some(Message::R0Stream(s)) => {
                assert_eq!(s.payload.len(), 128);
                assert!(s.payload.iter().enumerate().all(|(i, &b)| b == (s.seq as usize + i) as u8), "test ramp");
                (s.seq, s.ts_ms)
            }
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(frames.len(), 200 + 100);
    assert_eq!(frames[0], (0, 5));
    assert_eq!(frames[199], (199, 1000));
    assert_eq!(frames[200], (200, 2005), "START: the next frame one period later, seq going on");
    assert_eq!(decoder.stats().lost_frames, 0);
    let stats = model.stats();
    assert_eq!((stats.requests, stats.bad_input, stats.replies), (4, 1, 0));
    assert_eq!(stats.bytes_sent, 300 * 144);
}

/// A revision-0 host that reads too slowly loses bytes of the ring, not whole frames: the
/// stream resumes mid-frame, the decoder resynchronises and counts the gap.
#[test]
fn r0_ring_overwrites_oldest_bytes_for_a_slow_reader() {
    let mut model = r0_model();
    let mut wire = Vec::new();
    run(&mut model, 0, 100, 1, &mut wire);
    // 500 ms without reading: 100 frames, 14400 bytes into an 8192-byte ring.
    let mut buf = [0u8; MAX];
    let first = model.transmit(600, &mut buf).unwrap();
    assert_eq!(first.len, 512, "chunks of at most 512 bytes");
    wire.extend_from_slice(&buf[..first.len]);
    run(&mut model, 600, 1_000, 1, &mut wire);
    // One day without reading.
    run(&mut model, 86_400_000, 86_400_100, 1, &mut wire);
    let mut decoder = SliceDecoder::new(PowerScope::r0(), &wire);
    let seqs: Vec<u32> = decoder
        .by_ref()
        .filter_map(|e| match e.into_frame() {
            Some(Message::R0Stream(s)) => Some(s.seq),
            _ => None,
        })
        .collect();
    let stats = *decoder.stats();
    assert!(stats.bytes_skipped > 0, "resumed in the middle of a frame");
    let last = *seqs.last().unwrap();
    assert_eq!(last, 86_400_100 / 5 - 1);
    assert_eq!(seqs.len() as u64 + stats.lost_frames, u64::from(last) + 1, "every seq is received or lost");
    assert_eq!(model.stats().dropped, stats.lost_frames);
}
