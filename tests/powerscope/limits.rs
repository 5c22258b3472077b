//! The limits the powerscope module documentation states: frame sizes, the stream buffer
//! capacity, the fixed size of the decoder state, and what the decoder does at and beyond
//! them (oversize length fields, floods of start markers, input without any, empty input,
//! the largest legal frames, stream buffers of exactly and of much less than
//! `max_frame_len`).

use serial_dialects::powerscope::{
    Ack, CMD_NONE, Error, GapTracker, HEADER_LEN, HeaderRepr, Ina219Sample, MAX_SENSORS, Message, PowerScope, Reply,
    Revision, SensorList, SensorPacket, Stream, frame, r0,
};
use serial_dialects::{Dialect, EncodeError, ErrorKind, SliceDecoder, Stats, StreamDecoder};

use crate::common::{Summary, assert_tiles, decode_slice, summarize};

const R0_MAX: usize = 528;
const R1_MAX: usize = 64;

fn decoder(revision: Revision) -> PowerScope {
    match revision {
        Revision::R0 => PowerScope::r0(),
        Revision::R1 => PowerScope::r1(),
    }
}

/// Decodes `input` with a stream decoder of capacity `N`, pushed in pieces of `chunk` bytes;
/// returns the events and the statistics.
fn decode_stream<const N: usize>(revision: Revision, input: &[u8], chunk: usize) -> (Vec<Summary>, Stats) {
    let mut dec: Box<StreamDecoder<PowerScope, N>> = Box::new(StreamDecoder::new(decoder(revision)));
    let mut events = Vec::new();
    for piece in input.chunks(chunk.max(1)) {
        dec.feed(piece, |e| events.push(summarize(&e)));
    }
    dec.finish_with(|e| events.push(summarize(&e)));
    assert_eq!(dec.pending(), 0, "bytes left undecided after finish");
    assert_eq!(dec.position(), input.len() as u64);
    (events, *dec.stats())
}

/// Offset, length and kind of every event.
fn shape(events: &[Summary]) -> Vec<(u64, usize, Option<ErrorKind>)> {
    events.iter().map(|e| (e.offset, e.len, e.kind)).collect()
}

fn r1_sample(seq: u32) -> Vec<u8> {
    let sample = Ina219Sample { runtime_id: 1, bus_mv: 5_000, current_ua: -1_234 };
    let msg = Message::Stream(Stream::new(seq, 10 * seq, SensorPacket::Ina219(sample)));
    let mut buf = [0u8; R1_MAX];
    let n = msg.emit(&mut buf).unwrap();
    buf[..n].to_vec()
}

fn r0_frame(seq: u32, payload_len: usize) -> Vec<u8> {
    let payload: Vec<u8> = (0..payload_len).map(|i| i as u8).collect();
    let mut buf = [0u8; R0_MAX];
    let n = Message::R0Stream(r0::Stream::new(seq, seq, &payload)).emit(&mut buf).unwrap();
    buf[..n].to_vec()
}

/// A header announcing `len` payload bytes, with nothing behind it.
fn header_with_len(revision: Revision, frame_type: u8, len: u16) -> [u8; HEADER_LEN] {
    let mut h = [0u8; HEADER_LEN];
    h[..2].copy_from_slice(&[0xA5, 0x5A]);
    h[2] = frame_type;
    h[4..6].copy_from_slice(&len.to_le_bytes());
    if revision == Revision::R1 {
        h[6] = CMD_NONE;
    }
    h
}

#[test]
fn stated_limits() {
    assert_eq!(PowerScope::r0().max_frame_len(), R0_MAX);
    assert_eq!(PowerScope::r1().max_frame_len(), R1_MAX);
    assert_eq!(Revision::R0.max_frame_len(), HEADER_LEN + 512);
    assert_eq!(Revision::R1.max_frame_len(), HEADER_LEN + 46 + 2);
    assert_eq!((Revision::R0.min_payload_len(), Revision::R0.max_payload_len()), (1, 512));
    assert_eq!((Revision::R1.min_payload_len(), Revision::R1.max_payload_len()), (0, 46));
    assert_eq!(MAX_SENSORS, 23);
    assert_eq!(SensorPacket::MAX_SAMPLE_LEN, 45);
    // The whole decoder state is a fixed-size value (no heap, no buffer of its own).
    // A seq for each of the 256 runtime_ids, a 256-bit seen set and the lost count.
    assert_eq!(core::mem::size_of::<GapTracker>(), 1064);
    assert_eq!(core::mem::size_of::<PowerScope>(), 1072);
}

