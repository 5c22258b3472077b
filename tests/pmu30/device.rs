//! The device model (`pmu30::device::Model`) driven in-process with a fake clock: every
//! command, every error answer, the upload rules, the telemetry schedule and content, resets
//! and garbage. The host side is the library's own encoder and decoder.

use serial_dialects::device::xorshift::Xorshift;
use serial_dialects::device::{Device, OutputKind};
use serial_dialects::pmu30::device::{CONFIG_CAPACITY, Model, REPLY_QUEUE, Settings};
use serial_dialects::pmu30::session::{ConfigChunks, ConfigReassembler};
use serial_dialects::pmu30::{
    ChannelAck, ChannelState, ConfigAck, ConfigChunk, CrcCoverage, FaultFlags, InfoResp, Message, Pmu30, SetChannel,
    SubscribeTelemetry, Success, TelemetryPacket, error_code,
};
use serial_dialects::{Encode, SliceDecoder};

/// The wire bytes of `message`, in range or not.
fn wire(message: &Message<'_>) -> Vec<u8> {
    let mut buf = vec![0; message.buffer_len()];
    let n = message.emit_verbatim(&mut buf, CrcCoverage::default(), 4096).unwrap();
    buf.truncate(n);
    buf
}

/// Everything the model sends at `now`, as (kind, bytes) pieces.
fn drain(model: &mut Model, now: u64) -> Vec<(OutputKind, Vec<u8>)> {
    let mut out = vec![0; Model::MAX_TRANSMIT];
    let mut pieces = Vec::new();
    while let Some(t) = model.transmit(now, &mut out) {
        assert!(t.len >= 1 && t.len <= Model::MAX_TRANSMIT);
        pieces.push((t.kind, out[..t.len].to_vec()));
    }
    pieces
}

/// Sends `bytes` at `now` and returns the reply bytes (every piece must be a reply).
fn ask(model: &mut Model, bytes: &[u8], now: u64) -> Vec<u8> {
    model.receive(bytes, now);
    let pieces = drain(model, now);
    assert!(pieces.iter().all(|(kind, _)| *kind == OutputKind::Reply), "{pieces:?}");
    pieces.concat_bytes()
}

trait ConcatBytes {
    fn concat_bytes(&self) -> Vec<u8>;
}

impl ConcatBytes for Vec<(OutputKind, Vec<u8>)> {
    fn concat_bytes(&self) -> Vec<u8> {
        self.iter().flat_map(|(_, bytes)| bytes.iter().copied()).collect()
    }
}

/// Decodes device output: every event must be a frame.
fn frames(bytes: &[u8]) -> Vec<Message<'_>> {
    SliceDecoder::new(Pmu30::default(), bytes).map(|e| e.into_frame().expect("the device sends only frames")).collect()
}

fn error_of(message: &Message<'_>) -> (u16, String) {
    match message {
        Message::Error(e) => (e.error_code, String::from_utf8_lossy(e.message).into_owned()),
        other => panic!("expected ERROR, got {other:?}"),
    }
}

/// The one frame `bytes` hold.
fn only(bytes: &[u8]) -> Message<'_> {
    let all = frames(bytes);
    assert_eq!(all.len(), 1, "{all:?}");
    all[0]
}

#[test]
fn ping_gets_pong_with_the_documented_bytes() {
    let mut model = Model::new(Settings::default());
    let reply = ask(&mut model, &[0xAA, 0, 0, 0x01, 0xD1, 0xF1], 0);
    assert_eq!(reply, [0xAA, 0, 0, 0x02, 0xB2, 0xC1]);
    let stats = *model.stats();
    assert_eq!((stats.requests, stats.replies, stats.bytes_received, stats.bytes_sent), (1, 1, 6, 6));
    assert_eq!((stats.refused, stats.bad_input, stats.frames_sent), (0, 0, 0));
}

