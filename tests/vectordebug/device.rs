//! The vectordebug device model (docs/protocols/vectordebug.md, "Device model"): the
//! bridge's batching over simulated time, the FOC trace seen by the decoder, the ESC's
//! command line through CLI packets both ways, the drop of records a slow host does not
//! take, garbage input.

use serial_dialects::device::{Device, OutputKind};
use serial_dialects::vectordebug::device::{Model, Settings};
use serial_dialects::vectordebug::{Config, Message, PacketType, Payload, Record, VectorDebug};
use serial_dialects::{SliceDecoder, StreamDecoder};

/// Everything the model sends from `from` to `to` ms, read every `step` ms.
fn run(model: &mut Model, from: u64, to: u64, step: u64, wire: &mut Vec<u8>) {
    let mut buf = vec![0u8; Model::MAX_TRANSMIT];
    let mut now = from;
    while now <= to {
        while let Some(t) = model.transmit(now, &mut buf) {
            wire.extend_from_slice(&buf[..t.len]);
        }
        now += step;
    }
}

/// What the host got: the records in order, the CLI text, the packet sizes, lost frames.
#[derive(Default)]
struct Received {
    records: Vec<Record>,
    text: String,
    packet_records: Vec<usize>,
    lost: u64,
    errors: u64,
}

fn receive(wire: &[u8]) -> Received {
    let mut got = Received::default();
    let mut decoder: StreamDecoder<VectorDebug, 4096> = StreamDecoder::new(VectorDebug::new(Config::default()));
    decoder.feed(wire, |event| match event.frame() {
        Some(packet) if packet.packet_type() == PacketType::DbgFrame1 => {
            got.packet_records.push(packet.record_count());
            got.records.extend(packet.records());
        }
        Some(packet) => {
            assert_eq!(packet.packet_type(), PacketType::Cli);
            got.text.push_str(&String::from_utf8(packet.payload_bytes().collect()).unwrap());
        }
        None => got.errors += 1,
    });
    decoder.finish();
    got.lost = decoder.stats().lost_frames;
    got
}

/// The PC tool's keystrokes: one CLI packet per byte, written without the 0x00 (each
/// `receive` is one write).
fn type_keys(model: &mut Model, keys: &str, now: u64) {
    for key in keys.as_bytes() {
        let mut buf = [0u8; 16];
        let n = Payload::Cli { data: &[*key] }.emit(&mut buf).unwrap();
        assert_eq!(buf[n - 1], 0);
        model.receive(&buf[..n - 1], now);
    }
}

#[test]
fn sends_20_khz_of_records_in_5_ms_batches_without_gaps() {
    let mut model = Model::new(Settings::default());
    let mut wire = Vec::new();
    run(&mut model, 0, 1_000, 1, &mut wire);
    let got = receive(&wire);
    assert_eq!(got.errors, 0);
    assert_eq!(got.text, "ESC ready (type help)\r\nesc> ");
    assert_eq!(got.packet_records, vec![100; 200], "200 packets a second, 100 records each");
    assert_eq!(got.records.len(), 20_000);
    assert!(got.records.iter().enumerate().all(|(i, r)| r.seq == i as u16));
    assert_eq!(got.lost, 0);
    let stats = model.stats();
    assert_eq!((stats.frames_sent, stats.replies, stats.dropped), (200, 1, 0));
    assert_eq!(stats.bytes_sent, wire.len() as u64);

    // An FOC trace: after the 150 ms ramp to 3000 rpm, iq holds the load (300 + 3 × 100 mA,
    // ± ripple and noise), id stays near 0, the phases are sinusoids of iq's amplitude that
    // sum to zero, and the angle turns at 3000 × 7 / 60 = 350 Hz.
    let steady = &got.records[4_000..];
    for r in steady {
        let [ia, ib, ic, id, iq, _] = r.payload.map(i32::from);
        assert!((525..=675).contains(&iq), "iq {iq}");
        assert!(id.abs() <= 40, "id {id}");
        assert!((ia + ib + ic).abs() <= 1);
        assert!(ia.abs() <= 720 && ib.abs() <= 720 && ic.abs() <= 720);
    }
    let ia_peak = steady.iter().map(|r| r.payload[0]).max().unwrap();
    assert!(ia_peak > 500, "the phase current swings to about iq: {ia_peak}");
    let turns = steady.windows(2).filter(|w| (w[1].payload[5] as u16) < (w[0].payload[5] as u16)).count();
    assert!((279..=281).contains(&turns), "0.8 s at 350 Hz: {turns}");
    // During the ramp iq carries the acceleration torque too.
    assert!(got.records[100..2_900].iter().all(|r| r.payload[4] > 4_000));
}

