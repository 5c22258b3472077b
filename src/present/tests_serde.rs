//! The text writers against serde_json: the same JSON for every value, byte for byte.

use std::string::{String, ToString};
use std::vec::Vec;

use proptest::prelude::*;
use serde::Serialize;

use super::Writer;
use super::json::Json;

fn json<T: Serialize + ?Sized>(v: &T) -> String {
    let mut out = String::new();
    let mut writer = Writer::new(&mut out);
    v.serialize(Json { out: &mut writer, bare: false }).unwrap();
    writer.finish().unwrap();
    out
}

fn same_as_serde_json<T: Serialize + ?Sized>(v: &T) {
    assert_eq!(json(v), serde_json::to_string(v).unwrap());
}

#[test]
fn strings_are_escaped_as_serde_json_escapes_them() {
    let all_ascii: String = (0u8..=0x7F).map(char::from).collect();
    for s in ["", "plain", "a \"quoted\" \\ path", "tab\tnew\nline\r", "\u{7f}\u{85}\u{2028}°C", &all_ascii] {
        same_as_serde_json(s);
        same_as_serde_json(&crate::fmt::Lossy(s.as_bytes()).to_string());
    }
    // `collect_str` (hex and lossy byte strings) escapes the same way.
    #[derive(Serialize)]
    struct Lossy<'a>(#[serde(serialize_with = "crate::fmt::serde_bytes::lossy")] &'a [u8]);
    same_as_serde_json(&Lossy(b"a\"b\\c\x01\xFF\n"));
}

#[test]
fn compound_values_are_compact_json() {
    #[derive(Serialize)]
    enum E {
        Unit,
        New(u8),
        Tuple(i8, bool),
        Struct { a: Option<u16>, b: () },
    }
    #[derive(Serialize)]
    struct S {
        list: Vec<i64>,
        empty: [u8; 0],
        nested: Vec<Vec<i32>>,
        variants: [E; 4],
        map: std::collections::BTreeMap<u32, &'static str>,
        big: (u128, i128),
        chars: (char, char),
        unit: (),
    }
    same_as_serde_json(&S {
        list: std::vec![i64::MIN, -1, 0, 1, i64::MAX],
        empty: [],
        nested: std::vec![std::vec![], std::vec![1, 2]],
        variants: [E::Unit, E::New(7), E::Tuple(-3, true), E::Struct { a: None, b: () }],
        map: [(1, "one"), (20, "two\n")].into_iter().collect(),
        big: (u128::MAX, i128::MIN),
        chars: ('x', '"'),
        unit: (),
    });
}

#[test]
fn floats_are_written_as_serde_json_writes_them() {
    for v in [0.0, -0.0, 1.0, -1.5, 0.1, 33.29999923706055, 1e15, 1e16, 1e17, 1.5e300, 1e-5, 1e-4, 1.234e-7, 5e-324] {
        same_as_serde_json(&v);
        same_as_serde_json(&(v as f32));
    }
    for v in [f64::NAN, f64::INFINITY, f64::NEG_INFINITY, f64::MAX, f64::MIN_POSITIVE] {
        same_as_serde_json(&v);
    }
    // Exactly halfway between two shortest candidates (…981.2 and …981.3, …166.2 and
    // …166.3): the even one.
    same_as_serde_json(&(-4_644_762_823_567_925.0f64 / 4.0));
    same_as_serde_json(&(-6_332_665.0f32 / 4.0));
    // Found by the property tests below.
    same_as_serde_json(&f64::from_bits(4_846_369_599_423_283_200));
    same_as_serde_json(&f64::from_bits(14_055_875_600_219_515_445));
    same_as_serde_json(&f32::from_bits(1_427_211_495));
    for v in [1e12f32, 1e13, 1e14, 1e-6, 1e-7, f32::MAX, f32::MIN_POSITIVE, 1e-45] {
        same_as_serde_json(&v);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(20_000))]

    #[test]
    fn any_f64_is_written_as_serde_json_writes_it(bits: u64) {
        let v = f64::from_bits(bits);
        prop_assert_eq!(json(&v), serde_json::to_string(&v).unwrap());
    }

    #[test]
    fn any_f32_is_written_as_serde_json_writes_it(bits: u32) {
        let v = f32::from_bits(bits);
        prop_assert_eq!(json(&v), serde_json::to_string(&v).unwrap());
        // As pmu30 SET_CHANNEL writes its value: the f64 of the f32.
        prop_assert_eq!(json(&f64::from(v)), serde_json::to_string(&f64::from(v)).unwrap());
    }

    #[test]
    fn any_string_is_escaped_as_serde_json_escapes_it(s: String) {
        prop_assert_eq!(json(&s), serde_json::to_string(&s).unwrap());
    }
}

#[test]
fn text_lines_list_the_fields_of_the_json() {
    use crate::pmu30::{Message, SetChannel};
    use crate::present::Present;
    let mut out = String::new();
    Message::SetChannel(SetChannel { channel_id: 5, value: 33.3 }).write_text(&mut out).unwrap();
    assert_eq!(out, "SET_CHANNEL channel_id=5 value=33.29999923706055");
    out.clear();
    Message::Ping {}.write_text(&mut out).unwrap();
    assert_eq!(out, "PING");
}
