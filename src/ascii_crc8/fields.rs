//! The message table of ascii-crc8 and its field builders ([`EncodeFields`]): the nine
//! requests, replies, other frames and device text lines.

use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

use super::{
    Address, AsciiCrc8, Command, CommandCode, Config, INTERVAL_MS, MAX_DATA_LEN, MAX_FRAME_LEN, MAX_LINE_LEN, MAX_LUX,
    MODE, Status, VIEW_COUNT, VIEW_MAX_OFFSET, VIEW_VALUES_PER_FRAME, emit_frame, encode_address_reply,
    encode_interval_reply, encode_line, encode_lux_reply, encode_mode_reply, encode_request, encode_status_reply,
    encode_view_frame,
};
use crate::fields::{EncodeFields, Failure, FieldSpec, Fields, List, MessageSpec, dflt, emit_vec, one_of, req, usage};

impl EncodeFields for AsciiCrc8 {
    fn messages(_: &Config) -> Vec<MessageSpec> {
        messages()
    }

    fn encode_fields(_: &Config, name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
        encode(name, f)
    }
}

/// The alternatives of a reply's answer.
const ANSWERS: &[&str] = &["status", "lux", "values", "interval_ms", "mode", "address", "data"];
const ANSWER_GROUP: &str = "status, lux, values, interval_ms, mode, address, data";

fn id_field() -> FieldSpec {
    dflt("id", "u8, 0..=99 (a reply echoes its request's)", 0)
}

fn messages() -> Vec<MessageSpec> {
    let mut specs: Vec<MessageSpec> = CommandCode::ALL.iter().map(|&code| request_spec(code)).collect();
    specs.push(MessageSpec {
        name: "REPLY",
        about: "a reply STM → PC_; `decode` reads its answer against the latest earlier request with its id"
            .to_string(),
        fields: vec![
            id_field(),
            one_of("status", "u8, 0..=99 (0 OK, 1 ERR_PARAM, 2 ERR_RANGE, 3 ERR_NO_DATA, 4 ERR_I2C)", ANSWER_GROUP),
            one_of("lux", format!("u16, 0..={MAX_LUX} (answers DOWNLOAD)"), ANSWER_GROUP),
            one_of(
                "values",
                format!("list of 1..={VIEW_VALUES_PER_FRAME} lux u16, 0..={MAX_LUX}, newest first (answers VIEW)"),
                ANSWER_GROUP,
            ),
            dflt("offset", "u32, start offset of `values` (written mod 100)", 0),
            one_of(
                "interval_ms",
                format!("u16, {}..={} (answers GET_INTERVAL)", INTERVAL_MS.start(), INTERVAL_MS.end()),
                ANSWER_GROUP,
            ),
            one_of("mode", format!("u8, {}..={} (answers GET_MODE)", MODE.start(), MODE.end()), ANSWER_GROUP),
            one_of("address", "u8, sent as 2 hex digits, 0 = none found (answers I2C_SCAN)", ANSWER_GROUP),
            one_of("data", format!("raw DATA text, at most {MAX_DATA_LEN} bytes, no & or *"), ANSWER_GROUP),
        ],
        example: "id=4 status=0",
        several_events: false,
    });
    specs.push(MessageSpec {
        name: "FRAME",
        about: "any other frame (another SRC, or PC_ DATA that is not a command)".to_string(),
        fields: vec![
            req("src", "3 printable ASCII characters (0x21-0x7E), no & or *"),
            req("dst", "3 printable ASCII characters (0x21-0x7E), no & or *"),
            id_field(),
            dflt("data", format!("text, at most {MAX_DATA_LEN} bytes, no & or *"), "\"\""),
        ],
        example: "src=DBG dst=PC_ id=7 data=hello",
        several_events: false,
    });
    let text_kind = format!("printable ASCII without & or *, at most {} bytes", MAX_LINE_LEN - 2);
    specs.push(MessageSpec {
        name: "DEVICE_ERROR",
        about: "a bare device text line starting with ERR (written with \\r\\n)".to_string(),
        fields: vec![req("text", format!("{text_kind}, starting with ERR"))],
        example: "text=ERR_CRC",
        several_events: false,
    });
    specs.push(MessageSpec {
        name: "DEVICE_TEXT",
        about: "a bare device text line (written with \\r\\n)".to_string(),
        fields: vec![req("text", format!("{text_kind}, not starting with ERR"))],
        example: "'text=SYSTEM START'",
        several_events: false,
    });
    specs
}

