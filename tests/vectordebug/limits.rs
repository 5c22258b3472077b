//! The limits of the vectordebug dialect (see the module documentation, "Limits"): the
//! largest frames, the stream buffer they need, the `len` field, endless runs of
//! delimiters or of bytes without one, empty input, and stream buffers of exactly and of
//! much less than `max_frame_len` bytes.

use crate::common;

use crate::common::vectordebug::{emit, frame, packet};

use serial_dialects::cobs;
use serial_dialects::stream::{Dialect, SliceDecoder, StreamDecoder};
use serial_dialects::vectordebug::{Config, Error, Message, Packet, Payload, Record, Records, SeqTracker, VectorDebug};
use serial_dialects::{DialectError, EncodeError, ErrorKind, Stats};

/// `max_frame_len` of the default configuration: the stream buffer it needs.
const MAX_FRAME: usize = 16450;
/// The largest payload of the default configuration: 1169 records and 11 spare bytes.
const MAX_PAYLOAD: usize = Config::DEFAULT_MAX_PACKET - 7;

/// `(offset, len, error)` of every event of the slice decoder, and its statistics.
fn events_with(d: VectorDebug, input: &[u8]) -> (Vec<(u64, usize, Option<Error>)>, Stats) {
    let mut dec = SliceDecoder::new(d, input);
    let events = dec.by_ref().map(|e| (e.offset, e.len, e.error().cloned())).collect();
    (events, *dec.stats())
}

fn events(input: &[u8]) -> (Vec<(u64, usize, Option<Error>)>, Stats) {
    events_with(VectorDebug::default(), input)
}

/// The records of the largest DBG_FRAME1 packet: every word non-zero.
fn max_records() -> Vec<Record> {
    (0..1169u16)
        .map(|i| {
            let v = (i as i16) | 0x0101;
            Record { seq: i.wrapping_add(1) | 0x0100, payload: [v, -v, v ^ 0x7070, 0x0101, -0x0101, i16::MIN | 1] }
        })
        .collect()
}

/// A CLI payload of `len` non-zero bytes, chosen so that the CRC has no zero byte either:
/// the packet has no zero but the two high bytes of `len`, so its COBS encoding is the
/// longest there is for its size.
fn zero_free_cli(len: usize) -> Vec<u8> {
    let mut data: Vec<u8> = (0..len).map(|i| (i % 251) as u8 + 1).collect();
    while packet(2, len as u32, &data).iter().rev().take(2).any(|&b| b == 0) {
        data[0] = data[0] % 255 + 1;
    }
    data
}

#[test]
fn the_stated_limits_hold() {
    let config = Config::default();
    assert_eq!(config.max_packet, 16384);
    assert_eq!(config.max_frame_len(), MAX_FRAME);
    assert_eq!(VectorDebug::default().max_frame_len(), MAX_FRAME);
    assert_eq!(MAX_PAYLOAD, 1169 * Record::SIZE + 11);
    assert_eq!(Config { max_packet: 64 }.max_frame_len(), 66);
    assert_eq!(Config { max_packet: usize::MAX }.max_frame_len(), usize::MAX);
    // The decoder state: the configuration, the sequence tracker, a u32 scan hint and what
    // the scanner learned about the frame it has just reported.
    assert!(core::mem::size_of::<VectorDebug>() <= 88, "{}", core::mem::size_of::<VectorDebug>());
    // A stream decoder of the needed capacity is that buffer and a few words.
    let stream = core::mem::size_of::<StreamDecoder<VectorDebug, MAX_FRAME>>();
    assert!((MAX_FRAME..MAX_FRAME + 256).contains(&stream), "{stream}");
}

