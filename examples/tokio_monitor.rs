//! Prints the frames of a serial port as they arrive, with `serial_dialects::tokio::Codec`
//! over a `tokio-serial` port (built without libudev).
//!
//! ```text
//! cargo run --features tokio --example tokio_monitor -- DIALECT[:VARIANT] PORT [BAUD]
//! ```
//!
//! One line per event on standard output: `OFFSET LEN NAME MESSAGE` for a frame, `OFFSET LEN
//! error KIND: DETAIL` for rejected bytes. When the port closes (or on Ctrl-C) the statistics
//! go to standard error.

use std::process::ExitCode;

use futures_util::StreamExt;
use serial_dialects::tokio::Codec;
use serial_dialects::{Dialect, DialectConfig, Item, Message, ascii_crc8, plot, pmu30, powerscope, vectordebug};
use tokio::io::AsyncRead;
use tokio_serial::SerialPortBuilderExt;
use tokio_util::codec::FramedRead;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(name), Some(path)) = (args.first(), args.get(1)) else {
        eprintln!("usage: tokio_monitor DIALECT[:VARIANT] PORT [BAUD]");
        return ExitCode::from(2);
    };
    let baud = match args.get(2).map(|b| b.parse::<u32>()) {
        None => 115_200,
        Some(Ok(baud)) => baud,
        Some(Err(e)) => {
            eprintln!("bad baud rate: {e}");
            return ExitCode::from(2);
        }
    };
    let port = match tokio_serial::new(path, baud).open_native_async() {
        Ok(port) => port,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let run = match name.split(':').next().unwrap_or_default() {
        "pmu30" => monitor::<pmu30::Pmu30, _>(name, port).await,
        "vectordebug" => monitor::<vectordebug::VectorDebug, _>(name, port).await,
        "plot" => monitor::<plot::Plot, _>(name, port).await,
        "ascii-crc8" => monitor::<ascii_crc8::AsciiCrc8, _>(name, port).await,
        "powerscope" => monitor::<powerscope::PowerScope, _>(name, port).await,
        _ => None,
    };
    match run {
        Some(()) => ExitCode::SUCCESS,
        None => {
            eprintln!("unknown dialect {name:?}");
            ExitCode::from(2)
        }
    }
}

/// Prints the events of `port` until it closes or Ctrl-C; `None` for an unknown variant.
async fn monitor<D, R>(name: &str, port: R) -> Option<()>
where
    D: Dialect,
    for<'a> D::Message<'a>: std::fmt::Debug,
    R: AsyncRead + Unpin,
{
    let config = D::Config::from_name(name)?;
    let mut frames = FramedRead::new(port, Codec::new(D::new(config)));
    loop {
        let event = tokio::select! {
            event = frames.next() => event,
            _ = tokio::signal::ctrl_c() => None,
        };
        match event {
            Some(Ok(event)) => match &event.item {
                Item::Frame(frame) => {
                    let message = frame.message();
                    println!("{} {} {} {message:?}", event.offset, event.len, message.name());
                }
                Item::Error(e) => println!("{} {} error {}: {e}", event.offset, event.len, e_kind(e)),
            },
            // A pseudo-terminal whose other end closed reads as an I/O error: the end.
            Some(Err(e)) => {
                eprintln!("port closed: {e}");
                break;
            }
            None => break,
        }
    }
    let stats = frames.decoder().stats();
    eprintln!(
        "{} frames, {} errors, {} bytes skipped, {} lost frames",
        stats.frames,
        stats.errors.total(),
        stats.bytes_skipped,
        stats.lost_frames
    );
    Some(())
}

fn e_kind<E: serial_dialects::DialectError>(e: &E) -> &'static str {
    e.kind().as_str()
}
