//! `encode`: one typed message from `field=value` arguments, written as its wire frame.
//!
//! The library does the work: every dialect lists its messages ([`MessageSpec`], for
//! `--list`) and builds its frame from the fields (`serial_dialects::fields`, implemented in
//! each dialect's `fields.rs`). Here are the arguments, the `--list` text and the writing.
//! Before anything is written, the bytes are decoded again with the library's
//! own decoder: they must come back as one event of the requested type, so that
//! `encode X T ... | decode --dialect X -` always shows `T`.

use std::fmt::Write as _;
use std::fs::File;
use std::io::{self, Write};
use std::path::PathBuf;
use std::time::Duration;

use serial_dialects::fields::{self, EncodeFields, Failure, MessageSpec};
use serial_dialects::fmt::Hex;
use serial_dialects::stream::{Dialect, Item};
use serial_dialects::{DialectConfig, DialectError, Message, SliceDecoder};

use crate::cli_error::CliError;
use crate::dialect::{CliDialect, Job, Selected};

/// Arguments of `encode`.
#[derive(Debug, clap::Args)]
pub struct EncodeArgs {
    /// The dialect, NAME[:VARIANT] (the names come from the registry, `dialect.rs`).
    #[arg(value_name = "NAME[:VARIANT]", help = format!("The dialect, NAME[:VARIANT] ({})", crate::dialect::canonical_list()))]
    pub dialect: String,
    /// The message type, as the JSON `type` of `decode` (e.g. SET_CHANNEL); case does not
    /// matter.
    pub message: Option<String>,
    /// The message's fields, as name=value (names as the JSON `fields` of `decode`).
    #[arg(value_name = "FIELD=VALUE")]
    pub fields: Vec<String>,
    /// Write the frame to this serial port (DTR asserted) instead of standard output.
    #[arg(long, short, conflicts_with_all = ["output", "hex"])]
    pub port: Option<String>,
    /// Baud rate for --port (ignored by USB CDC devices).
    #[arg(long, short, default_value_t = 115_200, requires = "port")]
    pub baud: u32,
    /// List the messages of the dialect (or only MESSAGE) with their fields, types, ranges
    /// and defaults.
    #[arg(long, conflicts_with_all = ["fields", "port", "output", "hex"])]
    pub list: bool,
    /// Write the frame to this file instead of standard output.
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Write the frame as one line of lowercase hex instead of raw bytes.
    #[arg(long)]
    pub hex: bool,
}

/// Runs `encode`.
pub fn run(args: &EncodeArgs) -> Result<(), CliError> {
    Selected::parse(&args.dialect).map_err(CliError::msg)?.dispatch(EncodeJob { args })
}

struct EncodeJob<'a> {
    args: &'a EncodeArgs,
}

impl Job for EncodeJob<'_> {
    type Output = Result<(), CliError>;

    fn run<D: CliDialect>(self, dialect: D) -> Result<(), CliError> {
        let args = self.args;
        let config = dialect.config();
        if args.list {
            let specs = D::messages(config);
            let only = match &args.message {
                Some(name) => Some(fields::resolve::<D>(config, &specs, name).map_err(usage_error)?.0),
                None => None,
            };
            let mut out = io::stdout().lock();
            out.write_all(list_text(config.name(), &specs, only).as_bytes())?;
            return out.flush().map_err(CliError::from);
        }
        let Some(name) = &args.message else {
            return Err(CliError::msg(format!(
                "missing MESSAGE; `serial-dialects encode {} --list` shows the messages",
                config.name()
            )));
        };
        let bytes = encode_message::<D>(config, name, &args.fields)?;
        write_frame(args, &bytes)
    }
}

/// A failure of the arguments, as the command line's error.
fn usage_error(failure: Failure) -> CliError {
    CliError::msg(failure.to_string())
}

/// Builds the frame of message `name` with `field=value` arguments, and checks that the
/// library decodes it back as one `name` event.
pub fn encode_message<D: EncodeFields>(config: &D::Config, name: &str, args: &[String]) -> Result<Vec<u8>, CliError> {
    let specs = D::messages(config);
    let (spec, _) = fields::resolve::<D>(config, &specs, name).map_err(usage_error)?;
    let cannot =
        |why: &dyn std::fmt::Display| CliError::msg(format!("cannot encode {} {}: {why}", config.name(), spec.name));
    let (_, bytes) = fields::encode_fields::<D>(config, name, args).map_err(|e| match e {
        Failure::Encode(e) => cannot(&e),
        Failure::Usage(m) => CliError::msg(m),
    })?;
    check::<D>(*config, &bytes, spec).map_err(|m| cannot(&m))?;
    Ok(bytes)
}

