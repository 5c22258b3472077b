//! The message table of vectordebug and its field builders ([`EncodeFields`]): DBG_FRAME1
//! records, CLI bytes, and packets of other types.

use std::string::{String, ToString};
use std::vec::Vec;
use std::{format, vec};

use super::{Config, PacketType, Payload, Record, Records, VectorDebug, field};
use crate::error::EncodeError;
use crate::fields::{
    EncodeFields, Failure, FieldValue, Fields, HexBytes, MessageSpec, dflt, emit_vec, one_of, req, usage,
};

impl EncodeFields for VectorDebug {
    fn messages(config: &Config) -> Vec<MessageSpec> {
        messages(config)
    }

    fn encode_fields(config: &Config, name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
        encode(config, name, f)
    }
}

fn messages(config: &Config) -> Vec<MessageSpec> {
    let max_payload = config.max_packet.saturating_sub(field::OVERHEAD);
    let max_records = max_payload / Record::SIZE;
    vec![
        MessageSpec {
            name: "DBG_FRAME1",
            about: format!("(type {}) batched 14-byte debug records", PacketType::DBG_FRAME1),
            fields: vec![
                req(
                    "frames",
                    format!("records SEQ:P0,P1,P2,P3,P4,P5 separated by ';' (seq u16, P i16), at most {max_records}"),
                ),
                dflt("trailing_hex", format!("hex bytes after the records, at most {}", Record::SIZE - 1), "\"\""),
            ],
            example: "'frames=41:-1046,1048,21,1182,0,0;42:-1060,1007,11,1183,492,-7'",
            several_events: false,
        },
        MessageSpec {
            name: "CLI",
            about: format!("(type {}) raw terminal bytes", PacketType::CLI),
            fields: vec![
                one_of("text", format!("text (UTF-8), at most {max_payload} bytes"), "text, data_hex"),
                one_of("data_hex", format!("hex bytes, at most {max_payload}"), "text, data_hex"),
            ],
            example: "'text=help motor'",
            several_events: false,
        },
        MessageSpec {
            name: "UNKNOWN",
            about: "a packet of another type (0, 1, 4..=255)".to_string(),
            fields: vec![
                req("packet_type", "u8, not 2 or 3"),
                dflt("payload_hex", format!("hex bytes, at most {max_payload}"), "\"\""),
            ],
            example: "packet_type=7 payload_hex=0102ff",
            several_events: false,
        },
    ]
}

fn encode(config: &Config, name: &str, f: &mut Fields) -> Result<Vec<u8>, Failure> {
    let records: Vec<Record>;
    let trailing: HexBytes;
    let bytes: Vec<u8>;
    let message = match name {
        "DBG_FRAME1" => {
            records = parse_records(&f.req::<String>("frames")?)?;
            trailing = f.or("trailing_hex", HexBytes(Vec::new()))?;
            Payload::DbgFrame1 { records: Records::with_trailing(&records, &trailing.0) }
        }
        "CLI" => {
            bytes = match f.pick(&["text", "data_hex"])? {
                "text" => f.req::<String>("text")?.into_bytes(),
                _ => f.req::<HexBytes>("data_hex")?.0,
            };
            Payload::Cli { data: &bytes }
        }
        "UNKNOWN" => {
            let packet_type = f.req("packet_type")?;
            bytes = f.or("payload_hex", HexBytes(Vec::new()))?.0;
            Payload::Unknown { packet_type, payload: &bytes }
        }
        other => return Err(usage(format!("no message {other}"))),
    };
    // The encoder writes any size; the decoder (and the real PC tool) accept packets of at
    // most `max_packet` decoded bytes.
    let max = config.max_packet.saturating_sub(field::OVERHEAD);
    if message.payload_len() > max {
        return Err(Failure::Encode(EncodeError::TooLong { field: "payload", len: message.payload_len(), max }));
    }
    emit_vec(message.buffer_len(), |out| message.emit(out))
}

/// `SEQ:P0,P1,P2,P3,P4,P5;SEQ:...` (empty text: no records).
fn parse_records(text: &str) -> Result<Vec<Record>, Failure> {
    if text.trim().is_empty() {
        return Ok(Vec::new());
    }
    text.split(';')
        .enumerate()
        .map(|(i, item)| {
            let bad = |why: String| usage(format!("field `frames`: record {}: {why}", i + 1));
            let (seq, payload) =
                item.split_once(':').ok_or_else(|| bad(format!("{item:?} is not SEQ:P0,P1,P2,P3,P4,P5")))?;
            let seq = u16::read(seq).map_err(|why| bad(format!("seq: {why}")))?;
            let values: Vec<i16> = payload.split(',').map(i16::read).collect::<Result<_, _>>().map_err(&bad)?;
            let payload: [i16; 6] =
                values.try_into().map_err(|v: Vec<i16>| bad(format!("needs 6 values, got {}", v.len())))?;
            Ok(Record { seq, payload })
        })
        .collect()
}
