//! `simulate` as a host tool sees it: the real binary on a pseudo-terminal, opened by its
//! path, talked to with the library's encoders and decoders; faults seen in the decoder's
//! statistics; `monitor` decoding a simulator; the summary's numbers after SIGTERM.

#![cfg(unix)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::thread;
use std::time::{Duration, Instant};

use serial_dialects::ascii_crc8::{self, Answer, AsciiCrc8, encode_request};
use serial_dialects::pmu30::session::{ConfigChunks, ConfigReassembler};
use serial_dialects::pmu30::{self, ConfigAck, Message, Pmu30, SubscribeTelemetry, Success, error_code};
use serial_dialects::stream::Dialect;
use serial_dialects::{Encode, ErrorKind, Message as _, StreamDecoder, powerscope, vectordebug};
use serialport::SerialPort;

const BIN: &str = env!("CARGO_BIN_EXE_serial-dialects");
/// Longest wait for anything (a loaded 2-core machine).
const PATIENCE: Duration = Duration::from_secs(15);

/// A running simulator and the host end of its pseudo-terminal.
struct Sim {
    child: Child,
    path: String,
}

impl Sim {
    fn start(args: &[&str]) -> Sim {
        let mut child = Command::new(BIN)
            .arg("simulate")
            .args(args)
            .arg("--pty")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = mpsc::channel();
        thread::spawn(move || {
            let mut line = String::new();
            let _ = BufReader::new(stdout).read_line(&mut line);
            let _ = tx.send(line);
        });
        let line = rx.recv_timeout(PATIENCE).expect("the simulator prints its path");
        let path = line.trim_end().to_string();
        assert!(path.starts_with("/dev/"), "{path:?}");
        Sim { child, path }
    }

    fn open(&self) -> Box<dyn SerialPort> {
        serialport::new(&self.path, 115_200).timeout(Duration::from_millis(50)).open().expect("open the pty")
    }

    /// SIGTERM, then the summary's `key=value` numbers (`faults.` prefix for the faults).
    fn stop(mut self) -> HashMap<String, u64> {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let deadline = Instant::now() + PATIENCE;
        let status = loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                break status;
            }
            assert!(Instant::now() < deadline, "the simulator did not stop");
            thread::sleep(Duration::from_millis(10));
        };
        assert!(status.success(), "{status:?}");
        let mut stderr = String::new();
        self.child.stderr.take().unwrap().read_to_string(&mut stderr).unwrap();
        let mut numbers = HashMap::new();
        for line in stderr.lines() {
            let prefix = if line.starts_with("faults:") { "faults." } else { "" };
            for pair in line.split_whitespace() {
                if let Some((key, value)) = pair.split_once('=') {
                    numbers.insert(format!("{prefix}{key}"), value.parse().unwrap());
                }
            }
        }
        assert!(numbers.contains_key("requests"), "{stderr}");
        numbers
    }
}

/// Reads from `port` into `decoder` until `done` says so (given every frame's bytes, as an
/// owned decoded message's debug text and its type name) or the patience runs out.
struct Host<D: Dialect> {
    port: Box<dyn SerialPort>,
    decoder: Box<StreamDecoder<D, 8192>>,
}

impl<D: Dialect> Host<D> {
    fn new(port: Box<dyn SerialPort>, dialect: D) -> Host<D> {
        Host { port, decoder: Box::new(StreamDecoder::new(dialect)) }
    }

    fn send(&mut self, bytes: &[u8]) {
        self.port.write_all(bytes).unwrap();
        self.port.flush().unwrap();
    }

