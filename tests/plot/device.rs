//! The plot device model (docs/protocols/plot.md, "Device model"): DATA frames at the set
//! rate and channel count, LABEL frames at start and every 5 s, the help table the host
//! turns into buttons, every command and error answer, a slow reader, garbage input.

use serial_dialects::device::{Device, OutputKind};
use serial_dialects::plot::device::{LABEL_INTERVAL_MS, Model, Settings};
use serial_dialects::plot::{Config, Message, Plot};
use serial_dialects::{SliceDecoder, StreamDecoder};

/// Everything the model sends from `from` to `to` ms, read every `step` ms.
fn run(model: &mut Model, from: u64, to: u64, step: u64, wire: &mut Vec<u8>) {
    let mut buf = vec![0u8; Model::MAX_TRANSMIT];
    let mut now = from;
    while now <= to {
        while let Some(t) = model.transmit(now, &mut buf) {
            assert!(t.len >= 1);
            wire.extend_from_slice(&buf[..t.len]);
        }
        now += step;
    }
}

#[derive(Debug, PartialEq)]
enum Seen {
    Data(Vec<i16>),
    Labels(Vec<(u8, String)>),
    Text(String),
    Commands(Vec<(String, String, String)>),
}

/// The host's view: every event of the plot decoder, asserting there is no error.
fn seen(config: Config, wire: &[u8]) -> Vec<Seen> {
    let mut decoder: StreamDecoder<Plot, 2048> = StreamDecoder::new(Plot::new(config));
    let mut out = Vec::new();
    let mut push = |e: serial_dialects::EventOf<'_, Plot>| {
        out.push(match e.frame().unwrap_or_else(|| panic!("error event {e:?}")) {
            Message::Data(d) => Seen::Data(d.values().collect()),
            Message::Label(l) => {
                Seen::Labels(l.entries().map(|e| (e.index, e.name_str().unwrap().to_string())).collect())
            }
            Message::Text(t) => Seen::Text(String::from_utf8(t.line().to_vec()).unwrap()),
            Message::Commands(list) => Seen::Commands(
                list.iter().map(|c| (c.cmd.to_string(), c.args.to_string(), c.cat.to_string())).collect(),
            ),
        })
    };
    decoder.feed(wire, &mut push);
    decoder.finish_with(&mut push);
    out
}

fn data(events: &[Seen]) -> Vec<&Vec<i16>> {
    events
        .iter()
        .filter_map(|e| match e {
            Seen::Data(v) => Some(v),
            _ => None,
        })
        .collect()
}

fn texts(events: &[Seen]) -> Vec<&str> {
    events
        .iter()
        .filter_map(|e| match e {
            Seen::Text(t) => Some(t.as_str()),
            _ => None,
        })
        .collect()
}

fn labels(events: &[Seen]) -> usize {
    events.iter().filter(|e| matches!(e, Seen::Labels(_))).count()
}

#[test]
fn streams_labels_then_data_at_the_set_rate() {
    let mut model = Model::new(Settings::default());
    let mut wire = Vec::new();
    run(&mut model, 0, 10_999, 1, &mut wire);
    let events = seen(Config::documented(), &wire);
    let names = vec![(0, "ch0".to_string()), (1, "ch1".to_string()), (2, "ch2".to_string())];
    assert_eq!(events[0], Seen::Labels(names.clone()), "labels first");
    assert_eq!(labels(&events), 3, "at 0, 5 s and 10 s");
    let frames = data(&events);
    assert_eq!(frames.len(), 1_100, "100 frames a second");
    assert!(frames.iter().all(|v| v.len() == 3));
    // The label frames come at 0, after 500 and after 1000 frames.
    let label_at: Vec<usize> = events
        .iter()
        .scan(0, |n, e| {
            let at = *n;
            if matches!(e, Seen::Data(_)) {
                *n += 1;
            }
            Some((at, matches!(e, Seen::Labels(_))))
        })
        .filter(|&(_, is_label)| is_label)
        .map(|(at, _)| at)
        .collect();
    assert_eq!(label_at, [0, 500, 1_000]);
    // Channel 0: a 0.5 Hz sine of ±1000 (±5 noise); channel 1: a 0.5 Hz sawtooth of
    // ±2000; channel 2: a square wave of ±1500.
    let ch = |c: usize| frames.iter().map(|v| v[c]).collect::<Vec<_>>();
    let sine = ch(0);
    assert!(sine.iter().all(|&v| (-1_005..=1_005).contains(&v)));
    assert!(sine.iter().any(|&v| v > 990) && sine.iter().any(|&v| v < -990));
    assert!(sine[100].abs() <= 10 && (990..=1_005).contains(&sine[50]), "zero at 1 s, peak at 0.5 s");
    let saw = ch(1);
    assert_eq!(saw[0], -2_000);
    assert!(saw.windows(2).filter(|w| w[1] < w[0]).count() == 5, "11 s at 0.5 Hz: 5 wraps");
    let square = ch(2);
    assert!(square.iter().all(|&v| v == 1_500 || v == -1_500));
    assert_eq!((square[0], square[100]), (1_500, -1_500));
    let stats = model.stats();
    assert_eq!((stats.frames_sent, stats.dropped, stats.replies), (1_103, 0, 0));
}

