//! Streams: arbitrary input, chunking over a long synthetic stream with errors, and
//! recovery from corruption.

use proptest::prelude::*;
use serial_dialects::plot::{self, Config, LabelEntry, Message, Plot};
use serial_dialects::{ErrorKind, SliceDecoder};

use crate::common;

proptest! {
    #[test]
    fn arbitrary_bytes_never_panic_and_tile(
        bytes in proptest::collection::vec(prop_oneof![3 => any::<u8>(), 1 => Just(0xAA), 1 => Just(0xAB), 1 => Just(b'\n'), 1 => 0u8..4, 1 => 0u8..40], 0..1500),
        wide in any::<bool>(),
    ) {
        let config = if wide { Config::wide() } else { Config::default() };
        let events = common::decode_slice(Plot::new(config), &bytes);
        common::assert_tiles(&events, bytes.len());
        for e in &events {
            if let Some(kind) = e.kind {
                prop_assert_eq!(e.len, 1, "a rejection is one byte");
                prop_assert!(matches!(kind, ErrorKind::BadLength | ErrorKind::InvalidField | ErrorKind::Truncated));
            }
        }
        let sizes = [1 + bytes.len() % 7, 13, 64];
        prop_assert_eq!(common::decode_chunked(Plot::new(config), &bytes, &sizes), events);
        // Views never panic either.
        let _ = Message::parse_frame(&bytes, config.max_channels);
        let _ = plot::Frame::new_checked(&bytes[..], 255)
            .map(|f| (f.frame_type(), f.count(), f.payload().len(), f.value(300), f.entries().count(), f.frame_len()));
        // Unchecked views of any buffer: the getters that promise it never panic.
        for len in 0..bytes.len().min(8) {
            let f = plot::Frame::new_unchecked(&bytes[..len]);
            let _ = (f.frame_type(), f.entries().count(), f.check_len(255));
        }
    }
}

/// A long stream of data and label frames, text lines with ª/«, a help table and a few
/// false starts, built deterministically.
fn synthetic(seed: u64, n: usize) -> (Vec<Vec<u8>>, Vec<bool>) {
    let mut rng = common::XorShift::new(seed);
    let mut pieces = Vec::new();
    let mut is_frame = Vec::new();
    let mut buf = [0u8; 700];
    for k in 0..n {
        match rng.below(10) {
            0..=5 => {
                let count = 1 + rng.below(32);
                let values: Vec<i16> = (0..count).map(|_| rng.next_u64() as i16).collect();
                let len = plot::emit_data(&values, 32, &mut buf).unwrap();
                pieces.push(buf[..len].to_vec());
                is_frame.push(true);
            }
            6 => {
                let names = ["Temp", "Humidity", "Accel Z", "温度センサー値", "ªbc«", "x"];
                let count = 1 + rng.below(4);
                let labels: Vec<LabelEntry<'_>> =
                    (0..count).map(|_| plot::label(rng.below(32) as u8, names[rng.below(names.len())])).collect();
                let len = plot::emit_labels(&labels, 32, &mut buf).unwrap();
                pieces.push(buf[..len].to_vec());
                is_frame.push(true);
            }
            7 | 8 => {
                let lines = [
                    "status: OK ª\r\n",
                    "25°C «o»\r\n",
                    "GMU Commands\r\n",
                    "go | - | state | Go\r\n",
                    "---------+---\r\n",
                    "\r\n",
                ];
                pieces.push(lines[rng.below(lines.len())].as_bytes().to_vec());
                is_frame.push(false);
            }
            _ => {
                // A false start: AA/AB followed by an impossible COUNT (0, or 33 = '!'), and a
                // line end (after a control character, a following 'ª' would be a frame
                // start by the rules: that is tested elsewhere).
                pieces.push(vec![0xAA + rng.below(2) as u8, if k % 2 == 0 { 0 } else { 33 }, b'\n']);
                is_frame.push(false);
            }
        }
    }
    (pieces, is_frame)
}