    /// Collects events (as `f` maps them) until `enough` holds or `within` passes.
    fn collect<T>(
        &mut self,
        within: Duration,
        mut f: impl FnMut(&serial_dialects::EventOf<'_, D>) -> Option<T>,
        enough: impl Fn(&[T]) -> bool,
    ) -> Vec<T> {
        let deadline = Instant::now() + within;
        let mut got = Vec::new();
        let mut buf = [0u8; 4096];
        while !enough(&got) && Instant::now() < deadline {
            match self.port.read(&mut buf) {
                Ok(n) => self.decoder.feed(&buf[..n], |event| got.extend(f(&event))),
                Err(e) if e.kind() == std::io::ErrorKind::TimedOut => {}
                // The simulator is gone (after `stop`): nothing more will come.
                Err(_) => break,
            }
        }
        got
    }
}

fn pmu30_frame(message: &Message<'_>) -> Vec<u8> {
    let mut buf = vec![0; message.buffer_len()];
    let n = message.emit(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// The next pmu30 reply (not telemetry), as its debug text.
fn next_reply(host: &mut Host<Pmu30>) -> String {
    let got = host.collect(
        PATIENCE,
        |e| e.frame().filter(|m| !matches!(m, Message::TelemetryData(_))).map(|m| format!("{m:?}")),
        |got| !got.is_empty(),
    );
    got.into_iter().next().expect("a reply")
}

#[test]
fn pmu30_session_over_a_pty() {
    let sim = Sim::start(&["pmu30"]);
    let mut host = Host::new(sim.open(), Pmu30::default());
    host.send(&pmu30_frame(&Message::Ping {}));
    assert_eq!(next_reply(&mut host), "Pong");
    host.send(&pmu30_frame(&Message::GetInfo {}));
    let info = pmu30::InfoResp::new([1, 0, 0], 1, "PMU30-SIM-0001", "PMU-30").unwrap();
    assert_eq!(next_reply(&mut host), format!("{:?}", Message::InfoResp(info)));
    // Upload a 1300-byte configuration in 3 chunks, each acknowledged.
    let config: Vec<u8> = format!("{{\"outputs\":[{}0]}}", "1,".repeat(640)).into_bytes();
    let ok = format!("{:?}", Message::ConfigAck(ConfigAck { success: Success(1), error_code: 0 }));
    for chunk in ConfigChunks::new(&config).unwrap() {
        host.send(&pmu30_frame(&chunk));
        assert_eq!(next_reply(&mut host), ok);
    }
    // GET_CONFIG gives it back.
    host.send(&pmu30_frame(&Message::GetConfig {}));
    let mut chunks: Vec<Vec<u8>> = Vec::new();
    let raw = host.collect(
        PATIENCE,
        |e| match e.frame() {
            Some(Message::ConfigData(c)) => Some((c.chunk_index, c.total_chunks, c.data.to_vec())),
            _ => None,
        },
        |got| got.len() == 3,
    );
    let mut buf = vec![0u8; 8192];
    let mut reassembler = ConfigReassembler::new(&mut buf);
    for (index, total, data) in &raw {
        chunks.push(data.clone());
        reassembler.accept(&pmu30::ConfigChunk { chunk_index: *index, total_chunks: *total, data }).unwrap();
    }
    assert_eq!(reassembler.data().unwrap(), config);
    // Telemetry at 50 Hz: the device's timestamps 20 ms apart.
    host.send(&pmu30_frame(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 50 })));
    let stamps = host.collect(
        PATIENCE,
        |e| match e.frame() {
            Some(Message::TelemetryData(t)) => Some(t.timestamp_ms),
            _ => None,
        },
        |got| got.len() >= 30,
    );
    assert_eq!(stamps.len(), 30);
    let exact = stamps.windows(2).filter(|w| w[1] - w[0] == 20).count();
    assert!(exact >= 25, "{stamps:?}");
    host.send(&pmu30_frame(&Message::UnsubscribeTelemetry {}));
    host.send(&pmu30_frame(&Message::Ping {}));
    assert_eq!(next_reply(&mut host), "Pong");
    let numbers = sim.stop();
    // PING, GET_INFO, 3 chunks, GET_CONFIG, SUBSCRIBE, UNSUBSCRIBE, PING.
    assert_eq!(numbers["requests"], 9);
    assert_eq!(numbers["replies"], 2 + 3 + 3 + 1);
    assert_eq!((numbers["refused"], numbers["bad_input"]), (0, 0));
    assert!(numbers["frames_sent"] >= 30);
    assert_eq!(host.decoder.stats().errors.total(), 0);
}

fn ascii_request(id: u8, command: ascii_crc8::Command) -> Vec<u8> {
    let mut buf = [0u8; 64];
    let n = encode_request(&mut buf, id, &command).unwrap();
    buf[..n].to_vec()
}

/// Sends a request and returns the answers (frames of its ID) as debug text.
fn ascii_ask(host: &mut Host<AsciiCrc8>, id: u8, command: ascii_crc8::Command, frames: usize) -> Vec<String> {
    // The decoder learns the request from the bytes the host sends, as a monitor would.
    let bytes = ascii_request(id, command);
    host.decoder.feed(&bytes, |_| {});
    host.send(&bytes);
    host.collect(
        PATIENCE,
        |e| match e.frame() {
            Some(ascii_crc8::Message::Reply(r)) if r.frame.id == id => Some(format!("{:?}", r.answer)),
            _ => None,
        },
        |got| got.len() >= frames,
    )
}

#[test]
fn ascii_crc8_session_over_a_pty_with_one_byte_writes() {
    use ascii_crc8::Command as C;
    let sim = Sim::start(&["ascii-crc8", "--chunk", "1"]);
    let mut host = Host::new(sim.open(), AsciiCrc8::default());
    assert_eq!(ascii_ask(&mut host, 1, C::I2cScan, 1), ["Some(Address(35))"]);
    assert_eq!(ascii_ask(&mut host, 2, C::Download, 1), ["Some(Lux(2600))"]);
    assert_eq!(ascii_ask(&mut host, 3, C::SetInterval { interval_ms: Some(20) }, 1), ["Some(Status(Ok))"]);
    assert_eq!(ascii_ask(&mut host, 4, C::GetInterval, 1), ["Some(IntervalMs(20))"]);
    assert_eq!(ascii_ask(&mut host, 5, C::Start, 1), ["Some(Status(Ok))"]);
    thread::sleep(Duration::from_millis(300));
    assert_eq!(ascii_ask(&mut host, 6, C::Stop, 1), ["Some(Status(Ok))"]);
    let lux = ascii_ask(&mut host, 7, C::Download, 1);
    assert_ne!(lux, ["Some(Lux(2600))"], "new measurements were stored");
    let view = ascii_ask(&mut host, 8, C::View { offset: Some(0), count: Some(99) }, 2);
    assert_eq!(view.len(), 2);
    assert!(view[0].starts_with("Some(View { offset: 0,") && view[1].starts_with("Some(View { offset: 63,"));
    // SET_MODE 9, which the encoder refuses to write: built by hand.
    let mut buf = [0u8; 32];
    let n = ascii_crc8::emit_frame(&mut buf, ascii_crc8::Address::PC, ascii_crc8::Address::STM, 9, b"169").unwrap();
    host.decoder.feed(&buf[..n], |_| {});
    host.send(&buf[..n]);
    let status = host.collect(
        PATIENCE,
        |e| match e.frame() {
            Some(ascii_crc8::Message::Reply(r)) if r.frame.id == 9 => Some(format!("{:?}", r.answer)),
            _ => None,
        },
        |got| !got.is_empty(),
    );
    assert_eq!(status, ["Some(Status(ErrParam))"]);
    // A bad CRC gets the bare line.
    host.send(b"&PC_STM010031000E*");
    let lines = host.collect(
        PATIENCE,
        |e| match e.frame() {
            Some(ascii_crc8::Message::DeviceError(line)) => Some(line.as_str().to_string()),
            _ => None,
        },
        |got| !got.is_empty(),
    );
    assert_eq!(lines, ["ERR_CRC"]);
    let numbers = sim.stop();
    assert_eq!((numbers["requests"], numbers["refused"], numbers["bad_input"]), (9, 1, 1));
    assert_eq!(numbers["replies"], 11);
    assert_eq!(host.decoder.stats().errors.total(), 0);
}

#[test]
fn corrupted_bytes_are_crc_errors_and_nothing_untouched_is_lost() {
    let sim = Sim::start(&["pmu30", "--corrupt", "0.002", "--seed", "3"]);
    let mut host = Host::new(sim.open(), Pmu30::default());
    host.send(&pmu30_frame(&Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 100 })));
    let decoded = host.collect(PATIENCE, |e| e.frame().map(|_| ()), |got| got.len() >= 200);
    assert_eq!(decoded.len(), 200);
    let numbers = sim.stop();
    // Read what was still on its way.
    let mut decoded = decoded.len() as u64;
    decoded += host.collect(Duration::from_millis(300), |e| e.frame().map(|_| ()), |_| false).len() as u64;
    let stats = *host.decoder.stats();
    let corrupted = numbers["faults.corrupted_bytes"];
    assert!(corrupted > 0 && stats.errors.get(ErrorKind::CrcMismatch) > 0, "{numbers:?} {stats:?}");
    // Each corrupted byte spoils at most its own frame: every other frame arrived.
    let sent = numbers["frames_sent"];
    assert!(decoded + corrupted + 2 >= sent, "decoded {decoded}, corrupted {corrupted}, sent {sent}");
    assert!(decoded < sent, "corrupted frames are not decoded");
    assert_eq!(numbers["faults.lost_bytes"], 0);
}

