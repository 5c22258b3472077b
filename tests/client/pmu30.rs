use futures_util::StreamExt;
use serial_dialects::Encode;
use serial_dialects::client::pmu30::{Client, DeviceError};
use serial_dialects::client::{Error, Options};
use serial_dialects::device::faults::FaultOptions;
use serial_dialects::device::{ServeReport, serve_with_faults};
use serial_dialects::pmu30::device::{Model, Settings};
use serial_dialects::pmu30::{ChannelState, ConfigAck, Message, Pmu30, Success, error_code};
use serial_dialects::tokio::Codec;
use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;
use tokio_util::codec::FramedRead;

type Server = JoinHandle<std::io::Result<ServeReport>>;

fn served(settings: Settings, faults: FaultOptions) -> (Client<DuplexStream>, Server) {
    let (host, device) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(serve_with_faults(Model::new(settings), device, faults));
    (Client::new(host, Options::default()), server)
}

async fn finish(client: Client<DuplexStream>, server: Server) -> ServeReport {
    drop(client.into_inner());
    server.await.unwrap().unwrap()
}

/// A JSON configuration of `n` bytes.
fn config_of(n: usize) -> Vec<u8> {
    let mut text = br#"{"name":""#.to_vec();
    text.resize(n - 2, b'x');
    text.extend_from_slice(br#""}"#);
    text
}

#[tokio::test(start_paused = true)]
async fn every_method_against_the_model() {
    let (mut client, server) = served(Settings::default(), FaultOptions::default());
    let info = client.connect().await.unwrap();
    assert_eq!(info.device_name(), b"PMU-30");
    assert_eq!(info.serial_number(), b"PMU30-SIM-0001");
    assert_eq!(info.version().to_string(), "1.0.0");
    client.ping().await.unwrap();
    assert_eq!(client.get_device_info().await.unwrap(), info);

    let config = config_of(1300);
    assert_eq!(client.upload_config(&config).await.unwrap(), 3);
    assert_eq!(client.download_config().await.unwrap(), config);
    assert_eq!(client.duplicate_chunks(), 0);

    client.set_channel(0, 100.0).await.unwrap();
    client.set_channel(29, 0.0).await.unwrap();
    let mut telemetry = client.start_telemetry(20).await.unwrap();
    let mut stamps = Vec::new();
    for _ in 0..12 {
        let packet = telemetry.next().await.unwrap();
        assert_eq!(packet.channel_states[0], ChannelState::On);
        stamps.push(packet.timestamp_ms);
    }
    assert!(stamps.windows(2).all(|w| w[1] - w[0] == 50), "{stamps:?}");
    assert_eq!(telemetry.window().len(), 10);
    let mean = telemetry.window().mean_output_current_ma(0).unwrap();
    assert!(mean > 0.0, "{mean}");
    assert!(telemetry.window().mean_input_voltage_mv().unwrap() > 10_000.0);
    client.stop_telemetry().await.unwrap();
    client.ping().await.unwrap();
    let stats = client.stats();
    assert_eq!((stats.resent, stats.rejected), (0, 0));
    let report = finish(client, server).await;
    // connect (2) + ping + info + 3 chunks + download + 2 channels + subscribe + unsubscribe + ping
    assert_eq!(report.stats.requests, 13);
}

#[tokio::test(start_paused = true)]
async fn device_errors_are_typed_with_the_documents_codes() {
    let settings = Settings { channels: 5, ..Settings::default() };
    let (mut client, server) = served(settings, FaultOptions::default());
    match client.set_channel(10, 50.0).await {
        Err(Error::Device(DeviceError::Error { code, message })) => {
            assert_eq!((code, message.as_str()), (error_code::CHANNEL_DISABLED, "Channel disabled"));
        }
        other => panic!("{other:?}"),
    }
    // Out of the sender's range: refused before anything is sent.
    assert!(matches!(client.set_channel(30, 1.0).await, Err(Error::Encode(_))));
    assert!(matches!(client.start_telemetry(0).await, Err(Error::Encode(_))));
    match client.upload_config(b"{not json").await {
        Err(Error::Device(DeviceError::ConfigRejected { chunk: 0, total: 1, code })) => {
            assert_eq!(code, error_code::CONFIG_PARSE_ERROR);
        }
        other => panic!("{other:?}"),
    }
    let report = finish(client, server).await;
    assert_eq!((report.stats.requests, report.stats.refused), (2, 2));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_reply_is_retried_and_succeeds() {
    let faults = FaultOptions { drop_first_replies: 1, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    let started = tokio::time::Instant::now();
    assert_eq!(client.get_device_info().await.unwrap().device_name(), b"PMU-30");
    assert_eq!(started.elapsed().as_millis(), 1000);
    assert_eq!(client.stats().resent, 1);
    let report = finish(client, server).await;
    assert_eq!((report.stats.requests, report.faults.dropped_replies), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn four_dropped_replies_time_out_after_four_attempts() {
    let faults = FaultOptions { drop_first_replies: 4, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    let started = tokio::time::Instant::now();
    match client.ping().await {
        Err(Error::Timeout { attempts }) => assert_eq!(attempts, 4),
        other => panic!("{other:?}"),
    }
    assert_eq!(started.elapsed().as_millis(), 4000);
    let report = finish(client, server).await;
    assert_eq!(report.stats.requests, 4);
}

#[tokio::test(start_paused = true)]
async fn corrupted_bytes_are_survived_by_retries() {
    let faults = FaultOptions { corrupt: 0.003, seed: 11, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    for _ in 0..20 {
        assert_eq!(client.get_device_info().await.unwrap().hw_revision, 1);
    }
    let stats = client.stats();
    let report = finish(client, server).await;
    assert!(report.faults.corrupted_bytes > 0);
    assert!(stats.rejected > 0 && stats.resent > 0, "{stats:?}");
}

#[tokio::test(start_paused = true)]
async fn a_reset_in_the_middle_of_an_upload_is_reported() {
    // The device forgets everything after its third request: chunk 2 was the last it heard.
    let faults = FaultOptions { reset_after: 3, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    match client.upload_config(&config_of(2000)).await {
        Err(Error::Device(DeviceError::UploadInterrupted { chunk, total })) => assert_eq!((chunk, total), (3, 4)),
        other => panic!("{other:?}"),
    }
    let report = finish(client, server).await;
    assert_eq!((report.stats.requests, report.faults.resets), (4, 1));
}

#[tokio::test(start_paused = true)]
async fn telemetry_during_set_channel_loses_no_packet() {
    let (mut client, server) = served(Settings::default(), FaultOptions { delay_ms: 30, ..FaultOptions::default() });
    let mut stamps = Vec::new();
    let mut telemetry = client.start_telemetry(100).await.unwrap();
    for _ in 0..5 {
        stamps.push(telemetry.next().await.unwrap().timestamp_ms);
    }
    for channel in 0..5 {
        client.set_channel(channel, 100.0).await.unwrap();
    }
    let mut telemetry = client.telemetry();
    for _ in 0..30 {
        stamps.push(telemetry.next().await.unwrap().timestamp_ms);
    }
    assert!(stamps.windows(2).all(|w| w[1] - w[0] == 10), "{stamps:?}");
    let last = telemetry.window().latest().unwrap();
    assert!((0..5).all(|c| last.channel_states[c] == ChannelState::On));
    drop(server);
}

/// A peer played by the test: reads the host's frames, writes what it is told.
struct Peer {
    from_host: FramedRead<tokio::io::ReadHalf<DuplexStream>, Codec<Pmu30>>,
    to_host: tokio::io::WriteHalf<DuplexStream>,
}

impl Peer {
    fn new() -> (Client<DuplexStream>, Peer) {
        let (host, device) = tokio::io::duplex(1 << 16);
        let (read, write) = tokio::io::split(device);
        let peer =
            Peer { from_host: FramedRead::new(read, Codec::new(Pmu30::new(Default::default()))), to_host: write };
        (Client::new(host, Options::default()), peer)
    }

    async fn receive(&mut self) -> String {
        let event = self.from_host.next().await.unwrap().unwrap();
        event.frame().unwrap().name().to_string()
    }

    async fn send(&mut self, message: Message<'_>) {
        let dialect = Pmu30::new(Default::default());
        let mut bytes = vec![0u8; dialect.encoded_len(&message)];
        let n = dialect.encode(&message, &mut bytes).unwrap();
        self.to_host.write_all(&bytes[..n]).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_late_config_ack_is_not_taken_for_the_next_chunks() {
    let (mut client, mut peer) = Peer::new();
    let upload = tokio::spawn(async move { client.upload_config(&config_of(700)).await });
    // Chunk 0 twice (its first ACK was slow), then both ACKs.
    assert_eq!(peer.receive().await, "SET_CONFIG");
    assert_eq!(peer.receive().await, "SET_CONFIG");
    let ok = ConfigAck { success: Success::OK, error_code: 0 };
    peer.send(Message::ConfigAck(ok)).await;
    peer.send(Message::ConfigAck(ok)).await;
    // CONFIG_ACK carries no chunk index: the client fences with a PING before chunk 1.
    assert_eq!(peer.receive().await, "PING");
    peer.send(Message::Pong {}).await;
    assert_eq!(peer.receive().await, "SET_CONFIG");
    let refused = ConfigAck { success: Success::FAILED, error_code: error_code::CONFIG_PARSE_ERROR };
    peer.send(Message::ConfigAck(refused)).await;
    match upload.await.unwrap() {
        Err(Error::Device(DeviceError::ConfigRejected { chunk: 1, total: 2, code: 0x20 })) => {}
        other => panic!("the late ACK was taken for chunk 1: {other:?}"),
    }
}

#[tokio::test(start_paused = true)]
async fn a_late_pong_is_not_taken_for_info_resp() {
    let (mut client, mut peer) = Peer::new();
    let info = tokio::spawn(async move { (client.get_device_info().await, client.stats()) });
    assert_eq!(peer.receive().await, "GET_INFO");
    peer.send(Message::Pong {}).await;
    let resp = serial_dialects::pmu30::InfoResp::new([2, 1, 0], 3, "SN", "PMU").unwrap();
    peer.send(Message::InfoResp(resp)).await;
    let (result, stats) = info.await.unwrap();
    assert_eq!(result.unwrap(), resp);
    assert_eq!(stats.stale, 1);
}
