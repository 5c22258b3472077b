//! The dialect contract (`src/dialect.rs`), checked the same way for every dialect: the
//! names of its configurations, and every frame of its real captures (`tests/captures/<NAME>/`)
//! written back to exactly its bytes by `Encode::encode_verbatim`, in every configuration.
//! One line per dialect.

mod common;

use serial_dialects::{ascii_crc8, plot, pmu30, powerscope, vectordebug};

macro_rules! registry {
    ($($test:ident: $dialect:ty,)*) => {$(
        #[test]
        fn $test() {
            common::contract::check::<$dialect>();
        }
    )*};
}

registry! {
    pmu30: pmu30::Pmu30,
    vectordebug: vectordebug::VectorDebug,
    plot: plot::Plot,
    ascii_crc8: ascii_crc8::AsciiCrc8,
    powerscope: powerscope::PowerScope,
}