#[test]
fn chunking_invariant_over_a_long_stream_with_errors() {
    let (pieces, _) = synthetic(7, 400);
    let mut bytes: Vec<u8> = pieces.concat();
    // Some raw corruption as well.
    let corrupted = common::corrupt(&pieces, 0.01, 99);
    common::assert_chunking_invariant(Plot::default, &bytes);
    common::assert_chunking_invariant(Plot::default, &corrupted.bytes);
    bytes.truncate(bytes.len() - 3);
    common::assert_chunking_invariant(|| Plot::new(Config { max_line: 16, ..Config::wide() }), &bytes);
}

#[test]
fn clean_synthetic_stream_decodes_every_frame_in_place() {
    let (pieces, is_frame) = synthetic(3, 2000);
    let bytes = pieces.concat();
    let events: Vec<_> = SliceDecoder::new(Plot::default(), &bytes).collect();
    let mut frames = Vec::new();
    let mut at = 0u64;
    for (p, f) in pieces.iter().zip(&is_frame) {
        if *f {
            frames.push((at, p.len()));
        }
        at += p.len() as u64;
    }
    let decoded: Vec<(u64, usize)> = events
        .iter()
        .filter(|e| matches!(e.frame(), Some(Message::Data(_) | Message::Label(_))))
        .map(|e| (e.offset, e.len))
        .collect();
    assert_eq!(decoded, frames);
}

/// Without a checksum a corrupted frame can swallow the bytes after it, so not every
/// untouched frame can be recovered; measure it, and check that whatever is decoded at an
/// untouched frame's offset is that frame, byte for byte.
#[test]
fn corruption_recovery_rate() {
    for (rate, min_recovered) in [(0.001, 0.98), (0.01, 0.9), (0.05, 0.8)] {
        for seed in 1..=4u64 {
            let (pieces, is_frame) = synthetic(seed, 1500);
            let c = common::corrupt(&pieces, rate, seed * 31);
            let decoded: std::collections::HashMap<u64, Vec<u8>> = SliceDecoder::new(Plot::default(), &c.bytes)
                .filter(|e| matches!(e.frame(), Some(Message::Data(_) | Message::Label(_))))
                .map(|e| (e.offset, c.bytes[e.offset as usize..e.offset as usize + e.len].to_vec()))
                .collect();
            let untouched: Vec<(usize, usize)> = c.untouched.iter().copied().filter(|&(_, i)| is_frame[i]).collect();
            let mut recovered = 0;
            for &(offset, i) in &untouched {
                if let Some(bytes) = decoded.get(&(offset as u64)) {
                    assert_eq!(bytes, &pieces[i], "rate {rate} seed {seed}: frame at {offset}");
                    recovered += 1;
                }
            }
            let share = recovered as f64 / untouched.len() as f64;
            assert!(share >= min_recovered, "rate {rate} seed {seed}: only {share:.3} of untouched frames recovered");
        }
    }
}

/// Label names as firmware sends them: ASCII, multi-byte UTF-8, and characters whose last
/// byte is a start byte (ª = C2 AA, ê = C3 AA, « = C2 AB, ë = C3 AB); a name ending in one
/// is followed by the next entry's CH_INDEX, which reads as a COUNT. The 21-byte name is
/// sent cut to 15 bytes.
const NAMES: [&str; 12] = [
    "Temp",
    "Humidity",
    "Vbus mV",
    "I",
    "Température °C",
    "温度センサー値",
    "ªbc«",
    "Fenêtre",
    "Noël µA",
    "Δt",
    "Fase 1ª",
    "Você",
];

/// One label frame of a test stream: where it is, and where its names are (every other
/// byte frames it: the start byte, COUNT, and each entry's CH_INDEX and LEN).
struct PlacedLabel {
    start: usize,
    end: usize,
    names: Vec<std::ops::Range<usize>>,
}

impl PlacedLabel {
    fn framing(&self) -> impl Iterator<Item = usize> + '_ {
        [self.start, self.start + 1].into_iter().chain(self.names.iter().flat_map(|n| [n.start - 2, n.start - 1]))
    }
}

