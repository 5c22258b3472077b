//! Stream behaviour: arbitrary input, corrupted conversations (every untouched frame
//! recovered, every decoded frame re-encodes) and chunking of a long stream with every error.

use proptest::prelude::*;
use serial_dialects::ascii_crc8::{
    AsciiCrc8, Command, Frame, Message, Status, encode_address_reply, encode_line, encode_lux_reply, encode_mode_reply,
    encode_request, encode_status_reply, encode_view_frame,
};
use serial_dialects::{ErrorKind, SliceDecoder};

use crate::common;
use crate::roundtrip::re_emit;

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_and_tile(bytes in prop::collection::vec(
        prop_oneof![Just(b'&'), Just(b'*'), Just(b'\n'), Just(b'\r'), Just(b'0'), Just(b'1'), Just(b'A'), any::<u8>()], 0..600)) {
        let events = common::decode_slice(AsciiCrc8::default(), &bytes);
        common::assert_tiles(&events, bytes.len());
        let chunked = common::decode_chunked(AsciiCrc8::default(), &bytes, &[1, 7, 64]);
        prop_assert_eq!(chunked, events);
    }

    #[test]
    fn frame_view_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        if let Ok(frame) = Frame::new_checked(&bytes[..]) {
            prop_assert_eq!(frame.crc(), frame.computed_crc());
            prop_assert_eq!(frame.as_bytes().len(), bytes.len());
        }
    }
}

/// Frames of every type, interleaved as a device conversation.
fn conversation_frames(count: usize, seed: u64) -> Vec<Vec<u8>> {
    let mut rng = common::XorShift::new(seed);
    let mut frames = Vec::new();
    let mut buf = [0u8; 300];
    for i in 0..count {
        let id = (i % 100) as u8;
        let n = match rng.below(9) {
            0 => encode_request(&mut buf, id, &Command::Download).unwrap(),
            1 => encode_request(&mut buf, id, &Command::View { offset: Some(rng.below(100) as u8), count: Some(99) })
                .unwrap(),
            2 => encode_status_reply(&mut buf, id, Status::from_code(rng.below(5) as u8)).unwrap(),
            3 => encode_lux_reply(&mut buf, id, rng.below(10_000) as u16).unwrap(),
            4 => {
                let values: Vec<u16> = (0..1 + rng.below(63)).map(|_| rng.below(10_000) as u16).collect();
                encode_view_frame(&mut buf, id, rng.below(200) as u32, &values).unwrap()
            }
            5 => encode_address_reply(&mut buf, id, rng.byte()).unwrap(),
            6 => encode_request(&mut buf, id, &Command::SetInterval { interval_ms: Some(1 + rng.below(9999) as u32) })
                .unwrap(),
            7 => encode_line(&mut buf, b"ERR_CRC").unwrap(),
            _ => encode_mode_reply(&mut buf, id, 1 + rng.below(6) as u8).unwrap(),
        };
        frames.push(buf[..n].to_vec());
    }
    frames
}

#[test]
fn corrupted_streams_recover_every_untouched_frame() {
    for &rate in &[0.0005, 0.005, 0.02, 0.1] {
        for seed in 1..=4u64 {
            let frames = conversation_frames(400, seed);
            let c = common::corrupt(&frames, rate, seed * 7919);
            let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &c.bytes).collect();
            common::assert_tiles(&events.iter().map(common::summarize).collect::<Vec<_>>(), c.bytes.len());
            for e in &events {
                if let Some(m) = e.frame() {
                    let bytes = &c.bytes[e.offset as usize..e.offset as usize + e.len];
                    if m.frame().is_some() {
                        let f = Frame::new_checked(bytes).expect("a decoded frame passes its checksum");
                        assert_eq!(f.crc(), f.computed_crc());
                    }
                    assert_eq!(re_emit(m), bytes);
                }
            }
            for &(offset, index) in &c.untouched {
                if frames[index][0] != b'&' {
                    continue; // text lines carry no checksum and may merge with garbage before them
                }
                let e = events
                    .iter()
                    .find(|e| e.offset == offset as u64)
                    .unwrap_or_else(|| panic!("rate {rate} seed {seed}: no event at {offset}"));
                assert_eq!(e.len, frames[index].len());
                let m = e.frame().unwrap_or_else(|| panic!("untouched frame rejected: {e:?}"));
                assert_eq!(re_emit(m), frames[index]);
            }
        }
    }
}

/// A long stream with every kind of error, and stretches longer than the search limit.
fn long_stream() -> Vec<u8> {
    let mut s = Vec::new();
    s.extend_from_slice(b"\r\nSYSTEM START\r\n");
    for (i, f) in conversation_frames(120, 99).into_iter().enumerate() {
        s.extend_from_slice(&f);
        match i % 12 {
            1 => s.extend_from_slice(b"&PC_STM0100310010*"), // CRC mismatch
            2 => s.extend_from_slice(b"&PC_STM01003100"),    // cut by the next frame
            3 => s.extend_from_slice(b"\x00\xff*junk\r\n"),
            4 => s.extend_from_slice(b"&PC_STM01257"),
            5 => s.extend_from_slice(b"ERR: UNKNOWN CMD\r\n"),
            6 => s.extend_from_slice(b"&PC_STM0A003100B6*"),
            7 => s.extend(std::iter::repeat_n(b'7', 1500)),
            8 => {
                s.push(b'&');
                s.extend(std::iter::repeat_n(b'5', 2100));
            }
            9 => {
                s.extend(std::iter::repeat_n(b'x', 1300));
                s.extend_from_slice(b"\r\nERR_LENGTH\r\n");
            }
            _ => {}
        }
    }
    s.extend_from_slice(b"&STMPC_01002"); // cut by the end
    s
}

#[test]
fn long_stream_with_errors_is_chunking_invariant() {
    let s = long_stream();
    common::assert_chunking_invariant(AsciiCrc8::default, &s);
    let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &s).collect();
    let kinds: std::collections::BTreeSet<ErrorKind> = events.iter().filter_map(|e| e.error_kind()).collect();
    assert_eq!(
        kinds.into_iter().collect::<Vec<_>>(),
        [
            ErrorKind::Garbage,
            ErrorKind::CrcMismatch,
            ErrorKind::BadLength,
            ErrorKind::Truncated,
            ErrorKind::InvalidField
        ]
    );
    assert!(events.iter().all(|e| e.len <= 1024));
    let replies = events.iter().filter(|e| matches!(e.frame(), Some(Message::Reply(_)))).count();
    assert!(replies > 30);
    assert!(events.iter().any(|e| matches!(e.frame(), Some(Message::DeviceText(_)))));
    assert!(events.iter().any(|e| matches!(e.frame(), Some(Message::DeviceError(_)))));
}
