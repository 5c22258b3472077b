//! Inputs the fuzz targets found, kept so the bugs stay fixed.

use serial_dialects::EncodeError;
use serial_dialects::pmu30::{
    ChannelAck, Config, ConfigChunk, CrcCoverage, Message, SetChannel, SubscribeTelemetry, Success,
};

/// `roundtrip_pmu30` crash-7969af057b69f3e854d0fb145117084f23491881 (bytes in
/// `crash_7969af05_bytes_are_that_message`): `validate_with` returned `Ok` for an in-range SET_CHANNEL (and SUBSCRIBE_TELEMETRY) whose
/// 6-byte (2-byte) payload exceeded the configured `max_payload`, which `emit_with` then
/// refused: the range arms returned before the size check.
#[test]
fn validate_with_checks_sizes_after_ranges_for_every_type() {
    let value = f32::from_bits(0x1DD4_A418); // 5.62856e-21, the fuzzer's value: in range
    let crash = Message::SetChannel(SetChannel { channel_id: 0, value });
    let config = Config { max_payload: 0, crc_coverage: CrcCoverage::LengthMsgIdPayload };
    let too_long = EncodeError::TooLong { field: "PAYLOAD", len: 6, max: 0 };
    assert_eq!(crash.validate_with(config.max_payload), Err(too_long));
    assert_eq!(crash.emit_with(&mut [0u8; 64], config.crc_coverage, config.max_payload), Err(too_long));
    assert_eq!(crash.validate(), Ok(()));

    // Every limit around the payload sizes: validate_with agrees with emit_with, and a
    // range error still comes before a size error.
    let data = [0xAAu8; 3];
    let messages = [
        crash,
        Message::SetChannel(SetChannel { channel_id: 30, value: 1.0 }),
        Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 1 }),
        Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 0 }),
        Message::ChannelAck(ChannelAck { success: Success::OK, channel_id: 7 }),
        Message::SetConfig(ConfigChunk { chunk_index: 0, total_chunks: 1, data: &data }),
        Message::Ping {},
    ];
    for max_payload in 0..=8 {
        let config = Config { max_payload, ..Config::default() };
        for msg in &messages {
            let mut buf = [0u8; 64];
            let emitted = msg.emit_with(&mut buf, config.crc_coverage, config.max_payload).map(|n| {
                assert_eq!(n, msg.buffer_len());
            });
            assert_eq!(msg.validate_with(config.max_payload), emitted, "{msg:?} under max_payload {max_payload}");
            let fits = msg.payload_len() <= max_payload;
            match msg {
                Message::SetChannel(SetChannel { channel_id: 30, .. }) => {
                    assert_eq!(emitted, Err(EncodeError::OutOfRange { field: "channel_id" }));
                }
                Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 0 }) => {
                    assert_eq!(emitted, Err(EncodeError::OutOfRange { field: "rate_hz" }));
                }
                _ => assert_eq!(emitted.is_ok(), fits, "{msg:?} under max_payload {max_payload}"),
            }
        }
    }
}

/// A CONFIG chunk under a limit below its 4-byte header: the payload is at fault (not the
/// empty data).
#[test]
fn config_chunk_under_a_limit_below_its_header_is_a_payload_error() {
    let msg = Message::ConfigData(ConfigChunk { chunk_index: 18769, total_chunks: 40769, data: &[] });
    let config = Config { max_payload: 3, ..Config::default() };
    assert_eq!(
        msg.emit_with(&mut [0u8; 16], config.crc_coverage, config.max_payload),
        Err(EncodeError::TooLong { field: "PAYLOAD", len: 4, max: 3 })
    );
    let config = Config { max_payload: 4, ..Config::default() };
    assert_eq!(msg.emit_with(&mut [0u8; 16], config.crc_coverage, config.max_payload), Ok(10));
}

/// The crash bytes still decode (as the fuzz target's `Input`: message, CRC rule, limit,
/// verbatim flag) to the message of the test above.
#[cfg(feature = "arbitrary")]
#[test]
fn crash_7969af05_bytes_are_that_message() {
    use arbitrary::{Arbitrary, Unstructured};
    // Enum index, channel_id, value, CRC rule index, Some(...) with no bytes left (0).
    const CRASH_7969AF05: [u8; 15] =
        [0x00, 0xC7, 0xEE, 0xA2, 0x00, 0x00, 0x18, 0xA4, 0xD4, 0x1D, 0xFE, 0xFF, 0xFF, 0xFF, 0xFF];
    let mut u = Unstructured::new(&CRASH_7969AF05);
    let msg = Message::arbitrary(&mut u).unwrap();
    let coverage = CrcCoverage::arbitrary(&mut u).unwrap();
    let max_payload = Option::<u16>::arbitrary(&mut u).unwrap();
    let verbatim = bool::arbitrary(&mut u).unwrap();
    match msg {
        Message::SetChannel(s) => assert_eq!((s.channel_id, s.value.to_bits()), (0, 0x1DD4_A418)),
        other => panic!("{other:?}"),
    }
    assert_eq!((coverage, max_payload, verbatim), (CrcCoverage::LengthMsgIdPayload, Some(0), false));
}
