//! Round trips of every message type (message → bytes → message) and the encoders' errors.

use proptest::prelude::*;
use serial_dialects::plot::{self, Command, Config, LabelEntry, Message, Plot, write_help_table};
use serial_dialects::{EncodeError, ErrorKind, SliceDecoder};

fn value() -> impl Strategy<Value = i16> {
    prop_oneof![Just(i16::MIN), Just(i16::MAX), Just(0), Just(-1), Just(0x0AAA), Just(-21846), any::<i16>()]
}

fn name() -> impl Strategy<Value = String> {
    // ASCII, multi-byte characters and characters whose UTF-8 holds AA/AB; up to 24 bytes
    // so that truncation to 16 bytes happens.
    proptest::collection::vec(
        prop_oneof![
            Just('a'),
            Just('Z'),
            Just(' '),
            Just('é'),
            Just('ª'),
            Just('«'),
            Just('温'),
            Just('😪'),
            any::<char>()
        ],
        1..12,
    )
    .prop_map(|c| c.into_iter().collect())
}

fn decode_one(config: Config, bytes: &[u8]) -> Vec<(u64, usize, Option<ErrorKind>)> {
    SliceDecoder::new(Plot::new(config), bytes).map(|e| (e.offset, e.len, e.error_kind())).collect()
}

proptest! {
    #[test]
    fn data_round_trip(values in proptest::collection::vec(value(), 1..=64)) {
        let max = if values.len() <= 32 { plot::DOCUMENTED_MAX_CHANNELS } else { plot::WIDE_MAX_CHANNELS };
        let mut buf = [0u8; 200];
        let n = plot::emit_data(&values, max, &mut buf).unwrap();
        prop_assert_eq!(n, 2 + 2 * values.len());
        let Message::Data(d) = Message::parse_frame(&buf[..n], max).unwrap() else { panic!("not DATA") };
        prop_assert_eq!(d.values().collect::<Vec<_>>(), values.clone());
        let mut again = [0u8; 200];
        prop_assert_eq!(d.emit(&mut again), Ok(n));
        prop_assert_eq!(&again[..n], &buf[..n]);
        // The stream decoder gives the same single frame.
        let config = Config { max_channels: max, ..Config::default() };
        prop_assert_eq!(decode_one(config, &buf[..n]), vec![(0, n, None)]);
        // Encoder errors: a buffer one byte short, too many values.
        prop_assert_eq!(plot::emit_data(&values, max, &mut buf[..n - 1]), Err(EncodeError::BufferTooSmall { needed: n, available: n - 1 }));
        prop_assert_eq!(plot::emit_data(&values, values.len() as u8 - 1, &mut buf), Err(EncodeError::OutOfRange { field: "COUNT" }));
    }

    #[test]
    fn label_round_trip(entries in proptest::collection::vec((0u8..32, name()), 1..=32)) {
        let labels: Vec<LabelEntry<'_>> = entries.iter().map(|(i, n)| plot::label(*i, n)).collect();
        let mut buf = vec![0u8; 2 + 32 * 18];
        let n = plot::emit_labels(&labels, 32, &mut buf).unwrap();
        let Message::Label(l) = Message::parse_frame(&buf[..n], 32).unwrap() else { panic!("not LABEL") };
        let expected: Vec<LabelEntry<'_>> = entries.iter().map(|(i, n)| plot::label(*i, plot::truncate_label(n))).collect();
        prop_assert_eq!(l.entries().collect::<Vec<_>>(), expected);
        for e in l.entries() {
            prop_assert!(!e.name_bytes.is_empty() && e.name_bytes.len() <= 16);
            prop_assert_eq!(e.name_str().map(str::len), Some(e.name_bytes.len()));
        }
        let mut again = vec![0u8; n];
        prop_assert_eq!(l.emit(&mut again), Ok(n));
        prop_assert_eq!(&again[..], &buf[..n]);
        prop_assert_eq!(decode_one(Config::default(), &buf[..n]), vec![(0, n, None)]);
        prop_assert_eq!(plot::emit_labels(&labels, 32, &mut buf[..n - 1]), Err(EncodeError::BufferTooSmall { needed: n, available: n - 1 }));
        let mut bad = labels.clone();
        bad[0].index = 32;
        prop_assert_eq!(plot::emit_labels(&bad, 32, &mut buf), Err(EncodeError::OutOfRange { field: "CH_INDEX" }));
    }

    #[test]
    fn text_round_trip(
        line in "(\t|[^\\p{Cc}]){0,60}".prop_filter("AA/AB only as a character's last byte", |l| {
            l.chars().all(|c| { let mut b = [0u8; 4]; let b = c.encode_utf8(&mut b).as_bytes(); !b[..b.len() - 1].iter().any(|x| *x == 0xAA || *x == 0xAB) })
        }),
        crlf in any::<bool>(),
    ) {
        // Clean UTF-8 text is one TEXT event, also when its characters end in AA/AB.
        let mut bytes = line.clone().into_bytes();
        bytes.extend_from_slice(if crlf { b"\r\n" } else { b"\n" });
        let events: Vec<_> = SliceDecoder::new(Plot::default(), &bytes).collect();
        prop_assert_eq!(events.len(), 1);
        let Some(Message::Text(t)) = events[0].frame() else { panic!("not TEXT") };
        prop_assert_eq!(t.as_str(), Some(line.as_str()));
        let mut again = vec![0u8; bytes.len()];
        prop_assert_eq!(t.emit(&mut again), Ok(bytes.len()));
        prop_assert_eq!(again, bytes);
    }

    #[test]
    fn commands_round_trip(rows in proptest::collection::vec(
        ("[a-z][a-zA-Z0-9_]{0,9}", prop_oneof![Just("-".to_string()), "[a-z]{1,4}( [a-z]{1,4}){0,2}"], "[a-z]{1,6}", "([A-Za-z0-9,.]{1,8}( [A-Za-z0-9,.|]{1,8}){0,3})?"),
        0..=20,
    )) {
        let rows: Vec<(String, String, String, String)> =
            rows.into_iter().filter(|(c, _, cat, _)| !(c == "help" && cat == "sys")).collect();
        let cmds: Vec<Command<'_>> = rows.iter().map(|(c, a, k, d)| Command { cmd: c, args: a, cat: k, description: d }).collect();
        let mut table = String::new();
        write_help_table(&mut table, "GMU Commands", &cmds).unwrap();
        let mut input = table.into_bytes();
        input.extend_from_slice(&[0xAA, 1, 0, 0]);
        let lists: Vec<_> = SliceDecoder::new(Plot::default(), &input)
            .filter_map(|e| match e.into_frame() { Some(Message::Commands(c)) => Some(c), _ => None })
            .collect();
        prop_assert_eq!(lists.len(), 1);
        let parsed: Vec<Command<'_>> = lists[0].iter().collect();
        prop_assert_eq!(parsed, cmds.clone());
        // Message::Commands spans no bytes.
        prop_assert_eq!(Message::Commands(lists[0].clone()).emit(&mut []), Ok(0));
    }
}
