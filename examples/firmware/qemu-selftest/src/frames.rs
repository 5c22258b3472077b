//! The frames of the QEMU self-test, defined once.
//!
//! The firmware encodes every set with the library, writes it to its USART and decodes it
//! again on the target; the host test (`tests/qemu_selftest.rs` in the root crate, which
//! includes this file with `#[path]`) decodes the UART captures and checks them against
//! the same definitions. So this file is plain `no_std` Rust over the library's public
//! API and nothing else.
//!
//! Each [`FrameSet`] is one byte stream: the frames back to back, in order, nothing between
//! them. Together they cover the message types of every dialect: all 14 `pmu30` types;
//! `vectordebug` DBG_FRAME1 (with and without trailing bytes), CLI and another type; `plot`
//! data, labels and text (not a help table, which is text lines plus a zero-length event);
//! every `ascii-crc8` request with its reply, device lines and a frame from another source;
//! `powerscope` revision 0 (STREAM and command bytes) and revision 1 (STREAM, every CMD with
//! its ACK, a NACK) on separate streams, since nothing on the wire tells them apart.

use serial_dialects::ascii_crc8::{self, Address, Answer, AsciiCrc8, Command as AsciiCommand, Status};
use serial_dialects::plot::{self, LabelEntry, Plot};
use serial_dialects::pmu30::{
    self, ChannelAck, ChannelState, ConfigAck, ConfigChunk, DeviceError, FaultFlags, InfoResp, Pmu30, SetChannel,
    SubscribeTelemetry, Success, TelemetryPacket,
};
use serial_dialects::powerscope::{
    self, Ack, Cmd, Command, CommandId, ErrorCode, Ina219Sample, Nack, PowerScope, Reply, SensorList, SensorPacket, r0,
};
use serial_dialects::vectordebug::{self, Record, Records, VectorDebug};
use serial_dialects::{Dialect, EncodeError};

/// One dialect's fixed frames, encoded back to back into one stream.
pub trait FrameSet {
    /// The decoder of the stream.
    type D: Dialect;
    /// The name in the summary lines (a command-line dialect name).
    const NAME: &'static str;
    /// How many frames the set has.
    const LEN: usize;
    /// Frames that the set's sequence numbers show were lost (the decoder counts them).
    const LOST_FRAMES: u64 = 0;
    /// A decoder in its default configuration, as the host uses it.
    fn decoder() -> Self::D;
    /// Writes frame `i` (`0..LEN`) with the library's encoder; returns its length.
    fn emit(i: usize, out: &mut [u8]) -> Result<usize, EncodeError>;
    /// Whether a decoded frame is exactly frame `i`.
    fn matches(i: usize, frame: &<Self::D as Dialect>::Message<'_>) -> bool;
}

/// What `emit` returns for an index past the end of a set.
const NO_SUCH_FRAME: EncodeError = EncodeError::OutOfRange { field: "frame index" };

/// The serial ports in QEMU's order: `-serial` number `k` is the firmware's USART `k`
/// (USART1, USART2, USART3, UART4, UART5, USART6 on the netduinoplus2).
pub const SERIAL_ORDER: [&str; 6] = [
    Pmu30Set::NAME,
    VectorDebugSet::NAME,
    PlotSet::NAME,
    AsciiCrc8Set::NAME,
    PowerScopeR0Set::NAME,
    PowerScopeR1Set::NAME,
];

/// `N` bytes counting up from `start` (wrapping): payloads with every byte value in them.
const fn ramp<const N: usize>(start: u8) -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < N {
        out[i] = start.wrapping_add(i as u8);
        i += 1;
    }
    out
}

/// `text` in a NUL-padded field of `N` bytes.
const fn padded<const N: usize>(text: &[u8]) -> [u8; N] {
    let mut out = [0u8; N];
    let mut i = 0;
    while i < text.len() && i < N {
        out[i] = text[i];
        i += 1;
    }
    out
}

// ---------------------------------------------------------------------------------------
// pmu30: every message type, in a plausible configurator session.

/// A 512-byte configuration chunk, the real session's chunk size.
static PMU30_CONFIG: [u8; 512] = ramp(0x20);

