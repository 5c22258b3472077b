//! The message table of pmu30 and its field builders: the 14 message types of the original
//! documentation's table, from `name=value` fields ([`EncodeFields`]).

use std::string::String;
use std::vec::Vec;
use std::{format, vec};

use super::telemetry::{ANALOG_INPUTS, CHANNELS};
use super::{
    CHANNEL_ID_MAX, CHANNEL_VALUE_MAX, ChannelAck, ChannelState, Config, ConfigAck, ConfigChunk, DeviceError,
    ERROR_MESSAGE_MAX, FaultFlags, InfoResp, Message, MsgType, Pmu30, RATE_HZ_RANGE, SetChannel, SubscribeTelemetry,
    Success, TelemetryPacket,
};
use crate::fields::{
    EncodeFields, Failure, FieldValue, Fields, HexBytes, List, MessageSpec, dflt, emit_vec, exactly, req, usage,
};

impl EncodeFields for Pmu30 {
    fn messages(config: &Config) -> Vec<MessageSpec> {
        MsgType::ALL.iter().map(|&ty| spec(ty, config)).collect()
    }

    fn encode_fields(config: &Config, name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
        encode(config, name, f)
    }
}

fn spec(ty: MsgType, config: &Config) -> MessageSpec {
    let about = |text: &str| format!("(MSG_ID 0x{:02X}) {text}", ty.id());
    let chunk_fields = || {
        vec![
            dflt("chunk_index", "u16", 0),
            dflt("total_chunks", "u16", 1),
            req("data_hex", format!("hex bytes, at most {}", config.max_payload.saturating_sub(4))),
        ]
    };
    let (about, fields, example) = match ty {
        MsgType::Ping => (about("connection test"), vec![], ""),
        MsgType::Pong => (about("answer to PING"), vec![], ""),
        MsgType::GetInfo => (about("request device information"), vec![], ""),
        MsgType::InfoResp => (
            about("device information"),
            vec![
                req("firmware_version", "text MAJOR.MINOR.PATCH, each 0..=255"),
                req("hw_revision", "u8"),
                dflt("serial_number", "text, at most 16 bytes, no NUL", "\"\""),
                dflt("device_name", "text, at most 32 bytes, no NUL", "\"\""),
            ],
            "firmware_version=1.2.3 hw_revision=2 serial_number=PMU30-0001 device_name='PMU-30 front'",
        ),
        MsgType::GetConfig => (about("request the configuration"), vec![], ""),
        MsgType::ConfigData => {
            (about("a configuration chunk"), chunk_fields(), "chunk_index=0 total_chunks=1 data_hex=7b7d")
        }
        MsgType::SetConfig => {
            (about("upload a configuration chunk"), chunk_fields(), "chunk_index=0 total_chunks=2 data_hex=7b22")
        }
        MsgType::ConfigAck => (
            about("configuration acknowledgment"),
            vec![dflt("success", "bool", true), dflt("error_code", "u16", 0)],
            "success=false error_code=0x20",
        ),
        MsgType::SetChannel => (
            about("set a channel's output value"),
            vec![
                req("channel_id", format!("u16, 0..={CHANNEL_ID_MAX}")),
                req("value", format!("f32, 0..={CHANNEL_VALUE_MAX}")),
            ],
            "channel_id=5 value=75",
        ),
        MsgType::ChannelAck => (
            about("channel command acknowledgment"),
            vec![dflt("success", "bool", true), req("channel_id", "u16")],
            "success=true channel_id=5",
        ),
        MsgType::SubscribeTelemetry => (
            about("start telemetry streaming"),
            vec![req("rate_hz", format!("u16, {}..={}", RATE_HZ_RANGE.start(), RATE_HZ_RANGE.end()))],
            "rate_hz=10",
        ),
        MsgType::UnsubscribeTelemetry => (about("stop telemetry streaming"), vec![], ""),
        MsgType::TelemetryData => (
            about("a telemetry packet"),
            vec![
                dflt("timestamp_ms", "u32", 0),
                dflt(
                    "channel_states",
                    format!("list of {CHANNELS} u8 (0 OFF, 1 ON, 2..=5 FAULT_*, 6 PWM, 7 DISABLED)"),
                    "all 0",
                ),
                dflt("analog_values", format!("list of {ANALOG_INPUTS} u16"), "all 0"),
                dflt("output_currents", format!("list of {CHANNELS} u16 (mA)"), "all 0"),
                dflt("input_voltage", "u16 (mV)", 0),
                dflt("temperature", "i8 (°C)", 0),
                dflt("fault_flags", "u32 bit mask", 0),
                dflt("crc", "u16, or `auto` for CRC-16 of the payload before it", 0),
            ],
            "timestamp_ms=1000 input_voltage=12000 temperature=-5 fault_flags=0x10001 crc=auto",
        ),
        MsgType::Error => (
            about("an error response"),
            vec![req("error_code", "u16"), dflt("message", format!("text, at most {ERROR_MESSAGE_MAX} bytes"), "\"\"")],
            "error_code=0x10 message='Channel out of range'",
        ),
    };
    MessageSpec { name: ty.name(), about, fields, example, several_events: false }
}