#[test]
fn batch_period_and_record_rate_set_the_packets() {
    for (batch_ms, rate, per_packet, packets) in [(1, 20_000, 20, 500), (10, 20_000, 200, 50), (10, 5_000, 50, 50)] {
        let mut model = Model::new(Settings { batch_ms, record_rate_hz: rate, ..Settings::default() });
        let mut wire = Vec::new();
        run(&mut model, 0, 500, 1, &mut wire);
        let got = receive(&wire);
        assert_eq!(got.packet_records, vec![per_packet; packets], "batch {batch_ms} ms at {rate} Hz");
        assert_eq!(got.lost, 0);
    }
    assert_eq!(Model::new(Settings { batch_ms: 99, ..Settings::default() }).settings().records_per_batch(), 200);
    assert_eq!(
        Model::new(Settings { batch_ms: 0, record_rate_hz: 100, ..Settings::default() }).settings().records_per_batch(),
        1
    );
}

#[test]
fn poll_at_names_the_next_batch() {
    let mut model = Model::new(Settings::default());
    assert_eq!(model.poll_at(), Some(0), "the banner is waiting");
    let mut wire = Vec::new();
    run(&mut model, 0, 0, 1, &mut wire);
    assert_eq!(model.poll_at(), Some(5));
    run(&mut model, 5, 5, 1, &mut wire);
    assert_eq!(model.poll_at(), Some(10));
}

#[test]
fn the_esc_answers_every_command_through_cli_packets() {
    let mut model = Model::new(Settings::default());
    let mut wire = Vec::new();
    run(&mut model, 0, 0, 1, &mut wire);
    type_keys(&mut model, "help\r", 1);
    type_keys(&mut model, "speed 6000\r\n", 2);
    type_keys(&mut model, "speed 99999\r", 3);
    type_keys(&mut model, "speed abc\r", 3);
    type_keys(&mut model, "speed\r", 3);
    type_keys(&mut model, "bogus 1\r", 3);
    type_keys(&mut model, "\r", 3);
    type_keys(&mut model, "sx\x7ftatus\r", 3);
    type_keys(&mut model, &"x".repeat(70), 3);
    type_keys(&mut model, "\r", 3);
    run(&mut model, 1, 1_000, 1, &mut wire);
    type_keys(&mut model, "status\r", 1_000);
    type_keys(&mut model, "stop\r", 1_000);
    run(&mut model, 1_000, 1_500, 1, &mut wire);
    type_keys(&mut model, "status\r", 1_500);
    run(&mut model, 1_500, 1_500, 1, &mut wire);
    let got = receive(&wire);
    let text = got.text;
    assert!(text.starts_with("ESC ready (type help)\r\nesc> help\r\ncommands:\r\n  help "), "{text}");
    for answer in [
        "esc> speed 6000\r\nok speed=6000\r\nesc> ",
        "esc> speed 99999\r\nerror: speed takes an integer rpm in -30000..=30000\r\n",
        "esc> speed abc\r\nerror: speed takes an integer rpm in -30000..=30000\r\n",
        "esc> speed\r\nerror: speed takes an integer rpm in -30000..=30000\r\n",
        "esc> bogus 1\r\nerror: unknown command 'bogus' (try help)\r\n",
        "esc> \r\nesc> sx\x08 \x08tatus\r\nstate=running speed=",
        "error: line too long\r\n",
        "esc> status\r\nstate=running speed=6000 target=6000 iq=",
        "esc> stop\r\nok stop\r\n",
        "esc> status\r\nstate=stopped speed=0 target=0 iq=",
    ] {
        assert!(text.contains(answer), "{answer:?} not in {text:?}");
    }
    // 6000 rpm in 300 ms, 0 rpm 300 ms after stop: the trace shows both.
    let at = |ms: usize| got.records[ms * 20].payload[4];
    assert!((825..=975).contains(&at(900)), "iq at 6000 rpm: {}", at(900));
    assert!(at(1_400).abs() <= 80, "iq at rest: {}", at(1_400));
    let stats = model.stats();
    assert_eq!(stats.requests, 11, "10 lines with a command, one empty line");
    assert_eq!(stats.refused, 5);
    assert_eq!(stats.bad_input, 0);
}