#[test]
fn oversize_length_field_is_bad_length_and_hides_no_frame() {
    for (revision, bad_lens) in [(Revision::R1, [47u16, 512, u16::MAX]), (Revision::R0, [0, 513, u16::MAX])] {
        let good = match revision {
            Revision::R0 => r0_frame(7, 20),
            Revision::R1 => r1_sample(7),
        };
        for len in bad_lens {
            let mut input = header_with_len(revision, 0, len).to_vec();
            input.extend_from_slice(&good);
            let mut dec = SliceDecoder::new(decoder(revision), &input);
            let events: Vec<_> = dec.by_ref().collect();
            assert_eq!(events.len(), 2, "{revision:?} len {len}: {events:?}");
            let (min, max) = (revision.min_payload_len() as u16, revision.max_payload_len() as u16);
            let expected = Error::BadLength { len, min, max, revision: revision.number() };
            assert_eq!((events[0].offset, events[0].len, events[0].error()), (0, HEADER_LEN, Some(&expected)));
            assert_eq!((events[1].offset, events[1].len), (HEADER_LEN as u64, good.len()));
            assert!(events[1].frame().is_some());
            assert_eq!(dec.stats().errors.get(ErrorKind::BadLength), 1);
            assert_eq!(dec.stats().bytes_in_frames, good.len() as u64);
        }
    }
}

#[test]
fn oversize_length_is_decided_within_the_frame_limit() {
    // No magic follows: the rejection reaches the frame limit, then the rest is garbage. A
    // stream decoder decides at the limit without waiting for the end of the input.
    for revision in [Revision::R0, Revision::R1] {
        let limit = revision.max_frame_len();
        let mut input = header_with_len(revision, 0, u16::MAX).to_vec();
        input.resize(limit + 10, 0x00);
        let events = decode_slice(decoder(revision), &input);
        assert_eq!(
            shape(&events),
            [(0, limit, Some(ErrorKind::BadLength)), (limit as u64, 10, Some(ErrorKind::Garbage))]
        );

        let mut dec: Box<StreamDecoder<PowerScope, R0_MAX>> = Box::new(StreamDecoder::new(decoder(revision)));
        let mut early = Vec::new();
        dec.feed(&input[..limit], |e| early.push((e.offset, e.len, e.error_kind())));
        assert_eq!(early, [(0, limit, Some(ErrorKind::BadLength))], "{revision:?}");
    }
}

#[test]
fn flood_of_magic_first_bytes() {
    // 100 000 x A5: never a magic. Garbage runs end before an A5 in the last position of the
    // frame limit (its 5A would lie beyond it), so each run is one byte shorter than it.
    for revision in [Revision::R0, Revision::R1] {
        let limit = revision.max_frame_len();
        let input = vec![0xA5u8; 100_000];
        let mut dec = SliceDecoder::new(decoder(revision), &input);
        let events: Vec<_> = dec.by_ref().map(|e| summarize(&e)).collect();
        assert_tiles(&events, input.len());
        let runs = input.len() / (limit - 1);
        assert_eq!(events.len(), runs + 1, "{revision:?}");
        assert!(events[..runs].iter().all(|e| e.len == limit - 1 && e.kind == Some(ErrorKind::Garbage)));
        assert_eq!(events[runs].len, input.len() - runs * (limit - 1));
        assert_eq!(dec.stats().frames, 0);
        assert_eq!(dec.stats().errors.get(ErrorKind::Garbage), events.len() as u64);
        assert_eq!(dec.stats().bytes_skipped, 100_000);
    }
}

