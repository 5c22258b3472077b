//! Device models: the device half of every dialect, sans-I/O.
//!
//! A model is the protocol logic of one of the original devices (the PMU-30, the BH1750
//! light meter, the STM32L432 + INA219 power monitor, the Blackpill bridge with its ESC, a
//! DragoonPlot device) as a state machine with no I/O, no heap and no clock of its own: the
//! caller hands it the bytes the host sent and the time in milliseconds, and takes from it
//! the bytes the device sends, periodic output included. The same model runs in firmware
//! (a board feeds it its UART or USB CDC class), in the `simulate` command (a pseudo-terminal
//! or a real port) and in tests (a loop with a fake clock).
//!
//! Driving a model:
//!
//! 1. [`Device::receive`] every chunk of bytes from the host, with the time it arrived;
//! 2. [`Device::transmit`] until it answers `None`, sending each piece in order;
//! 3. sleep until [`Device::poll_at`] (or until more bytes arrive), then go to 2.
//!
//! Models never panic, never stop answering and never grow, whatever the host sends: bad
//! bytes get what the real device would send for them, and output that the host does not
//! take in time is dropped oldest first where the real device did so (counted in
//! [`DeviceStats::dropped`]).

/// What a piece of output is, so that a driver injecting faults can tell a reply it may
/// drop from the device's own stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub enum OutputKind {
    /// The answer to a request of the host (an ACK, a NACK, an error frame, a reply).
    Reply,
    /// Output the device sends on its own: telemetry, samples, records, labels, text.
    Periodic,
}

/// One piece of output written by [`Device::transmit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
pub struct Transmit {
    /// Bytes written at the start of the caller's buffer (at least 1).
    pub len: usize,
    /// Reply or periodic output.
    pub kind: OutputKind,
}

/// What a model has done since it was made (a [`Device::reset`] keeps counting).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "serde", derive(serde::Serialize))]
pub struct DeviceStats {
    /// Bytes received from the host.
    pub bytes_received: u64,
    /// Requests received: well-formed frames or lines addressed to the device, whatever the
    /// answer. What `--reset-after N` counts.
    pub requests: u64,
    /// Requests refused with an error answer (a NACK, an ERROR frame, a non-zero status).
    pub refused: u64,
    /// Bad input the device answered or skipped (bad checksum, garbage, overlong lines).
    pub bad_input: u64,
    /// Replies written by [`Device::transmit`].
    pub replies: u64,
    /// Periodic frames (or packets, lines) written by [`Device::transmit`].
    pub frames_sent: u64,
    /// Bytes written by [`Device::transmit`].
    pub bytes_sent: u64,
    /// Output dropped because the host did not take it in time (drop-oldest queues).
    pub dropped: u64,
    /// Session resets ([`Device::reset`]).
    pub resets: u64,
}

/// The device half of a dialect: fed the host's bytes and the time, gives the device's bytes.
pub trait Device {
    /// The largest piece [`transmit`](Device::transmit) writes: the buffer it is given must
    /// be at least this long.
    const MAX_TRANSMIT: usize;

    /// Takes bytes the host sent, which arrived at `now_ms` (milliseconds on the caller's
    /// clock, never going back). Answers are queued for [`transmit`](Device::transmit).
    fn receive(&mut self, bytes: &[u8], now_ms: u64);

    /// Writes the next piece of output due at `now_ms` (a reply, or periodic output whose time
    /// has come) at the start of `out`, or answers `None` when nothing is due. Call it until
    /// it answers `None`. A buffer shorter than [`MAX_TRANSMIT`](Device::MAX_TRANSMIT) may
    /// make it answer `None` early; it never panics.
    fn transmit(&mut self, now_ms: u64, out: &mut [u8]) -> Option<Transmit>;

    /// When [`transmit`](Device::transmit) will next have output without new input (the next
    /// periodic frame), or `None` if nothing is scheduled. An answer in the past means now.
    fn poll_at(&self) -> Option<u64>;

    /// Forgets the session state, as the device does when it resets (an upload in progress,
    /// subscriptions, streams, queued output), keeping the configuration it was made with.
    fn reset(&mut self, now_ms: u64);

    /// What the model has done so far.
    fn stats(&self) -> &DeviceStats;
}

pub mod faults;
#[cfg(feature = "tokio")]
mod serve;
pub mod wave;
pub mod xorshift;

#[cfg(feature = "tokio")]
#[cfg_attr(docsrs, doc(cfg(feature = "tokio")))]
pub use serve::{ServeReport, serve, serve_with_faults};