/// A host that does not read: both halves wait, the newest records are dropped, and the
/// decoder's lost frames are the model's dropped records (modulo 2^16 per gap).
#[test]
fn drops_the_newest_records_when_both_halves_wait() {
    let mut model = Model::new(Settings::default());
    let mut wire = Vec::new();
    run(&mut model, 0, 100, 1, &mut wire);
    run(&mut model, 300, 400, 1, &mut wire); // 200 ms away: 40 batches, 2 kept
    run(&mut model, 3_600_400, 3_600_500, 1, &mut wire); // an hour away
    let got = receive(&wire);
    let dropped = model.stats().dropped;
    // Batches 22..60 of the first pause and all but two of the hour's 720 000.
    assert_eq!(dropped, (40 - 2) * 100 + (720_000 - 2) * 100);
    // The decoder counts each gap modulo 2^16 (its seq is 16 bits): the first gap whole,
    // the hour's modulo 65536.
    assert_eq!(got.lost, 3_800 + (720_000 - 2) * 100 % 65_536);
    assert_eq!(got.records.len() as u64 + dropped, 3_600_500 * 20);
    // After the first pause: the two old halves (records 2000..2200), then the records
    // from 300 ms on.
    let seqs: Vec<u16> = got.records.iter().map(|r| r.seq).collect();
    let i = seqs.iter().position(|&s| s == 2_199).unwrap();
    assert_eq!(seqs[i + 1], 6_000);
}

#[test]
fn host_packets_with_their_delimiter_and_garbage() {
    let mut model = Model::new(Settings::default());
    let mut host = Vec::new();
    host.extend(b"\x00\x00garbage without delimiter");
    let mut buf = [0u8; 64];
    let n = Payload::Cli { data: b"stop\r" }.emit(&mut buf).unwrap();
    host.extend_from_slice(&buf[..n]);
    let n = Payload::DbgFrame1 { records: serial_dialects::vectordebug::Records::new(&[]) }.emit(&mut buf).unwrap();
    host.extend_from_slice(&buf[..n]);
    host.extend([0x05, 0x41, 0x42, 0x43, 0x00]); // a bad packet
    model.receive(&host, 0);
    let mut rng = 99u32;
    for round in 0..300 {
        let chunk: Vec<u8> = (0..113)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                rng as u8
            })
            .collect();
        model.receive(&chunk, round);
    }
    type_keys(&mut model, "\rstatus\r", 300);
    let mut wire = Vec::new();
    run(&mut model, 300, 300, 1, &mut wire);
    let got = receive(&wire);
    assert!(got.text.contains("esc> stop\r\nok stop\r\n"), "a whole CLI packet of keys: {}", got.text);
    assert!(got.text.contains("esc> status\r\nstate="), "still answering: {}", got.text);
    assert!(model.stats().bad_input >= 2 + 300, "garbage, the DBG_FRAME1 from the host, the bad packet");
}

#[test]
fn reset_reboots_the_esc() {
    let mut model = Model::new(Settings::default());
    let mut wire = Vec::new();
    run(&mut model, 0, 50, 1, &mut wire);
    model.reset(50);
    let mut after = Vec::new();
    run(&mut model, 50, 100, 1, &mut after);
    let got = receive(&after);
    assert_eq!(got.text, "ESC ready (type help)\r\nesc> ");
    assert_eq!(got.records.first().map(|r| r.seq), Some(0));
    assert_eq!(got.records.len(), 1_000);
    assert_eq!(model.stats().resets, 1);
    assert_eq!(model.stats().frames_sent, 20);
}

#[test]
fn a_short_buffer_sends_nothing_and_loses_no_records() {
    let mut model = Model::new(Settings::default());
    let mut tiny = [0u8; 10];
    assert_eq!(model.transmit(0, &mut tiny), None, "the banner's packet does not fit");
    let mut wire = Vec::new();
    run(&mut model, 0, 0, 1, &mut wire);
    assert_eq!(receive(&wire).text, "ESC ready (type help)\r\nesc> ", "and was not lost");
    let mut small = [0u8; 100];
    assert_eq!(model.transmit(5, &mut small), None);
    let mut buf = vec![0u8; Model::MAX_TRANSMIT];
    let t = model.transmit(5, &mut buf).unwrap();
    assert_eq!(t.kind, OutputKind::Periodic);
    let packets: Vec<Message<'_>> = SliceDecoder::new(VectorDebug::new(Config::default()), &buf[..t.len])
        .map(|e| e.into_frame().unwrap())
        .collect();
    assert_eq!(packets[0].record_count(), 100);
}