fn request_spec(code: CommandCode) -> MessageSpec {
    let about = |text: &str| format!("(code {}) request PC_ → STM: {text}", code.code());
    let (about, extra, example) = match code {
        CommandCode::Start => (about("start periodic measurement"), vec![], "id=1"),
        CommandCode::Stop => (about("stop periodic measurement"), vec![], "id=2"),
        CommandCode::Download => (about("the latest measurement"), vec![], "id=3"),
        CommandCode::View => (
            about("archived measurements, newest first"),
            vec![
                dflt("offset", format!("u8, 0..={VIEW_MAX_OFFSET}"), 0),
                req("count", format!("u8, {}..={}", VIEW_COUNT.start(), VIEW_COUNT.end())),
            ],
            "id=4 offset=0 count=2",
        ),
        CommandCode::SetInterval => (
            about("set the measurement interval"),
            vec![req("interval_ms", format!("u32, {}..={}", INTERVAL_MS.start(), INTERVAL_MS.end()))],
            "id=5 interval_ms=500",
        ),
        CommandCode::GetInterval => (about("read the measurement interval"), vec![], "id=6"),
        CommandCode::SetMode => (
            about("set the BH1750 mode"),
            vec![req("mode", format!("u8, {}..={} (1-3 continuous H/H2/L, 4-6 one-time)", MODE.start(), MODE.end()))],
            "id=7 mode=1",
        ),
        CommandCode::GetMode => (about("read the BH1750 mode"), vec![], "id=8"),
        CommandCode::I2cScan => (about("probe the I2C bus for the sensor"), vec![], "id=9"),
    };
    let mut fields = vec![id_field()];
    fields.extend(extra);
    MessageSpec { name: code.name(), about, fields, example, several_events: false }
}

fn encode(name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
    if let Some(code) = CommandCode::ALL.into_iter().find(|c| c.name() == name) {
        let id = f.or("id", 0)?;
        let command = match code {
            CommandCode::Start => Command::Start,
            CommandCode::Stop => Command::Stop,
            CommandCode::Download => Command::Download,
            CommandCode::View => Command::View { offset: Some(f.or("offset", 0)?), count: Some(f.req("count")?) },
            CommandCode::SetInterval => Command::SetInterval { interval_ms: Some(f.req("interval_ms")?) },
            CommandCode::GetInterval => Command::GetInterval,
            CommandCode::SetMode => Command::SetMode { mode: Some(f.req("mode")?) },
            CommandCode::GetMode => Command::GetMode,
            CommandCode::I2cScan => Command::I2cScan,
        };
        return emit_vec(command.buffer_len(), |out| encode_request(out, id, &command));
    }
    match name {
        "REPLY" => reply(f),
        "FRAME" => {
            let src = address(f, "src")?;
            let dst = address(f, "dst")?;
            let id = f.or("id", 0)?;
            let data: String = f.or("data", String::new())?;
            emit_vec(MAX_FRAME_LEN, |out| emit_frame(out, src, dst, id, data.as_bytes()))
        }
        "DEVICE_ERROR" | "DEVICE_TEXT" => {
            let text: String = f.req("text")?;
            emit_vec(MAX_LINE_LEN, |out| encode_line(out, text.as_bytes()))
        }
        other => Err(usage(format!("no message {other}"))),
    }
}

fn reply(f: &mut Fields) -> Result<Vec<u8>, Failure> {
    let id = f.or("id", 0)?;
    let answer = f.pick(ANSWERS)?;
    if f.has("offset") && answer != "values" {
        return Err(usage("field `offset` goes with `values` (a VIEW reply)"));
    }
    let buf = MAX_FRAME_LEN;
    match answer {
        "status" => {
            let code: u8 = f.req("status")?;
            emit_vec(buf, |out| encode_status_reply(out, id, Status::from_code(code)))
        }
        "lux" => {
            let lux = f.req("lux")?;
            emit_vec(buf, |out| encode_lux_reply(out, id, lux))
        }
        "values" => {
            let values: List<u16> = f.req("values")?;
            let offset = f.or("offset", 0)?;
            emit_vec(buf, |out| encode_view_frame(out, id, offset, &values.0))
        }
        "interval_ms" => {
            let v = f.req("interval_ms")?;
            emit_vec(buf, |out| encode_interval_reply(out, id, v))
        }
        "mode" => {
            let m = f.req("mode")?;
            emit_vec(buf, |out| encode_mode_reply(out, id, m))
        }
        "address" => {
            let a = f.req("address")?;
            emit_vec(buf, |out| encode_address_reply(out, id, a))
        }
        _ => {
            let data: String = f.req("data")?;
            emit_vec(buf, |out| emit_frame(out, Address::STM, Address::PC, id, data.as_bytes()))
        }
    }
}

/// A 3-byte address field.
fn address(f: &mut Fields, name: &str) -> Result<Address, Failure> {
    let text: String = f.req(name)?;
    Address::from_slice(text.as_bytes())
        .ok_or_else(|| usage(format!("field `{name}`: {text:?} is not 3 bytes (e.g. PC_, STM)")))
}
