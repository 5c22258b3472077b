//! The dialects of the command line: ONE registry, from which choosing a dialect by name
//! (`NAME[:VARIANT]`, through the library's `DialectConfig`), the candidates of sniffing,
//! the help text and running generic code with the chosen dialect are all derived.

use std::fmt;

use serial_dialects::fields::EncodeFields;
use serial_dialects::present::Present;
use serial_dialects::stream::Dialect;
use serial_dialects::{DialectConfig, ascii_crc8, plot, pmu30, powerscope, vectordebug};

use crate::sniff::Proof::{self, Checked, Line, Text, Unchecked};

/// What the command line needs of a dialect beyond the library's traits. The registry
/// implements it for every dialect: the CSV rows and text lines of its frames (their
/// [`Present`]), and the overrides its line gives. (The JSON of a frame is its `Serialize`,
/// which every `Dialect::Message` has.)
pub trait CliDialect: EncodeFields + crate::series::Plottable {
    /// The CSV header row of the dialect ([`Present::CSV_HEADER`]).
    const CSV_HEADER: &'static str;

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

    /// How much frames of each type prove, for sniffing: `(type or "*", proof)`, the first
    /// match wins; a type not listed is a checksum-verified frame (see `sniff`).
    fn proofs(config: &Self::Config) -> &'static [(&'static str, Proof)] {
        let _ = config;
        &[]
    }
}

/// The registry: one line per dialect, `Variant => library type { CliDialect overrides }`.
/// The order is that of `--help`, of error messages and of sniffing's ties.
macro_rules! registry {
    ($($variant:ident => $ty:ty { $($overrides:tt)* })*) => {
        /// A dialect with its configuration, as named on the command line.
        #[derive(Debug, Clone, PartialEq)]
        pub enum Selected {
            $($variant(<$ty as Dialect>::Config),)*
        }

        /// Every dialect's name and its `NAME[:VARIANT]`s (the library's `DialectConfig::NAMES`).
        const DIALECTS: &[(&str, &[&str])] = &[$((<$ty as Dialect>::NAME, <<$ty as Dialect>::Config as DialectConfig>::NAMES),)*];

        impl Selected {
            /// The configuration named `NAME` or `NAME:VARIANT`, of whichever dialect has it.
            fn from_name(name: &str) -> Option<Selected> {
                $(if let Some(config) = <<$ty as Dialect>::Config as DialectConfig>::from_name(name) {
                    return Some(Selected::$variant(config));
                })*
                None
            }

            /// The canonical `NAME[:VARIANT]`.
            pub fn name(&self) -> &'static str {
                match self {
                    $(Selected::$variant(config) => config.name(),)*
                }
            }

            /// Runs `job` with this dialect's decoder.
            pub fn dispatch<J: Job>(&self, job: J) -> J::Output {
                match self {
                    $(Selected::$variant(config) => job.run(<$ty as Dialect>::new(*config)),)*
                }
            }
        }

        $(impl CliDialect for $ty {
            const CSV_HEADER: &'static str = <<$ty as Dialect>::Message<'static> as Present>::CSV_HEADER;

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

            $($overrides)*
        })*
    };
}

registry! {
    Pmu30 => pmu30::Pmu30 {}
    VectorDebug => vectordebug::VectorDebug {
        fn proofs(_: &vectordebug::Config) -> &'static [(&'static str, Proof)] { &[("UNKNOWN", Checked(0.3))] }
    }
    Plot => plot::Plot {
        fn on_idle(&self) -> Option<plot::Message<'static>> { self.help_timeout().map(plot::Message::Commands) }
        fn proofs(_: &plot::Config) -> &'static [(&'static str, Proof)] {
            &[("TEXT", Line), ("COMMANDS", Text(0.0)), ("*", Unchecked(0.5))]
        }
    }
    AsciiCrc8 => ascii_crc8::AsciiCrc8 {
        fn proofs(_: &ascii_crc8::Config) -> &'static [(&'static str, Proof)] {
            &[("DEVICE_TEXT", Line), ("DEVICE_ERROR", Line), ("FRAME", Checked(0.8))]
        }
    }
    PowerScope => powerscope::PowerScope {
        fn proofs(config: &powerscope::Config) -> &'static [(&'static str, Proof)] {
            match config.revision {
                // Revision 0 has no CRC.
                powerscope::Revision::R0 => &[("CMD", Text(0.05)), ("*", Unchecked(0.8))],
                powerscope::Revision::R1 => &[],
            }
        }
    }
}

