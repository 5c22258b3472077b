use serial_dialects::client::plot::{Client, DeviceError, Item};
use serial_dialects::client::{Error, Options};
use serial_dialects::device::faults::FaultOptions;
use serial_dialects::device::{ServeReport, serve_with_faults};
use serial_dialects::plot::device::{Model, Settings};
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::task::JoinHandle;

type Server = JoinHandle<std::io::Result<ServeReport>>;

fn served(settings: Settings, faults: FaultOptions) -> (Client<DuplexStream>, Server) {
    let (host, device) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(serve_with_faults(Model::new(settings), device, faults));
    (Client::new(host, Options::default()), server)
}

#[tokio::test(start_paused = true)]
async fn discovery_and_commands_against_the_model() {
    let (mut client, server) = served(Settings::default(), FaultOptions::default());
    let table = client.discover().await.unwrap();
    let rows: Vec<(&str, &str, &str)> =
        table.rows.iter().map(|c| (c.cmd.as_str(), c.args.as_str(), c.cat.as_str())).collect();
    assert_eq!(
        rows,
        [
            ("start", "-", "state"),
            ("stop", "-", "state"),
            ("status", "-", "diag"),
            ("setpid", "kp ki kd", "param"),
            ("dfu", "-", "sys"),
            ("help", "-", "sys")
        ]
    );
    assert!(!table.ended_by_silence);
    let groups: Vec<(&str, usize)> = table.by_category().iter().map(|(n, c)| (*n, c.len())).collect();
    assert_eq!(groups, [("State", 2), ("Diagnostics", 1), ("Parameters", 1), ("System", 2)]);
    assert_eq!(table.buttons().count(), 5);

    assert_eq!(client.send("setpid 2 0.5 0").await.unwrap(), ["OK kp=2.000 ki=0.500 kd=0.000"]);
    let status = client.send("status").await.unwrap();
    assert_eq!(status.len(), 1);
    assert!(status[0].starts_with("status: running channels=3 rate=100Hz"), "{status:?}");
    assert!(status[0].ends_with("kp=2.000 ki=0.500 kd=0.000"), "{status:?}");
    match client.send("jump").await {
        Err(Error::Device(DeviceError::Refused(line))) => assert_eq!(line, "ERR unknown command: jump"),
        other => panic!("{other:?}"),
    }
    assert!(matches!(client.send("a\r\nb").await, Err(Error::Encode(_))));
    // DATA that came during the commands is all there, with the labels of boot first.
    let mut labels = None;
    let mut data = 0;
    while data < 50 {
        match client.next_item().await.unwrap() {
            Item::Labels(names) if labels.is_none() => labels = Some(names),
            Item::Data(values) => {
                assert_eq!(values.len(), 3);
                data += 1;
            }
            _ => {}
        }
    }
    let names: Vec<String> = labels.unwrap().into_iter().map(|(_, n)| n).collect();
    assert_eq!(names, ["ch0", "ch1", "ch2"]);
    assert_eq!(client.stats().rejected, 0);
    drop(client.into_inner());
    let report = server.await.unwrap().unwrap();
    assert_eq!((report.stats.requests, report.stats.dropped), (4, 0));
}

#[tokio::test(start_paused = true)]
async fn a_dropped_help_is_sent_again_and_four_give_a_timeout() {
    // The model answers `help` with the table's lines: each line is a reply, so dropping the
    // first nine replies loses the first table whole.
    let faults = FaultOptions { drop_first_replies: 9, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    let started = tokio::time::Instant::now();
    let table = client.discover().await.unwrap();
    assert_eq!(table.rows.len(), 6);
    assert_eq!(started.elapsed().as_millis(), 1000);
    assert_eq!(client.stats().resent, 1);
    drop(server);

    let (host, mut device) = tokio::io::duplex(1 << 16);
    let mut client = Client::new(host, Options::default());
    let started = tokio::time::Instant::now();
    let silent = tokio::spawn(async move {
        let mut all = Vec::new();
        let _ = device.read_to_end(&mut all).await;
        all
    });
    match client.discover().await {
        Err(Error::Timeout { attempts: 4 }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(started.elapsed().as_millis(), 4000);
    drop(client);
    assert_eq!(silent.await.unwrap(), b"help\r\n".repeat(4));
}

#[tokio::test(start_paused = true)]
async fn a_table_without_its_end_marker_ends_after_two_silent_seconds() {
    let (host, device) = tokio::io::duplex(1 << 16);
    let (mut from_host, mut to_host) = tokio::io::split(device);
    let mut client = Client::new(host, Options::default());
    let peer = tokio::spawn(async move {
        let mut request = [0u8; 6];
        from_host.read_exact(&mut request).await.unwrap();
        to_host
            .write_all(b"\r\nGMU Commands\r\nCMD | ARGS | CAT | DESCRIPTION\r\nbeep | - | diag | Beep\r\n")
            .await
            .unwrap();
        tokio::time::sleep(std::time::Duration::from_millis(1500)).await;
        to_host.write_all(b"led | on off | state | LED\r\n").await.unwrap();
        (request, to_host, from_host)
    });
    let started = tokio::time::Instant::now();
    let table = client.discover().await.unwrap();
    assert_eq!(started.elapsed().as_millis(), 3500, "2 s after the last line");
    assert!(table.ended_by_silence);
    let cmds: Vec<&str> = table.rows.iter().map(|c| c.cmd.as_str()).collect();
    assert_eq!(cmds, ["beep", "led"]);
    assert_eq!(client.stats().resent, 0, "a table that has begun is not asked for again");
    assert_eq!(&peer.await.unwrap().0, b"help\r\n");
}

#[tokio::test(start_paused = true)]
async fn corrupted_bytes_are_survived() {
    let faults = FaultOptions { corrupt: 0.002, seed: 3, ..FaultOptions::default() };
    let (mut client, server) = served(Settings::default(), faults);
    let mut found = 0;
    for _ in 0..5 {
        // A corrupted table line may lose a row; a corrupted marker costs a retry.
        if let Ok(table) = client.discover().await {
            found += usize::from(table.rows.len() == 6);
        }
    }
    assert!(found >= 3, "{found}");
    drop(server);
}
