//! The light meter model (`ascii_crc8::device::Model`) driven in-process with a fake clock:
//! every command and status code, the ring, VIEW splitting, the `ERR…` lines, resets and
//! garbage. Requests are built with the library's encoder and replies read by its decoder.

use serial_dialects::SliceDecoder;
use serial_dialects::ascii_crc8::device::{Model, RING_CAPACITY, Settings};
use serial_dialects::ascii_crc8::{Address, Answer, AsciiCrc8, Command, Message, emit_frame, encode_request};
use serial_dialects::device::xorshift::Xorshift;
use serial_dialects::device::{Device, OutputKind};

fn quiet() -> Settings {
    Settings { banner: false, ..Settings::default() }
}

fn request(id: u8, command: Command) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let n = encode_request(&mut buf, id, &command).unwrap();
    buf[..n].to_vec()
}

fn drain(model: &mut Model, now: u64) -> Vec<(OutputKind, Vec<u8>)> {
    let mut out = vec![0; Model::MAX_TRANSMIT];
    let mut pieces = Vec::new();
    while let Some(t) = model.transmit(now, &mut out) {
        pieces.push((t.kind, out[..t.len].to_vec()));
    }
    pieces
}

fn ask(model: &mut Model, bytes: &[u8], now: u64) -> Vec<u8> {
    model.receive(bytes, now);
    drain(model, now)
        .into_iter()
        .flat_map(|(kind, bytes)| {
            assert_eq!(kind, OutputKind::Reply);
            bytes
        })
        .collect()
}

/// Sends `bytes` (a request) and decodes the answer in the context of that request.
fn answers(model: &mut Model, bytes: &[u8], now: u64) -> Vec<String> {
    let reply = ask(model, bytes, now);
    let stream = [bytes, &reply[..]].concat();
    SliceDecoder::new(AsciiCrc8::default(), &stream)
        .skip(1)
        .map(|e| match e.into_frame().expect("a frame or a line") {
            Message::Reply(r) => match r.answer {
                Some(Answer::Status(s)) => format!("status {}", s.name()),
                Some(Answer::Lux(l)) => format!("lux {l}"),
                Some(Answer::View { offset, values }) => {
                    format!("view {offset} {:?}", values.iter().collect::<Vec<_>>())
                }
                Some(Answer::IntervalMs(ms)) => format!("interval {ms}"),
                Some(Answer::Mode(m)) => format!("mode {m}"),
                Some(Answer::Address(a)) => format!("address {a:02X}"),
                None => format!("reply {:?}", r.frame),
            },
            Message::DeviceError(line) => format!("line {}", line.as_str()),
            other => panic!("{other:?}"),
        })
        .collect()
}

fn one(model: &mut Model, command: Command, now: u64) -> String {
    let all = answers(model, &request(7, command), now);
    assert_eq!(all.len(), 1, "{all:?}");
    all[0].clone()
}

#[test]
fn the_original_documentation_examples_get_the_real_answers() {
    let mut model = Model::new(quiet());
    for (request, reply) in [
        (&b"&PC_STM010031000F*"[..], &b"&STMPC_0100200FC*"[..]),
        (b"&PC_STM030031209C*", b"&STMPC_030042600BD*"),
        (b"&PC_STM0400613000202*", b"&STMPC_04010002600259988*"),
        (b"&PC_STM060031505D*", b"&STMPC_060041000A5*"),
        (b"&PC_STM0800317051*", b"&STMPC_08001157*"),
        (b"&PC_STM090031804D*", b"&STMPC_090022390*"),
    ] {
        assert_eq!(ask(&mut model, request, 0), reply, "{}", String::from_utf8_lossy(request));
    }
}

