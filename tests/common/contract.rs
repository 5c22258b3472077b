//! The contract every dialect keeps (`src/dialect.rs`), checked generically: its names parse
//! and round-trip, and every frame of every real capture re-encodes to exactly its bytes.

use std::fmt::Debug;
use std::path::PathBuf;

use serial_dialects::stream::{Item, SliceDecoder};
use serial_dialects::{Dialect, DialectConfig, Encode};

/// Everything below, for dialect `D`.
pub fn check<D: Encode>()
where
    for<'a> D::Message<'a>: Debug + PartialEq,
{
    names::<D>();
    let captures = captures::<D>();
    assert!(!captures.is_empty(), "no captures in tests/captures/{}", D::NAME);
    for config in configurations::<D>() {
        let mut frames = 0;
        for path in &captures {
            let input = std::fs::read(path).expect("capture");
            let label = format!("{} {}", config.name(), path.display());
            frames += reencode_every_frame::<D>(config, &input, &label);
        }
        if config == D::Config::default() {
            assert!(frames > 0, "no frame in the captures of {}", D::NAME);
        }
    }
}

/// `DialectConfig::NAMES`: the default configuration's name (the dialect's `NAME`) first,
/// every name parses, its configuration's `name()` is one of them and parses back to it;
/// other names do not parse; `Dialect::new` keeps the configuration.
pub fn names<D: Dialect>() {
    let names = <D::Config as DialectConfig>::NAMES;
    assert_eq!(names.first(), Some(&D::NAME));
    assert_eq!(D::Config::default().name(), D::NAME);
    for &name in names {
        let config = D::Config::from_name(name).unwrap_or_else(|| panic!("{name} does not parse"));
        assert!(names.contains(&config.name()), "{name} is named {}", config.name());
        assert_eq!(D::Config::from_name(config.name()), Some(config), "{name}");
        assert_eq!(D::new(config).config(), &config, "{name}");
    }
    for other in [String::new(), format!("{}:", D::NAME), format!("{}:nope", D::NAME), format!("x{}", D::NAME)] {
        assert_eq!(D::Config::from_name(&other), None, "{other:?} parses");
    }
}

/// Every configuration of `D` once (aliases left out).
pub fn configurations<D: Dialect>() -> Vec<D::Config> {
    let names = <D::Config as DialectConfig>::NAMES;
    names.iter().filter_map(|&name| D::Config::from_name(name).filter(|c| c.name() == name)).collect()
}

/// The `.bin` files of `tests/captures/<NAME>/`, sorted.
pub fn captures<D: Dialect>() -> Vec<PathBuf> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/captures").join(D::NAME);
    let mut paths: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| entry.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "bin"))
        .collect();
    paths.sort();
    paths
}

/// Decodes `input` with `config` and writes every decoded frame back with
/// `Encode::encode_verbatim`: exactly the bytes of its event, `encoded_len` of them, and a
/// buffer one byte short is refused. Each frame is also rebuilt from its bytes and
/// `context_of` (what owned events do): the same message; and `rebuild` with that context
/// on every prefix of the bytes and on other bytes does not panic. Returns the number of
/// frames.
pub fn reencode_every_frame<D: Encode>(config: D::Config, input: &[u8], label: &str) -> usize
where
    for<'a> D::Message<'a>: Debug + PartialEq,
{
    let mut out = vec![0u8; 64 * 1024];
    let mut decoder = SliceDecoder::new(D::new(config), input);
    let mut frames = 0usize;
    while let Some(event) = decoder.next() {
        let Item::Frame(frame) = &event.item else { continue };
        frames += 1;
        let bytes = &input[event.offset as usize..event.offset as usize + event.len];
        let dialect = decoder.dialect();
        let n = dialect
            .encode_verbatim(frame, &mut out)
            .unwrap_or_else(|e| panic!("{label}: {frame:?} at {} does not re-encode: {e}", event.offset));
        assert_eq!(&out[..n], bytes, "{label}: {frame:?} at {} re-encodes to other bytes", event.offset);
        assert_eq!(dialect.encoded_len(frame), n, "{label}: encoded_len of {frame:?}");
        if n > 0 {
            assert!(dialect.encode_verbatim(frame, &mut out[..n - 1]).is_err(), "{label}: a short buffer is refused");
        }
        let context = dialect.context_of(frame);
        assert_eq!(&D::rebuild(bytes, &context), frame, "{label}: rebuilt at {}", event.offset);
        if frames % 64 == 1 {
            for end in 0..bytes.len() {
                let _ = D::rebuild(&bytes[..end], &context);
                let _ = D::rebuild(&bytes[end..], &context);
            }
            let _ = D::rebuild(&[0xFF; 300], &context);
        }
    }
    assert_eq!(decoder.stats().frames, frames as u64, "{label}");
    frames
}
