//! What the measurement binaries share: how their inputs and results escape the optimiser.
//!
//! Every size binary runs the same `cortex-m-rt` runtime and loop; only the codec call in
//! the loop differs, so the difference of its size over `baseline` is what the codec path
//! costs. Inputs come through [`core::hint::black_box`] (the compiler cannot fold the
//! encoding into constants) and outputs go to [`sink`] (it cannot drop the encoding).
#![no_std]
#![forbid(unsafe_code)]

use core::hint::black_box;

/// Bytes of the receive buffer the decode binaries feed from (one USB full-speed packet).
pub const RX_CHUNK: usize = 64;

/// Consumes `bytes` as a UART or DMA transfer would: every byte written before the call is
/// observable, so none of the code that wrote them can be optimised away.
#[inline(always)]
pub fn sink(bytes: &[u8]) {
    black_box(bytes);
}

/// A value the optimiser cannot see through (a sensor reading, a counter).
#[inline(always)]
pub fn opaque<T>(value: T) -> T {
    black_box(value)
}

/// Fills `rx` with bytes the optimiser knows nothing about, as a UART's DMA would.
#[inline(always)]
pub fn receive(rx: &mut [u8; RX_CHUNK]) -> &[u8] {
    black_box(&mut *rx);
    let len = black_box(RX_CHUNK).min(RX_CHUNK);
    &rx[..len]
}

/// The loop of every `<dialect>-decode` binary: a `StreamDecoder` of capacity `N` (the
/// dialect's worst case) on the stack, fed 64-byte receive chunks, every event observed.
#[inline(always)]
pub fn decode_forever<D: serial_dialects::stream::Dialect, const N: usize>(dialect: D) -> ! {
    let mut rx = [0u8; RX_CHUNK];
    let mut decoder: serial_dialects::StreamDecoder<D, N> = serial_dialects::StreamDecoder::new(dialect);
    loop {
        decoder.feed(receive(&mut rx), |event| {
            black_box(&event);
        });
        sink(&decoder.stats().frames.to_le_bytes());
    }
}