#[test]
fn every_command_and_status_code() {
    let mut model = Model::new(Settings { test_fill: false, ..quiet() });
    assert_eq!(one(&mut model, Command::Download, 0), "status ERR_NO_DATA");
    assert_eq!(one(&mut model, Command::View { offset: Some(0), count: Some(5) }, 0), "status ERR_NO_DATA");
    assert_eq!(one(&mut model, Command::GetInterval, 0), "interval 1000");
    assert_eq!(one(&mut model, Command::GetMode, 0), "mode 1");
    assert_eq!(one(&mut model, Command::I2cScan, 0), "address 23");
    assert_eq!(one(&mut model, Command::SetInterval { interval_ms: Some(250) }, 0), "status OK");
    assert_eq!(one(&mut model, Command::GetInterval, 0), "interval 250");
    assert_eq!(one(&mut model, Command::SetMode { mode: Some(3) }, 0), "status OK");
    assert_eq!(one(&mut model, Command::GetMode, 0), "mode 3");
    assert_eq!(one(&mut model, Command::Start, 1000), "status OK");
    assert!(model.measuring());
    // 4 measurements at 1250, 1500, 1750, 2000.
    assert_eq!(one(&mut model, Command::GetMode, 2000), "mode 3");
    assert_eq!(model.stored(), 4);
    let newest = model.measurement(0).unwrap();
    assert_eq!(one(&mut model, Command::Download, 2100), format!("lux {newest}"));
    // Mode 3 is the 4 lx resolution: every reading a multiple of 4 (before rounding).
    assert!((0..4).all(|i| model.measurement(i).unwrap() % 4 == 0));
    assert_eq!(one(&mut model, Command::Stop, 2100), "status OK");
    drain(&mut model, 100_000);
    assert_eq!(model.stored(), 4, "nothing stored after STOP");
    // Parameter errors: 01 unreadable or out of the mode range, 02 out of the interval range.
    let mut raw = |data: &[u8]| {
        let mut buf = [0u8; 64];
        let n = emit_frame(&mut buf, Address::PC, Address::STM, 3, data).unwrap();
        answers(&mut model, &buf[..n], 3000)
    };
    assert_eq!(raw(b"14050"), ["status ERR_PARAM"]);
    assert_eq!(raw(b"140000"), ["status ERR_RANGE"]);
    assert_eq!(raw(b"1410000"), ["status ERR_RANGE"]);
    assert_eq!(raw(b"1470000"), ["status ERR_RANGE"]);
    assert_eq!(raw(b"167"), ["status ERR_PARAM"]);
    assert_eq!(raw(b"160"), ["status ERR_PARAM"]);
    assert_eq!(raw(b"16"), ["status ERR_PARAM"]);
    assert_eq!(raw(b"130000"), ["status ERR_PARAM"], "count 00");
    assert_eq!(raw(b"13000"), ["status ERR_PARAM"], "3 parameter digits");
    assert_eq!(raw(b"130402"), ["status ERR_NO_DATA"], "offset past the 4 stored");
    assert_eq!(
        raw(b"130299"),
        [format!("view 2 {:?}", [model.measurement(2).unwrap(), model.measurement(3).unwrap()])]
    );
    let stats = *model.stats();
    assert_eq!(stats.refused, 2 + 10);
    assert_eq!(stats.requests, 13 + 11);
}

#[test]
fn no_sensor_means_i2c_errors_and_no_measurements() {
    let mut model = Model::new(Settings { sensor_address: None, test_fill: false, ..quiet() });
    assert_eq!(one(&mut model, Command::I2cScan, 0), "address 00");
    assert_eq!(one(&mut model, Command::SetMode { mode: Some(2) }, 0), "status ERR_I2C");
    assert_eq!(one(&mut model, Command::Start, 0), "status OK");
    drain(&mut model, 10_000);
    assert_eq!(model.stored(), 0);
    let mut model = Model::new(Settings { sensor_address: Some(0x5C), ..quiet() });
    assert_eq!(one(&mut model, Command::I2cScan, 0), "address 5C");
}