#[test]
fn the_largest_frames_encode_decode_and_encode_again() {
    let recs = max_records();
    let tail = [0x11u8; 11];
    let cli = zero_free_cli(MAX_PAYLOAD);
    let zeros = vec![0u8; MAX_PAYLOAD];
    let messages = [
        Payload::DbgFrame1 { records: Records::with_trailing(&recs, &tail) },
        Payload::Cli { data: &cli },
        Payload::Cli { data: &zeros },
        Payload::Unknown { packet_type: 0xFF, payload: &cli },
    ];
    let mut lens = Vec::new();
    for msg in &messages {
        assert_eq!(msg.payload_len(), MAX_PAYLOAD);
        assert_eq!(msg.buffer_len(), MAX_FRAME, "buffer_len of the largest packet is max_frame_len");
        let wire = emit(msg);
        assert!(wire.len() <= MAX_FRAME);
        let (ev, stats) = events(&wire);
        assert_eq!(ev, [(0, wire.len(), None)], "{msg:?}");
        assert_eq!((stats.frames, stats.bytes_in_frames), (1, wire.len() as u64));
        let p = SliceDecoder::new(VectorDebug::default(), &wire).next().unwrap().into_frame().unwrap();
        assert_eq!(p.decoded_len(), Config::DEFAULT_MAX_PACKET);
        let mut buf = vec![0; p.decoded_len()];
        let decoded = p.decode_into(&mut buf).unwrap().typed_payload();
        assert_eq!(decoded, *msg);
        assert_eq!(emit(&decoded), wire, "re-encoding gives the same bytes");
        lens.push(wire.len());
    }
    // Zero-free CLI: 16384 decoded bytes, two zeros (the high bytes of `len`), 65 blocks
    // of data: the longest wire frame there is, exactly max_frame_len.
    assert_eq!(lens, [16450, 16450, 16386, 16450]);

    // One payload byte more is a packet the default decoder refuses (the encoder has no
    // limit of its own; a decoder configured for it accepts it).
    let cli = zero_free_cli(MAX_PAYLOAD + 1);
    let wire = emit(&Payload::Cli { data: &cli });
    assert_eq!(wire.len(), 16451);
    let (ev, _) = events(&wire);
    assert_eq!(ev[0], (0, MAX_FRAME, Some(Error::NoDelimiter { max_frame_len: MAX_FRAME })));
    assert_eq!(ev[1..], [(MAX_FRAME as u64, 1, Some(Error::EmptyChunk { zeros: 1 }))]);
    let roomy = VectorDebug::new(Config { max_packet: Config::DEFAULT_MAX_PACKET + 1 });
    assert_eq!(events_with(roomy, &wire).0, [(0, 16451, None)]);

    let zeros = vec![0u8; MAX_PAYLOAD + 1];
    let wire = emit(&Payload::Cli { data: &zeros });
    assert_eq!(events(&wire).0, [(0, 16387, Some(Error::TooLong { decoded: 16385, max: 16384 }))]);
}

#[test]
fn an_oversize_or_wrong_len_field_is_bad_length() {
    // A valid CRC over a `len` far beyond the packet (and beyond max_packet): never
    // trusted, never read past.
    for len in [u32::MAX, 16385, 8, 2] {
        let wire = frame(&packet(2, len, b"abc"));
        let (ev, stats) = events(&wire);
        assert_eq!(ev, [(0, wire.len(), Some(Error::LenMismatch { len, actual: 3 }))]);
        assert_eq!(Error::LenMismatch { len, actual: 3 }.kind(), ErrorKind::BadLength);
        assert_eq!((stats.frames, stats.errors.get(ErrorKind::BadLength)), (0, 1));
        assert_eq!(Packet::new_checked(&packet(2, len, b"abc")[..]).err(), Some(Error::LenMismatch { len, actual: 3 }));
    }
    // The largest `len` the default decoder accepts, with a packet of that size.
    let cli = zero_free_cli(MAX_PAYLOAD);
    let wire = frame(&packet(2, MAX_PAYLOAD as u32, &cli));
    assert_eq!(events(&wire).0, [(0, MAX_FRAME, None)]);
    // The encoder refuses what the 32-bit field cannot say before touching the buffer.
    let long = Payload::DbgFrame1 { records: Records::with_trailing(&[], &[1; 14]) };
    assert_eq!(long.emit(&mut [0; 64]), Err(EncodeError::TooLong { field: "trailing", len: 14, max: 13 }));
}

#[test]
fn a_hundred_thousand_delimiters_are_bounded_empty_chunk_events() {
    let input = vec![0u8; 100_000];
    let (ev, stats) = events(&input);
    let mut expected: Vec<_> =
        (0..6).map(|i| (i * MAX_FRAME as u64, MAX_FRAME, Some(Error::EmptyChunk { zeros: MAX_FRAME }))).collect();
    expected.push((6 * MAX_FRAME as u64, 1300, Some(Error::EmptyChunk { zeros: 1300 })));
    assert_eq!(ev, expected);
    assert_eq!(stats.errors.get(ErrorKind::EmptyChunk), 7);
    assert_eq!((stats.frames, stats.bytes_skipped), (0, 100_000));
    let slice = common::decode_slice(VectorDebug::default(), &input);
    for sizes in [&[1000][..], &[4096, 7], &[MAX_FRAME]] {
        assert_eq!(common::decode_chunked(VectorDebug::default(), &input, sizes), slice, "chunks of {sizes:?}");
    }

    // The smallest chunk there is, 100 000 times: `01 00` decodes to nothing.
    let input: Vec<u8> = [1u8, 0].repeat(50_000);
    let (ev, stats) = events(&input);
    assert_eq!(ev.len(), 50_000);
    assert!(ev.iter().enumerate().all(|(i, e)| *e == ((2 * i) as u64, 2, Some(Error::TooShort { decoded: 0 }))));
    assert_eq!((stats.errors.get(ErrorKind::BadLength), stats.bytes_skipped), (50_000, 100_000));
}

