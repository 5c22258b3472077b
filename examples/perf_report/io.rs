//! The report's section on the I/O integrations: the tokio codec
//! (`serial_dialects::tokio::Codec`, as `FramedRead` drives it) beside the `StreamDecoder`
//! on the same inputs, both given 4 KiB reads, measured in the same rounds.

use std::fmt::Write as _;

use super::workloads::{self, READ_CHUNK, decode_codec, decode_stream};
use super::{Bench, Clock, fmt_rate, median, spread};

/// The section's heading (without `## `), which `splice` looks for.
pub const TITLE: &str = "I/O integrations: the tokio codec beside the StreamDecoder";

/// The section, measured now.
pub fn section(clock: Clock, reps: usize, selected: &dyn Fn(&str) -> bool) -> String {
    let inputs: Vec<_> = workloads::clean_inputs().into_iter().filter(|i| selected(&i.name)).collect();
    let mut bench = Bench::new(clock);
    let jobs: Vec<_> = inputs
        .iter()
        .map(|input| {
            let stream = bench.add(input.bytes.len(), || decode_stream(input.which, &input.bytes, READ_CHUNK));
            let codec = bench.add(input.bytes.len(), || decode_codec(input.which, &input.bytes, READ_CHUNK));
            (stream, codec)
        })
        .collect();
    for (stream, codec) in &jobs {
        assert_eq!(bench.expected(*stream), bench.expected(*codec), "the codec gives the stream decoder's events");
    }
    bench.run(reps);

    let mut w = String::new();
    writeln!(w, "## {TITLE}\n").unwrap();
    writeln!(
        w,
        "The same {} MiB inputs, given {} KiB at a time to a `StreamDecoder` (events borrowed \
         from its buffer) and to `serial_dialects::tokio::Codec` as `FramedRead` drives it \
         (appended to its `BytesMut`, `decode` until `None`; every event owned: the frame's \
         bytes cut from the buffer as a `Bytes`, the message rebuilt on demand). Both give the \
         same events (checked). Median of {reps} rounds, the two measured side by side in each. \
         Issue #14's target: the codec at least 80 % of the stream decoder.\n",
        workloads::INPUT_BYTES >> 20,
        READ_CHUNK >> 10,
    )
    .unwrap();
    writeln!(
        w,
        "| input | StreamDecoder MB/s | tokio Codec MB/s | codec / stream | spread (codec) | extra per event |"
    )
    .unwrap();
    writeln!(w, "|---|---:|---:|---:|---|---:|").unwrap();
    let mut below = Vec::new();
    for (input, (stream, codec)) in inputs.iter().zip(&jobs) {
        let (s, c) = (median(&bench.get(*stream).mb_per_s), median(&bench.get(*codec).mb_per_s));
        let ratio = c / s;
        // Seconds per event, from events per second of each.
        let per_event = |id| 1.0 / median(&bench.get(id).frames_per_s);
        let extra_ns = (per_event(*codec) - per_event(*stream)) * 1e9;
        if ratio < 0.8 {
            below.push(input.name.clone());
        }
        writeln!(
            w,
            "| {} | {} | {} | {:.0} % | {} | {:.0} ns |",
            input.name,
            fmt_rate(s),
            fmt_rate(c),
            100.0 * ratio,
            spread(&bench.get(*codec).mb_per_s),
            extra_ns
        )
        .unwrap();
    }
    match below.as_slice() {
        [] => writeln!(w, "\nThe codec reaches at least 80 % of the stream decoder for every input.\n").unwrap(),
        names => writeln!(w, "\nBelow 80 %: {}.\n", names.join(", ")).unwrap(),
    }
    writeln!(
        w,
        "The codec's cost over the stream decoder is per event, not per byte (last column): each \
         event cuts its frame out of the `BytesMut` as a `Bytes` (a reference count taken, and \
         released when the event is dropped), takes the message's context (pmu30's is a copy of \
         the whole decoded message, telemetry included) and travels through tokio-util's \
         `Result<Option<_>>`. That is little beside a 1.4 KiB vectordebug packet or an ascii-crc8 \
         reply, and most of the time of an 8-byte plot frame or a 25-byte powerscope sample. \
         Copying frames of up to 30 bytes inline instead of cutting them (no reference count) was \
         measured and was slower for every input (plot 3 channels: 197 MB/s against 478; pmu30: \
         694 against 870). A program that needs the last factor for small frames decodes with \
         borrowed events in its read task (`StreamDecoder`, `WindowDecoder`, the embedded-io \
         readers) and sends owned events only where they cross tasks.\n"
    )
    .unwrap();
    w
}

/// `doc` with its section of this title replaced by `section`, or with `section` added
/// before the limits section if it has none.
pub fn splice(doc: &str, section: &str) -> String {
    super::output::splice_titled(doc, TITLE, section)
}
