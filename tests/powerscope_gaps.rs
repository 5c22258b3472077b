//! The gap rule of powerscope: a STREAM frame's `gap` is its `seq` minus the previous `seq`
//! of the same stream (u32 wrap-around), 0 for the stream's first frame; revision 0 has one
//! stream, revision 1 one per sensor, and all 256 possible `runtime_id`s are tracked at
//! once, so no stream is ever forgotten however many appear.

use serial_dialects::powerscope::r1::{Ack, Reply};
use serial_dialects::powerscope::{
    GapTracker, Ina219Sample, Message, PowerScope, SensorPacket, gap::lost_in_gap, r0, r1,
};
use serial_dialects::{Dialect, SliceDecoder, StreamDecoder};

fn emit<'a>(msg: impl Into<Message<'a>>) -> Vec<u8> {
    let msg = msg.into();
    let mut buf = [0u8; 600];
    let n = msg.emit(&mut buf).unwrap();
    buf[..n].to_vec()
}

fn sample_frame(runtime_id: u8, seq: u32, ts_ms: u32) -> Vec<u8> {
    let sample = Ina219Sample { runtime_id, bus_mv: 12_000 + seq as u16 % 300, current_ua: 22_000 - seq as i32 };
    emit(r1::Message::Stream(r1::Stream::new(seq, ts_ms, SensorPacket::Ina219(sample))))
}

/// A STREAM frame whose packet is not an INA219 sample (decoded off the sample shortcut).
fn raw_frame(runtime_id: u8, seq: u32) -> Vec<u8> {
    let sample = [runtime_id, 0x5A, 0xA5];
    emit(r1::Message::Stream(r1::Stream::new(seq, seq, SensorPacket::Raw { runtime_id, sample: &sample })))
}