/// Writes the frame where the arguments say.
fn write_frame(args: &EncodeArgs, bytes: &[u8]) -> Result<(), CliError> {
    let text;
    let bytes = if args.hex {
        text = format!("{}\n", Hex(bytes));
        text.as_bytes()
    } else {
        bytes
    };
    if let Some(path) = &args.port {
        let mut port = serialport::new(path, args.baud)
            .timeout(Duration::from_secs(2))
            .open()
            .map_err(|e| CliError::msg(format!("cannot open {path}: {e}")))?;
        port.write_data_terminal_ready(true).map_err(|e| CliError::msg(format!("cannot assert DTR on {path}: {e}")))?;
        port.write_all(bytes).map_err(|e| CliError::io(format!("cannot write to {path}"), e))?;
        return port.flush().map_err(|e| CliError::io(format!("cannot write to {path}"), e));
    }
    if let Some(path) = &args.output {
        let label = path.display();
        let mut file = File::create(path).map_err(|e| CliError::io(format!("cannot create {label}"), e))?;
        file.write_all(bytes).map_err(|e| CliError::io(format!("cannot write {label}"), e))?;
        return file.flush().map_err(|e| CliError::io(format!("cannot write {label}"), e));
    }
    let mut out = io::stdout().lock();
    out.write_all(bytes)?;
    out.flush().map_err(CliError::from)
}

/// Decodes the encoded bytes with the dialect's decoder: every byte must belong to a frame
/// (no error event), exactly one event must be of the requested type, and every other
/// event must span no bytes (a help table's zero-length COMMANDS) unless the message is
/// made of several events itself ([`MessageSpec::several_events`]: plot COMMANDS, the
/// table's TEXT lines).
fn check<D: Dialect>(config: D::Config, bytes: &[u8], spec: &MessageSpec) -> Result<(), String> {
    let mut matching = 0usize;
    let mut others = Vec::new();
    for event in SliceDecoder::new(D::new(config), bytes) {
        match &event.item {
            Item::Error(e) => {
                return Err(format!(
                    "the frame would not decode ({} at byte {}: {e})",
                    e.kind().as_str(),
                    event.offset
                ));
            }
            Item::Frame(frame) if frame.name() == spec.name => matching += 1,
            Item::Frame(frame) if event.len > 0 => others.push(frame.name()),
            Item::Frame(_) => {}
        }
    }
    if matching == 1 && (others.is_empty() || spec.several_events) {
        return Ok(());
    }
    if others.is_empty() {
        return Err(format!("the bytes decode as {matching} {} events, not one", spec.name));
    }
    Err(format!("the bytes would decode as {}, not {}", others.join(" + "), spec.name))
}

/// The `--list` text of a dialect (or of one of its messages).
fn list_text(dialect: &str, specs: &[MessageSpec], only: Option<&MessageSpec>) -> String {
    let mut s = String::new();
    if only.is_none() {
        let _ = writeln!(s, "Messages of {dialect} (serial-dialects encode {dialect} MESSAGE [FIELD=VALUE ...]):\n");
    }
    for spec in specs.iter().filter(|s| only.is_none_or(|o| o.name == s.name)) {
        let _ = writeln!(s, "{}  {}", spec.name, spec.about);
        if spec.fields.is_empty() {
            let _ = writeln!(s, "    (no fields)");
        }
        let name_width = spec.fields.iter().map(|f| f.name.len()).max().unwrap_or(0);
        let kind_width = spec.fields.iter().map(|f| f.kind.chars().count()).max().unwrap_or(0);
        for f in &spec.fields {
            let _ = writeln!(s, "    {:<name_width$}  {:<kind_width$}  {}", f.name, f.kind, f.need);
        }
        let example = if spec.example.is_empty() { String::new() } else { format!(" {}", spec.example) };
        let _ = writeln!(s, "    e.g. serial-dialects encode {dialect} {}{example}\n", spec.name);
    }
    s.push_str(
        "Values: integers in decimal or 0x-hex (negative where signed); floats; true/false; text as \
         is; *_hex fields as hex digits (\"0a1b\"); lists comma-separated. Quote values with spaces or ';'.\n",
    );
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every message of every dialect has an example that encodes and decodes back as it.
    #[test]
    fn every_listed_example_encodes() {
        struct Examples;
        impl Job for Examples {
            type Output = ();
            fn run<D: CliDialect>(self, dialect: D) {
                let config = dialect.config();
                for spec in D::messages(config) {
                    let args: Vec<String> = split_example(spec.example);
                    if let Err(e) = encode_message::<D>(config, spec.name, &args) {
                        panic!("{} {} {}: {e}", config.name(), spec.name, spec.example);
                    }
                }
            }
        }
        for name in crate::dialect::names() {
            Selected::parse(name).unwrap().dispatch(Examples);
        }
    }

    /// Splits an example like a shell would for these simple cases ('...' quotes).
    fn split_example(example: &str) -> Vec<String> {
        let mut out = Vec::new();
        let mut cur = String::new();
        let mut quoted = false;
        for c in example.chars() {
            match c {
                '\'' => quoted = !quoted,
                ' ' if !quoted => {
                    if !cur.is_empty() {
                        out.push(std::mem::take(&mut cur));
                    }
                }
                c => cur.push(c),
            }
        }
        if !cur.is_empty() {
            out.push(cur);
        }
        out
    }
}
