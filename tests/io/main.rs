//! The I/O integrations (`serial_dialects::tokio`, `io::embedded`, `io::embedded_async`,
//! `io::Events`), checked the same way for every dialect against the slice decoder on every
//! real capture (`tests/captures/<NAME>/`). One line per dialect and check.

#[path = "../common/mod.rs"]
mod common;

mod blocking;
mod embedded;
mod example;
mod tokio_codec;

macro_rules! registry {
    ($($dialect:ident: $type:ty,)*) => {$(
        mod $dialect {
            use super::*;

            #[test]
            fn framed_read_over_a_duplex_gives_the_slice_decoders_events() {
                tokio_codec::framed_read_equals_slice::<$type>();
            }

            #[test]
            fn typed_messages_round_trip_through_framed_write_and_framed_read() {
                tokio_codec::round_trip::<$type>();
            }

            #[test]
            fn endless_garbage_keeps_the_codec_buffer_bounded() {
                tokio_codec::garbage_is_bounded::<$type>();
            }

            #[test]
            fn a_frame_cut_off_by_the_end_is_reported_by_decode_eof() {
                tokio_codec::cut_off_frame_at_eof::<$type>();
            }

            #[test]
            fn embedded_io_readers_of_1_to_64_bytes_give_the_slice_decoders_events() {
                embedded::readers_equal_slice::<$type>();
            }

            #[test]
            fn blocking_events_give_the_slice_decoders_events_across_timeouts() {
                blocking::events_equal_slice::<$type>();
            }
        }
    )*};
}

registry! {
    pmu30: serial_dialects::pmu30::Pmu30,
    vectordebug: serial_dialects::vectordebug::VectorDebug,
    plot: serial_dialects::plot::Plot,
    ascii_crc8: serial_dialects::ascii_crc8::AsciiCrc8,
    powerscope: serial_dialects::powerscope::PowerScope,
}

/// The slice decoder's events for one capture, in one configuration, with its statistics.
pub struct Reference {
    pub label: String,
    pub input: Vec<u8>,
    pub events: Vec<common::Summary>,
    pub stats: serial_dialects::Stats,
}

/// Every capture of `D` in every configuration, decoded by the slice decoder.
pub fn references<D>() -> Vec<(D::Config, Reference)>
where
    D: serial_dialects::Dialect,
    for<'a> D::Message<'a>: std::fmt::Debug,
{
    let mut all = Vec::new();
    for config in common::contract::configurations::<D>() {
        for path in common::contract::captures::<D>() {
            let input = std::fs::read(&path).expect("capture");
            let mut decoder = serial_dialects::SliceDecoder::new(D::new(config), &input);
            let events: Vec<_> = decoder.by_ref().map(|e| common::summarize(&e)).collect();
            let stats = *decoder.stats();
            let label = format!("{} {}", serial_dialects::DialectConfig::name(&config), path.display());
            all.push((config, Reference { label, input, events, stats }));
        }
    }
    assert!(!all.is_empty());
    all
}

/// An owned event reduced as `common::summarize` reduces a borrowed one (the frame is its
/// rebuilt message).
pub fn summarize_owned<D>(event: &serial_dialects::owned::OwnedEvent<D>) -> common::Summary
where
    D: serial_dialects::Dialect,
    for<'a> D::Message<'a>: std::fmt::Debug,
{
    let item = match &event.item {
        serial_dialects::Item::Frame(f) => format!("{:?}", f.message()),
        serial_dialects::Item::Error(e) => format!("{e:?}"),
    };
    common::Summary { offset: event.offset, len: event.len, kind: event.error_kind(), item }
}