#[test]
fn dropped_replies_leave_the_telemetry_flowing() {
    let sim = Sim::start(&["pmu30", "--drop-replies", "1", "--rate", "20"]);
    let mut host = Host::new(sim.open(), Pmu30::default());
    host.send(&pmu30_frame(&Message::Ping {}));
    host.send(&pmu30_frame(&Message::GetInfo {}));
    let got = host.collect(Duration::from_secs(2), |e| e.frame().map(|m| m.msg_type().name()), |got| got.len() >= 20);
    assert_eq!(got.len(), 20);
    assert!(got.iter().all(|name| *name == "TELEMETRY_DATA"), "{got:?}");
    let numbers = sim.stop();
    assert_eq!((numbers["replies"], numbers["faults.dropped_replies"]), (2, 2));
}

#[test]
fn reset_after_n_requests_forgets_an_upload() {
    let sim = Sim::start(&["pmu30", "--reset-after", "2"]);
    let mut host = Host::new(sim.open(), Pmu30::default());
    let config: Vec<u8> = format!("[{}0]", "1,".repeat(640)).into_bytes();
    let acks: Vec<String> = ConfigChunks::new(&config)
        .unwrap()
        .map(|chunk| {
            host.send(&pmu30_frame(&chunk));
            next_reply(&mut host)
        })
        .collect();
    let ok = format!("{:?}", Message::ConfigAck(ConfigAck { success: Success(1), error_code: 0 }));
    let refused =
        format!("{:?}", Message::ConfigAck(ConfigAck { success: Success(0), error_code: error_code::INVALID_PAYLOAD }));
    assert_eq!(acks, [ok.clone(), ok, refused]);
    let numbers = sim.stop();
    assert_eq!((numbers["resets"], numbers["faults.resets"]), (1, 1));
}