#[test]
fn the_crc_with_length_variant_answers_in_its_own_rule() {
    let settings = Settings { dialect: Pmu30::crc_with_length().config().to_owned(), ..Settings::default() };
    let mut model = Model::new(settings);
    assert_eq!(ask(&mut model, &[0xAA, 0, 0, 0x01, 0xBD, 0xDC], 0).len(), 6);
    // A frame under the documented rule is a CRC mismatch for it.
    let reply = ask(&mut model, &[0xAA, 0, 0, 0x01, 0xD1, 0xF1], 0);
    let decoded: Vec<_> = SliceDecoder::new(Pmu30::crc_with_length(), &reply).filter_map(|e| e.into_frame()).collect();
    assert_eq!(error_of(&decoded[0]).0, error_code::CRC_MISMATCH);
}

#[test]
fn get_info_reports_the_settings() {
    let mut model = Model::new(Settings::default());
    let reply = ask(&mut model, &wire(&Message::GetInfo {}), 5);
    assert_eq!(only(&reply), Message::InfoResp(InfoResp::new([1, 0, 0], 1, "PMU30-SIM-0001", "PMU-30").unwrap()));

    let settings = Settings {
        firmware_version: [2, 7, 13],
        hw_revision: 4,
        serial_number: "SN-1234567890ABCDEF-too-long",
        device_name: "Bench unit",
        ..Settings::default()
    };
    let mut model = Model::new(settings);
    let reply = ask(&mut model, &wire(&Message::GetInfo {}), 5);
    let Message::InfoResp(info) = only(&reply) else { panic!() };
    assert_eq!(info.version().to_string(), "2.7.13");
    assert_eq!(info.hw_revision, 4);
    // Cut at the 16-byte field.
    assert_eq!(info.serial_number(), b"SN-1234567890ABC");
    assert_eq!(info.device_name(), b"Bench unit");
}

#[test]
fn set_channel_is_acknowledged_or_refused_with_the_documented_codes() {
    let settings = Settings { channels: 20, ..Settings::default() };
    let mut model = Model::new(settings);
    let set = |channel_id, value| wire(&Message::SetChannel(SetChannel { channel_id, value }));
    let reply = ask(&mut model, &set(5, 75.0), 0);
    assert_eq!(only(&reply), Message::ChannelAck(ChannelAck { success: Success::OK, channel_id: 5 }));
    assert_eq!(model.channel_value(5), Some(75.0));
    for (channel, value, code, text) in [
        (30, 50.0, error_code::CHANNEL_OUT_OF_RANGE, "Channel out of range"),
        (u16::MAX, 0.0, error_code::CHANNEL_OUT_OF_RANGE, "Channel out of range"),
        (3, 100.5, error_code::INVALID_CHANNEL_VALUE, "Invalid channel value"),
        (3, -0.1, error_code::INVALID_CHANNEL_VALUE, "Invalid channel value"),
        (3, f32::NAN, error_code::INVALID_CHANNEL_VALUE, "Invalid channel value"),
        (3, f32::INFINITY, error_code::INVALID_CHANNEL_VALUE, "Invalid channel value"),
        (20, 10.0, error_code::CHANNEL_DISABLED, "Channel disabled"),
        (29, 10.0, error_code::CHANNEL_DISABLED, "Channel disabled"),
    ] {
        let reply = ask(&mut model, &set(channel, value), 0);
        assert_eq!(error_of(&only(&reply)), (code, text.to_string()), "channel {channel} value {value}");
    }
    // Refused values change nothing.
    assert_eq!(model.channel_value(3), Some(0.0));
    let stats = *model.stats();
    assert_eq!((stats.requests, stats.refused, stats.replies), (9, 8, 9));
}

fn upload(model: &mut Model, config: &[u8], now: u64) -> Vec<ConfigAck> {
    ConfigChunks::new(config)
        .unwrap()
        .map(|chunk| match only(&ask(model, &wire(&chunk), now)) {
            Message::ConfigAck(ack) => ack,
            other => panic!("{other:?}"),
        })
        .collect()
}

fn download(model: &mut Model) -> Vec<u8> {
    let reply = ask(model, &wire(&Message::GetConfig {}), 0);
    let mut buf = vec![0u8; CONFIG_CAPACITY];
    let mut reassembler = ConfigReassembler::new(&mut buf);
    for (i, message) in frames(&reply).iter().enumerate() {
        let Message::ConfigData(chunk) = message else { panic!("{message:?}") };
        assert_eq!(usize::from(chunk.chunk_index), i, "chunks come in order");
        reassembler.accept(chunk).unwrap();
    }
    reassembler.data().expect("every chunk arrived").to_vec()
}