/// Every `NAME[:VARIANT]` accepted after `--dialect`, aliases included, in registry order.
pub fn names() -> impl Iterator<Item = &'static str> {
    DIALECTS.iter().flat_map(|(_, names)| names.iter().copied())
}

/// The canonical names: every configuration once (aliases such as `powerscope:r1`, which is
/// `powerscope`, left out).
fn canonical() -> impl Iterator<Item = &'static str> {
    names().filter(|n| Selected::from_name(n).is_some_and(|s| s.name() == *n))
}

/// The canonical names joined with ", " (`pmu30, pmu30:crc-with-length, ...`).
pub fn canonical_list() -> String {
    canonical().collect::<Vec<_>>().join(", ")
}

/// The dialects for `--help`: each canonical name, with its aliases (`powerscope (=
/// powerscope:r1)`).
pub fn help_list() -> String {
    let with_aliases = |canonical: &str| {
        let aliases: Vec<&str> = names()
            .filter(|n| *n != canonical && Selected::from_name(n).is_some_and(|s| s.name() == canonical))
            .collect();
        if aliases.is_empty() { canonical.to_string() } else { format!("{canonical} (= {})", aliases.join(", ")) }
    };
    canonical().map(with_aliases).collect::<Vec<_>>().join(", ")
}

impl Selected {
    /// Parses `NAME[:VARIANT]` (not `auto`); `NAME:` is `NAME`.
    pub fn parse(text: &str) -> Result<Selected, String> {
        let (name, variant) = text.split_once(':').unwrap_or((text, ""));
        if let Some(selected) = Selected::from_name(if variant.is_empty() { name } else { text }) {
            return Ok(selected);
        }
        let known = names().collect::<Vec<_>>().join(", ");
        if DIALECTS.iter().any(|(dialect, _)| *dialect == name) {
            Err(format!("unknown variant {variant:?} of dialect {name} (known: {known})"))
        } else {
            Err(format!("unknown dialect {name:?} (known: {known}, auto)"))
        }
    }

    /// Every dialect and variant that sniffing tries: every configuration once.
    pub fn candidates() -> Vec<Selected> {
        canonical().filter_map(Selected::from_name).collect()
    }
}

/// Generic work over any dialect (the visitor of [`Selected::dispatch`]).
pub trait Job {
    type Output;
    fn run<D: CliDialect>(self, dialect: D) -> Self::Output;
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_name_parses_and_round_trips() {
        for name in names() {
            let selected = Selected::parse(name).unwrap();
            assert_eq!(Selected::parse(selected.name()).unwrap(), selected, "{name}");
        }
        let candidates: Vec<&str> = Selected::candidates().iter().map(Selected::name).collect();
        assert_eq!(
            candidates,
            [
                "pmu30",
                "pmu30:crc-with-length",
                "vectordebug",
                "plot",
                "plot:64",
                "ascii-crc8",
                "powerscope",
                "powerscope:r0"
            ]
        );
        assert_eq!(Selected::parse("powerscope:r1").unwrap().name(), "powerscope");
        assert_eq!(Selected::parse("pmu30:").unwrap().name(), "pmu30");
    }

    #[test]
    fn unknown_names_and_variants_are_errors() {
        assert!(Selected::parse("pmu31").unwrap_err().contains("unknown dialect"));
        assert!(Selected::parse("plot:65").unwrap_err().contains("unknown variant"));
        assert!(Selected::parse("vectordebug:x").unwrap_err().contains("unknown variant"));
        assert!(Selected::parse("powerscope:r2").is_err());
    }
}
