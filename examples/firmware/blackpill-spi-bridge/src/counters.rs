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
pub static COUNTERS: Counters = Counters {
    spi_overruns: AtomicU32::new(0),
    dma_overruns: AtomicU32::new(0),
    usb_dropped_records: AtomicU32::new(0),
    cli_dropped_bytes: AtomicU32::new(0),
};

impl Counters {
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
#[derive(Clone, Copy, Default, PartialEq, Eq, defmt::Format)]
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