#[test]
fn view_sends_63_values_a_frame_with_offsets_mod_100() {
    let mut model = Model::new(quiet());
    let all = answers(&mut model, &request(4, Command::View { offset: Some(63), count: Some(99) }), 0);
    assert_eq!(all.len(), 2);
    let first: Vec<u16> = (0..63).map(|i| 2600 - 63 - i).collect();
    let second: Vec<u16> = (0..36).map(|i| 2600 - 126 - i).collect();
    assert_eq!(all[0], format!("view 63 {first:?}"));
    assert_eq!(all[1], format!("view 26 {second:?}"), "offset 126 is sent as 26");
    // Fewer stored than asked: what there is.
    let all = answers(&mut model, &request(5, Command::View { offset: Some(99), count: Some(99) }), 0);
    assert_eq!(all.len(), 2);
}

#[test]
fn measurements_fill_the_ring_at_the_interval_while_started() {
    let mut model = Model::new(Settings { test_fill: false, ..quiet() });
    one(&mut model, Command::SetInterval { interval_ms: Some(10) }, 0);
    one(&mut model, Command::Start, 0);
    drain(&mut model, 5_000);
    assert_eq!(model.stored(), 500);
    drain(&mut model, 60_000);
    assert_eq!(model.stored(), RING_CAPACITY, "the ring keeps the newest 1000");
    // The light follows the day: dark at the start of the 60 s day, bright at noon (30 s).
    let mut model = Model::new(Settings { test_fill: false, ..quiet() });
    one(&mut model, Command::SetInterval { interval_ms: Some(100) }, 0);
    one(&mut model, Command::Start, 0);
    drain(&mut model, 30_000);
    let noon = model.measurement(0).unwrap();
    let dawn = model.measurement(299).unwrap();
    assert!((880..=920).contains(&noon), "{noon}");
    assert!(dawn < 50, "{dawn}");
    // One-time modes measure once.
    let mut model = Model::new(Settings { test_fill: false, ..quiet() });
    one(&mut model, Command::SetMode { mode: Some(5) }, 0);
    one(&mut model, Command::Start, 0);
    drain(&mut model, 10_000);
    assert_eq!((model.stored(), model.measuring()), (1, false));
}

#[test]
fn the_same_seed_measures_the_same() {
    let run = |seed| {
        let mut model = Model::new(Settings { seed, test_fill: false, ..quiet() });
        one(&mut model, Command::SetInterval { interval_ms: Some(50) }, 0);
        one(&mut model, Command::Start, 0);
        drain(&mut model, 5_000);
        (0..100).map(|i| model.measurement(i).unwrap()).collect::<Vec<_>>()
    };
    assert_eq!(run(1), run(1));
    assert_ne!(run(1), run(2));
}

#[test]
fn frames_the_device_cannot_read_get_the_bare_err_lines() {
    let mut model = Model::new(quiet());
    for (input, line) in [
        (&b"&PC_STM01*"[..], "ERR: TOO SHORT"),
        (b"&PC STM010031000F*", "ERR: INVALID ADDR"),
        (b"&PC_STM0A0031000F*", "ERR: INVALID ID"),
        (b"&PC_STM010A31000F*", "ERR"),
        (b"&PC_STM01257100D4*", "ERR_LENGTH"),
        (b"&PC_STM04007130002DD*", "ERR_LENGTH"),
        (b"&PC_STM01003A000F*", "ERR"),
        (b"&PC_STM010031000E*", "ERR_CRC"),
        (b"&PC_STM01003100ZZ*", "ERR_CRC"),
    ] {
        let reply = ask(&mut model, input, 0);
        assert_eq!(reply, format!("{line}\r\n").as_bytes(), "{}", String::from_utf8_lossy(input));
    }
    // Valid frames (right CRC) whose DATA is no command.
    for (data, line) in [(&b""[..], "ERR: INVALID CMD"), (b"1", "ERR: INVALID CMD"), (b"19", "ERR: UNKNOWN CMD")] {
        let mut buf = [0u8; 32];
        let n = emit_frame(&mut buf, Address::PC, Address::STM, 1, data).unwrap();
        let reply = ask(&mut model, &buf[..n], 0);
        assert_eq!(reply, format!("{line}\r\n").as_bytes(), "{}", String::from_utf8_lossy(data));
    }
    // A lowercase CRC is accepted; bytes between the CRC and `*` are ignored.
    assert_eq!(ask(&mut model, b"&PC_STM03003100b6*", 0), b"&STMPC_0300200AE*");
    assert_eq!(model.stats().bad_input, 12);
}