#[test]
fn flood_of_whole_magics() {
    // 50 000 x A5 5A: every magic is a candidate whose type byte (A5) is impossible; each is
    // rejected up to the next magic, 2 bytes, and the last one is cut off by the end.
    for revision in [Revision::R0, Revision::R1] {
        let input: Vec<u8> = [0xA5u8, 0x5A].repeat(50_000);
        let mut dec = SliceDecoder::new(decoder(revision), &input);
        let events: Vec<_> = dec.by_ref().collect();
        assert_eq!(events.len(), 50_000);
        for (i, e) in events[..49_999].iter().enumerate() {
            assert_eq!((e.offset, e.len), (2 * i as u64, 2));
            let expected = Error::UnknownFrameType {
                frame_type: 0xA5,
                revision: revision.number(),
                max: revision.max_frame_type(),
            };
            assert_eq!(e.error(), Some(&expected));
        }
        let last = &events[49_999];
        assert_eq!((last.offset, last.len), (99_998, 2));
        assert_eq!(last.error(), Some(&Error::Truncated { frame_len: None, available: 2 }));
        let stats = dec.stats();
        assert_eq!(stats.errors.get(ErrorKind::UnknownType), 49_999);
        assert_eq!(stats.errors.get(ErrorKind::Truncated), 1);
        assert_eq!(stats.bytes_accounted(), 100_000);

        // The same with a stream decoder of exactly the frame limit, in odd pieces.
        let slice = decode_slice(decoder(revision), &input);
        let (streamed, _) = match revision {
            Revision::R0 => decode_stream::<R0_MAX>(revision, &input, 997),
            Revision::R1 => decode_stream::<R1_MAX>(revision, &input, 997),
        };
        assert_eq!(streamed, slice);
    }
}

#[test]
fn no_start_marker_ever() {
    // 100 000 bytes without A5 (and, for revision 0, without command bytes): garbage split at
    // the frame limit, decided as soon as the limit is reached.
    for revision in [Revision::R0, Revision::R1] {
        let limit = revision.max_frame_len();
        let input: Vec<u8> = (0..100_000u32).map(|i| [0x00, 0x5A, 0xFF, 0x10][i as usize % 4]).collect();
        let events = decode_slice(decoder(revision), &input);
        assert_tiles(&events, input.len());
        let full = input.len() / limit;
        assert_eq!(events.len(), full + 1);
        assert!(events[..full].iter().all(|e| e.len == limit && e.kind == Some(ErrorKind::Garbage)));
        assert_eq!((events[full].len, events[full].kind), (input.len() % limit, Some(ErrorKind::Garbage)));

        let mut dec: Box<StreamDecoder<PowerScope, R0_MAX>> = Box::new(StreamDecoder::new(decoder(revision)));
        let mut before_finish = 0;
        dec.feed(&input, |_| before_finish += 1);
        assert_eq!(before_finish, full, "{revision:?}: garbage must not wait for the end of the input");
        assert_eq!(dec.pending(), input.len() % limit);
    }
}

#[test]
fn r0_command_bytes_only() {
    // Revision 0 reads every 0x01 / 0x02 outside a frame as a one-byte command.
    let input: Vec<u8> = (0..100_000).map(|i| if i % 2 == 0 { r0::START } else { r0::STOP }).collect();
    let mut dec = SliceDecoder::new(PowerScope::r0(), &input);
    let mut n = 0;
    for (i, e) in dec.by_ref().enumerate() {
        let expected = if i % 2 == 0 { r0::Command::Start } else { r0::Command::Stop };
        assert_eq!((e.offset, e.len), (i as u64, 1));
        assert_eq!(e.frame(), Some(&Message::R0Command(expected)));
        n += 1;
    }
    assert_eq!(n, 100_000);
    assert_eq!(dec.stats().frames, 100_000);
    assert_eq!(dec.stats().bytes_skipped, 0);
}

#[test]
fn empty_input() {
    for revision in [Revision::R0, Revision::R1] {
        let mut dec = SliceDecoder::new(decoder(revision), &[]);
        assert!(dec.next().is_none());
        assert_eq!(*dec.stats(), Stats::default());

        let mut stream: StreamDecoder<PowerScope, R1_MAX> = StreamDecoder::new(decoder(revision));
        let mut events = 0;
        stream.feed(&[], |_| events += 1);
        assert!(stream.next().is_none());
        stream.finish_with(|_| events += 1);
        assert_eq!(events, 0);
        assert_eq!((stream.position(), stream.pending()), (0, 0));
        assert_eq!(*stream.stats(), Stats::default());

        assert_eq!(Message::from_bytes(&[], revision), Err(Error::Truncated { frame_len: None, available: 0 }));
    }
}

/// The largest frames of each revision: encode into a buffer of exactly their size, decode,
/// re-encode.
fn largest_messages<'a>(payload: &'a [u8], sensors: &'a [u8]) -> Vec<Message<'a>> {
    let raw = SensorPacket::Raw { runtime_id: 3, sample: &payload[..45] };
    vec![
        Message::R0Stream(r0::Stream { seq: u32::MAX, ts_ms: u32::MAX, reserved: 0xA55A, payload, gap: 0 }),
        Message::Stream(Stream::new(u32::MAX, 0, raw)),
        Message::Ack(Ack::new(1, 2, Reply::ReadSensor(raw))),
        Message::Ack(Ack::new(3, 4, Reply::GetSensors(SensorList::new(sensors).unwrap()))),
    ]
}