fn encode(config: &Config, name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
    let ty = MsgType::ALL.into_iter().find(|t| t.name() == name).ok_or_else(|| usage(format!("no message {name}")))?;
    // Owned byte strings that the message borrows.
    let data: HexBytes;
    let text: String;
    let success = |f: &mut Fields| -> Result<Success, Failure> { Ok(Success::from(f.or("success", true)?)) };
    let message = match ty {
        MsgType::Ping => Message::Ping {},
        MsgType::Pong => Message::Pong {},
        MsgType::GetInfo => Message::GetInfo {},
        MsgType::GetConfig => Message::GetConfig {},
        MsgType::UnsubscribeTelemetry => Message::UnsubscribeTelemetry {},
        MsgType::InfoResp => {
            let version: String = f.req("firmware_version")?;
            let firmware_version = parse_version(&version)?;
            let hw_revision = f.req("hw_revision")?;
            let serial: String = f.or("serial_number", String::new())?;
            let name: String = f.or("device_name", String::new())?;
            Message::InfoResp(InfoResp::new(firmware_version, hw_revision, &serial, &name)?)
        }
        MsgType::ConfigData | MsgType::SetConfig => {
            let chunk_index = f.or("chunk_index", 0)?;
            let total_chunks = f.or("total_chunks", 1)?;
            data = f.req("data_hex")?;
            let chunk = ConfigChunk { chunk_index, total_chunks, data: &data.0 };
            if ty == MsgType::ConfigData { Message::ConfigData(chunk) } else { Message::SetConfig(chunk) }
        }
        MsgType::ConfigAck => {
            Message::ConfigAck(ConfigAck { success: success(f)?, error_code: f.or("error_code", 0)? })
        }
        MsgType::SetChannel => {
            Message::SetChannel(SetChannel { channel_id: f.req("channel_id")?, value: f.req("value")? })
        }
        MsgType::ChannelAck => {
            Message::ChannelAck(ChannelAck { success: success(f)?, channel_id: f.req("channel_id")? })
        }
        MsgType::SubscribeTelemetry => Message::SubscribeTelemetry(SubscribeTelemetry { rate_hz: f.req("rate_hz")? }),
        MsgType::TelemetryData => Message::TelemetryData(telemetry(f)?),
        MsgType::Error => {
            let error_code = f.req("error_code")?;
            text = f.or("message", String::new())?;
            Message::Error(DeviceError { error_code, message: text.as_bytes() })
        }
    };
    emit_vec(message.buffer_len(), |out| message.emit_with(out, config.crc_coverage, config.max_payload))
}

/// `MAJOR.MINOR.PATCH`, each a byte.
fn parse_version(text: &str) -> Result<[u8; 3], Failure> {
    let bad = || usage(format!("field `firmware_version`: {text:?} is not MAJOR.MINOR.PATCH (each 0..=255)"));
    let parts: Vec<&str> = text.split('.').collect();
    let [a, b, c] = parts.as_slice() else { return Err(bad()) };
    let byte = |s: &str| s.parse::<u8>().map_err(|_| bad());
    Ok([byte(a)?, byte(b)?, byte(c)?])
}

fn telemetry(f: &mut Fields) -> Result<TelemetryPacket, Failure> {
    let states: [u8; CHANNELS] = match f.opt::<List<u8>>("channel_states")? {
        Some(list) => exactly("channel_states", list)?,
        None => [0; CHANNELS],
    };
    let analog_values = match f.opt::<List<u16>>("analog_values")? {
        Some(list) => exactly("analog_values", list)?,
        None => [0; ANALOG_INPUTS],
    };
    let output_currents = match f.opt::<List<u16>>("output_currents")? {
        Some(list) => exactly("output_currents", list)?,
        None => [0; CHANNELS],
    };
    let mut packet = TelemetryPacket {
        timestamp_ms: f.or("timestamp_ms", 0)?,
        channel_states: states.map(ChannelState::from_u8),
        analog_values,
        output_currents,
        input_voltage: f.or("input_voltage", 0)?,
        temperature: f.or("temperature", 0)?,
        fault_flags: FaultFlags::from_bits_retain(f.or("fault_flags", 0)?),
        crc: 0,
    };
    match f.opt::<String>("crc")?.as_deref() {
        None => {}
        Some("auto") => packet.fill_inner_crc(),
        Some(text) => packet.crc = u16::read(text).map_err(|why| usage(format!("field `crc`: {why}")))?,
    }
    Ok(packet)
}