fn r0_frame(seq: u32, payload: &[u8]) -> Vec<u8> {
    let mut buf = [0u8; 600];
    let n = r0::Stream::new(seq, seq * 5, payload).emit(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// How many streams `t` follows.
fn followed(t: &GapTracker) -> usize {
    (0..=u8::MAX).filter(|&id| t.last_seq(id).is_some()).count()
}

#[test]
fn rule_gaps_per_sensor_wrap_and_restart() {
    let frames = [
        sample_frame(1, 0, 10),
        sample_frame(2, 40, 11),
        sample_frame(1, 1, 20),
        sample_frame(1, 4, 30), // gap 3: 2 lost
        sample_frame(2, 41, 31),
        sample_frame(1, 0, 40),        // START_STREAM restart: gap u32::MAX - 3, not a loss
        sample_frame(2, u32::MAX, 50), // a forward jump of more than 2^31: not a loss either
        sample_frame(2, 1, 60),        // wraps: gap 2, 1 lost
    ];
    let input = frames.concat();
    let mut decoder = SliceDecoder::new(PowerScope::r1(), &input);
    let gaps: Vec<u32> = decoder.by_ref().map(|e| e.frame().and_then(Message::gap).unwrap()).collect();
    assert_eq!(gaps, [0, 0, 1, 3, 1, 4u32.wrapping_neg(), u32::MAX - 41, 2]);
    assert_eq!(decoder.stats().lost_frames, 3);
    assert_eq!(decoder.dialect().lost_frames(), 3);
    assert_eq!(lost_in_gap(u32::MAX - 41), 0);
    // ACKs with samples and other frames do not touch the streams.
    let ack = emit(r1::Message::Ack(Ack::new(
        9,
        9,
        Reply::ReadSensor(SensorPacket::Ina219(Ina219Sample { runtime_id: 1, ..Default::default() })),
    )));
    let input = [sample_frame(1, 5, 0), ack, sample_frame(1, 6, 0)].concat();
    let gaps: Vec<Option<u32>> =
        SliceDecoder::new(PowerScope::r1(), &input).map(|e| e.frame().unwrap().gap()).collect();
    assert_eq!(gaps, [Some(0), None, Some(1)]);
    // reset() forgets.
    let mut d = PowerScope::r1();
    d.decode(&sample_frame(1, 5, 0)).unwrap();
    d.decode(&sample_frame(1, 9, 0)).unwrap();
    assert_eq!(d.lost_frames(), 3);
    d.reset();
    assert_eq!(d.lost_frames(), 0);
    assert_eq!(d.gaps().last_seq(1), None);
    assert_eq!(d.decode(&sample_frame(1, 10, 0)).unwrap().gap(), Some(0));
}

#[test]
fn rule_r0_has_one_stream() {
    let input = [r0_frame(5, &[1; 8]), r0_frame(6, &[1; 8]), r0_frame(9, &[1; 8])].concat();
    let mut decoder = SliceDecoder::new(PowerScope::r0(), &input);
    let gaps: Vec<u32> = decoder.by_ref().map(|e| e.frame().and_then(Message::gap).unwrap()).collect();
    assert_eq!(gaps, [0, 1, 3]);
    assert_eq!(decoder.stats().lost_frames, 2);
}

#[test]
fn a_stream_that_returns_after_many_others_gets_its_real_gap() {
    // Stream 0, then 8, 9, ..., 255 other runtime_ids, then stream 0 again: whatever came
    // between, its gap is the distance from its own previous seq and the loss is counted.
    for others in [8u8, 9, 16, 255] {
        let mut t = GapTracker::new();
        assert_eq!(t.observe(0, 100), 0);
        for id in 1..=others {
            assert_eq!(t.observe(id, 7), 0, "{others}: first frame of {id}");
        }
        assert_eq!(t.observe(0, 105), 5, "{others} others in between");
        assert_eq!(t.lost_frames(), 4, "{others} others in between");
        assert_eq!(t.last_seq(0), Some(105));
        assert_eq!(t.last_seq(1), Some(7));
    }
}

#[test]
fn all_256_runtime_ids_are_tracked_at_once() {
    let seq = |id: u8| u32::from(id) * 1000 + 7;
    let mut t = GapTracker::new();
    for id in 0..=u8::MAX {
        assert_eq!(t.last_seq(id), None);
        assert_eq!(t.observe(id, seq(id)), 0);
    }
    for id in 0..=u8::MAX {
        assert_eq!(t.last_seq(id), Some(seq(id)), "stream {id}");
    }
    assert_eq!(followed(&t), 256);
    // Each stream steps by 1 + (id % 4): id % 4 frames lost on each.
    let mut lost = 0u64;
    for id in (0..=u8::MAX).rev() {
        let step = 1 + u32::from(id % 4);
        assert_eq!(t.observe(id, seq(id) + step), step, "stream {id}");
        lost += u64::from(step - 1);
    }
    assert_eq!(t.lost_frames(), lost);
    assert_eq!(lost, 64 * (1 + 2 + 3));
}

#[test]
fn wrap_around_on_every_stream_at_once() {
    // Every stream is just below the u32 wrap, then every stream wraps: gaps are counted
    // modulo 2^32 for each of them, with all 256 followed in between.
    let mut t = GapTracker::new();
    for id in 0..=u8::MAX {
        t.observe(id, u32::MAX - u32::from(id % 3));
    }
    for id in 0..=u8::MAX {
        // From MAX - k to 1 is a gap of k + 2: k + 1 frames lost.
        let k = u32::from(id % 3);
        assert_eq!(t.observe(id, 1), k + 2, "stream {id}");
        assert_eq!(t.last_seq(id), Some(1));
    }
    let per_cycle = 1 + 2 + 3; // k = 0, 1, 2
    assert_eq!(t.lost_frames(), 85 * per_cycle + 1);
    // A restart after the wrap (back to 0) is still not a loss.
    assert_eq!(t.observe(42, 0), u32::MAX);
    assert_eq!(t.lost_frames(), 85 * per_cycle + 1);
}

/// 12 sensors sending round-robin (0..=9 INA219 samples, 200 and 255 raw packets), 20
/// rounds; frames `dropped` of sensor 0 never reach the decoder. Returns the wire bytes
/// and, per frame sent, its sensor, seq and expected gap.
fn interleaved(dropped: &[u32]) -> (Vec<u8>, Vec<(u8, u32, u32)>) {
    let sensors: Vec<u8> = (0..=9).chain([200, 255]).collect();
    let mut wire = Vec::new();
    let mut expected = Vec::new();
    let mut last: [Option<u32>; 256] = [None; 256];
    for round in 0..20u32 {
        for &id in &sensors {
            // Sensor 255 counts from near the wrap, and wraps during the run.
            let seq = if id == 255 { round.wrapping_add(u32::MAX - 9) } else { 1000 * u32::from(id) + round };
            if id == 0 && dropped.contains(&round) {
                continue;
            }
            let gap = last[usize::from(id)].map_or(0, |prev| seq.wrapping_sub(prev));
            last[usize::from(id)] = Some(seq);
            expected.push((id, seq, gap));
            let frame = if id >= 200 { raw_frame(id, seq) } else { sample_frame(id, seq, 5 * round) };
            wire.extend_from_slice(&frame);
        }
    }
    (wire, expected)
}

#[test]
fn many_interleaved_sensors_through_the_stream_decoder() {
    let dropped = [3, 4, 9, 15, 16, 17];
    let (wire, expected) = interleaved(&dropped);
    // Sensor 0 lost 2 + 1 + 3 frames, in three gaps.
    let zero_gaps: Vec<u32> = expected.iter().filter(|e| e.0 == 0).map(|e| e.2).collect();
    assert_eq!(zero_gaps, [0, 1, 1, 3, 1, 1, 1, 2, 1, 1, 1, 1, 4, 1]);
    for chunk in [1, 7, 25, 64, 1000, wire.len()] {
        let mut decoder: Box<StreamDecoder<PowerScope, 64>> = Box::new(StreamDecoder::new(PowerScope::r1()));
        let mut got = Vec::new();
        let mut record = |e: serial_dialects::stream::EventOf<'_, PowerScope>| match e.frame() {
            Some(Message::R1(r1::Message::Stream(s))) => got.push((s.packet.runtime_id(), s.seq, s.gap)),
            other => panic!("chunks of {chunk}: {other:?} at {}", e.offset),
        };
        for piece in wire.chunks(chunk) {
            decoder.feed(piece, &mut record);
        }
        decoder.finish_with(&mut record);
        assert_eq!(got.len(), expected.len(), "chunks of {chunk}");
        for (i, (got, expected)) in got.iter().zip(&expected).enumerate() {
            assert_eq!(got, expected, "chunks of {chunk}: frame {i} (sensor, seq, gap)");
        }
        assert_eq!(decoder.stats().lost_frames, 6, "chunks of {chunk}");
        assert_eq!(decoder.stats().frames, expected.len() as u64);
        assert_eq!(followed(decoder.dialect().gaps()), 12);
        assert_eq!(decoder.dialect().gaps().last_seq(255), Some(9));
    }
    // The slice decoder agrees.
    let mut slice = SliceDecoder::new(PowerScope::r1(), &wire);
    let gaps: Vec<u32> = slice.by_ref().map(|e| e.frame().and_then(Message::gap).unwrap()).collect();
    assert_eq!(gaps, expected.iter().map(|e| e.2).collect::<Vec<_>>());
    assert_eq!(slice.stats().lost_frames, 6);
}
