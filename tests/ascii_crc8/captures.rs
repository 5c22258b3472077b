//! The real captures of the ascii-crc8 firmware (doc dialect), compared with what the real
//! implementation reported in the `.jsonl` files, plus the 35 wire examples of the original
//! documentation (`docs/protocols/ascii-crc8.md`, section 8).

use std::path::PathBuf;

use serde_json::Value;
use serial_dialects::ascii_crc8::{Answer, AsciiCrc8, Command, Error, Frame, Message, Status};
use serial_dialects::{ErrorKind, Item, Message as _, SliceDecoder};

use crate::common;

const CASES: &[&str] = &[
    "doc_bad_crc",
    "doc_download",
    "doc_i2c_scan_found",
    "doc_noise",
    "doc_seed_examples_len_fixed",
    "doc_set_get_interval",
    "doc_set_get_mode",
    "doc_start",
    "doc_stop",
    "doc_typical_session",
    "doc_view_2",
    "doc_view_99",
];

fn dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/captures/ascii-crc8")
}

fn read(name: &str) -> Vec<u8> {
    std::fs::read(dir().join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

struct Case {
    request: Vec<u8>,
    reply: Vec<u8>,
    /// Request segments (frames and noise), in order.
    segments: Vec<Value>,
    /// Reply items (frames and text lines), in order.
    replies: Vec<Value>,
}

fn load(case: &str) -> Case {
    let text = String::from_utf8(read(&format!("{case}.jsonl"))).unwrap();
    let mut lines = text.lines().map(|l| serde_json::from_str::<Value>(l).unwrap());
    let header = lines.next().unwrap();
    assert_eq!(header["case"], case);
    let (segments, replies): (Vec<Value>, Vec<Value>) = lines.partition(|v| v["dir"] == "request");
    let c =
        Case { request: read(&format!("{case}.bin")), reply: read(&format!("{case}.reply.bin")), segments, replies };
    assert_eq!(c.request.len() as u64, header["request_bytes"].as_u64().unwrap());
    assert_eq!(c.reply.len() as u64, header["reply_bytes"].as_u64().unwrap());
    c
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

fn num(v: &Value) -> u64 {
    match v {
        Value::Number(n) => n.as_u64().unwrap(),
        Value::String(t) => t.parse().unwrap(),
        _ => panic!("not a number: {v}"),
    }
}

/// The wire bytes of a reply item (frame or text line).
fn item_bytes(item: &Value) -> Vec<u8> {
    if item["kind"] == "text" { s(&item["text"]).as_bytes().to_vec() } else { s(&item["raw"]).as_bytes().to_vec() }
}

/// Checks the frame fields every frame has.
fn check_frame_fields(msg: &Message<'_>, exp: &Value) {
    let f = msg.frame().unwrap_or_else(|| panic!("not a frame: {msg:?}"));
    assert_eq!(f.src.to_string(), s(&exp["src"]));
    assert_eq!(f.dst.to_string(), s(&exp["dst"]));
    assert_eq!(u64::from(f.id), num(&exp["id"]));
    assert_eq!(f.data, s(&exp["data"]).as_bytes());
    assert_eq!(f.data.len() as u64, exp["len"].as_u64().unwrap());
    assert_eq!(f.crc, u8::from_str_radix(s(&exp["crc"]), 16).unwrap());
    assert_eq!(f.crc, u8::from_str_radix(s(&exp["crc_calc"]), 16).unwrap());
    let mut out = [0u8; 300];
    let n = msg.emit(&mut out).unwrap();
    assert_eq!(&out[..n], s(&exp["raw"]).as_bytes(), "re-encoding");
}

fn check_request(msg: &Message<'_>, exp: &Value) {
    check_frame_fields(msg, exp);
    assert_eq!(msg.name(), s(&exp["command"]));
    let Message::Request(r) = msg else { panic!("not a request: {msg:?}") };
    assert_eq!(u64::from(r.command.code().code()), num(&exp["code"]));
    let p = &exp["params"];
    match r.command {
        Command::View { offset, count } => {
            assert_eq!(offset.map(u64::from), p.get("offset").map(num));
            assert_eq!(count.map(u64::from), p.get("count").map(num));
        }
        Command::SetInterval { interval_ms } => {
            assert_eq!(interval_ms.map(u64::from), p.get("interval_ms_atoi").map(num));
        }
        Command::SetMode { mode } => assert_eq!(mode.map(u64::from), p.get("mode").map(num)),
        // Parameterless: whatever follows the code is ignored (`100` or `10`).
        _ => assert_eq!(&r.frame.data[2..], s(&exp["params_raw"]).as_bytes()),
    }
}

/// Checks a reply; `matched` says whether its request was in the same stream.
fn check_reply(msg: &Message<'_>, exp: &Value, matched: bool) {
    if exp["kind"] == "text" {
        let text = s(&exp["text"]);
        let line = text.trim_end_matches(['\r', '\n']);
        match msg {
            Message::DeviceError(l) if line.starts_with("ERR") => assert_eq!(l.as_str(), line),
            Message::DeviceText(l) if !line.starts_with("ERR") => assert_eq!(l.as_str(), line),
            other => panic!("expected a text line {text:?}, got {other:?}"),
        }
        return;
    }
    check_frame_fields(msg, exp);
    let Message::Reply(r) = msg else { panic!("not a reply: {msg:?}") };
    if !matched {
        assert_eq!((r.request, r.answer), (None, None));
        return;
    }
    assert!(r.request.is_some(), "reply not matched: {exp}");
    let answer = r.answer.unwrap_or_else(|| panic!("no answer for {exp}"));
    if let Some(st) = exp.get("status") {
        assert_eq!(answer, Answer::Status(Status::from_code(num(st) as u8)));
        assert_eq!(Status::from_code(num(st) as u8).name(), s(&exp["status_name"]));
    } else if let Some(addr) = exp.get("i2c_addr_hex") {
        assert_eq!(answer, Answer::Address(u8::from_str_radix(s(addr), 16).unwrap()));
    } else if let Some(Value::Array(lux)) = exp.get("lux") {
        let Answer::View { offset, values } = answer else { panic!("{answer:?}") };
        assert_eq!(u64::from(offset), num(&exp["offset_field"]));
        let got: Vec<u64> = values.iter().map(u64::from).collect();
        let want: Vec<u64> = lux.iter().map(num).collect();
        assert_eq!(got, want);
        assert_eq!(values.len() as u64, num(&exp["count"]));
    } else if let Some(lux) = exp.get("lux") {
        assert_eq!(answer, Answer::Lux(num(lux) as u16));
    } else if let Some(ms) = exp.get("interval_ms") {
        assert_eq!(answer, Answer::IntervalMs(num(ms) as u16));
    } else if let Some(mode) = exp.get("mode") {
        assert_eq!(answer, Answer::Mode(num(mode) as u8));
    } else {
        panic!("reply item with no known answer key: {exp}");
    }
}

#[test]
fn request_streams_match_the_real_tool() {
    for &case in CASES {
        let c = load(case);
        let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &c.request).collect();
        let mut frames_seen = 0;
        for seg in &c.segments {
            let off = num(&seg["byte_offset"]);
            let len = num(&seg["byte_len"]) as usize;
            let inside: Vec<_> = events.iter().filter(|e| e.offset >= off && e.offset < off + len as u64).collect();
            if seg.get("kind").is_some() {
                // Noise: nothing in it decodes as a frame.
                assert!(inside.iter().all(|e| e.frame().and_then(Message::frame).is_none()), "{case}: {seg}");
                continue;
            }
            assert_eq!(inside.len(), 1, "{case}: one event for {seg}");
            let e = inside[0];
            assert_eq!((e.offset, e.len), (off, len), "{case}: {seg}");
            if seg["crc_ok"] == true {
                check_request(e.frame().unwrap(), seg);
                frames_seen += 1;
            } else if u8::from_str_radix(s(&seg["crc"]), 16).is_ok() {
                assert_eq!(
                    e.error(),
                    Some(&Error::CrcMismatch {
                        received: u8::from_str_radix(s(&seg["crc"]), 16).unwrap(),
                        computed: u8::from_str_radix(s(&seg["crc_calc"]), 16).unwrap(),
                    }),
                    "{case}: {seg}"
                );
            } else {
                assert_eq!(e.error_kind(), Some(ErrorKind::InvalidField), "{case}: {seg}");
            }
        }
        let decoded = events.iter().filter(|e| e.frame().is_some()).count();
        assert_eq!(decoded, frames_seen, "{case}: no frame beyond the real tool's");
    }
}

#[test]
fn reply_streams_match_the_real_tool_unmatched() {
    for &case in CASES {
        let c = load(case);
        let rebuilt: Vec<u8> = c.replies.iter().flat_map(item_bytes).collect();
        assert_eq!(rebuilt, c.reply, "{case}: reply items tile the reply capture");
        let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &c.reply).collect();
        assert_eq!(events.len(), c.replies.len(), "{case}");
        for (e, exp) in events.iter().zip(&c.replies) {
            assert_eq!(e.len, item_bytes(exp).len(), "{case}");
            check_reply(e.frame().unwrap_or_else(|| panic!("{case}: {e:?}")), exp, false);
        }
    }
}

/// Requests and replies interleaved as on a half-duplex link: each reply right after the
/// request byte that triggered it.
fn conversation(c: &Case) -> (Vec<u8>, Vec<(usize, usize)>) {
    let mut bytes = Vec::new();
    let mut reply_spans = Vec::new();
    for (i, &b) in c.request.iter().enumerate() {
        bytes.push(b);
        for item in c.replies.iter().filter(|r| num(&r["triggered_by_byte_offset"]) == i as u64) {
            let raw = item_bytes(item);
            reply_spans.push((bytes.len(), raw.len()));
            bytes.extend_from_slice(&raw);
        }
    }
    (bytes, reply_spans)
}

#[test]
fn conversations_match_replies_to_their_requests() {
    for &case in CASES {
        let c = load(case);
        let (bytes, spans) = conversation(&c);
        assert_eq!(bytes.len(), c.request.len() + c.reply.len());
        let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &bytes).collect();
        common::assert_tiles(&events.iter().map(common::summarize).collect::<Vec<_>>(), bytes.len());
        for ((off, len), exp) in spans.iter().zip(&c.replies) {
            let e =
                events.iter().find(|e| e.offset == *off as u64).unwrap_or_else(|| panic!("{case}: no event at {off}"));
            assert_eq!(e.len, *len);
            check_reply(e.frame().unwrap(), exp, true);
        }
    }
}