#[test]
fn channel_count_names_and_the_wide_variant() {
    let settings = Settings {
        channels: 5,
        rate_hz: 1_000,
        labels: &["Temp", "Humidity", "", "A very long channel name"],
        ..Settings::default()
    };
    let mut model = Model::new(settings);
    let mut wire = Vec::new();
    run(&mut model, 0, 999, 1, &mut wire);
    let events = seen(Config::documented(), &wire);
    assert_eq!(
        events[0],
        Seen::Labels(vec![
            (0, "Temp".into()),
            (1, "Humidity".into()),
            (2, "ch2".into()),
            (3, "A very long chan".into()),
            (4, "ch4".into())
        ])
    );
    let frames = data(&events);
    assert_eq!(frames.len(), 1_000);
    // Channel 3: a triangle of ±2500; channel 4: the sine again at 1 Hz.
    assert!(frames.iter().all(|v| v.len() == 5 && (-2_500..=2_500).contains(&v[3])));
    assert_eq!(frames[0][3], -2_500);
    assert!((2_490..=2_500).contains(&frames[999][3]), "the triangle's top at 1 s: {}", frames[999][3]);
    assert!((990..=1_005).contains(&frames[250][4]), "the 1 Hz sine's peak at 250 ms: {}", frames[250][4]);

    for (config, asked, got) in [(Config::documented(), 99, 32), (Config::wide(), 64, 64), (Config::wide(), 0, 1)] {
        let mut model = Model::new(Settings { config, channels: asked, ..Settings::default() });
        let mut wire = Vec::new();
        run(&mut model, 0, 0, 1, &mut wire);
        let events = seen(config, &wire);
        let Seen::Labels(names) = &events[0] else { panic!() };
        assert_eq!(names.len(), got);
        assert_eq!(names.last().unwrap(), &((got - 1) as u8, format!("ch{}", got - 1)));
        assert_eq!(data(&events)[0].len(), got);
    }
}

fn send(model: &mut Model, line: &str, now: u64) {
    model.receive(line.as_bytes(), now);
}

#[test]
fn help_gives_the_table_the_host_turns_into_buttons() {
    let mut model = Model::new(Settings::default());
    let mut wire = Vec::new();
    run(&mut model, 0, 100, 1, &mut wire);
    // The app's Discover button, in two pieces.
    send(&mut model, "he", 100);
    send(&mut model, "lp\r\n", 101);
    run(&mut model, 101, 200, 1, &mut wire);
    let events = seen(Config::documented(), &wire);
    let commands: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Seen::Commands(c) => Some(c.clone()),
            _ => None,
        })
        .collect();
    let row = |c: &str, a: &str, k: &str| (c.to_string(), a.to_string(), k.to_string());
    assert_eq!(
        commands,
        [vec![
            row("start", "-", "state"),
            row("stop", "-", "state"),
            row("status", "-", "diag"),
            row("setpid", "kp ki kd", "param"),
            row("dfu", "-", "sys"),
            row("help", "-", "sys"),
        ]]
    );
    let lines = texts(&events);
    assert_eq!(lines[..3], ["", "GMU Commands", "---------+----------+-------+---------------------------"]);
    assert!(lines.contains(&"setpid   | kp ki kd | param | Set PID parameters"));
    // DATA frames kept coming around the table's lines, none inside a line.
    assert_eq!(data(&events).len(), 21);
    assert_eq!(model.stats().requests, 1);
}

#[test]
fn every_command_does_what_it_says() {
    let mut model = Model::new(Settings::default());
    let mut wire = Vec::new();
    run(&mut model, 0, 1_000, 1, &mut wire);
    send(&mut model, "stop\r\n", 1_000);
    run(&mut model, 1_000, 2_000, 1, &mut wire);
    send(&mut model, "status\r\nsetpid 1.5 0.1 -0.010\r\nstatus\n", 2_000);
    model.receive(b"setpid 1 2\r\nsetpid a b c\r\nfly\xAA\x01 away\r\n\r\n", 2_000);
    send(&mut model, &format!("{}\r\n", "x".repeat(80)), 2_000);
    send(&mut model, "start\r\nstart\r\n", 2_000);
    run(&mut model, 2_000, 2_500, 1, &mut wire);
    send(&mut model, "dfu\r\n", 2_500);
    run(&mut model, 2_500, 2_600, 1, &mut wire);
    send(&mut model, "status\r\n", 2_600);
    run(&mut model, 2_600, 2_600, 1, &mut wire);
    let events = seen(Config::documented(), &wire);
    assert_eq!(
        texts(&events),
        [
            "OK stopped",
            "status: stopped channels=3 rate=100Hz frames=101 uptime=2000ms kp=1.000 ki=0.000 kd=0.000",
            "OK kp=1.500 ki=0.100 kd=-0.010",
            "status: stopped channels=3 rate=100Hz frames=101 uptime=2000ms kp=1.500 ki=0.100 kd=-0.010",
            "ERR usage: setpid kp ki kd",
            "ERR usage: setpid kp ki kd",
            "ERR unknown command: fly??",
            "ERR line too long",
            "OK started",
            "OK started",
            "Entering DFU bootloader",
            "status: running channels=3 rate=100Hz frames=11 uptime=100ms kp=1.000 ki=0.000 kd=0.000",
        ]
    );
    // 101 frames before stop (0, 10, ... 1000 ms), none while stopped, 51 after start (with a
    // label), 11 after the DFU reboot (with a label).
    let frames = data(&events);
    assert_eq!(frames.len(), 101 + 51 + 11);
    assert_eq!(labels(&events), 3);
    assert_eq!(frames[101][1], -2_000, "a restarted stream starts its waveforms again");
    let stats = model.stats();
    assert_eq!((stats.requests, stats.refused, stats.bad_input), (12, 4, 1));
    assert_eq!(model.pid_milli(), [1_000, 0, 0], "DFU rebooted the PID parameters too");
    assert_eq!(stats.resets, 0);
}

