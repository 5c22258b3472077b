use serial_dialects::client::vectordebug::{Client, Item};
use serial_dialects::client::{Error, Options};
use serial_dialects::device::faults::FaultOptions;
use serial_dialects::device::{ServeReport, serve_with_faults};
use serial_dialects::vectordebug::device::{Model, Settings};
use tokio::io::DuplexStream;
use tokio::task::JoinHandle;

type Server = JoinHandle<std::io::Result<ServeReport>>;

fn served(settings: Settings, faults: FaultOptions) -> (Client<DuplexStream>, Server) {
    let (host, device) = tokio::io::duplex(1 << 16);
    let server = tokio::spawn(serve_with_faults(Model::new(settings), device, faults));
    (Client::new(host, Options::default()), server)
}

#[tokio::test(start_paused = true)]
async fn the_terminal_works_while_records_flow() {
    let (mut client, server) = served(Settings::default(), FaultOptions::default());
    assert_eq!(client.next_text().await.unwrap(), "ESC ready (type help)\r\nesc> ");
    assert_eq!(client.command("speed -1500").await.unwrap(), "speed -1500\r\nok speed=-1500\r\nesc> ");
    let status = client.command("status").await.unwrap();
    assert!(status.starts_with("status\r\nstate=running speed="), "{status:?}");
    assert!(status.ends_with("\r\nesc> "), "{status:?}");
    let refused = client.command("spin").await.unwrap();
    assert_eq!(refused, "spin\r\nerror: unknown command 'spin' (try help)\r\nesc> ");
    // Every record that came during the three commands is there, in order, none lost.
    let mut records = client.records();
    let mut next_seq = 0u16;
    for _ in 0..60 {
        let batch = records.next().await.unwrap();
        assert_eq!(batch.records.len(), 100);
        assert_eq!(batch.lost, 0);
        for record in &batch.records {
            assert_eq!(record.seq, next_seq);
            next_seq = next_seq.wrapping_add(1);
        }
    }
    assert_eq!(client.lost_frames(), 0);
    drop(client.into_inner());
    let report = server.await.unwrap().unwrap();
    assert_eq!(report.stats.bad_input, 0);
}

#[tokio::test(start_paused = true)]
async fn text_and_records_come_in_order_from_next_item() {
    let (mut client, server) = served(Settings { batch_ms: 10, ..Settings::default() }, FaultOptions::default());
    client.send_line("stop").await.unwrap();
    let mut text = String::new();
    let mut batches = 0;
    while !text.ends_with("ok stop\r\nesc> ") {
        match client.next_item().await.unwrap() {
            Item::Text(t) => text.push_str(&t),
            Item::Records(batch) => {
                assert_eq!(batch.records.len(), 200);
                batches += 1;
            }
        }
    }
    assert!(text.starts_with("ESC ready (type help)\r\nesc> stop\r\n"), "{text:?}");
    assert!(batches <= 1, "the answer comes before the records: {batches}");
    drop(server);
}

#[tokio::test(start_paused = true)]
async fn a_slow_host_sees_the_lost_records_counted() {
    // A line that holds less than a batch: the bridge's two halves fill while the host sleeps.
    let (host, device) = tokio::io::duplex(1024);
    let server = tokio::spawn(serve_with_faults(Model::new(Settings::default()), device, FaultOptions::default()));
    let mut client = Client::new(host, Options::default());
    tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    let mut records = client.records();
    let mut lost = Vec::new();
    for _ in 0..6 {
        lost.push(records.next().await.unwrap().lost);
    }
    assert_eq!(lost[..2], [0, 0], "the two waiting halves come first: {lost:?}");
    let total: u64 = lost.iter().sum();
    assert!(total > 0 && lost.iter().all(|l| l % 100 == 0), "whole batches are dropped: {lost:?}");
    assert_eq!(client.lost_frames(), total);
    drop(client.into_inner());
    let report = server.await.unwrap().unwrap();
    assert_eq!(report.stats.dropped, total, "the decoder counts what the bridge dropped");
}

#[tokio::test(start_paused = true)]
async fn no_answer_is_a_timeout_after_one_attempt() {
    // A peer that reads and never answers.
    let (host, mut device) = tokio::io::duplex(1 << 16);
    let sink = tokio::spawn(async move { tokio::io::copy(&mut device, &mut tokio::io::sink()).await });
    let mut client = Client::new(host, Options::default());
    let started = tokio::time::Instant::now();
    match client.command("status").await {
        Err(Error::Timeout { attempts: 1 }) => {}
        other => panic!("{other:?}"),
    }
    assert_eq!(started.elapsed().as_millis(), 1000);
    assert_eq!(client.stats().resent, 0, "a line is never typed twice");
    drop(client);
    assert_eq!(sink.await.unwrap().unwrap(), 7 * 10, "s t a t u s Enter: 7 packets of 10 bytes");
}