const PMU30_INFO: InfoResp = InfoResp {
    firmware_version: [1, 4, 2],
    hw_revision: 3,
    serial_number: padded(b"PMU30-000123"),
    device_name: padded(b"PMU-30 QEMU selftest"),
};

/// A telemetry packet with a bit of everything: active, PWM and faulted outputs, a negative
/// temperature, named and unnamed fault bits.
fn pmu30_telemetry() -> TelemetryPacket {
    let mut t = TelemetryPacket {
        timestamp_ms: 123_456,
        input_voltage: 13_800,
        temperature: -12,
        fault_flags: FaultFlags::from_bits_retain(FaultFlags::OVERTEMPERATURE.bits() | 1 << 30),
        ..TelemetryPacket::default()
    };
    for (i, state) in t.channel_states.iter_mut().enumerate() {
        *state = ChannelState::from_u8((i % 9) as u8);
    }
    for (i, v) in t.analog_values.iter_mut().enumerate() {
        *v = 512 * i as u16 + 7;
    }
    for (i, v) in t.output_currents.iter_mut().enumerate() {
        *v = 250 * i as u16;
    }
    t.fill_inner_crc();
    t
}

fn pmu30_message(i: usize) -> Option<pmu30::Message<'static>> {
    use pmu30::Message as M;
    Some(match i {
        0 => M::Ping {},
        1 => M::Pong {},
        2 => M::GetInfo {},
        3 => M::InfoResp(PMU30_INFO),
        4 => M::GetConfig {},
        5 => M::ConfigData(ConfigChunk { chunk_index: 0, total_chunks: 2, data: &PMU30_CONFIG }),
        6 => M::SetConfig(ConfigChunk { chunk_index: 1, total_chunks: 2, data: &PMU30_CONFIG[..100] }),
        7 => M::ConfigAck(ConfigAck { success: Success::OK, error_code: 0 }),
        8 => M::SetChannel(SetChannel { channel_id: 5, value: 75.0 }),
        9 => M::ChannelAck(ChannelAck { success: Success::OK, channel_id: 5 }),
        10 => M::SubscribeTelemetry(SubscribeTelemetry { rate_hz: 50 }),
        11 => M::TelemetryData(pmu30_telemetry()),
        12 => M::UnsubscribeTelemetry {},
        13 => M::Error(DeviceError {
            error_code: pmu30::error_code::CHANNEL_OUT_OF_RANGE,
            message: b"channel 31 out of range",
        }),
        _ => return None,
    })
}

/// `pmu30`: all 14 message types.
pub struct Pmu30Set;

impl FrameSet for Pmu30Set {
    type D = Pmu30;
    const NAME: &'static str = "pmu30";
    const LEN: usize = 14;

    fn decoder() -> Pmu30 {
        Pmu30::default()
    }

    fn emit(i: usize, out: &mut [u8]) -> Result<usize, EncodeError> {
        pmu30_message(i).ok_or(NO_SUCH_FRAME)?.emit(out)
    }

    fn matches(i: usize, frame: &pmu30::Message<'_>) -> bool {
        pmu30_message(i).is_some_and(|m| m == *frame)
    }
}

// ---------------------------------------------------------------------------------------
// vectordebug: DBG_FRAME1 packets (one over 254 bytes, so COBS needs several blocks), CLI
// bytes with and without a 0x00, and a packet of an undefined type.

/// `N` records with consecutive `seq` from `first` and payloads with zeros and extremes.
const fn records<const N: usize>(first: u16) -> [Record; N] {
    let mut out = [Record { seq: 0, payload: [0; 6] }; N];
    let mut i = 0;
    while i < N {
        let seq = first.wrapping_add(i as u16);
        let s = seq as i16;
        out[i] = Record { seq, payload: [s.wrapping_mul(31), -s, 0, i16::MIN, i16::MAX, s & 0x0F00] };
        i += 1;
    }
    out
}

static VD_BATCH: [Record; 40] = records(0);
static VD_TAIL: [Record; 3] = records(40);

