//! The message table of powerscope and its field builders ([`EncodeFields`]): revision 1
//! (STREAM, CMD, ACK, NACK) and revision 0 (STREAM, raw command bytes).

use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

use super::{
    Ack, CMD_NONE, Cmd, Command, CommandId, Config, ErrorCode, Ina219Sample, MAX_SENSORS, Message, Nack, PERIOD_MS_MAX,
    PERIOD_MS_MIN, PowerScope, Reply, Revision, SensorList, SensorPacket, Stream, r0,
};
use crate::error::EncodeError;
use crate::fields::{
    Alias, EncodeFields, Failure, FieldSpec, FieldValue, Fields, HexBytes, List, MessageSpec, Need, dflt, emit_vec,
    optional, req, usage,
};

impl EncodeFields for PowerScope {
    fn messages(config: &Config) -> Vec<MessageSpec> {
        match config.revision {
            Revision::R0 => r0_messages(),
            Revision::R1 => r1_messages(),
        }
    }

    fn alias(config: &Config, name: &str) -> Option<Alias> {
        alias(config, name).map(|(message, field, value)| Alias { message, field, value })
    }

    fn encode_fields(config: &Config, name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
        match config.revision {
            Revision::R0 => encode_r0(name, f),
            Revision::R1 => encode_r1(name, f),
        }
    }
}

/// `SET_PERIOD` as a message name means `CMD cmd=SET_PERIOD` (r1); `START`/`STOP` mean
/// `CMD cmd=START` (r0).
fn alias(config: &Config, name: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match config.revision {
        Revision::R1 => CommandId::ALL
            .into_iter()
            .find(|id| id.name().eq_ignore_ascii_case(name))
            .map(|id| ("CMD", "cmd", id.name())),
        Revision::R0 => [r0::Command::Start, r0::Command::Stop]
            .into_iter()
            .find(|c| c.name().eq_ignore_ascii_case(name))
            .map(|c| ("CMD", "cmd", c.name())),
    }
}

fn seq_ts() -> [FieldSpec; 2] {
    [dflt("seq", "u32", 0), dflt("ts_ms", "u32", 0)]
}

/// The names of the commands `pred` holds for.
fn commands_where(pred: impl Fn(CommandId) -> bool) -> String {
    CommandId::ALL.into_iter().filter(|&id| pred(id)).map(CommandId::name).collect::<Vec<_>>().join(", ")
}

fn takes_sensor(id: CommandId) -> bool {
    Command::new(id, 0, PERIOD_MS_MIN).sensor().is_some()
}

fn r0_messages() -> Vec<MessageSpec> {
    let max = Revision::R0.max_payload_len();
    vec![
        MessageSpec {
            name: "STREAM",
            about: "a revision-0 stream frame (no CRC)".to_string(),
            fields: [vec![req("payload_hex", format!("hex bytes, 1..={max}"))], seq_ts().to_vec()].concat(),
            example: "payload_hex=00010203 seq=1 ts_ms=59",
            several_events: false,
        },
        MessageSpec {
            name: "CMD",
            about: format!(
                "a raw command byte (START = 0x{:02x}, STOP = 0x{:02x}); the message names START and STOP mean CMD cmd=...",
                r0::START,
                r0::STOP
            ),
            fields: vec![req("cmd", "START or STOP")],
            example: "cmd=START",
            several_events: false,
        },
    ]
}