/// A stream of data frames (COUNT 1..=8, random values) and, one frame in seven, label
/// frames (1..=6 entries of [`NAMES`]), as the encoders write them.
fn data_and_label_stream(rng: &mut common::XorShift, frames: usize) -> (Vec<u8>, Vec<PlacedLabel>) {
    let mut stream = Vec::new();
    let mut labels = Vec::new();
    let mut buf = [0u8; 2 + 32 * 18];
    for _ in 0..frames {
        let start = stream.len();
        if rng.below(7) == 0 {
            let entries: Vec<_> = (0..1 + rng.below(6))
                .map(|_| plot::label(rng.below(32) as u8, NAMES[rng.below(NAMES.len())]))
                .collect();
            let n = plot::emit_labels(&entries, 32, &mut buf).unwrap();
            stream.extend_from_slice(&buf[..n]);
            let mut names = Vec::new();
            let mut at = start + 2;
            for _ in 0..buf[1] {
                let len = usize::from(buf[at - start + 1]);
                names.push(at + 2..at + 2 + len);
                at += 2 + len;
            }
            assert_eq!(at, stream.len());
            labels.push(PlacedLabel { start, end: at, names });
        } else {
            let values: Vec<i16> = (0..1 + rng.below(8)).map(|_| rng.next_u64() as i16).collect();
            let n = plot::emit_data(&values, 32, &mut buf).unwrap();
            stream.extend_from_slice(&buf[..n]);
        }
    }
    (stream, labels)
}

/// Without a checksum the decoder frames a label by COUNT, CH_INDEX and LEN alone: a label
/// frame whose framing bytes survived is decoded in place, however its name bytes were
/// corrupted, and none of its bytes come back as a phantom data frame. (Rejecting a name
/// that is not UTF-8 handed the label's bytes back to the scanner, where `ª`/`ê` in a name
/// start data frames.) Labels whose framing bytes were hit, or that a corrupted frame
/// before them swallowed, are beyond what the format allows and are not counted.
#[test]
fn corrupted_label_names_lose_no_label_and_make_no_phantom_data() {
    let (mut framed, mut bad_names, mut lost, mut phantoms, mut untouched) = (0, 0, 0, 0, 0);
    for (r, rate) in [1e-4, 1e-3, 3e-3, 1e-2].into_iter().enumerate() {
        for seed in 0..9u64 {
            let mut rng = common::XorShift::new(0x1ABE_1000 + 16 * r as u64 + seed);
            let (clean, labels) = data_and_label_stream(&mut rng, 800);
            // Bit flips only, so every frame stays where it was sent.
            let mut stream = clean.clone();
            for b in &mut stream {
                if rng.chance(rate) {
                    *b ^= 1 << rng.below(8);
                }
            }
            let events: std::collections::HashMap<usize, (usize, Option<Message<'_>>)> =
                SliceDecoder::new(Plot::default(), &stream)
                    .map(|e| (e.offset as usize, (e.len, e.into_frame())))
                    .collect();
            for l in &labels {
                if l.framing().any(|i| stream[i] != clean[i]) || !events.contains_key(&l.start) {
                    continue;
                }
                framed += 1;
                let bytes = &stream[l.start..l.end];
                untouched += usize::from(bytes == &clean[l.start..l.end]);
                bad_names += usize::from(l.names.iter().any(|n| std::str::from_utf8(&stream[n.clone()]).is_err()));
                match &events[&l.start] {
                    (len, Some(m @ Message::Label(_))) if *len == bytes.len() => {
                        // It re-encodes to the bytes it was decoded from, corrupted names included.
                        let mut again = vec![0u8; *len];
                        assert_eq!(m.emit(&mut again), Ok(*len));
                        assert_eq!(again, bytes, "rate {rate} seed {seed}");
                    }
                    _ => lost += 1,
                }
                phantoms +=
                    (l.start + 1..l.end).filter(|o| matches!(events.get(o), Some((_, Some(Message::Data(_)))))).count();
            }
        }
    }
    // The streams exercise the case: many labels, some of them with names made invalid.
    assert!(framed > 3000 && untouched > 2500 && bad_names > 50, "{framed} {untouched} {bad_names}");
    assert_eq!(
        (lost, phantoms),
        (0, 0),
        "of {framed} label frames with intact framing ({bad_names} with names no longer UTF-8), \
         {lost} were not decoded, and {phantoms} phantom data frames came from their bytes"
    );
}