const OK: ConfigAck = ConfigAck { success: Success(1), error_code: 0 };
const fn failed(code: u16) -> ConfigAck {
    ConfigAck { success: Success(0), error_code: code }
}

fn big_config(len: usize) -> Vec<u8> {
    let mut text = br#"{"outputs":["#.to_vec();
    while text.len() + 40 < len {
        text.extend_from_slice(br#"{"id":12,"name":"headlights"},"#);
    }
    text.extend_from_slice(br#"{"id":0}],"x":1}"#);
    text
}

#[test]
fn an_upload_is_acknowledged_per_chunk_and_read_back_by_get_config() {
    let mut model = Model::new(Settings::default());
    assert_eq!(download(&mut model), br#"{"outputs":[],"inputs":[],"logic_functions":[]}"#);
    let config = big_config(2147);
    assert_eq!(upload(&mut model, &config, 0), [OK; 5]);
    assert_eq!(model.config(), config);
    assert_eq!(download(&mut model), config);
    let stats = *model.stats();
    assert_eq!((stats.requests, stats.refused), (7, 0));
    // The first GET_CONFIG: 1 chunk; 5 ACKs; the second GET_CONFIG: 5 chunks.
    assert_eq!(stats.replies, 1 + 5 + 5);
}

#[test]
fn an_empty_stored_configuration_is_one_empty_chunk() {
    let mut model = Model::new(Settings { config: b"", ..Settings::default() });
    let reply = ask(&mut model, &wire(&Message::GetConfig {}), 0);
    assert_eq!(only(&reply), Message::ConfigData(ConfigChunk { chunk_index: 0, total_chunks: 1, data: b"" }));
}

#[test]
fn a_chunk_sent_again_after_a_lost_ack_is_acknowledged_again_and_stored_once() {
    let mut model = Model::new(Settings::default());
    let config = big_config(1300);
    let chunks: Vec<Vec<u8>> = ConfigChunks::new(&config).unwrap().map(|c| wire(&c)).collect();
    assert_eq!(chunks.len(), 3);
    let ack = |model: &mut Model, bytes: &[u8]| match only(&ask(model, bytes, 0)) {
        Message::ConfigAck(ack) => ack,
        other => panic!("{other:?}"),
    };
    assert_eq!(ack(&mut model, &chunks[0]), OK);
    assert_eq!(ack(&mut model, &chunks[0]), OK, "chunk 0 again");
    assert_eq!(ack(&mut model, &chunks[1]), OK);
    assert_eq!(ack(&mut model, &chunks[1]), OK, "chunk 1 again");
    assert_eq!(ack(&mut model, &chunks[2]), OK);
    assert_eq!(model.config(), config, "nothing stored twice");
    // The last chunk again after the commit: the same answer, the same configuration.
    assert_eq!(ack(&mut model, &chunks[2]), OK);
    assert_eq!(model.config(), config);
    assert_eq!(model.stats().refused, 0);
}

#[test]
fn chunks_out_of_order_are_refused_and_the_upload_goes_on() {
    let mut model = Model::new(Settings::default());
    let config = big_config(1300);
    let chunks: Vec<Message<'_>> = ConfigChunks::new(&config).unwrap().collect();
    let ack = |model: &mut Model, message: &Message<'_>| match only(&ask(model, &wire(message), 0)) {
        Message::ConfigAck(ack) => ack,
        other => panic!("{other:?}"),
    };
    // No upload started: a chunk other than 0 is refused.
    assert_eq!(ack(&mut model, &chunks[1]), failed(error_code::INVALID_PAYLOAD));
    assert_eq!(ack(&mut model, &chunks[0]), OK);
    assert_eq!(ack(&mut model, &chunks[2]), failed(error_code::INVALID_PAYLOAD), "chunk 1 skipped");
    // Another total_chunks is another upload's chunk.
    let stray = Message::SetConfig(ConfigChunk { chunk_index: 1, total_chunks: 9, data: b"xx" });
    assert_eq!(ack(&mut model, &stray), failed(error_code::INVALID_PAYLOAD));
    let zero = Message::SetConfig(ConfigChunk { chunk_index: 0, total_chunks: 0, data: b"{}" });
    assert_eq!(ack(&mut model, &zero), failed(error_code::INVALID_PAYLOAD));
    // The upload in progress is untouched by the refusals.
    assert_eq!(ack(&mut model, &chunks[0]), OK, "resent chunk 0");
    assert_eq!(ack(&mut model, &chunks[1]), OK);
    assert_eq!(ack(&mut model, &chunks[2]), OK);
    assert_eq!(model.config(), config);
    assert_eq!(model.stats().refused, 4);
}

#[test]
fn a_configuration_that_is_not_json_is_refused_with_0x20_and_the_old_one_stays() {
    let mut model = Model::new(Settings::default());
    let before = model.config().to_vec();
    let mut broken = big_config(1100);
    broken.pop();
    assert_eq!(upload(&mut model, &broken, 0), [OK, OK, failed(error_code::CONFIG_PARSE_ERROR)]);
    assert_eq!(model.config(), before);
    assert_eq!(download(&mut model), before);
    assert_eq!(upload(&mut model, b"{\"a\":[1,2,{}]}", 0), [OK]);
    assert_eq!(model.config(), b"{\"a\":[1,2,{}]}");
    assert_eq!(upload(&mut model, b"", 0), [failed(error_code::CONFIG_PARSE_ERROR)], "empty text is not JSON");
}

#[test]
fn a_configuration_larger_than_the_store_is_a_write_error() {
    let mut model = Model::new(Settings::default());
    let config = big_config(CONFIG_CAPACITY + 600);
    let acks = upload(&mut model, &config, 0);
    let chunks_that_fit = CONFIG_CAPACITY / 512;
    assert_eq!(acks[..chunks_that_fit], vec![OK; chunks_that_fit][..]);
    assert_eq!(acks[chunks_that_fit], failed(error_code::CONFIG_WRITE_ERROR));
    // The upload is over: its last chunk has no upload to continue.
    assert_eq!(acks[chunks_that_fit + 1], failed(error_code::INVALID_PAYLOAD));
    assert_eq!(download(&mut model), br#"{"outputs":[],"inputs":[],"logic_functions":[]}"#);
    // The largest configuration that fits is stored.
    let config = big_config(CONFIG_CAPACITY);
    assert!(config.len() <= CONFIG_CAPACITY);
    assert!(upload(&mut model, &config, 0).iter().all(|a| *a == OK));
    assert_eq!(download(&mut model), config);
}

/// Subscribes at `rate_hz` at time 0 and runs the clock 1 ms at a time to `until_ms`:
/// the telemetry frames' arrival times.
fn telemetry_times(model: &mut Model, until_ms: u64) -> Vec<u64> {
    let mut times = Vec::new();
    for now in 0..=until_ms {
        for (kind, bytes) in drain(model, now) {
            assert_eq!(kind, OutputKind::Periodic);
            assert!(matches!(only(&bytes), Message::TelemetryData(_)));
            times.push(now);
        }
    }
    times
}

#[test]
fn telemetry_streams_at_the_subscribed_rate() {
    for (rate_hz, frames_in_10_s) in [(1u16, 10usize), (3, 30), (50, 500), (100, 1000)] {
        let mut model = Model::new(Settings::default());
        let subscribe = wire(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz }));
        assert!(ask(&mut model, &subscribe, 0).is_empty(), "no direct reply");
        assert_eq!(model.telemetry_rate_hz(), Some(rate_hz));
        let period = 1000 / u64::from(rate_hz);
        assert_eq!(model.poll_at(), Some(period));
        let times = telemetry_times(&mut model, 10_000);
        assert_eq!(times.len(), frames_in_10_s, "{rate_hz} Hz");
        assert_eq!(times[0], period);
        // No drift: frame n at n * 1000 / rate.
        assert_eq!(*times.last().unwrap(), 10_000);
        assert_eq!(model.stats().frames_sent, frames_in_10_s as u64);
    }
}

#[test]
fn unsubscribe_stops_the_stream_and_bad_rates_are_refused() {
    let mut model = Model::new(Settings::default());
    ask(&mut model, &wire(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 50 })), 0);
    assert_eq!(drain(&mut model, 100).len(), 1, "a late caller gets one frame, not a burst");
    assert_eq!(model.poll_at(), Some(120));
    assert!(ask(&mut model, &wire(&Message::UnsubscribeTelemetry {}), 100).is_empty());
    assert_eq!((model.poll_at(), model.telemetry_rate_hz()), (None, None));
    assert!(drain(&mut model, 10_000).is_empty());
    for rate_hz in [0, 101, u16::MAX] {
        let reply = ask(&mut model, &wire(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz })), 0);
        assert_eq!(error_of(&only(&reply)), (error_code::INVALID_PAYLOAD, "Invalid payload".into()));
    }
    assert_eq!(model.telemetry_rate_hz(), None);
}

