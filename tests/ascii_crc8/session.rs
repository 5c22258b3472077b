//! Host side (IDs, reply matching with timeouts, VIEW reassembly) and firmware-side VIEW
//! splitting, checked against the real VIEW captures.

use serial_dialects::SliceDecoder;
use serial_dialects::ascii_crc8::{
    Answer, AsciiCrc8, Command, CommandCode, IdCounter, Message, REPLY_TIMEOUT_MS, Reply, ReplyMatch, RequestTracker,
    Status, ViewAssembler, ViewError, ViewProgress, encode_status_reply, view_frames,
};

fn capture(name: &str) -> Vec<u8> {
    std::fs::read(format!("{}/tests/captures/ascii-crc8/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

/// The replies in a reply-only capture (unmatched: the host's own decoder never sees its
/// requests).
fn replies(bytes: &[u8]) -> Vec<Reply<'_>> {
    SliceDecoder::new(AsciiCrc8::default(), bytes)
        .filter_map(|e| match e.into_frame() {
            Some(Message::Reply(r)) => Some(r),
            _ => None,
        })
        .collect()
}

#[test]
fn id_counter_counts_00_to_99_and_wraps() {
    let mut ids = IdCounter::new();
    let got: Vec<u8> = (0..205).map(|_| ids.next_id()).collect();
    assert_eq!(got[..100], (0..100).collect::<Vec<u8>>()[..]);
    assert_eq!(got[100..200], got[..100]);
    assert_eq!(ids.peek(), 5);
    assert_eq!(IdCounter::starting_at(99).next_id(), 99);
    assert_eq!(IdCounter::starting_at(250).peek(), 50);
}

#[test]
fn tracker_matches_replies_by_id_within_the_timeout() {
    assert!((500..=1000).contains(&REPLY_TIMEOUT_MS));
    let mut tracker = RequestTracker::new();
    let mut ids = IdCounter::starting_at(3);
    let mut out = [0u8; 32];
    let (id, n) = tracker.send(&mut ids, Command::Download, 1_000, &mut out).unwrap();
    assert_eq!((id, &out[..n]), (3, &b"&PC_STM030031209C*"[..]));
    assert_eq!(tracker.pending_count(), 1);
    assert_eq!(tracker.next_deadline(), Some(1_000 + u64::from(REPLY_TIMEOUT_MS)));

    let reply_bytes = capture("doc_download.reply.bin");
    let reply = replies(&reply_bytes).remove(0);
    assert_eq!(reply.answer, None, "a reply-only stream cannot match by itself");
    assert_eq!(
        tracker.on_reply(&reply, 1_200),
        ReplyMatch::Matched { id: 3, command: Command::Download, answer: Some(Answer::Lux(2600)) }
    );
    assert_eq!(tracker.pending_count(), 0);
    assert_eq!(tracker.on_reply(&reply, 1_300), ReplyMatch::Unsolicited { id: 3 });

    // Late: after the timeout the request is dropped.
    tracker.register(3, Command::Download, 0);
    assert_eq!(
        tracker.on_reply(&reply, u64::from(REPLY_TIMEOUT_MS) + 1),
        ReplyMatch::Late { id: 3, command: Command::Download }
    );
    assert!(tracker.pending(3).is_none());

    // expire() reports exactly the requests whose time ran out.
    let mut t = RequestTracker::with_timeout(500);
    t.register(1, Command::Start, 0);
    t.register(2, Command::Stop, 400);
    let mut expired = Vec::new();
    t.expire(500, |id, _| expired.push(id));
    assert!(expired.is_empty());
    t.expire(501, |id, p| expired.push((id, p.command).0));
    assert_eq!(expired, [1]);
    assert_eq!(t.pending(2).map(|p| p.command), Some(Command::Stop));
    assert_eq!(t.register(2, Command::GetMode, 600).map(|p| p.command), Some(Command::Stop));
}

#[test]
fn view_reply_of_99_values_is_reassembled_from_the_real_capture() {
    let bytes = capture("doc_view_99.reply.bin");
    let frames = replies(&bytes);
    assert_eq!(frames.len(), 2);
    let mut tracker = RequestTracker::new();
    let view = Command::View { offset: Some(0), count: Some(99) };
    tracker.register(4, view, 0);
    let mut asm = ViewAssembler::for_command(4, &view).unwrap();
    assert_eq!(asm.expected_offset(), 0);
    let first = tracker.on_reply(&frames[0], 10);
    assert!(matches!(first, ReplyMatch::Matched { answer: Some(Answer::View { offset: 0, .. }), .. }));
    assert!(tracker.pending(4).is_some(), "a VIEW stays pending across its frames");
    assert_eq!(asm.push(&frames[0]), Ok(ViewProgress::Incomplete { received: 63, expected: 99 }));
    assert_eq!(asm.expected_offset(), 63);
    assert_eq!(asm.push(&frames[1]), Ok(ViewProgress::Complete));
    assert_eq!(asm.push(&frames[1]), Err(ViewError::AlreadyComplete));
    // The firmware's test fill: newest 2600, counting down.
    assert_eq!(asm.values(), (2502..=2600).rev().collect::<Vec<u16>>());
    assert!(tracker.complete(4).is_some());
}

#[test]
fn view_offsets_are_mod_100() {
    // VIEW offset 63 count 99: the second frame starts at 126 and carries "26".
    let values: Vec<u16> = (0..99).map(|i| 2537 - i).collect();
    let split: Vec<_> = view_frames(7, 63, &values).collect();
    assert_eq!(split.iter().map(|f| (f.start_offset, f.values.len())).collect::<Vec<_>>(), [(63, 63), (126, 36)]);
    let mut wire = Vec::new();
    for f in &split {
        let mut buf = [0u8; 300];
        let n = f.emit(&mut buf).unwrap();
        assert_eq!(n, f.buffer_len());
        wire.extend_from_slice(&buf[..n]);
    }
    let frames = replies(&wire);
    assert_eq!(&frames[1].frame.data[..2], b"26");
    let mut asm = ViewAssembler::new(7, 63, 99).unwrap();
    assert_eq!(asm.push(&frames[0]), Ok(ViewProgress::Incomplete { received: 63, expected: 99 }));
    assert_eq!(asm.expected_offset(), 26);
    assert_eq!(asm.push(&frames[1]), Ok(ViewProgress::Complete));
    assert_eq!(asm.values(), &values[..]);

    // Out-of-order or foreign frames are refused.
    let mut asm = ViewAssembler::new(7, 63, 99).unwrap();
    assert_eq!(asm.push(&frames[1]), Err(ViewError::UnexpectedOffset { expected: 63, got: 26 }));
    let mut other = ViewAssembler::new(8, 63, 99).unwrap();
    assert_eq!(other.push(&frames[0]), Err(ViewError::WrongId { expected: 8, got: 7 }));
    let mut small = ViewAssembler::new(7, 63, 10).unwrap();
    assert_eq!(small.push(&frames[0]), Err(ViewError::TooManyValues { received: 63, count: 10 }));
}

#[test]
fn view_status_reply_ends_the_reassembly() {
    let mut buf = [0u8; 32];
    let n = encode_status_reply(&mut buf, 3, Status::ErrNoData).unwrap();
    let r = replies(&buf[..n]).remove(0);
    let mut asm = ViewAssembler::new(3, 0, 2).unwrap();
    assert_eq!(asm.push(&r), Err(ViewError::Status(Status::ErrNoData)));
    let mut tracker = RequestTracker::new();
    tracker.register(3, Command::View { offset: Some(0), count: Some(2) }, 0);
    assert!(matches!(
        tracker.on_reply(&r, 1),
        ReplyMatch::Matched { answer: Some(Answer::Status(Status::ErrNoData)), .. }
    ));
    assert!(tracker.pending(3).is_none(), "a status ends a VIEW");
    assert!(ViewAssembler::new(0, 100, 1).is_err());
    assert!(ViewAssembler::new(0, 0, 0).is_err());
    assert!(ViewAssembler::for_command(0, &Command::Start).is_err());
    let _ = CommandCode::View;
}

#[test]
fn view_2_capture_matches_a_two_value_request() {
    let bytes = capture("doc_view_2.reply.bin");
    let r = replies(&bytes).remove(0);
    let mut asm = ViewAssembler::new(4, 0, 2).unwrap();
    assert_eq!(asm.push(&r), Ok(ViewProgress::Complete));
    assert_eq!(asm.values(), [2600, 2599]);
}