#[test]
fn every_capture_is_chunking_invariant() {
    for &case in CASES {
        let c = load(case);
        common::assert_chunking_invariant(AsciiCrc8::default, &c.request);
        common::assert_chunking_invariant(AsciiCrc8::default, &c.reply);
        common::assert_chunking_invariant(AsciiCrc8::default, &conversation(&c).0);
    }
}

/// One wire example of the original documentation (`documented_examples.tsv`).
struct DocumentedExample {
    number: u32,
    wire: String,
    crc: String,
    fixed: Option<String>,
}

fn documented_examples() -> Vec<DocumentedExample> {
    let text = String::from_utf8(read("documented_examples.tsv")).unwrap();
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .map(|l| {
            let cols: Vec<&str> = l.split('\t').collect();
            DocumentedExample {
                number: cols[0].parse().unwrap(),
                wire: cols[1].to_string(),
                crc: cols[2].to_string(),
                fixed: match cols[3] {
                    "same" | "n/a" => None,
                    f => Some(f.to_string()),
                },
            }
        })
        .collect()
}

fn decode_one(bytes: &[u8]) -> Vec<(usize, Item<String, Error>)> {
    SliceDecoder::new(AsciiCrc8::default(), bytes)
        .map(|e| {
            let item = match e.item {
                Item::Frame(m) => Item::Frame(format!("{m:?}")),
                Item::Error(err) => Item::Error(err),
            };
            (e.len, item)
        })
        .collect()
}