#[test]
fn largest_legal_frames_roundtrip() {
    let payload: Vec<u8> = (0..512).map(|i| (i * 7) as u8).collect();
    let sensors: Vec<u8> = (0..2 * MAX_SENSORS as u8).collect();
    let mut capture = Vec::new();
    for msg in largest_messages(&payload, &sensors) {
        let revision = msg.revision();
        let max = revision.max_frame_len();
        assert_eq!(msg.buffer_len(), max, "{msg:?}");
        let mut exact = vec![0u8; max];
        assert_eq!(msg.emit(&mut exact), Ok(max));
        assert_eq!(
            msg.emit(&mut exact[..max - 1]),
            Err(EncodeError::BufferTooSmall { needed: max, available: max - 1 })
        );

        let events: Vec<_> = SliceDecoder::new(decoder(revision), &exact).collect();
        assert_eq!(events.len(), 1);
        assert_eq!((events[0].offset, events[0].len), (0, max));
        let decoded = events[0].frame().unwrap();
        assert_eq!(decoded, &msg);
        let mut again = vec![0u8; max];
        assert_eq!(decoded.emit(&mut again), Ok(max));
        assert_eq!(again, exact);
        if revision == Revision::R1 {
            capture.extend_from_slice(&exact);
        }
    }
    // Back to back, through a stream decoder of exactly the limit, one byte at a time.
    let (events, stats) = decode_stream::<R1_MAX>(Revision::R1, &capture, 1);
    assert_eq!(shape(&events), [(0, 64, None), (64, 64, None), (128, 64, None)]);
    assert_eq!(stats.bytes_in_frames, 192);

    // One byte more is refused.
    let long = Message::R0Stream(r0::Stream::new(0, 0, &[0u8; 513]));
    assert_eq!(long.emit(&mut [0u8; 600]), Err(EncodeError::TooLong { field: "payload", len: 513, max: 512 }));
    let raw = SensorPacket::Raw { runtime_id: 0, sample: &payload[..46] };
    let long = Message::Stream(Stream::new(0, 0, raw));
    assert_eq!(long.emit(&mut [0u8; 600]), Err(EncodeError::TooLong { field: "sample", len: 46, max: 45 }));
    let header = HeaderRepr { frame_type: 2, ..HeaderRepr::default() };
    assert_eq!(
        frame::emit(&mut [0u8; 600], Revision::R1, &header, &[0; 47]),
        Err(EncodeError::TooLong { field: "payload", len: 47, max: 46 })
    );
}

/// A stream with everything the scanner decides about: garbage, largest frames, a false
/// magic, an oversize length, a CRC error (r1), `middle`, and a frame cut off by the end.
fn mixed_stream(revision: Revision, middle: &[u8]) -> Vec<u8> {
    let mut s = vec![0x00, 0xA5, 0x13, 0x01, 0xA5];
    let payload: Vec<u8> = (0..512).map(|i| (i * 13) as u8).collect();
    let sensors: Vec<u8> = (0..46).collect();
    for msg in largest_messages(&payload, &sensors).into_iter().filter(|m| m.revision() == revision) {
        let mut buf = vec![0u8; msg.buffer_len()];
        msg.emit(&mut buf).unwrap();
        s.extend_from_slice(&buf);
        s.extend_from_slice(&[0xA5, 0x5A, 0x07]); // a false magic
    }
    s.extend_from_slice(&header_with_len(revision, 0, u16::MAX));
    for seq in 0..5 {
        let mut frame = match revision {
            Revision::R0 => r0_frame(seq, 1 + 100 * seq as usize),
            Revision::R1 => r1_sample(seq),
        };
        if seq == 2 {
            let last = frame.len() - 1;
            frame[last] ^= 0x80; // r1: CRC mismatch; r0: a changed payload byte
        }
        s.extend_from_slice(&frame);
    }
    let cut = match revision {
        Revision::R0 => r0_frame(9, 300),
        Revision::R1 => r1_sample(9),
    };
    s.extend_from_slice(middle);
    s.extend_from_slice(&cut[..cut.len() - 3]);
    s
}