#[test]
fn replies_echo_the_id_and_swap_the_addresses() {
    let mut model = Model::new(quiet());
    let mut buf = [0u8; 64];
    let n = emit_frame(&mut buf, Address(*b"ABC"), Address(*b"XYZ"), 42, b"170").unwrap();
    let reply = ask(&mut model, &buf[..n], 0);
    let mut expected = [0u8; 64];
    let m = emit_frame(&mut expected, Address(*b"XYZ"), Address(*b"ABC"), 42, b"1").unwrap();
    assert_eq!(reply, &expected[..m]);
}

#[test]
fn noise_and_cut_frames_get_no_answer() {
    let mut model = Model::new(quiet());
    let mut input = b"\r\n\x00\xff*junk&PC_STM01".to_vec();
    input.extend_from_slice(b"&PC_STM010031000F*");
    assert_eq!(ask(&mut model, &input, 0), b"&STMPC_0100200FC*");
    // A frame cut at the end waits; the next `&` drops it.
    assert!(ask(&mut model, b"&PC_STM0200", 0).is_empty());
    assert_eq!(ask(&mut model, b"&PC_STM020031107C*", 0), b"&STMPC_020020087*");
    assert_eq!(model.stats().bad_input, 3);
}

#[test]
fn the_banner_comes_at_power_on_and_after_a_reset_which_forgets_the_session() {
    let mut model = Model::new(Settings::default());
    assert_eq!(model.poll_at(), Some(0));
    assert_eq!(drain(&mut model, 0), [(OutputKind::Periodic, b"SYSTEM START\r\n".to_vec())]);
    one(&mut model, Command::SetInterval { interval_ms: Some(20) }, 0);
    one(&mut model, Command::Start, 0);
    drain(&mut model, 1000);
    assert_eq!(model.stored(), RING_CAPACITY);
    model.receive(b"&PC_STM0200", 1000);
    model.reset(1000);
    assert_eq!((model.measuring(), model.interval_and_mode()), (false, (1000, 1)));
    assert_eq!(model.measurement(0), Some(2600), "the power-on ring");
    assert_eq!(drain(&mut model, 1000), [(OutputKind::Periodic, b"SYSTEM START\r\n".to_vec())]);
    // The half-received frame is gone: its tail is noise.
    assert!(ask(&mut model, b"031107C*", 1000).is_empty());
    assert_eq!(model.stats().resets, 1);
}

#[test]
fn megabytes_of_garbage_never_stop_or_grow_the_model() {
    let mut model = Model::new(quiet());
    let mut rng = Xorshift::new(3);
    let mut chunk = vec![0u8; 4096];
    let mut sent = 0u64;
    let mut now = 0;
    while sent < 2 << 20 {
        let len = 1 + rng.below(chunk.len() as u32) as usize;
        for b in &mut chunk[..len] {
            // Mostly frame-like characters, so that frames start, end and fail often.
            *b = match rng.below(8) {
                0 => b'&',
                1 => b'*',
                2..=5 => b'0' + rng.below(10) as u8,
                _ => rng.next_u32() as u8,
            };
        }
        model.receive(&chunk[..len], now);
        assert!(model.queued() <= 16);
        drain(&mut model, now);
        sent += len as u64;
        now += 1;
    }
    assert_eq!(model.stats().bytes_received, sent);
    assert!(model.stats().bad_input > 1000);
    assert_eq!(ask(&mut model, b"&PC_STM010031000F*", now), b"&STMPC_0100200FC*");
}