#[test]
fn a_long_stream_without_delimiter_is_cut_at_max_frame_len() {
    for byte in [0x55u8, 0x01, 0xFF] {
        let input = vec![byte; 100_000];
        let (ev, stats) = events(&input);
        let mut expected: Vec<_> = (0..6)
            .map(|i| (i * MAX_FRAME as u64, MAX_FRAME, Some(Error::NoDelimiter { max_frame_len: MAX_FRAME })))
            .collect();
        expected.push((6 * MAX_FRAME as u64, 1300, Some(Error::Truncated)));
        assert_eq!(ev, expected, "{byte:#04x}");
        assert_eq!(stats.errors.get(ErrorKind::BadLength), 6);
        assert_eq!(stats.errors.get(ErrorKind::Truncated), 1);
        assert_eq!(stats.bytes_skipped, 100_000);
        // The stream decoder holds at most one frame's worth and waits for the rest.
        let mut d: Box<StreamDecoder<VectorDebug, MAX_FRAME>> = Box::new(StreamDecoder::new(VectorDebug::default()));
        let mut seen = Vec::new();
        d.feed(&input, |e| seen.push((e.offset, e.len, e.error().cloned())));
        assert_eq!(seen, expected[..6]);
        assert_eq!(d.pending(), 1300);
        d.finish_with(|e| seen.push((e.offset, e.len, e.error().cloned())));
        assert_eq!(seen, expected);
    }
}

#[test]
fn empty_input_gives_no_event() {
    assert_eq!(events(&[]), (vec![], Stats::default()));
    let mut d: StreamDecoder<VectorDebug, 64> = StreamDecoder::new(VectorDebug::default());
    d.feed(&[], |e| panic!("{e:?}"));
    d.finish_with(|e| panic!("{e:?}"));
    assert_eq!((*d.stats(), d.position(), d.pending()), (Stats::default(), 0, 0));
    assert_eq!(Message::new_checked(&[], 16384).err(), Some(Error::Cobs(cobs::CobsError::Empty)));
    assert_eq!(Message::new_checked(&[0], 16384).err(), Some(Error::Cobs(cobs::CobsError::Empty)));
    assert_eq!(Payload::decode_wire(&[], &mut [0; 8]).err(), Some(Error::Cobs(cobs::CobsError::Empty)));
    assert_eq!(Packet::new_checked(&[][..]).err(), Some(Error::TooShort { decoded: 0 }));
    assert_eq!(events(&[0]).0, [(0, 1, Some(Error::EmptyChunk { zeros: 1 }))]);
}

/// Small frames, the largest frames, empty chunks, garbage and a cut-off frame.
fn mixed_stream() -> (Vec<u8>, Vec<usize>) {
    let small_recs = [Record { seq: 1, payload: [1, 2, 3, 4, 5, 6] }, Record { seq: 2, payload: [-1; 6] }];
    let recs = max_records();
    let cli = zero_free_cli(MAX_PAYLOAD);
    let pieces = [
        emit(&Payload::DbgFrame1 { records: Records::new(&small_recs) }),
        emit(&Payload::Cli { data: &cli }),
        emit(&Payload::Cli { data: b"ok\r\n" }),
        vec![0, 0, 0],
        emit(&Payload::DbgFrame1 { records: Records::with_trailing(&recs, &[7; 11]) }),
        vec![0x55, 0xAA, 0x13],
        emit(&Payload::Unknown { packet_type: 9, payload: &[0, 1, 0] }),
        emit(&Payload::Cli { data: b"cut off" })[..6].to_vec(),
    ];
    let lens = pieces.iter().map(Vec::len).collect();
    (pieces.concat(), lens)
}

fn stream_events<const N: usize>(input: &[u8], size: usize) -> (Vec<common::Summary>, Stats) {
    let mut d: Box<StreamDecoder<VectorDebug, N>> = Box::new(StreamDecoder::new(VectorDebug::default()));
    let mut out = Vec::new();
    for piece in input.chunks(size) {
        d.feed(piece, |e| out.push(common::summarize(&e)));
    }
    d.finish_with(|e| out.push(common::summarize(&e)));
    (out, *d.stats())
}