#[test]
fn capacity_of_exactly_max_frame_len_changes_no_event() {
    let captures: &[(&str, Revision)] = &[
        ("seed_stream_clean", Revision::R0),
        ("seed_stream_truncated", Revision::R0),
        ("seed_commands_host2dev", Revision::R0),
        ("head_stream_clean", Revision::R1),
        ("head_stream_bad_crc", Revision::R1),
        ("head_commands_host2dev", Revision::R1),
        ("head_commands_dev2host", Revision::R1),
    ];
    for revision in [Revision::R0, Revision::R1] {
        let mut middle = Vec::new();
        for (name, _) in captures.iter().filter(|(_, r)| *r == revision) {
            let path = format!("{}/tests/captures/powerscope/{name}.bin", env!("CARGO_MANIFEST_DIR"));
            middle.extend_from_slice(&std::fs::read(path).unwrap());
        }
        let input = mixed_stream(revision, &middle);
        let mut slice = SliceDecoder::new(decoder(revision), &input);
        let expected: Vec<Summary> = slice.by_ref().map(|e| summarize(&e)).collect();
        let expected_stats = *slice.stats();
        assert_tiles(&expected, input.len());
        assert!(expected_stats.frames >= 10 && expected_stats.errors.total() >= 5, "{expected_stats:?}");
        for chunk in [1, 2, 15, 63, 64, 65, 527, 528, 529, input.len()] {
            let (events, stats) = match revision {
                Revision::R0 => decode_stream::<R0_MAX>(revision, &input, chunk),
                Revision::R1 => decode_stream::<R1_MAX>(revision, &input, chunk),
            };
            assert_eq!(events, expected, "{revision:?}, chunks of {chunk}");
            assert_eq!(stats, expected_stats);
        }
    }
}

#[test]
fn much_smaller_capacity_never_stalls() {
    // r1 with a 32-byte buffer: 25-byte frames still decode; the 64-byte frame is rejected as
    // truncated at the capacity and its other 32 bytes are garbage; nothing stalls.
    let payload = [0x11u8; 45];
    let big = Message::Stream(Stream::new(1, 0, SensorPacket::Raw { runtime_id: 2, sample: &payload }));
    let mut big_bytes = [0u8; R1_MAX];
    big.emit(&mut big_bytes).unwrap();
    let input: Vec<u8> = [r1_sample(0), big_bytes.to_vec(), r1_sample(1)].concat();
    for chunk in [1, 7, 32, input.len()] {
        let (events, stats) = decode_stream::<32>(Revision::R1, &input, chunk);
        assert_eq!(
            shape(&events),
            [(0, 25, None), (25, 32, Some(ErrorKind::Truncated)), (57, 32, Some(ErrorKind::Garbage)), (89, 25, None)],
            "chunks of {chunk}"
        );
        assert_eq!(events[1].item, format!("{:?}", Error::Truncated { frame_len: Some(64), available: 32 }));
        assert_eq!((stats.frames, stats.errors.total(), stats.bytes_skipped), (2, 2, 64));
        assert_eq!(stats.bytes_accounted(), input.len() as u64);
    }

    // r0 with a 64-byte buffer (an eighth of its limit) over the mixed stream: every byte is
    // in exactly one event, no event is longer than the buffer, the frames that fit still
    // decode where they are, and nothing is left pending. (The bytes of a frame too long for
    // the buffer are scanned again, so a 0x01 / 0x02 in its payload becomes a command.)
    let input = mixed_stream(Revision::R0, &[]);
    let full = decode_slice(PowerScope::r0(), &input);
    let fitting: Vec<&Summary> = full.iter().filter(|e| e.kind.is_none() && e.len <= 64).collect();
    assert_eq!(fitting.iter().filter(|e| e.len > 1).count(), 1, "one 17-byte frame, the rest commands");
    for chunk in [1, 13, 64, input.len()] {
        let (events, stats) = decode_stream::<64>(Revision::R0, &input, chunk);
        assert_tiles(&events, input.len());
        assert_eq!(stats.bytes_accounted(), input.len() as u64);
        assert!(events.iter().all(|e| e.len <= 64));
        // (Their gaps may differ: the frames before them that did not fit were not seen.)
        let shapes = shape(&events);
        for frame in &fitting {
            assert!(shapes.contains(&(frame.offset, frame.len, None)), "chunks of {chunk}: {frame:?} lost");
        }
        let truncated = events.iter().filter(|e| e.kind == Some(ErrorKind::Truncated)).count();
        assert!(truncated >= 5, "every frame longer than the buffer is truncated: {truncated}");
    }
}