#[test]
fn documented_examples_have_the_documented_crc() {
    let examples = documented_examples();
    assert_eq!(examples.len(), 35);
    assert_eq!(examples.iter().map(|e| e.number).collect::<Vec<_>>(), (1..=35).collect::<Vec<_>>());
    let mut concrete = 0;
    for ex in examples.iter().filter(|e| e.wire != "n/a") {
        concrete += 1;
        let wire = ex.wire.as_bytes();
        let crc = u8::from_str_radix(&ex.crc, 16).unwrap();
        if ex.fixed.is_none() {
            let frame = Frame::new_checked(wire).unwrap_or_else(|e| panic!("#{}: {e}", ex.number));
            assert_eq!(frame.crc(), crc);
            assert_eq!(frame.computed_crc(), crc);
            let events = decode_one(wire);
            assert_eq!(events.len(), 1, "#{}", ex.number);
            assert!(matches!(events[0], (n, Item::Frame(_)) if n == wire.len()));
        } else {
            // The CRC covers SRC..DATA as written (with the one-too-big LEN).
            let data_end = wire.len() - 3;
            assert_eq!(serial_dialects::crc::crc8(&wire[1..data_end]), crc, "#{}", ex.number);
        }
    }
    assert_eq!(concrete, 30);
}

#[test]
fn len_erratum_frames_are_rejected_as_written_and_decode_when_corrected() {
    let errata: Vec<_> = documented_examples().into_iter().filter(|e| e.fixed.is_some()).collect();
    assert_eq!(errata.iter().map(|e| e.number).collect::<Vec<_>>(), [8, 13, 17, 26, 32]);
    for ex in &errata {
        let wire = ex.wire.as_bytes();
        let events = decode_one(wire);
        assert_eq!(events.len(), 1, "#{}", ex.number);
        let (n, Item::Error(err)) = &events[0] else { panic!("#{} decoded: {events:?}", ex.number) };
        assert_eq!(*n, wire.len());
        assert_eq!(serial_dialects::DialectError::kind(err), ErrorKind::BadLength, "#{}: {err}", ex.number);
        assert!(Frame::new_checked(wire).is_err());

        let fixed = ex.fixed.as_deref().unwrap().as_bytes();
        let frame = Frame::new_checked(fixed).unwrap();
        assert_eq!(frame.data(), &wire[12..wire.len() - 3], "#{}: same DATA", ex.number);
        let mut dec = SliceDecoder::new(AsciiCrc8::default(), fixed);
        let e = dec.next().unwrap();
        assert_eq!(e.len, fixed.len());
        assert!(matches!(e.frame(), Some(Message::Request(_))), "#{}", ex.number);
    }
}