fn one_packet(model: &mut Model, now: u64) -> TelemetryPacket {
    let pieces = drain(model, now);
    assert_eq!(pieces.len(), 1);
    match only(&pieces[0].1) {
        Message::TelemetryData(packet) => packet,
        other => panic!("{other:?}"),
    }
}

#[test]
fn telemetry_follows_set_channel() {
    let settings = Settings { channels: 28, shorted_loads: 1 << 9, telemetry_rate_hz: Some(10), ..Settings::default() };
    let mut model = Model::new(settings);
    // Power-on is the first time the model is given.
    assert!(drain(&mut model, 0).is_empty());
    let idle = one_packet(&mut model, 100);
    assert_eq!(idle.timestamp_ms, 100);
    assert!(idle.channel_states[..28].iter().all(|s| *s == ChannelState::Off));
    assert_eq!(idle.channel_states[28..], [ChannelState::Disabled; 2]);
    assert!(idle.output_currents.iter().all(|&c| c == 0));
    assert!((13_770..=13_830).contains(&idle.input_voltage), "{}", idle.input_voltage);
    assert_eq!((idle.temperature, idle.fault_flags), (25, FaultFlags::empty()));
    assert!(idle.inner_crc_matches());
    assert!(idle.analog_values.iter().all(|&v| v <= 4095));

    let set = |channel_id, value| wire(&Message::SetChannel(SetChannel { channel_id, value }));
    for (channel, value) in [(0, 100.0), (1, 50.0), (7, 100.0), (9, 30.0), (15, 100.0)] {
        ask(&mut model, &set(channel, value), 150);
    }
    let packet = one_packet(&mut model, 200);
    assert_eq!(packet.timestamp_ms, 200);
    assert_eq!(packet.channel_states[0], ChannelState::On);
    assert_eq!(packet.channel_states[1], ChannelState::PwmActive);
    assert_eq!(packet.channel_states[2], ChannelState::Off);
    assert_eq!(packet.channel_states[9], ChannelState::FaultOvercurrent);
    // Channel n draws 500 + 250 (n mod 8) mA at 100 %, ±1 %.
    let near = |got: u16, want: u16| (i32::from(got) - i32::from(want)).abs() <= i32::from(want) / 100;
    assert!(near(packet.output_currents[0], 500), "{}", packet.output_currents[0]);
    assert!(near(packet.output_currents[1], 375), "{}", packet.output_currents[1]);
    assert!(near(packet.output_currents[7], 2250), "{}", packet.output_currents[7]);
    assert!(near(packet.output_currents[15], 2250), "{}", packet.output_currents[15]);
    assert_eq!((packet.output_currents[2], packet.output_currents[9]), (0, 0));
    assert_eq!(packet.fault_flags, FaultFlags::CHANNEL_FAULT_9_16);
    // 5.4 A drawn: 108 mV less, 5 °C more.
    assert!((13_660..=13_725).contains(&packet.input_voltage), "{}", packet.input_voltage);
    assert_eq!(packet.temperature, 30);
    // Switching the shorted channel off clears its fault.
    ask(&mut model, &set(9, 0.0), 250);
    let packet = one_packet(&mut model, 300);
    assert_eq!((packet.channel_states[9], packet.fault_flags), (ChannelState::Off, FaultFlags::empty()));
}