fn vectordebug_payload(i: usize) -> Option<vectordebug::Payload<'static>> {
    use vectordebug::Payload as P;
    Some(match i {
        0 => P::Cli { data: b"help\r\n" },
        1 => P::DbgFrame1 { records: Records::new(&VD_BATCH) },
        2 => P::Cli { data: b"ok\x00\r\n> " },
        3 => P::DbgFrame1 { records: Records::with_trailing(&VD_TAIL, &[0xAB, 0x00, 0xCD]) },
        4 => P::Unknown { packet_type: 7, payload: &[0, 1, 2, 0, 0, 0xFF] },
        _ => return None,
    })
}

/// `vectordebug`: DBG_FRAME1, CLI and UNKNOWN packets.
pub struct VectorDebugSet;

impl FrameSet for VectorDebugSet {
    type D = VectorDebug;
    const NAME: &'static str = "vectordebug";
    const LEN: usize = 5;

    fn decoder() -> VectorDebug {
        VectorDebug::default()
    }

    fn emit(i: usize, out: &mut [u8]) -> Result<usize, EncodeError> {
        vectordebug_payload(i).ok_or(NO_SUCH_FRAME)?.emit(out)
    }

    /// The decoder yields zero-copy views of the COBS bytes; their payload is decoded on
    /// the fly and compared field by field (no decode buffer needed).
    fn matches(i: usize, frame: &vectordebug::Message<'_>) -> bool {
        use vectordebug::Payload as P;
        let Some(m) = vectordebug_payload(i) else { return false };
        frame.type_byte() == m.packet_type().as_u8()
            && frame.payload_len() == m.payload_len()
            && match m {
                P::DbgFrame1 { records } => {
                    frame.records().eq(records.iter()) && frame.trailing_bytes().eq(records.trailing().iter().copied())
                }
                P::Cli { data } => frame.payload_bytes().eq(data.iter().copied()),
                P::Unknown { payload, .. } => frame.payload_bytes().eq(payload.iter().copied()),
            }
    }
}

// ---------------------------------------------------------------------------------------
// plot: text lines, channel labels and data frames, as DragoonPlot sees them.

