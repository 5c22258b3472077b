use futures_util::StreamExt;
use serial_dialects::Encode;
use serial_dialects::client::powerscope::{Client, DeviceError, uid_hex};
use serial_dialects::client::{Error, Options};
use serial_dialects::device::faults::FaultOptions;
use serial_dialects::device::{ServeReport, serve_with_faults};
use serial_dialects::powerscope::device::{Model, Settings};
use serial_dialects::powerscope::{Ack, CommandId, Config, ErrorCode, Message, PowerScope, Reply};
use serial_dialects::tokio::Codec;
use tokio::io::{AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;
use tokio_util::codec::FramedRead;

type Server = JoinHandle<std::io::Result<ServeReport>>;

fn served(settings: Settings, faults: FaultOptions) -> (Client<DuplexStream>, Server) {
    let (host, device) = tokio::io::duplex(1 << 16);
    let config = settings.config;
    let server = tokio::spawn(serve_with_faults(Model::new(settings), device, faults));
    (Client::with_config(host, config, Options::default()), server)
}

async fn finish(client: Client<DuplexStream>, server: Server) -> ServeReport {
    drop(client.into_inner());
    server.await.unwrap().unwrap()
}

#[tokio::test(start_paused = true)]
async fn every_command_against_the_model() {
    let (mut client, server) = served(Settings::default(), FaultOptions::default());
    client.ping().await.unwrap();
    assert_eq!(uid_hex(&client.uid().await.unwrap()), "48358ab4a291925afc00e4f0");
    tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    assert_eq!(client.uptime().await.unwrap(), 250);
    let sensors = client.sensors().await.unwrap();
    assert_eq!(sensors.iter().map(|s| (s.runtime_id, s.type_id)).collect::<Vec<_>>(), [(1, 1), (2, 1)]);
    let sample = client.read(2).await.unwrap();
    assert_eq!(sample.runtime_id, 2);
    assert!((11.5..12.1).contains(&sample.bus_volts), "{sample:?}");
    assert!(sample.current_amps < 0.0, "sensor 2 charges a battery: {sample:?}");
    assert_eq!(sample.bus_volts, f32::from(sample.raw.bus_mv) / 1000.0);
    assert!((sample.power_watts - sample.bus_volts * sample.current_amps).abs() < 1e-4);
    assert_eq!(client.period(1).await.unwrap(), 1000);
    client.set_period(1, 50).await.unwrap();
    assert_eq!(client.period(1).await.unwrap(), 50);

    let mut samples = client.stream(2, 10).await.unwrap();
    let mut seqs = Vec::new();
    let mut stamps = Vec::new();
    for _ in 0..10 {
        let s = samples.next().await.unwrap();
        seqs.push(s.seq);
        stamps.push(s.ts_ms);
    }
    assert_eq!(seqs, (0..10).collect::<Vec<u32>>());
    assert!(stamps.windows(2).all(|w| w[1] - w[0] == 13), "{stamps:?}");
    assert_eq!(samples.stats().samples, 10);
    assert_eq!(samples.stats().lost, 0);
    // A streaming sensor cannot be read: SENSOR_BUSY.
    match client.read(2).await {
        Err(Error::Device(DeviceError::Nack { command: CommandId::ReadSensor, code: ErrorCode::SensorBusy })) => {}
        other => panic!("{other:?}"),
    }
    client.stop_stream(2).await.unwrap();
    let stats = client.stats();
    assert_eq!((stats.resent, stats.stale, stats.rejected), (0, 0, 0));
    let report = finish(client, server).await;
    // ping uid uptime sensors read period set period set start read stop
    assert_eq!((report.stats.requests, report.stats.refused), (12, 1));
}

#[tokio::test(start_paused = true)]
async fn nacks_and_range_checks_are_typed() {
    let (mut client, server) = served(Settings::default(), FaultOptions::default());
    for result in [client.period(7).await.map(|_| ()), client.start_stream(7).await] {
        match result {
            Err(Error::Device(DeviceError::Nack { code: ErrorCode::InvalidValue, .. })) => {}
            other => panic!("{other:?}"),
        }
    }
    // Out of the firmware's range: refused before anything is sent.
    assert!(matches!(client.set_period(1, 4).await, Err(Error::Encode(_))));
    assert!(matches!(client.start().await, Err(Error::Encode(_))), "r0 bytes on an r1 client");
    let report = finish(client, server).await;
    assert_eq!((report.stats.requests, report.stats.refused), (2, 2));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_reply_is_retried_and_succeeds() {
    let faults = FaultOptions { drop_first_replies: 1, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    let started = tokio::time::Instant::now();
    assert_eq!(client.uptime().await.unwrap(), 1000);
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
    // The fifth ping is answered.
    client.ping().await.unwrap();
    let report = finish(client, server).await;
    assert_eq!(report.stats.requests, 5);
}

#[tokio::test(start_paused = true)]
async fn corrupted_bytes_are_survived_by_retries() {
    let faults = FaultOptions { corrupt: 0.01, seed: 11, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    for _ in 0..25 {
        assert_eq!(uid_hex(&client.uid().await.unwrap()), "48358ab4a291925afc00e4f0");
    }
    let stats = client.stats();
    let report = finish(client, server).await;
    assert!(report.faults.corrupted_bytes > 0);
    assert!(stats.rejected > 0 && stats.resent > 0, "{stats:?}");
}

#[tokio::test(start_paused = true)]
async fn samples_flowing_during_commands_lose_nothing() {
    let faults = FaultOptions { delay_ms: 40, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    client.set_period(1, 5).await.unwrap();
    client.start_stream(1).await.unwrap();
    for _ in 0..5 {
        client.uptime().await.unwrap();
        assert_eq!(client.period(2).await.unwrap(), 1000);
    }
    let mut samples = client.samples();
    let mut seen = Vec::new();
    for _ in 0..60 {
        seen.push(samples.next().await.unwrap().seq);
    }
    assert_eq!(seen, (0..60).collect::<Vec<u32>>());
    assert_eq!(samples.stats().lost, 0);
    drop(server);
}

#[tokio::test(start_paused = true)]
async fn revision_0_start_stop_and_frames() {
    let (mut client, server) = served(Settings::new(Config::r0()), FaultOptions::default());
    let mut frames = client.frames();
    let first = frames.next().await.unwrap();
    assert_eq!((first.seq, first.ts_ms, first.payload.len()), (0, 5, 128));
    assert_eq!(first.payload[..3], [0, 1, 2]);
    client.stop().await.unwrap();
    client.start().await.unwrap();
    let mut frames = client.frames();
    let next = frames.next().await.unwrap();
    assert_eq!((next.seq, next.gap, next.payload[0]), (1, 1, 1));
    assert!(matches!(client.ping().await, Err(Error::Encode(_))), "no commands in revision 0");
    let report = finish(client, server).await;
    assert_eq!(report.stats.requests, 2);
}

/// A peer played by the test: reads the host's CMD frames, writes what it is told.
struct Peer {
    from_host: FramedRead<tokio::io::ReadHalf<DuplexStream>, Codec<PowerScope>>,
    to_host: tokio::io::WriteHalf<DuplexStream>,
}

impl Peer {
    async fn seq(&mut self) -> u32 {
        match self.from_host.next().await.unwrap().unwrap().frame().unwrap().message() {
            Message::Cmd(cmd) => cmd.seq,
            other => panic!("{other:?}"),
        }
    }

    async fn send(&mut self, message: Message<'_>) {
        let mut bytes = vec![0u8; 64];
        let n = PowerScope::r1().encode(&message, &mut bytes).unwrap();
        self.to_host.write_all(&bytes[..n]).await.unwrap();
    }
}

#[tokio::test(start_paused = true)]
async fn a_late_reply_is_not_taken_for_the_next_command() {
    let (host, device) = tokio::io::duplex(1 << 16);
    let (read, write) = tokio::io::split(device);
    let mut peer = Peer { from_host: FramedRead::new(read, Codec::new(PowerScope::r1())), to_host: write };
    let mut client = Client::new(host, Options::default());
    let task = tokio::spawn(async move {
        let first = client.uptime().await;
        let second = client.uptime().await;
        (first, second, client.stats())
    });
    // The first command is sent twice (its answer is slow), then answered twice.
    let (a, b) = (peer.seq().await, peer.seq().await);
    assert_eq!(a, b, "a resend keeps its seq");
    peer.send(Message::Ack(Ack::new(a, 0, Reply::GetUptime { uptime_ms: 111 }))).await;
    peer.send(Message::Ack(Ack::new(a, 0, Reply::GetUptime { uptime_ms: 111 }))).await;
    let c = peer.seq().await;
    assert_eq!(c, a + 1);
    peer.send(Message::Ack(Ack::new(c, 0, Reply::GetUptime { uptime_ms: 222 }))).await;
    let (first, second, stats) = task.await.unwrap();
    assert_eq!((first.unwrap(), second.unwrap()), (111, 222));
    assert_eq!((stats.resent, stats.stale), (1, 1));
}
