use futures_util::StreamExt;
use serial_dialects::ascii_crc8::device::{Model, Settings};
use serial_dialects::ascii_crc8::{AsciiCrc8, CommandCode, Message, Status, encode_line};
use serial_dialects::client::ascii_crc8::{Client, DeviceError};
use serial_dialects::client::{Error, Options};
use serial_dialects::device::faults::FaultOptions;
use serial_dialects::device::{ServeReport, serve_with_faults};
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

#[tokio::test(start_paused = true)]
async fn every_command_against_the_model() {
    let (mut client, server) = served(Settings::default(), FaultOptions::default());
    assert_eq!(client.download().await.unwrap(), 2600);
    // 99 values: two frames of the same ID (63 + 36), reassembled newest first.
    let values = client.view(0, 99).await.unwrap();
    assert_eq!(values, (2502..=2600).rev().collect::<Vec<u16>>());
    assert_eq!(client.view(98, 2).await.unwrap(), [2502, 2501]);
    assert_eq!(client.interval().await.unwrap(), 1000);
    client.set_interval(100).await.unwrap();
    assert_eq!(client.interval().await.unwrap(), 100);
    assert_eq!(client.mode().await.unwrap(), 1);
    client.set_mode(3).await.unwrap();
    assert_eq!(client.mode().await.unwrap(), 3);
    assert_eq!(client.scan().await.unwrap(), 0x23);
    client.start().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(550)).await;
    client.stop().await.unwrap();
    let newest = client.download().await.unwrap();
    assert_ne!(newest, 2600, "measurements were stored");
    assert_eq!(client.view(5, 1).await.unwrap(), [2600]);
    assert_eq!(client.next_line().await.unwrap(), "SYSTEM START");
    assert_eq!(client.stats().resent, 0);
    let report = finish(client, server).await;
    assert_eq!(report.stats.requests, 14);
}

#[tokio::test(start_paused = true)]
async fn a_view_of_more_than_is_stored_gives_what_is_stored() {
    let settings = Settings { test_fill: false, interval_ms: 100, ..Settings::default() };
    let (mut client, server) = served(settings, FaultOptions::default());
    match client.view(0, 10).await {
        Err(Error::Device(DeviceError::Status { command: CommandCode::View, status: Status::ErrNoData })) => {}
        other => panic!("{other:?}"),
    }
    match client.download().await {
        Err(Error::Device(DeviceError::Status { status: Status::ErrNoData, .. })) => {}
        other => panic!("{other:?}"),
    }
    client.start().await.unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(450)).await;
    let values = client.view(0, 10).await.unwrap();
    assert_eq!(values.len(), 4, "{values:?}");
    assert_eq!(values[0], client.download().await.unwrap());
    drop(server);
}

#[tokio::test(start_paused = true)]
async fn status_codes_and_range_checks_are_typed() {
    let settings = Settings { sensor_address: None, ..Settings::default() };
    let (mut client, server) = served(settings, FaultOptions::default());
    match client.set_mode(2).await {
        Err(Error::Device(DeviceError::Status { command: CommandCode::SetMode, status: Status::ErrI2c })) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(client.scan().await.unwrap(), 0);
    assert!(matches!(client.set_interval(0).await, Err(Error::Encode(_))));
    assert!(matches!(client.view(0, 0).await, Err(Error::Encode(_))));
    let report = finish(client, server).await;
    assert_eq!((report.stats.requests, report.stats.refused), (2, 1));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_reply_is_retried_and_succeeds() {
    let faults = FaultOptions { drop_first_replies: 1, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    assert_eq!(client.interval().await.unwrap(), 1000);
    assert_eq!(client.stats().resent, 1);
    let report = finish(client, server).await;
    assert_eq!(report.stats.requests, 2);
}

#[tokio::test(start_paused = true)]
async fn four_dropped_replies_time_out_after_four_attempts() {
    let faults = FaultOptions { drop_first_replies: 4, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    let started = tokio::time::Instant::now();
    assert!(matches!(client.download().await, Err(Error::Timeout { attempts: 4 })));
    assert_eq!(started.elapsed().as_millis(), 4000);
    let report = finish(client, server).await;
    assert_eq!(report.stats.requests, 4);
}

#[tokio::test(start_paused = true)]
async fn corrupted_bytes_are_survived_by_retries() {
    let faults = FaultOptions { corrupt: 0.001, seed: 5, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    for _ in 0..15 {
        assert_eq!(client.view(0, 70).await.unwrap().len(), 70);
    }
    let stats = client.stats();
    let report = finish(client, server).await;
    assert!(report.faults.corrupted_bytes > 0);
    assert!(stats.rejected > 0 && stats.resent > 0, "{stats:?}");
}

#[tokio::test(start_paused = true)]
async fn a_reply_with_an_old_id_is_not_taken_for_the_next_request() {
    // Every reply comes 1.5 s late: DOWNLOAD (ID 00) is sent twice; its second reply, "2600",
    // arrives while GET_INTERVAL (ID 01) waits, and would read as an interval of 2600 ms.
    let faults = FaultOptions { delay_ms: 1500, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    assert_eq!(client.download().await.unwrap(), 2600);
    assert_eq!(client.interval().await.unwrap(), 1000);
    assert!(client.stats().stale >= 1, "{:?}", client.stats());
    drop(server);
}

#[tokio::test(start_paused = true)]
async fn err_lines_make_the_request_go_again_and_are_the_error_at_the_last_attempt() {
    let (host, device) = tokio::io::duplex(1 << 16);
    let (read, mut write) = tokio::io::split(device);
    let peer = tokio::spawn(async move {
        let mut from_host = FramedRead::new(read, Codec::new(AsciiCrc8::new(Default::default())));
        let mut requests = 0;
        let mut line = [0u8; 16];
        let n = encode_line(&mut line, b"ERR_CRC").unwrap();
        while let Some(Ok(event)) = from_host.next().await {
            assert!(matches!(event.frame().unwrap().message(), Message::Request(_)));
            requests += 1;
            write.write_all(&line[..n]).await.unwrap();
        }
        requests
    });
    let mut client = Client::new(host, Options::default());
    let started = tokio::time::Instant::now();
    match client.start().await {
        Err(Error::Device(DeviceError::Line(line))) => assert_eq!(line, "ERR_CRC"),
        other => panic!("{other:?}"),
    }
    // Resent at once, not after a timeout.
    assert_eq!(started.elapsed().as_millis(), 0);
    drop(client);
    assert_eq!(peer.await.unwrap(), 4);
}