/// One plot frame.
enum PlotFrame {
    Text(&'static [u8]),
    Labels(&'static [LabelEntry<'static>]),
    Data(&'static [i16]),
}

const PLOT_FULL: [i16; 32] = {
    let mut v = [0i16; 32];
    let mut i = 0;
    while i < 32 {
        v[i] = (i as i16 - 16) * 1000;
        i += 1;
    }
    v
};

/// Label sets as consts: `plot::label` is a `const fn`, and a call is not promoted to a
/// `'static` borrow inside a function body, but a const is.
const PLOT_LABELS: [LabelEntry<'static>; 3] =
    [plot::label(0, "Temp"), plot::label(1, "Humidity"), plot::label(2, "Vbus mV")];
const PLOT_LABELS_UTF8: [LabelEntry<'static>; 2] = [plot::label(31, "Température °C"), plot::label(3, "I")];

fn plot_frame(i: usize) -> Option<PlotFrame> {
    Some(match i {
        0 => PlotFrame::Text(b"DragoonPlot selftest\r\n"),
        1 => PlotFrame::Labels(&PLOT_LABELS),
        2 => PlotFrame::Data(&[215, 4870, 12_012]),
        // 0xAAAA and 0x00AB inside a frame are values, not start bytes.
        3 => PlotFrame::Data(&[-21_846, 0xAB, i16::MIN, i16::MAX]),
        4 => PlotFrame::Text(b"tick 1\n"),
        5 => PlotFrame::Labels(&PLOT_LABELS_UTF8),
        6 => PlotFrame::Data(&PLOT_FULL),
        7 => PlotFrame::Text(b"done\r\n"),
        _ => return None,
    })
}

/// `plot`: text, labels and data (32 channels, the seed's configuration).
pub struct PlotSet;

impl FrameSet for PlotSet {
    type D = Plot;
    const NAME: &'static str = "plot";
    const LEN: usize = 8;

    fn decoder() -> Plot {
        Plot::default()
    }

    fn emit(i: usize, out: &mut [u8]) -> Result<usize, EncodeError> {
        let channels = plot::DOCUMENTED_MAX_CHANNELS;
        match plot_frame(i).ok_or(NO_SUCH_FRAME)? {
            PlotFrame::Text(raw) => {
                let text = plot::Text::new(raw);
                text.validate(plot::Config::documented().max_line)?;
                text.emit(out)
            }
            PlotFrame::Labels(labels) => plot::emit_labels(labels, channels, out),
            PlotFrame::Data(values) => plot::emit_data(values, channels, out),
        }
    }

    fn matches(i: usize, frame: &plot::Message<'_>) -> bool {
        match (plot_frame(i), frame) {
            (Some(PlotFrame::Text(raw)), plot::Message::Text(t)) => t.raw() == raw,
            (Some(PlotFrame::Labels(labels)), plot::Message::Label(l)) => l.entries().eq(labels.iter().copied()),
            (Some(PlotFrame::Data(values)), plot::Message::Data(d)) => d.values().eq(values.iter().copied()),
            _ => false,
        }
    }
}

// ---------------------------------------------------------------------------------------
// ascii-crc8: every request, each answered (a reply means something only after its
// request), a VIEW reply of two frames, device text lines, and a frame from another source.

/// One ascii-crc8 frame or line.
enum AsciiFrame {
    Request(u8, AsciiCommand),
    Status(u8, Status),
    Lux(u8, u16),
    Interval(u8, u16),
    Mode(u8, u8),
    Address(u8, u8),
    /// A VIEW reply frame: ID, offset of its first value, values.
    View(u8, u32, &'static [u16]),
    /// A device line without its `\r\n`.
    Line(&'static [u8]),
    /// A frame that is neither request nor reply: source, ID, DATA (to `PC_`).
    Other(Address, u8, &'static [u8]),
}

/// 70 measurements: one VIEW answer is a frame of 63 values and one of 7.
static ASCII_VIEW: [u16; 70] = {
    let mut v = [0u16; 70];
    let mut i = 0;
    while i < 70 {
        v[i] = (i as u16 * 137) % 10_000;
        i += 1;
    }
    v
};

fn ascii_frame(i: usize) -> Option<AsciiFrame> {
    use AsciiCommand as C;
    use AsciiFrame as F;
    Some(match i {
        0 => F::Line(b"SYSTEM START"),
        1 => F::Request(1, C::Start),
        2 => F::Status(1, Status::Ok),
        3 => F::Request(2, C::Download),
        4 => F::Lux(2, 2600),
        5 => F::Request(3, C::SetInterval { interval_ms: Some(500) }),
        6 => F::Status(3, Status::Ok),
        7 => F::Request(4, C::GetInterval),
        8 => F::Interval(4, 500),
        9 => F::Request(5, C::SetMode { mode: Some(3) }),
        10 => F::Status(5, Status::Ok),
        11 => F::Request(6, C::GetMode),
        12 => F::Mode(6, 3),
        13 => F::Request(7, C::I2cScan),
        14 => F::Address(7, 0x23),
        15 => F::Request(8, C::View { offset: Some(0), count: Some(70) }),
        16 => F::View(8, 0, &ASCII_VIEW[..63]),
        17 => F::View(8, 63, &ASCII_VIEW[63..]),
        18 => F::Request(9, C::View { offset: Some(99), count: Some(1) }),
        19 => F::Status(9, Status::ErrNoData),
        20 => F::Line(b"ERR_CRC"),
        21 => F::Request(10, C::Stop),
        22 => F::Status(10, Status::Ok),
        23 => F::Other(Address(*b"DBG"), 42, b"heap 0 / stack 812"),
        _ => return None,
    })
}

/// `ascii-crc8`: requests, replies and device lines.
pub struct AsciiCrc8Set;

impl FrameSet for AsciiCrc8Set {
    type D = AsciiCrc8;
    const NAME: &'static str = "ascii-crc8";
    const LEN: usize = 24;

    fn decoder() -> AsciiCrc8 {
        AsciiCrc8::default()
    }

    fn emit(i: usize, out: &mut [u8]) -> Result<usize, EncodeError> {
        match ascii_frame(i).ok_or(NO_SUCH_FRAME)? {
            AsciiFrame::Request(id, command) => ascii_crc8::encode_request(out, id, &command),
            AsciiFrame::Status(id, status) => ascii_crc8::encode_status_reply(out, id, status),
            AsciiFrame::Lux(id, lux) => ascii_crc8::encode_lux_reply(out, id, lux),
            AsciiFrame::Interval(id, ms) => ascii_crc8::encode_interval_reply(out, id, ms),
            AsciiFrame::Mode(id, mode) => ascii_crc8::encode_mode_reply(out, id, mode),
            AsciiFrame::Address(id, address) => ascii_crc8::encode_address_reply(out, id, address),
            AsciiFrame::View(id, start, values) => ascii_crc8::encode_view_frame(out, id, start, values),
            AsciiFrame::Line(text) => ascii_crc8::encode_line(out, text),
            AsciiFrame::Other(src, id, data) => ascii_crc8::emit_frame(out, src, Address::PC, id, data),
        }
    }

    fn matches(i: usize, frame: &ascii_crc8::Message<'_>) -> bool {
        use ascii_crc8::Message as M;
        let Some(expected) = ascii_frame(i) else { return false };
        let answer = |id: u8| match frame {
            M::Reply(r) if r.frame.id == id && r.frame.src == Address::STM && r.frame.dst == Address::PC => r.answer,
            _ => None,
        };
        match expected {
            AsciiFrame::Request(id, command) => matches!(frame,
                M::Request(r) if r.frame.id == id && r.command == command
                    && r.frame.src == Address::PC && r.frame.dst == Address::STM),
            AsciiFrame::Status(id, status) => answer(id) == Some(Answer::Status(status)),
            AsciiFrame::Lux(id, lux) => answer(id) == Some(Answer::Lux(lux)),
            AsciiFrame::Interval(id, ms) => answer(id) == Some(Answer::IntervalMs(ms)),
            AsciiFrame::Mode(id, mode) => answer(id) == Some(Answer::Mode(mode)),
            AsciiFrame::Address(id, address) => answer(id) == Some(Answer::Address(address)),
            AsciiFrame::View(id, start, values) => matches!(answer(id),
                Some(Answer::View { offset, values: got })
                    if u32::from(offset) == start % 100 && got.iter().eq(values.iter().copied())),
            AsciiFrame::Line(text) => match frame {
                M::DeviceError(l) => l.is_error() && l.text() == text,
                M::DeviceText(l) => !l.is_error() && l.text() == text,
                _ => false,
            },
            AsciiFrame::Other(src, id, data) => matches!(frame,
                M::Frame(f) if f.src == src && f.dst == Address::PC && f.id == id && f.data == data),
        }
    }
}

// ---------------------------------------------------------------------------------------
// powerscope revision 0: STREAM frames (1 to 512 payload bytes, no CRC) and
// its raw START/STOP command bytes.

/// Revision-0 payloads: the original firmware's test ramp, and a magic and both command bytes
/// inside a frame (where they are payload).
static R0_RAMP: [u8; 512] = ramp(0);
static R0_TRAPS: [u8; 4] = [0xA5, 0x5A, 0x01, 0x02];

fn r0_message(i: usize) -> Option<powerscope::Message<'static>> {
    use powerscope::Message as M;
    let stream = |seq, ts_ms, payload, gap| M::R0Stream(r0::Stream { gap, ..r0::Stream::new(seq, ts_ms, payload) });
    Some(match i {
        0 => M::R0Command(r0::Command::Start),
        1 => stream(0, 10, &R0_RAMP[..64], 0),
        2 => stream(1, 20, &R0_RAMP, 1),
        3 => stream(2, 30, &R0_RAMP[..1], 1),
        // seq 3 and 4 lost: gap 3.
        4 => stream(5, 60, &R0_TRAPS, 3),
        5 => M::R0Command(r0::Command::Stop),
        _ => return None,
    })
}

/// `powerscope:r0`: STREAM frames and command bytes.
pub struct PowerScopeR0Set;

impl FrameSet for PowerScopeR0Set {
    type D = PowerScope;
    const NAME: &'static str = "powerscope:r0";
    const LEN: usize = 6;
    const LOST_FRAMES: u64 = 2;

    fn decoder() -> PowerScope {
        PowerScope::r0()
    }

    fn emit(i: usize, out: &mut [u8]) -> Result<usize, EncodeError> {
        r0_message(i).ok_or(NO_SUCH_FRAME)?.emit(out)
    }

    fn matches(i: usize, frame: &powerscope::Message<'_>) -> bool {
        r0_message(i).is_some_and(|m| m == *frame)
    }
}

// ---------------------------------------------------------------------------------------
// powerscope revision 1: every command with its ACK, a NACK, and STREAM frames of two
// INA219 sensors and one other sensor.

const fn ina219(runtime_id: u8, bus_mv: u16, current_ua: i32) -> SensorPacket<'static> {
    SensorPacket::Ina219(Ina219Sample { runtime_id, bus_mv, current_ua })
}

fn r1_message(i: usize) -> Option<powerscope::Message<'static>> {
    use powerscope::Message as M;
    let cmd = |seq, command| M::Cmd(Cmd::new(seq, 1000 + seq, command));
    let ack = |seq, reply| M::Ack(Ack::new(seq, 5 * seq, reply));
    let stream =
        |seq, ts_ms, packet, gap| M::Stream(powerscope::Stream { gap, ..powerscope::Stream::new(seq, ts_ms, packet) });
    Some(match i {
        0 => cmd(1, Command::Ping),
        1 => ack(1, Reply::Ping),
        2 => cmd(2, Command::GetSensors),
        3 => ack(2, Reply::GetSensors(SensorList::new(&[1, 1, 2, 1, 3, 9])?)),
        4 => cmd(3, Command::SetPeriod { sensor: 1, period_ms: 20 }),
        5 => ack(3, Reply::SetPeriod),
        6 => cmd(4, Command::GetPeriod { sensor: 1 }),
        7 => ack(4, Reply::GetPeriod { period_ms: 20 }),
        8 => cmd(5, Command::StartStream { sensor: 1 }),
        9 => ack(5, Reply::StartStream),
        10 => stream(0, 100, ina219(1, 12_012, 22_300), 0),
        11 => stream(1, 120, ina219(1, 12_008, 22_410), 1),
        12 => stream(0, 121, ina219(2, 3_300, -1_250), 0),
        13 => stream(2, 140, ina219(1, 11_996, i32::MAX), 1),
        14 => stream(0, 150, SensorPacket::Raw { runtime_id: 3, sample: &[0xA5, 0x5A, 0, 1] }, 0),
        15 => cmd(6, Command::ReadSensor { sensor: 2 }),
        16 => ack(6, Reply::ReadSensor(ina219(2, 3_296, -1_300))),
        17 => cmd(7, Command::GetUptime),
        18 => ack(7, Reply::GetUptime { uptime_ms: 86_400_123 }),
        19 => cmd(8, Command::GetBoardUid),
        20 => ack(8, Reply::GetBoardUid { uid: *b"\x33\x00\x2a\x00\x12\x51\x38\x34\x31\x36\x39\x30" }),
        21 => cmd(9, Command::SetPeriod { sensor: 7, period_ms: 100 }),
        22 => M::Nack(Nack::new(9, 45, CommandId::SetPeriod as u8, ErrorCode::InvalidValue)),
        23 => cmd(10, Command::StopStream { sensor: 1 }),
        24 => ack(10, Reply::StopStream),
        _ => return None,
    })
}

/// `powerscope:r1`: STREAM, CMD, ACK and NACK frames.
pub struct PowerScopeR1Set;

impl FrameSet for PowerScopeR1Set {
    type D = PowerScope;
    const NAME: &'static str = "powerscope:r1";
    const LEN: usize = 25;

    fn decoder() -> PowerScope {
        PowerScope::r1()
    }

    fn emit(i: usize, out: &mut [u8]) -> Result<usize, EncodeError> {
        r1_message(i).ok_or(NO_SUCH_FRAME)?.emit(out)
    }

    fn matches(i: usize, frame: &powerscope::Message<'_>) -> bool {
        r1_message(i).is_some_and(|m| m == *frame)
    }
}
