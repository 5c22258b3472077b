//! The `serde` form of every plot message: exactly `{"type", "fields"}` of the JSON contract.
#![cfg(feature = "serde")]

use serde_json::json;
use serial_dialects::SliceDecoder;
use serial_dialects::plot::{self, Command, CommandList, Message, Plot};

fn messages(input: &[u8]) -> Vec<serde_json::Value> {
    SliceDecoder::new(Plot::default(), input).map(|e| serde_json::to_value(e.frame().unwrap()).unwrap()).collect()
}

#[test]
fn data_json() {
    let mut buf = [0u8; 16];
    let n = plot::emit_data(&[100, 2000, -500, i16::MIN], 32, &mut buf).unwrap();
    assert_eq!(messages(&buf[..n]), [json!({"type": "DATA", "fields": {"values": [100, 2000, -500, -32768]}})]);
}

#[test]
fn label_json() {
    let mut buf = [0u8; 64];
    let labels = [plot::label(0, "Temp"), plot::label(7, "Température°")];
    let n = plot::emit_labels(&labels, 32, &mut buf).unwrap();
    assert_eq!(
        messages(&buf[..n]),
        [
            json!({"type": "LABEL", "fields": {"labels": [{"index": 0, "name": "Temp"}, {"index": 7, "name": "Température°"}]}})
        ]
    );
    // A name that is not UTF-8 is shown lossily: each invalid sequence is one U+FFFD.
    assert_eq!(
        messages(b"\xAB\x02\x00\x03a\xFFb\x01\x03\xE2\x82V"),
        [
            json!({"type": "LABEL", "fields": {"labels": [{"index": 0, "name": "a\u{FFFD}b"}, {"index": 1, "name": "\u{FFFD}V"}]}})
        ]
    );
}

#[test]
fn text_json() {
    assert_eq!(
        messages(b"25\xC2\xB0C ok\r\n\r\nbad \xFF"),
        [
            json!({"type": "TEXT", "fields": {"line": "25°C ok"}}),
            json!({"type": "TEXT", "fields": {"line": ""}}),
            json!({"type": "TEXT", "fields": {"line": "bad \u{FFFD}"}}),
        ]
    );
}

#[test]
fn commands_json() {
    let input = b"GMU Commands\r\nstart | - | state | Start the motor\r\nsetpid | kp ki kd | param |\r\n";
    let all = messages(input);
    assert_eq!(
        all.last().unwrap(),
        &json!({"type": "COMMANDS", "fields": {"commands": [
            {"cmd": "start", "args": "-", "cat": "state", "description": "Start the motor"},
            {"cmd": "setpid", "args": "kp ki kd", "cat": "param", "description": ""},
        ]}})
    );
    let empty = Message::Commands(CommandList::new());
    assert_eq!(serde_json::to_value(&empty).unwrap(), json!({"type": "COMMANDS", "fields": {"commands": []}}));
    let mut one = CommandList::new();
    assert!(one.push(Command { cmd: "go", args: "-", cat: "x", description: "d" }));
    assert_eq!(
        serde_json::to_value(&one).unwrap(),
        json!({"commands": [{"cmd": "go", "args": "-", "cat": "x", "description": "d"}]})
    );
}