fn r1_messages() -> Vec<MessageSpec> {
    let all = commands_where(|_| true);
    let sample_fields = |prefix: &str| {
        let need = |text: &str| format!("{prefix}{text}");
        vec![
            with_need(req("runtime_id", "u8, the sensor"), &need("required")),
            optional("bus_mv", "u16, INA219 bus voltage in mV", need("required for an INA219 sample")),
            optional("current_ua", "i32, INA219 current in µA", need("required for an INA219 sample")),
            optional(
                "sample_hex",
                format!("hex bytes, 0..={} but not 6", SensorPacket::MAX_SAMPLE_LEN),
                need("another sensor's sample, instead of bus_mv and current_ua"),
            ),
        ]
    };
    vec![
        MessageSpec {
            name: "STREAM",
            about: "sensor data, device → host".to_string(),
            fields: [
                sample_fields(""),
                seq_ts().to_vec(),
                vec![dflt("cmd_id", "u8", format!("0x{CMD_NONE:02X} (none)"))],
            ]
            .concat(),
            example: "runtime_id=1 bus_mv=12012 current_ua=-22300 seq=7 ts_ms=59",
            several_events: false,
        },
        MessageSpec {
            name: "CMD",
            about: format!(
                "a command, host → device. Commands: {all}; each is also a message name meaning CMD cmd=NAME"
            ),
            fields: [
                vec![
                    req("cmd", "command name (above)"),
                    optional("sensor", "u8, sensor runtime id", format!("required by {}", commands_where(takes_sensor))),
                    optional(
                        "period_ms",
                        format!("u16, {PERIOD_MS_MIN}..={PERIOD_MS_MAX}"),
                        "required by SET_PERIOD",
                    ),
                ],
                seq_ts().to_vec(),
            ]
            .concat(),
            example: "cmd=SET_PERIOD sensor=1 period_ms=20 seq=7",
            several_events: false,
        },
        MessageSpec {
            name: "ACK",
            about: "a positive answer, device → host, echoing the CMD's seq".to_string(),
            fields: [
                vec![
                    req("cmd", "command name (as CMD)"),
                    optional("period_ms", "u32", "the answer of GET_PERIOD"),
                    optional(
                        "sensors",
                        format!("list of at most {MAX_SENSORS} RUNTIME_ID:TYPE_ID (u8:u8, type 1 = INA219)"),
                        "the answer of GET_SENSORS",
                    ),
                    optional("uptime_ms", "u32", "the answer of GET_UPTIME"),
                    optional("uid_hex", "hex bytes, exactly 12", "the answer of GET_BOARD_UID"),
                ],
                sample_fields("the answer of READ_SENSOR: "),
                seq_ts().to_vec(),
            ]
            .concat(),
            example: "cmd=GET_PERIOD period_ms=20 seq=7",
            several_events: false,
        },
        MessageSpec {
            name: "NACK",
            about: "a negative answer, device → host, echoing the CMD's seq and cmd_id".to_string(),
            fields: [
                vec![
                    req("cmd_id", "u8, the refused command's id"),
                    req(
                        "error_code",
                        "u8 (1 INVALID_CMD, 2 INVALID_LEN, 3 INVALID_VALUE, 4 SENSOR_BUSY, 5 OVERFLOW, 6 INTERNAL, 255 UNKNOWN)",
                    ),
                ],
                seq_ts().to_vec(),
            ]
            .concat(),
            example: "cmd_id=3 error_code=3 seq=7",
            several_events: false,
        },
    ]
}

/// `field` with its need given as text: `required`, or what leaving it out means.
fn with_need(mut field: FieldSpec, text: &str) -> FieldSpec {
    field.need = if text == "required" { Need::Required } else { Need::Optional(text.to_string()) };
    field
}

fn command_id(f: &mut Fields) -> Result<CommandId, Failure> {
    let name: String = f.req("cmd")?;
    CommandId::ALL
        .into_iter()
        .find(|id| id.name().eq_ignore_ascii_case(&name))
        .ok_or_else(|| usage(format!("field `cmd`: unknown command {name:?} (known: {})", commands_where(|_| true))))
}

/// Refuses the fields in `names` that are given although `context` has no use for them.
fn not_for(f: &Fields, names: &[&str], context: &str) -> Result<(), Failure> {
    match names.iter().find(|n| f.has(n)) {
        Some(n) => Err(usage(format!("field `{n}` does not apply to {context}"))),
        None => Ok(()),
    }
}

/// A sensor packet from `runtime_id` and either `bus_mv` + `current_ua` or `sample_hex`.
fn sensor_packet<'b>(f: &mut Fields, raw: &'b mut Vec<u8>) -> Result<SensorPacket<'b>, Failure> {
    let runtime_id = f.req("runtime_id")?;
    if f.has("sample_hex") {
        not_for(f, &["bus_mv", "current_ua"], "a sample given as sample_hex")?;
        *raw = f.req::<HexBytes>("sample_hex")?.0;
        return Ok(SensorPacket::Raw { runtime_id, sample: raw });
    }
    Ok(SensorPacket::Ina219(Ina219Sample { runtime_id, bus_mv: f.req("bus_mv")?, current_ua: f.req("current_ua")? }))
}

fn encode_r0(name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
    let payload: HexBytes;
    let message = match name {
        "STREAM" => {
            payload = f.req("payload_hex")?;
            Message::R0Stream(r0::Stream::new(f.or("seq", 0)?, f.or("ts_ms", 0)?, &payload.0))
        }
        "CMD" => {
            let cmd: String = f.req("cmd")?;
            let command = [r0::Command::Start, r0::Command::Stop]
                .into_iter()
                .find(|c| c.name().eq_ignore_ascii_case(&cmd))
                .ok_or_else(|| usage(format!("field `cmd`: unknown command {cmd:?} (known: START, STOP)")))?;
            Message::R0Command(command)
        }
        other => return Err(usage(format!("no message {other}"))),
    };
    emit_vec(message.buffer_len(), |out| message.emit(out))
}

