//! The session rules of the original documentation's implementation notes: timeouts and
//! retries, upload chunking, download reassembly and the telemetry window.

use serial_dialects::pmu30::session::{
    COMMAND_TIMEOUT, CONFIG_CHUNK_MAX, ConfigChunks, ConfigReassembler, MAX_RETRIES, PendingCommand, Progress,
    ReassemblyError, RetryAction, TELEMETRY_WINDOW, TelemetryWindow,
};
use serial_dialects::pmu30::{ConfigChunk, Message, MsgType, Pmu30, TelemetryPacket};
use serial_dialects::{EncodeError, SliceDecoder};

fn config_json() -> Vec<u8> {
    std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/captures/pmu30/config_upload.json")).unwrap()
}

#[test]
fn session_constants_follow_the_implementation_notes() {
    assert_eq!(COMMAND_TIMEOUT.as_millis(), 1000);
    assert_eq!(MAX_RETRIES, 3);
    assert_eq!(CONFIG_CHUNK_MAX, 512);
    assert_eq!(TELEMETRY_WINDOW, 10);
    assert_eq!(MsgType::SetConfig.response(), Some(MsgType::ConfigAck));
    assert_eq!(MsgType::Ping.response(), Some(MsgType::Pong));
    assert_eq!(MsgType::SetChannel.response(), Some(MsgType::ChannelAck));
    assert_eq!(MsgType::UnsubscribeTelemetry.response(), None);
}

#[test]
fn every_command_times_out_after_1s_and_is_retried_3_times() {
    let mut cmd = PendingCommand::new(10_000);
    assert_eq!(cmd.poll(10_999), RetryAction::Wait);
    assert_eq!(cmd.poll(11_000), RetryAction::Resend { attempt: 2 });
    assert_eq!(cmd.poll(11_999), RetryAction::Wait);
    assert_eq!(cmd.poll(12_000), RetryAction::Resend { attempt: 3 });
    assert_eq!(cmd.poll(13_500), RetryAction::Resend { attempt: 4 });
    assert_eq!(cmd.attempt(), 4);
    assert_eq!(cmd.poll(14_000), RetryAction::Wait);
    assert_eq!(cmd.poll(14_500), RetryAction::GiveUp);
    assert_eq!(cmd.poll(u64::MAX), RetryAction::GiveUp);
    // A clock that goes backwards never times out.
    let mut cmd = PendingCommand::new(5_000);
    assert_eq!(cmd.poll(0), RetryAction::Wait);
}

#[test]
fn config_chunks_are_at_most_512_bytes_and_match_the_real_upload() {
    let json = config_json();
    let chunks: Vec<Message<'_>> = ConfigChunks::new(&json).unwrap().collect();
    assert_eq!(chunks.len(), 5);
    // The capture's SET_CONFIG frames are exactly what the iterator produces.
    let bin = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/captures/pmu30/config_upload.bin")).unwrap();
    let captured: Vec<Message<'_>> = SliceDecoder::new(Pmu30::default(), &bin)
        .filter_map(|e| e.into_frame())
        .filter(|m| m.msg_type() == MsgType::SetConfig)
        .collect();
    assert_eq!(chunks, captured);
    for (i, c) in chunks.iter().enumerate() {
        let Message::SetConfig(c) = c else { panic!() };
        assert_eq!((usize::from(c.chunk_index), c.total_chunks), (i, 5));
        assert!(c.data.len() <= CONFIG_CHUNK_MAX);
    }
}

#[test]
fn config_chunking_edges() {
    let empty: Vec<_> = ConfigChunks::new(b"").unwrap().collect();
    assert_eq!(empty, [Message::SetConfig(ConfigChunk { chunk_index: 0, total_chunks: 1, data: b"" })]);
    let exact = [1u8; 1024];
    let it = ConfigChunks::new(&exact).unwrap();
    assert_eq!((it.total_chunks(), it.len()), (2, 2));
    assert_eq!(ConfigChunks::with_chunk_size(b"abc", 0).unwrap_err(), EncodeError::OutOfRange { field: "chunk_size" });
    assert_eq!(
        ConfigChunks::with_chunk_size(b"abc", 513).unwrap_err(),
        EncodeError::OutOfRange { field: "chunk_size" }
    );
    let big = vec![0u8; 65_536];
    assert!(matches!(ConfigChunks::with_chunk_size(&big, 1), Err(EncodeError::TooLong { field: "config", .. })));
    let max = vec![0u8; 65_535];
    assert_eq!(ConfigChunks::with_chunk_size(&max, 1).unwrap().total_chunks(), 65_535);
}

