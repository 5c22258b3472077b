//! Choosing a dialect by name (`NAME[:VARIANT]`) and running generic code with it.

use std::fmt;

use serde::Serialize;
use serial_dialects::present::Present;
use serial_dialects::stream::Dialect;
use serial_dialects::{ascii_crc8, plot, pmu30, powerscope, vectordebug};

/// A dialect with its configuration, as named on the command line.
#[derive(Debug, Clone, PartialEq)]
pub enum Selected {
    Pmu30(pmu30::Config),
    VectorDebug(vectordebug::Config),
    Plot(plot::Config),
    AsciiCrc8(ascii_crc8::Config),
    PowerScope(powerscope::Config),
}

/// The dialect names and variants, as accepted after `--dialect`.
pub const NAMES: &[&str] = &[
    "pmu30",
    "pmu30:crc-with-length",
    "vectordebug",
    "plot",
    "plot:64",
    "ascii-crc8",
    "powerscope",
    "powerscope:r1",
    "powerscope:r0",
];

impl Selected {
    /// Parses `NAME[:VARIANT]` (not `auto`).
    pub fn parse(text: &str) -> Result<Selected, String> {
        let (name, variant) = text.split_once(':').unwrap_or((text, ""));
        let unknown_variant = || format!("unknown variant {variant:?} of dialect {name} (known: {})", NAMES.join(", "));
        match name {
            "pmu30" => pmu30::Config::from_variant(variant).map(Selected::Pmu30).ok_or_else(unknown_variant),
            "vectordebug" if variant.is_empty() => Ok(Selected::VectorDebug(vectordebug::Config::default())),
            "plot" => plot::Config::from_variant(variant).map(Selected::Plot).ok_or_else(unknown_variant),
            "ascii-crc8" if variant.is_empty() => Ok(Selected::AsciiCrc8(ascii_crc8::Config::default())),
            "powerscope" => <powerscope::Config as serial_dialects::DialectConfig>::from_name(text)
                .map(Selected::PowerScope)
                .ok_or_else(unknown_variant),
            "vectordebug" | "ascii-crc8" => Err(unknown_variant()),
            _ => Err(format!("unknown dialect {name:?} (known: {}, auto)", NAMES.join(", "))),
        }
    }

    /// The canonical `NAME[:VARIANT]`.
    pub fn name(&self) -> &'static str {
        match self {
            Selected::Pmu30(c) if c.crc_coverage == pmu30::CrcCoverage::LengthMsgIdPayload => "pmu30:crc-with-length",
            Selected::Pmu30(_) => "pmu30",
            Selected::VectorDebug(_) => "vectordebug",
            Selected::Plot(c) if c.max_channels > 32 => "plot:64",
            Selected::Plot(_) => "plot",
            Selected::AsciiCrc8(_) => "ascii-crc8",
            Selected::PowerScope(c) if c.revision == powerscope::Revision::R0 => "powerscope:r0",
            Selected::PowerScope(_) => "powerscope",
        }
    }

    /// Every dialect and variant that sniffing tries: every name except the alias
    /// `powerscope:r1` (= `powerscope`).
    pub fn candidates() -> Vec<Selected> {
        NAMES.iter().filter(|&&n| n != "powerscope:r1").filter_map(|n| Selected::parse(n).ok()).collect()
    }

    /// Runs `job` with this dialect's decoder.
    pub fn dispatch<J: Job>(&self, job: J) -> J::Output {
        match self {
            Selected::Pmu30(c) => job.run(pmu30::Pmu30::new(*c)),
            Selected::VectorDebug(c) => job.run(vectordebug::VectorDebug::new(*c)),
            Selected::Plot(c) => job.run(plot::Plot::new(*c)),
            Selected::AsciiCrc8(c) => job.run(ascii_crc8::AsciiCrc8::new(*c)),
            Selected::PowerScope(c) => job.run(powerscope::PowerScope::new(*c)),
        }
    }
}

/// Generic work over any dialect (the visitor of [`Selected::dispatch`]).
pub trait Job {
    type Output;
    fn run<D: CliDialect>(self, dialect: D) -> Self::Output;
}

/// What the command line needs of a dialect beyond [`Dialect`]: its frames as JSON (their
/// `Serialize`), and as CSV rows and text lines (the library's [`Present`]).
pub trait CliDialect: Dialect {
    /// The CSV header row of the dialect ([`Present::CSV_HEADER`]).
    const CSV_HEADER: &'static str;
    /// Writes the frame as the JSON object `{"type": ..., "fields": {...}}`.
    fn write_frame_json(frame: &Self::Message<'_>, out: &mut Vec<u8>) -> serde_json::Result<()>;
    /// Writes the frame's CSV rows ([`Present::write_csv_rows`]).
    fn write_csv_rows<W: fmt::Write + ?Sized>(frame: &Self::Message<'_>, offset: u64, out: &mut W) -> fmt::Result;
    /// Writes the frame's text line without its line ending ([`Present::write_text`]).
    fn write_text<W: fmt::Write + ?Sized>(frame: &Self::Message<'_>, out: &mut W) -> fmt::Result;
    /// What happens when a live stream has been idle for a while (plot: the help-table
    /// timeout). Returns a frame to print (an event of length 0), if any. A typed frame, so
    /// that it is written exactly as the same frame from the decoder would be.
    fn on_idle(&self) -> Option<Self::Message<'static>> {
        None
    }
}

/// Implements [`CliDialect`] through the frames' `Serialize` and `Present`, with the
/// dialect's own `on_idle` if one is given.
macro_rules! cli_dialect {
    ($ty:ty $(, $on_idle:item)?) => {
        impl CliDialect for $ty {
            const CSV_HEADER: &'static str = <<$ty as Dialect>::Message<'static> as Present>::CSV_HEADER;

            fn write_frame_json(frame: &Self::Message<'_>, out: &mut Vec<u8>) -> serde_json::Result<()> {
                frame.serialize(&mut serde_json::Serializer::new(out))
            }

            fn write_csv_rows<W: fmt::Write + ?Sized>(
                frame: &Self::Message<'_>,
                offset: u64,
                out: &mut W,
            ) -> fmt::Result {
                frame.write_csv_rows(offset, out)
            }

            fn write_text<W: fmt::Write + ?Sized>(frame: &Self::Message<'_>, out: &mut W) -> fmt::Result {
                frame.write_text(out)
            }

            $($on_idle)?
        }
    };
}

cli_dialect!(pmu30::Pmu30);
cli_dialect!(vectordebug::VectorDebug);
cli_dialect!(ascii_crc8::AsciiCrc8);
cli_dialect!(powerscope::PowerScope);
cli_dialect!(
    plot::Plot,
    fn on_idle(&self) -> Option<Self::Message<'static>> {
        self.help_timeout().map(plot::Message::Commands)
    }
);

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_and_round_trips() {
        for name in NAMES {
            let selected = Selected::parse(name).unwrap();
            let canonical = if *name == "powerscope:r1" { "powerscope" } else { name };
            assert_eq!(selected.name(), canonical);
        }
    }

    #[test]
    fn unknown_names_and_variants_are_errors() {
        assert!(Selected::parse("pmu31").unwrap_err().contains("unknown dialect"));
        assert!(Selected::parse("plot:65").unwrap_err().contains("unknown variant"));
        assert!(Selected::parse("vectordebug:x").unwrap_err().contains("unknown variant"));
        assert!(Selected::parse("powerscope:r2").is_err());
    }
}