#[test]
fn all_outputs_on_heat_the_board_and_the_same_seed_gives_the_same_stream() {
    let run = |seed| {
        let mut model = Model::new(Settings { telemetry_rate_hz: Some(100), seed, ..Settings::default() });
        for channel in 0..30 {
            ask(&mut model, &wire(&Message::SetChannel(SetChannel { channel_id: channel, value: 100.0 })), 0);
        }
        (1..=20).map(|i| one_packet(&mut model, i * 10)).collect::<Vec<_>>()
    };
    let packets = run(1);
    // 30 channels at 100 %: 3 × 11 A + 6.75 A = 39.75 A, so 25 + 39 °C.
    assert_eq!(packets[0].temperature, 64);
    assert_eq!(packets[0].fault_flags, FaultFlags::empty());
    assert_eq!(run(1), packets);
    assert_ne!(run(2), packets);
}

#[test]
fn bad_frames_get_the_documented_error_codes() {
    let mut model = Model::new(Settings::default());
    let mut bad_crc = wire(&Message::Ping {});
    bad_crc[5] ^= 0x01;
    let unknown_type = {
        // A CRC-valid frame with MSG_ID 0x55.
        let mut f = vec![0xAA, 0, 0, 0x55];
        let crc = serial_dialects::crc::crc16(&[0x55]);
        f.extend_from_slice(&crc.to_le_bytes());
        f
    };
    let ping_with_payload = {
        let mut f = vec![0xAA, 1, 0, 0x01, 7];
        let crc = serial_dialects::crc::crc16(&[0x01, 7]);
        f.extend_from_slice(&crc.to_le_bytes());
        f
    };
    let cases: [(Vec<u8>, u16, &str); 6] = [
        (bad_crc, error_code::CRC_MISMATCH, "CRC mismatch"),
        (unknown_type, error_code::UNKNOWN_MESSAGE_TYPE, "Unknown message type"),
        (wire(&Message::Pong {}), error_code::UNKNOWN_MESSAGE_TYPE, "Unknown message type"),
        (
            wire(&Message::TelemetryData(TelemetryPacket::default())),
            error_code::UNKNOWN_MESSAGE_TYPE,
            "Unknown message type",
        ),
        (ping_with_payload, error_code::INVALID_PAYLOAD, "Invalid payload"),
        // LENGTH 5000 is over the 4096-byte limit: rejected at once, up to the next 0xAA.
        (vec![0xAA, 0x88, 0x13, 0x01], error_code::INVALID_FRAME, "Invalid frame"),
    ];
    for (bytes, code, text) in &cases {
        let mut input = bytes.clone();
        input.extend_from_slice(&wire(&Message::Ping {}));
        let reply = ask(&mut model, &input, 0);
        let replies = frames(&reply);
        assert_eq!(replies.len(), 2, "{bytes:02x?}");
        assert_eq!(error_of(&replies[0]), (*code, text.to_string()), "{bytes:02x?}");
        assert_eq!(replies[1], Message::Pong {}, "the frame behind is answered");
    }
    let stats = *model.stats();
    assert_eq!(stats.refused, 6);
    // CRC mismatch and LENGTH are bad input; the other four were CRC-valid requests.
    assert_eq!((stats.bad_input, stats.requests), (2, 4 + 6));
}

