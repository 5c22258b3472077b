//! The async clients (`serial_dialects::client`) against the device models served in process
//! (`device::serve`) over `tokio::io::duplex`, on tokio's paused clock: every method, and the
//! faults of the session rules (dropped, late and corrupted replies, a reset mid-upload,
//! telemetry during a command). Scripted peers written with the library's own codec check what
//! the wire cannot disambiguate.

mod ascii_crc8;
mod plot;
mod pmu30;
mod powerscope;
mod vectordebug;