#[test]
fn poll_at_and_a_slow_reader() {
    let mut model = Model::new(Settings { rate_hz: 50, ..Settings::default() });
    assert_eq!(model.poll_at(), Some(0));
    let mut wire = Vec::new();
    run(&mut model, 0, 0, 1, &mut wire);
    assert_eq!(model.poll_at(), Some(20));
    // Ten seconds without reading: only the last second of DATA frames is sent.
    run(&mut model, 10_000, 10_000, 1, &mut wire);
    let events = seen(Config::documented(), &wire);
    assert_eq!(data(&events).len(), 1 + 50);
    assert_eq!(model.stats().dropped, 501 - 1 - 50);
    assert_eq!(labels(&events), 2, "one label frame after the silence, not a burst");
    assert_eq!(model.poll_at(), Some(10_020));
    model.receive(b"stop\n", 10_000);
    run(&mut model, 10_000, 10_000, 1, &mut wire);
    assert_eq!(model.poll_at(), None, "nothing is scheduled while stopped");
}

#[test]
fn garbage_never_stops_or_grows_the_model() {
    let mut model = Model::new(Settings::default());
    let mut rng = 7u32;
    let mut wire = Vec::new();
    for round in 0..500u64 {
        let chunk: Vec<u8> = (0..101)
            .map(|_| {
                rng ^= rng << 13;
                rng ^= rng >> 17;
                rng ^= rng << 5;
                rng as u8
            })
            .collect();
        model.receive(&chunk, round);
        if round % 100 == 0 {
            run(&mut model, round, round, 1, &mut wire);
        }
    }
    model.receive(b"\nstatus\r\n", 500);
    let mut tail = Vec::new();
    run(&mut model, 500, 500, 1, &mut tail);
    let last = texts(&seen(Config::documented(), &tail)).last().map(|s| s.to_string());
    assert!(last.unwrap().starts_with("status: running channels=3"));
    // The answers to the garbage are valid text: the decoder sees no error in them.
    seen(Config::documented(), &wire);
    assert!(model.stats().bad_input > 20_000);
    let mut reset = Model::new(Settings::default());
    reset.receive(b"sto", 0);
    reset.reset(10);
    reset.receive(b"p\r\n", 10);
    let mut after = Vec::new();
    run(&mut reset, 10, 10, 1, &mut after);
    assert!(texts(&seen(Config::documented(), &after)).contains(&"ERR unknown command: p"));
    assert_eq!(reset.stats().resets, 1);
    // After the reset: the answer, the labels, the first DATA frame; the answer is a reply.
    let kinds: Vec<_> = SliceDecoder::new(Plot::new(Config::documented()), &after).map(|e| e.len).collect();
    assert_eq!(kinds, [24, 17, 8], "`ERR unknown command: p\\r\\n`, 3 labels of 3 bytes, 3 values");
}

#[test]
fn text_goes_first_as_replies_and_labels_every_5_s_while_streaming() {
    let mut model = Model::new(Settings::default());
    model.receive(
        b"status
", 0,
    );
    let mut buf = vec![0u8; Model::MAX_TRANSMIT];
    let kinds: Vec<OutputKind> = std::iter::from_fn(|| model.transmit(0, &mut buf).map(|t| t.kind)).collect();
    assert_eq!(kinds, [OutputKind::Reply, OutputKind::Periodic, OutputKind::Periodic]);
    let mut wire = Vec::new();
    run(&mut model, 1, LABEL_INTERVAL_MS - 1, 10, &mut wire);
    assert_eq!(labels(&seen(Config::documented(), &wire)), 0);
    run(&mut model, LABEL_INTERVAL_MS, LABEL_INTERVAL_MS, 1, &mut wire);
    assert_eq!(labels(&seen(Config::documented(), &wire)), 1);
}