#[test]
fn a_stream_buffer_of_exactly_max_frame_len_changes_no_event() {
    let (input, lens) = mixed_stream();
    assert_eq!(lens[1], MAX_FRAME);
    assert_eq!(lens[4], MAX_FRAME);
    let expected = common::decode_slice(VectorDebug::default(), &input);
    let kinds: Vec<_> = expected.iter().map(|e| (e.len, e.kind)).collect();
    assert_eq!(
        kinds,
        [
            (lens[0], None),
            (MAX_FRAME, None),
            (lens[2], None),
            (3, Some(ErrorKind::EmptyChunk)),
            (MAX_FRAME, None),
            (3, Some(ErrorKind::CobsError)),
            (lens[6], None),
            (6, Some(ErrorKind::Truncated)),
        ]
    );
    let mut seq = SeqTracker::new();
    seq.observe_all([1, 2].map(|seq| Record { seq, payload: [0; 6] }));
    seq.observe_all(max_records());
    for size in [1, 7, 254, 4096, MAX_FRAME, input.len()] {
        let (got, stats) = stream_events::<MAX_FRAME>(&input, size);
        assert_eq!(got, expected, "chunks of {size}");
        assert_eq!(stats.frames, 5);
        assert_eq!(stats.bytes_accounted(), input.len() as u64);
        assert_eq!(stats.bytes_skipped, 12);
        assert_eq!(stats.lost_frames, seq.lost());
    }
    // One byte less and the largest frames no longer fit: the bound is tight.
    let (got, _) = stream_events::<{ MAX_FRAME - 1 }>(&input, 4096);
    assert_ne!(got, expected);
}

#[test]
fn a_much_smaller_stream_buffer_never_stalls_and_accounts_for_every_byte() {
    let (input, lens) = mixed_stream();
    for size in [1, 100, 256, 5000] {
        let (got, stats) = stream_events::<256>(&input, size);
        common::assert_tiles(&got, input.len());
        assert!(got.iter().all(|e| e.len <= 256));
        // The small frames still decode; the two largest are rejected in pieces.
        let frames: Vec<_> = got.iter().filter(|e| e.kind.is_none()).map(|e| (e.offset, e.len)).collect();
        let at = |i: usize| lens[..i].iter().sum::<usize>() as u64;
        assert_eq!(frames, [(at(0), lens[0]), (at(2), lens[2]), (at(6), lens[6])], "chunks of {size}");
        assert_eq!(stats.frames, 3);
        assert_eq!(stats.bytes_in_frames, (lens[0] + lens[2] + lens[6]) as u64);
        assert_eq!(stats.bytes_accounted(), input.len() as u64);
        assert_eq!(stats.errors.get(ErrorKind::Truncated), 2 * 64 + 1);
        // Each largest frame (16450 = 64 × 256 + 66 bytes) is lost: 64 truncated pieces
        // of a full buffer, then its last 66 bytes, which are no COBS of their own.
        for big in [1, 4] {
            let pieces: Vec<_> = got
                .iter()
                .filter(|e| (at(big)..at(big + 1)).contains(&e.offset))
                .map(|e| (e.offset - at(big), e.len, e.kind))
                .collect();
            let mut expected: Vec<_> = (0..64).map(|i| (256 * i, 256, Some(ErrorKind::Truncated))).collect();
            expected.push((16384, 66, Some(ErrorKind::CobsError)));
            assert_eq!(pieces, expected, "chunks of {size}");
        }
    }
    // Same events whatever the chunking, even with the small buffer.
    assert_eq!(stream_events::<256>(&input, 1).0, stream_events::<256>(&input, 5000).0);
}

#[test]
fn a_small_configuration_has_a_small_exact_bound() {
    let config = Config { max_packet: 64 };
    assert_eq!(config.max_frame_len(), 66);
    let data: Vec<u8> = (1..=57u8).collect();
    let wire = emit(&Payload::Cli { data: &data });
    let too_long = emit(&Payload::Cli { data: &[1; 58] });
    let input = [&wire[..], &too_long[..], &wire[..]].concat();
    let d = || VectorDebug::new(config);
    let expected = common::decode_slice(d(), &input);
    // 57 payload bytes: a 64-byte packet whose COBS form is 66 bytes long, the bound; one
    // byte more does not fit.
    assert_eq!((wire.len(), too_long.len()), (66, 67));
    assert_eq!(
        events_with(d(), &input).0,
        [
            (0, 66, None),
            (66, 66, Some(Error::NoDelimiter { max_frame_len: 66 })),
            (132, 1, Some(Error::EmptyChunk { zeros: 1 })),
            (133, 66, None),
        ]
    );
    let mut s: StreamDecoder<VectorDebug, 66> = StreamDecoder::new(d());
    for size in 1..=70 {
        s.reset();
        let mut got = Vec::new();
        for piece in input.chunks(size) {
            s.feed(piece, |e| got.push(common::summarize(&e)));
        }
        s.finish_with(|e| got.push(common::summarize(&e)));
        assert_eq!(got, expected, "chunks of {size}");
    }
}