#[test]
fn delayed_replies_come_late() {
    let sim = Sim::start(&["pmu30", "--delay", "400"]);
    let mut host = Host::new(sim.open(), Pmu30::default());
    let sent = Instant::now();
    host.send(&pmu30_frame(&Message::Ping {}));
    assert_eq!(next_reply(&mut host), "Pong");
    assert!(sent.elapsed() >= Duration::from_millis(400));
    assert_eq!(sim.stop()["faults.delayed_replies"], 1);
}

#[test]
fn monitor_decodes_a_simulators_telemetry() {
    let sim = Sim::start(&["pmu30", "--rate", "20"]);
    let output = Command::new(BIN)
        .args(["monitor", "--port", &sim.path, "--dialect", "pmu30", "--duration", "1.5"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let telemetry = stdout.lines().filter(|l| l.contains("\"type\":\"TELEMETRY_DATA\"")).count();
    assert!(telemetry >= 10, "{stdout}");
    assert!(!stdout.contains("\"error\""), "{stdout}");
    sim.stop();
}

#[test]
fn options_a_device_does_not_have_are_refused() {
    for (args, message) in [
        (&["ascii-crc8", "--pty", "--channels", "2"][..], "ascii-crc8 has no --channels"),
        (&["ascii-crc8", "--pty", "--rate", "5"], "ascii-crc8 has no --rate"),
        (&["pmu30", "--pty", "--rate", "500"], "not a telemetry rate"),
        (&["pmu30", "--pty", "--corrupt", "2"], "not a probability"),
        (&["plot", "--pty", "--channels", "33"], "not 1 to 32"),
        (&["plot:64", "--pty", "--rate", "0"], "not a DATA frame rate"),
        (&["powerscope", "--pty", "--rate", "10"], "powerscope has no --rate"),
        (&["powerscope", "--pty", "--channels", "9"], "not 1 to 8 sensors"),
        (&["powerscope:r0", "--pty", "--channels", "2"], "powerscope:r0 has no --channels"),
        (&["powerscope:r0", "--pty", "--rate", "300"], "not a whole period"),
        (&["vectordebug", "--pty", "--channels", "6"], "vectordebug has no --channels"),
        (&["nonsense", "--pty"], "unknown dialect"),
    ] {
        let output = Command::new(BIN).arg("simulate").args(args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(message), "{args:?}: {stderr}");
        assert!(output.stdout.is_empty());
    }
    let _ = Answer::Lux(0);
}

/// A powerscope r1 command frame, encoded by the library.
fn powerscope_cmd(seq: u32, command: powerscope::Command) -> Vec<u8> {
    let message = powerscope::Message::Cmd(powerscope::Cmd::new(seq, 0, command));
    let dialect = powerscope::PowerScope::r1();
    let mut buf = vec![0; dialect.encoded_len(&message)];
    let n = dialect.encode(&message, &mut buf).unwrap();
    buf.truncate(n);
    buf
}

#[test]
fn powerscope_r1_answers_every_command_and_streams_samples_over_a_pty() {
    use powerscope::{Command as Cmd, Message as M, Reply};
    let sim = Sim::start(&["powerscope", "--channels", "3"]);
    let mut host = Host::new(sim.open(), powerscope::PowerScope::r1());
    let ask = |host: &mut Host<powerscope::PowerScope>, seq: u32, command: Cmd| {
        host.send(&powerscope_cmd(seq, command));
        let replies = host.collect(
            PATIENCE,
            |e| match e.frame() {
                Some(M::Ack(a)) if a.seq == seq => Some(format!("{:?}", a.reply)),
                Some(M::Nack(n)) if n.seq == seq => Some(format!("NACK {:?}", n.error)),
                _ => None,
            },
            |got| !got.is_empty(),
        );
        replies.into_iter().next().unwrap_or_else(|| panic!("no answer to {command:?}"))
    };
    assert_eq!(ask(&mut host, 1, Cmd::Ping), format!("{:?}", Reply::Ping));
    let sensors = ask(&mut host, 2, Cmd::GetSensors);
    assert!(sensors.contains("GetSensors"), "{sensors}");
    assert!(ask(&mut host, 3, Cmd::ReadSensor { sensor: 9 }).starts_with("NACK"));
    assert_eq!(ask(&mut host, 4, Cmd::SetPeriod { sensor: 2, period_ms: 20 }), format!("{:?}", Reply::SetPeriod));
    assert_eq!(ask(&mut host, 5, Cmd::StartStream { sensor: 2 }), format!("{:?}", Reply::StartStream));
    let samples = host.collect(
        PATIENCE,
        |e| match e.frame() {
            Some(M::Stream(s)) => Some((s.packet.runtime_id(), s.seq, s.gap)),
            _ => None,
        },
        |got| got.len() >= 20,
    );
    assert_eq!(samples.len(), 20);
    assert!(samples.iter().all(|&(id, _, _)| id == 2), "{samples:?}");
    // Consecutive sequence numbers from START_STREAM on: nothing lost on the pty.
    assert!(samples.windows(2).all(|w| w[1].1 == w[0].1 + 1), "{samples:?}");
    assert_eq!(host.decoder.stats().lost_frames, 0);
    assert_eq!(host.decoder.stats().errors.total(), 0);
    let numbers = sim.stop();
    assert_eq!(numbers["requests"], 5);
    assert!(numbers["frames_sent"] >= 20, "{numbers:?}");
}

#[test]
fn powerscope_r0_streams_from_boot_and_stops_on_the_stop_byte() {
    let sim = Sim::start(&["powerscope:r0", "--rate", "100"]);
    let mut host = Host::new(sim.open(), powerscope::PowerScope::r0());
    let frames = host.collect(PATIENCE, |e| e.frame().map(|m| m.name()), |got| got.len() >= 30);
    assert_eq!(frames.len(), 30);
    assert!(frames.iter().all(|name| *name == "STREAM"), "{frames:?}");
    host.send(&[0x02]);
    thread::sleep(Duration::from_millis(300));
    // What was on its way is drained, then nothing more comes.
    let _ = host.collect(Duration::from_millis(300), |e| e.frame().map(|m| m.name()), |_| false);
    let after = host.collect(Duration::from_millis(500), |e| e.frame().map(|m| m.name()), |_| false);
    assert!(after.is_empty(), "{} frames after STOP", after.len());
    sim.stop();
}

#[test]
fn vectordebug_records_flow_while_the_esc_answers_its_command_line() {
    let sim = Sim::start(&["vectordebug"]);
    let mut host = Host::new(sim.open(), vectordebug::VectorDebug::default());
    let records: usize = host
        .collect(PATIENCE, |e| e.frame().map(|m| m.record_count()), |got| got.iter().sum::<usize>() >= 4000)
        .iter()
        .sum();
    assert!(records >= 4000);
    let mut packet = [0u8; 64];
    let n = vectordebug::batch::frame_cli(b"status\r", &mut packet).unwrap();
    host.send(&packet[..n]);
    let text: String = host
        .collect(
            PATIENCE,
            |e| match e.frame().map(|m| m.packet_type()) {
                Some(vectordebug::PacketType::Cli) => {
                    let bytes: Vec<u8> = e.frame().unwrap().payload_bytes().collect();
                    Some(String::from_utf8_lossy(&bytes).into_owned())
                }
                _ => None,
            },
            |got| got.concat().contains("records="),
        )
        .concat();
    assert!(text.contains("state=running speed="), "{text:?}");
    assert_eq!(host.decoder.stats().errors.total(), 0);
    assert_eq!(host.decoder.stats().lost_frames, 0);
    let numbers = sim.stop();
    assert!(numbers["requests"] >= 1, "{numbers:?}");
}

#[test]
fn plot_sends_labels_and_data_and_answers_help_and_stop() {
    use serial_dialects::plot::{Message as M, Plot};
    let sim = Sim::start(&["plot", "--channels", "4", "--rate", "200"]);
    let mut host = Host::new(sim.open(), Plot::default());
    let got = host.collect(
        PATIENCE,
        |e| match e.frame() {
            Some(M::Data(d)) => Some(format!("DATA {}", d.count())),
            Some(M::Label(l)) => Some(format!("LABEL {}", l.count())),
            _ => None,
        },
        // LABEL frames come at start (maybe before the host opened the pty) and every 5 s.
        |got| got.iter().filter(|g| g.starts_with("DATA")).count() >= 50 && got.iter().any(|g| g.starts_with("LABEL")),
    );
    assert!(got.iter().filter(|g| g.starts_with("DATA")).all(|g| g == "DATA 4"), "{got:?}");
    assert!(got.iter().any(|g| g == "LABEL 4"), "the labels, every 5 s: {got:?}");
    host.send(b"help\r\n");
    let commands = host.collect(
        PATIENCE,
        |e| match e.frame() {
            Some(M::Commands(list)) => Some(list.iter().map(|c| c.cmd.to_string()).collect::<Vec<_>>()),
            _ => None,
        },
        |got| !got.is_empty(),
    );
    let commands = commands.first().expect("the help table, decoded");
    for name in ["start", "stop", "status"] {
        assert!(commands.iter().any(|c| c == name), "{commands:?}");
    }
    host.send(b"stop\r\n");
    thread::sleep(Duration::from_millis(300));
    let _ = host.collect(Duration::from_millis(300), |e| e.frame().map(|m| m.name()), |_| false);
    let after = host.collect(
        Duration::from_millis(500),
        |e| match e.frame() {
            Some(M::Data(_)) => Some(()),
            _ => None,
        },
        |_| false,
    );
    assert!(after.is_empty(), "{} DATA frames after stop", after.len());
    let numbers = sim.stop();
    assert!(numbers["requests"] >= 2, "{numbers:?}");
}

#[test]
fn monitor_decodes_a_powerscope_r0_simulator() {
    let sim = Sim::start(&["powerscope:r0"]);
    let output = Command::new(BIN)
        .args(["monitor", "--port", &sim.path, "--dialect", "powerscope:r0", "--duration", "1"])
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", String::from_utf8_lossy(&output.stderr));
    let stdout = String::from_utf8(output.stdout).unwrap();
    let frames = stdout.lines().filter(|l| l.contains("\"type\":\"STREAM\"")).count();
    assert!(frames >= 50, "{frames} frames: {stdout}");
    sim.stop();
}