fn encode_r1(name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
    let mut raw = Vec::new();
    let (seq, ts_ms) = (f.or("seq", 0)?, f.or("ts_ms", 0)?);
    let message = match name {
        "STREAM" => {
            let cmd_id = f.or("cmd_id", CMD_NONE)?;
            let packet = sensor_packet(f, &mut raw)?;
            Message::Stream(Stream { cmd_id, ..Stream::new(seq, ts_ms, packet) })
        }
        "CMD" => {
            let id = command_id(f)?;
            let context = format!("CMD {}", id.name());
            if !takes_sensor(id) {
                not_for(f, &["sensor"], &context)?;
            }
            if id != CommandId::SetPeriod {
                not_for(f, &["period_ms"], &context)?;
            }
            let sensor = if takes_sensor(id) { f.req("sensor")? } else { 0 };
            let period_ms = if id == CommandId::SetPeriod { f.req("period_ms")? } else { 0 };
            Message::Cmd(Cmd::new(seq, ts_ms, Command::new(id, sensor, period_ms)))
        }
        "ACK" => {
            let id = command_id(f)?;
            let answers =
                ["period_ms", "sensors", "uptime_ms", "uid_hex", "runtime_id", "bus_mv", "current_ua", "sample_hex"];
            let own: &[&str] = match id {
                CommandId::GetPeriod => &["period_ms"],
                CommandId::GetSensors => &["sensors"],
                CommandId::ReadSensor => &["runtime_id", "bus_mv", "current_ua", "sample_hex"],
                CommandId::GetUptime => &["uptime_ms"],
                CommandId::GetBoardUid => &["uid_hex"],
                _ => &[],
            };
            let foreign: Vec<&str> = answers.into_iter().filter(|a| !own.contains(a)).collect();
            not_for(f, &foreign, &format!("ACK {}", id.name()))?;
            let reply = match id {
                CommandId::StartStream => Reply::StartStream,
                CommandId::StopStream => Reply::StopStream,
                CommandId::SetPeriod => Reply::SetPeriod,
                CommandId::Ping => Reply::Ping,
                CommandId::GetPeriod => Reply::GetPeriod { period_ms: f.req("period_ms")? },
                CommandId::GetUptime => Reply::GetUptime { uptime_ms: f.req("uptime_ms")? },
                CommandId::GetBoardUid => {
                    let uid = f.req::<HexBytes>("uid_hex")?.0;
                    let got = uid.len();
                    let uid: [u8; 12] = uid
                        .try_into()
                        .map_err(|_| usage(format!("field `uid_hex` needs exactly 12 bytes, got {got}")))?;
                    Reply::GetBoardUid { uid }
                }
                CommandId::GetSensors => {
                    let text: String = f.req("sensors")?;
                    raw = sensor_pairs(&text)?;
                    let count = raw.len() / 2;
                    Reply::GetSensors(SensorList::new(&raw).ok_or({
                        Failure::Encode(EncodeError::TooLong { field: "sensors", len: count, max: MAX_SENSORS })
                    })?)
                }
                CommandId::ReadSensor => Reply::ReadSensor(sensor_packet(f, &mut raw)?),
            };
            Message::Ack(Ack::new(seq, ts_ms, reply))
        }
        "NACK" => {
            let cmd_id = f.req("cmd_id")?;
            let code: u8 = f.req("error_code")?;
            Message::Nack(Nack::new(seq, ts_ms, cmd_id, ErrorCode::from_u8(code)))
        }
        other => return Err(usage(format!("no message {other}"))),
    };
    emit_vec(message.buffer_len(), |out| message.emit(out))
}

/// `RUNTIME_ID:TYPE_ID,...` as the answer's raw pairs.
fn sensor_pairs(text: &str) -> Result<Vec<u8>, Failure> {
    let List(items): List<String> = FieldValue::read(text).map_err(|why: String| usage(why))?;
    let mut out = Vec::with_capacity(2 * items.len());
    for (i, item) in items.iter().enumerate() {
        let bad = |why: String| usage(format!("field `sensors`: item {}: {why}", i + 1));
        let (id, ty) = item.split_once(':').ok_or_else(|| bad(format!("{item:?} is not RUNTIME_ID:TYPE_ID")))?;
        out.push(u8::read(id).map_err(bad)?);
        out.push(u8::read(ty).map_err(bad)?);
    }
    Ok(out)
}