#[test]
fn noise_between_frames_is_skipped_without_an_answer() {
    let mut model = Model::new(Settings::default());
    let mut input = b"\x00\x01hello\r\n".to_vec();
    input.extend_from_slice(&wire(&Message::Ping {}));
    input.extend_from_slice(b"\xff\xfe");
    input.extend_from_slice(&wire(&Message::Ping {}));
    let reply = ask(&mut model, &input, 0);
    assert_eq!(frames(&reply), [Message::Pong {}, Message::Pong {}]);
    assert_eq!((model.stats().bad_input, model.stats().refused), (2, 0));
}

#[test]
fn a_host_that_does_not_read_loses_the_oldest_answers() {
    let mut model = Model::new(Settings::default());
    let pings: Vec<u8> = (0..REPLY_QUEUE + 8).flat_map(|_| wire(&Message::Ping {})).collect();
    model.receive(&pings, 0);
    assert_eq!(model.queued(), REPLY_QUEUE);
    assert_eq!(model.stats().dropped, 8);
    assert_eq!(drain(&mut model, 0).len(), REPLY_QUEUE);
}

#[test]
fn reset_in_the_middle_of_an_upload_forgets_the_session() {
    let settings = Settings { telemetry_rate_hz: Some(10), ..Settings::default() };
    let mut model = Model::new(settings);
    let config = big_config(1300);
    let chunks: Vec<Vec<u8>> = ConfigChunks::new(&config).unwrap().map(|c| wire(&c)).collect();
    ask(&mut model, &wire(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 100 })), 0);
    ask(&mut model, &wire(&Message::SetChannel(SetChannel { channel_id: 2, value: 40.0 })), 0);
    ask(&mut model, &chunks[0], 0);
    ask(&mut model, &chunks[1], 0);
    // An answer still queued is forgotten too.
    model.receive(&wire(&Message::Ping {}), 5);
    model.reset(5);
    assert_eq!(model.queued(), 0);
    assert_eq!(model.stats().resets, 1);
    assert_eq!(model.channel_value(2), Some(0.0));
    // Back to the settings' stream (10 Hz), counted from the reset.
    assert_eq!((model.telemetry_rate_hz(), model.poll_at()), (Some(10), Some(105)));
    let packet = one_packet(&mut model, 105);
    assert_eq!(packet.timestamp_ms, 100, "uptime restarts at the reset");
    let reply = ask(&mut model, &chunks[2], 110);
    assert_eq!(only(&reply), Message::ConfigAck(failed(error_code::INVALID_PAYLOAD)));
    assert_eq!(model.config(), br#"{"outputs":[],"inputs":[],"logic_functions":[]}"#);
    // A fresh upload works.
    assert_eq!(upload(&mut model, &config, 120), [OK; 3]);
}