#[test]
fn reassembler_tolerates_duplicates_and_any_order() {
    let json = config_json();
    let chunks: Vec<ConfigChunk<'_>> = ConfigChunks::new(&json)
        .unwrap()
        .map(|m| match m {
            Message::SetConfig(c) => c,
            _ => unreachable!(),
        })
        .collect();
    let mut buf = vec![0u8; 4096];
    let mut asm = ConfigReassembler::new(&mut buf);
    assert_eq!(asm.progress(), Progress { received: 0, total: 0 });
    for &i in &[4usize, 1, 1, 0, 4, 3] {
        let p = asm.accept(&chunks[i]).unwrap();
        assert!(!p.is_complete());
        assert!(asm.data().is_none());
    }
    assert_eq!(asm.progress(), Progress { received: 4, total: 5 });
    let p = asm.accept(&chunks[2]).unwrap();
    assert!(p.is_complete());
    assert_eq!(asm.data(), Some(&json[..]));
    // A duplicate after completion changes nothing.
    asm.accept(&chunks[0]).unwrap();
    assert_eq!(asm.data(), Some(&json[..]));
    asm.reset();
    assert!(!asm.is_complete());
}

#[test]
fn reassembler_rejects_inconsistent_chunks() {
    let mut buf = [0u8; 1000];
    let mut asm = ConfigReassembler::with_chunk_size(&mut buf, 4);
    let c = |chunk_index, total_chunks, data| ConfigChunk { chunk_index, total_chunks, data };
    assert_eq!(asm.accept(&c(0, 0, b"abcd")), Err(ReassemblyError::BadTotal { total: 0, max: 256 }));
    assert_eq!(asm.accept(&c(0, 257, b"abcd")), Err(ReassemblyError::BadTotal { total: 257, max: 256 }));
    assert_eq!(asm.accept(&c(3, 3, b"abcd")), Err(ReassemblyError::IndexOutOfRange { index: 3, total: 3 }));
    assert_eq!(asm.accept(&c(0, 3, b"abc")), Err(ReassemblyError::ChunkSize { index: 0, len: 3, chunk_size: 4 }));
    assert_eq!(asm.accept(&c(2, 3, b"abcde")), Err(ReassemblyError::ChunkSize { index: 2, len: 5, chunk_size: 4 }));
    asm.accept(&c(0, 3, b"abcd")).unwrap();
    assert_eq!(asm.accept(&c(1, 4, b"efgh")), Err(ReassemblyError::TotalChanged { expected: 3, got: 4 }));
    asm.accept(&c(2, 3, b"ij")).unwrap();
    asm.accept(&c(1, 3, b"efgh")).unwrap();
    assert_eq!(asm.data(), Some(&b"abcdefghij"[..]));
    let mut small = [0u8; 6];
    let mut asm = ConfigReassembler::with_chunk_size(&mut small, 4);
    assert_eq!(asm.accept(&c(1, 2, b"efgh")), Err(ReassemblyError::BufferTooSmall { index: 1, end: 8, capacity: 6 }));
}

#[test]
fn telemetry_window_keeps_the_last_10_packets() {
    let mut w = TelemetryWindow::new();
    assert!(w.is_empty());
    assert_eq!(w.mean_input_voltage_mv(), None);
    for i in 0..25u32 {
        let mut t = TelemetryPacket {
            timestamp_ms: i,
            input_voltage: 1000 * i as u16,
            temperature: -(i as i8),
            ..Default::default()
        };
        t.output_currents[2] = i as u16;
        t.analog_values[7] = 2 * i as u16;
        w.push(t);
        assert_eq!(w.len(), (i as usize + 1).min(10));
    }
    let stamps: Vec<u32> = w.iter().map(|t| t.timestamp_ms).collect();
    assert_eq!(stamps, (15..25).collect::<Vec<_>>());
    assert_eq!(w.latest().map(|t| t.timestamp_ms), Some(24));
    assert_eq!(w.mean_input_voltage_mv(), Some(19_500.0));
    assert_eq!(w.mean_temperature(), Some(-19.5));
    assert_eq!(w.mean_output_current_ma(2), Some(19.5));
    assert_eq!(w.mean_total_current_ma(), Some(19.5));
    assert_eq!(w.mean_analog(7), Some(39.0));
    assert_eq!(w.mean_output_current_ma(30), None);
    assert_eq!(w.mean_analog(8), None);
    w.clear();
    assert!(w.latest().is_none());
}