#[test]
fn doc_noise_garbage_junk_candidate_and_recovered_frames() {
    let c = load("doc_noise");
    let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &c.request).collect();
    let summary: Vec<(u64, usize, Option<ErrorKind>, Option<&str>)> =
        events.iter().map(|e| (e.offset, e.len, e.error_kind(), e.frame().map(|m| m.name()))).collect();
    // 0..21: "\r\n\0\xff garbage *** 123 " is garbage ("\r\n" is an empty line, the rest
    // is not ended by "\n" before the "&"); then START; "\r\nhello\x7f" is garbage; the
    // junk candidate "&PC_STMjunk" is cut by the next "&" (its ID is not decimal); STOP;
    // the final "\n" is an empty line.
    assert_eq!(
        summary,
        [
            (0, 21, Some(ErrorKind::Garbage), None),
            (21, 18, None, Some("START")),
            (39, 8, Some(ErrorKind::Garbage), None),
            (47, 11, Some(ErrorKind::InvalidField), None),
            (58, 18, None, Some("STOP")),
            (76, 1, Some(ErrorKind::Garbage), None),
        ]
    );
    let junk = c.segments.iter().find(|s| s["raw"] == "&PC_STMjunk").unwrap();
    assert_eq!((num(&junk["byte_offset"]), num(&junk["byte_len"])), (47, 11));
}

#[test]
fn doc_bad_crc_lowercase_accepted_and_zz_invalid_field() {
    let c = load("doc_bad_crc");
    let events: Vec<_> = SliceDecoder::new(AsciiCrc8::default(), &c.request).collect();
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].error(), Some(&Error::CrcMismatch { received: 0x10, computed: 0x0F }));
    let ok = events[1].frame().unwrap().frame().unwrap();
    assert_eq!(ok.crc_digits, *b"69");
    assert_eq!(
        events[2].error(),
        Some(&Error::InvalidDigit { field: serial_dialects::ascii_crc8::Field::Crc, at: 15, byte: b'Z' })
    );
    // A lowercase CRC is accepted and re-encodes as received.
    let lower = b"&PC_STM03003100b6*";
    let mut dec = SliceDecoder::new(AsciiCrc8::default(), lower);
    let m = dec.next().unwrap().into_frame().unwrap();
    let mut out = [0u8; 32];
    let n = m.emit(&mut out).unwrap();
    assert_eq!(&out[..n], lower);
}