#[test]
fn a_reset_drops_a_frame_half_received() {
    let mut model = Model::new(Settings::default());
    let ping = wire(&Message::Ping {});
    model.receive(&ping[..3], 0);
    model.reset(1);
    let reply = ask(&mut model, &ping, 2);
    assert_eq!(frames(&reply), [Message::Pong {}]);
}

#[test]
fn megabytes_of_garbage_never_stop_or_grow_the_model() {
    let mut model = Model::new(Settings { telemetry_rate_hz: Some(100), ..Settings::default() });
    let mut rng = Xorshift::new(99);
    let mut chunk = vec![0u8; 8192];
    let mut sent = 0u64;
    let mut now = 0;
    let mut output = 0usize;
    while sent < 2 << 20 {
        let len = 1 + rng.below(chunk.len() as u32) as usize;
        for b in &mut chunk[..len] {
            *b = rng.next_u32() as u8;
        }
        model.receive(&chunk[..len], now);
        assert!(model.queued() <= REPLY_QUEUE);
        output += drain(&mut model, now).len();
        sent += len as u64;
        now += 1;
    }
    assert_eq!(model.stats().bytes_received, sent);
    assert!(model.stats().refused > 0 && model.stats().bad_input > 0);
    assert!(output > 0);
    // A host that retries PING gets its PONG once the candidate still pending (at most one
    // 4102-byte frame) is decided, then every PING is answered at once.
    let ping = wire(&Message::Ping {});
    let mut attempts = 0;
    loop {
        attempts += 1;
        assert!(attempts < 800, "no PONG after {attempts} PINGs");
        model.receive(&ping, now);
        let answered = drain(&mut model, now)
            .iter()
            .filter(|(kind, _)| *kind == OutputKind::Reply)
            .any(|(_, bytes)| frames(bytes).contains(&Message::Pong {}));
        if answered {
            break;
        }
    }
    let reply = ask(&mut model, &ping, now);
    assert_eq!(frames(&reply), [Message::Pong {}]);
}

#[test]
fn transmit_into_a_short_buffer_never_panics_and_keeps_the_answer() {
    let mut model = Model::new(Settings::default());
    model.receive(&wire(&Message::GetInfo {}), 0);
    let mut small = [0u8; 10];
    assert_eq!(model.transmit(0, &mut small), None);
    assert_eq!(model.queued(), 1);
    assert_eq!(only(&drain(&mut model, 0).concat_bytes()).msg_type().name(), "INFO_RESP");
    let _ = Pmu30::default().encoded_len(&Message::Ping {});
}
