//! Overrun and drop counters, shared by the tasks, and the status line that reports them
//! to the host inside a CLI packet (the wire format has no status type; CLI text is what
//! both the PC tool's terminal and `serial-dialects-cli decode` show).

use core::fmt::Write;
use core::sync::atomic::{AtomicU32, Ordering};

use heapless::String;

/// Events that lose data, counted since boot.
pub struct Counters {
    spi_overruns: AtomicU32,
    dma_overruns: AtomicU32,
    usb_dropped_records: AtomicU32,
    cli_dropped_bytes: AtomicU32,
}

/// The bridge's counters.
pub static COUNTERS: Counters = Counters::new();

impl Default for Counters {
    fn default() -> Self {
        Self::new()
    }
}

impl Counters {
    /// All counters at zero.
    pub const fn new() -> Self {
        Counters {
            spi_overruns: AtomicU32::new(0),
            dma_overruns: AtomicU32::new(0),
            usb_dropped_records: AtomicU32::new(0),
            cli_dropped_bytes: AtomicU32::new(0),
        }
    }

    /// The SPI peripheral lost a byte (OVR): the capture restarted at a record boundary.
    pub fn spi_overrun(&self) {
        self.spi_overruns.fetch_add(1, Ordering::Relaxed);
    }

    /// The DMA ring was lapped before it was read: its oldest records were overwritten.
    pub fn dma_overrun(&self) {
        self.dma_overruns.fetch_add(1, Ordering::Relaxed);
    }

    /// Both halves were waiting for USB, so `records` new records were dropped.
    pub fn usb_dropped(&self, records: u32) {
        self.usb_dropped_records.fetch_add(records, Ordering::Relaxed);
    }

    /// The UART → USB pipe was full, so `bytes` CLI bytes were dropped.
    pub fn cli_dropped(&self, bytes: u32) {
        self.cli_dropped_bytes.fetch_add(bytes, Ordering::Relaxed);
    }

    /// The current values.
    pub fn snapshot(&self) -> Snapshot {
        Snapshot {
            spi_overruns: self.spi_overruns.load(Ordering::Relaxed),
            dma_overruns: self.dma_overruns.load(Ordering::Relaxed),
            usb_dropped_records: self.usb_dropped_records.load(Ordering::Relaxed),
            cli_dropped_bytes: self.cli_dropped_bytes.load(Ordering::Relaxed),
        }
    }
}

/// The counters at one instant.
#[derive(Clone, Copy, Default, PartialEq, Eq, Debug)]
#[cfg_attr(target_os = "none", derive(defmt::Format))]
pub struct Snapshot {
    pub spi_overruns: u32,
    pub dma_overruns: u32,
    pub usb_dropped_records: u32,
    pub cli_dropped_bytes: u32,
}

/// Room for the status line: 80 bytes of fixed text plus four u32 values of at most 10
/// digits each (120).
pub const STATUS_LEN: usize = 128;

impl Snapshot {
    /// The status line sent to the host, on a line of its own so that it does not run into
    /// the ESC's CLI output.
    pub fn status_line(&self) -> String<STATUS_LEN> {
        let mut line = String::new();
        // Cannot fail: STATUS_LEN covers the longest values.
        let _ = write!(
            line,
            "\r\n[bridge] spi_overruns={} dma_overruns={} usb_dropped_records={} cli_dropped_bytes={}\r\n",
            self.spi_overruns, self.dma_overruns, self.usb_dropped_records, self.cli_dropped_bytes
        );
        line
    }
}

#[cfg(test)]
mod tests {
    use serial_dialects::SliceDecoder;
    use serial_dialects::vectordebug::{Config, PacketType, VectorDebug};
    use std::vec::Vec;

    use super::*;
    use crate::batch::{WIRE_BUF, frame_cli};

    /// The payload of the one CLI packet in `wire`.
    fn cli_payload(wire: &[u8]) -> Vec<u8> {
        let mut events = SliceDecoder::new(VectorDebug::new(Config::default()), wire);
        let event = events.next().expect("one event");
        let packet = event.frame().expect("a valid packet");
        assert_eq!(packet.packet_type(), PacketType::Cli);
        assert!(events.next().is_none());
        packet.payload_bytes().collect()
    }

    #[test]
    fn counters_count_each_loss() {
        let counters = Counters::new();
        assert_eq!(counters.snapshot(), Snapshot::default());
        counters.spi_overrun();
        counters.dma_overrun();
        counters.dma_overrun();
        counters.usb_dropped(200);
        counters.usb_dropped(3);
        counters.cli_dropped(17);
        let expected = Snapshot { spi_overruns: 1, dma_overruns: 2, usb_dropped_records: 203, cli_dropped_bytes: 17 };
        assert_eq!(counters.snapshot(), expected);
    }

    #[test]
    fn status_line_is_one_cli_packet_with_the_exact_text() {
        let snapshot = Snapshot { spi_overruns: 1, dma_overruns: 0, usb_dropped_records: 4096, cli_dropped_bytes: 12 };
        let line = snapshot.status_line();
        let text = "\r\n[bridge] spi_overruns=1 dma_overruns=0 usb_dropped_records=4096 cli_dropped_bytes=12\r\n";
        assert_eq!(line.as_str(), text);

        let mut wire = [0u8; WIRE_BUF];
        let n = frame_cli(line.as_bytes(), &mut wire).unwrap();
        assert_eq!(cli_payload(&wire[..n]), text.as_bytes());
    }

    #[test]
    fn status_line_holds_the_largest_values() {
        let max = Snapshot {
            spi_overruns: u32::MAX,
            dma_overruns: u32::MAX,
            usb_dropped_records: u32::MAX,
            cli_dropped_bytes: u32::MAX,
        };
        let text = "\r\n[bridge] spi_overruns=4294967295 dma_overruns=4294967295 \
                    usb_dropped_records=4294967295 cli_dropped_bytes=4294967295\r\n";
        assert_eq!(max.status_line().as_str(), text);
        assert!(text.len() <= STATUS_LEN);
    }
}
