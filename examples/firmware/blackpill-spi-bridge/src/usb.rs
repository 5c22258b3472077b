//! USB CDC-ACM on the OTG FS peripheral (PA11 D−, PA12 D+): device → host packets (debug
//! records, UART CLI bytes, the status line) and host → device CLI packets for the UART.

use embassy_futures::select::{Either3, select3};
use embassy_stm32::peripherals::USB_OTG_FS;
use embassy_stm32::usb::Driver;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::zerocopy_channel::Receiver;
use embassy_time::{Duration, Ticker};
use embassy_usb::UsbDevice;
use embassy_usb::class::cdc_acm;
use embassy_usb::driver::EndpointError;
use embedded_io_async::{ErrorKind, Write};

use crate::uart::{self, CLI_TO_HOST};
use blackpill_spi_bridge::batch::{Batch, CLI_CHUNK, WIRE_BUF, frame_cli, frame_records};
use blackpill_spi_bridge::counters::{COUNTERS, Snapshot};
use blackpill_spi_bridge::host_cli::{HostEvent, MAX_PACKET, UsbPackets, host_reader};

/// The USB driver of this board.
pub type UsbDriver = Driver<'static, USB_OTG_FS>;

/// How often the counters are compared with the last status line sent.
pub const STATUS_PERIOD: Duration = Duration::from_secs(1);

/// Runs the USB device (enumeration, control requests, suspend) for ever.
#[embassy_executor::task]
pub async fn device(mut usb: UsbDevice<'static, UsbDriver>) -> ! {
    usb.run().await
}

/// Sends, as each becomes ready: a full or flushed half as one DBG_FRAME1 packet, UART
/// bytes as CLI packets, and a status line (a CLI packet) when a counter has changed.
#[embassy_executor::task]
pub async fn to_host(
    mut tx: cdc_acm::Sender<'static, UsbDriver>,
    mut halves: Receiver<'static, CriticalSectionRawMutex, Batch>,
    wire: &'static mut [u8; WIRE_BUF],
) -> ! {
    let mut status = Ticker::every(STATUS_PERIOD);
    let mut reported = Snapshot::default();
    let mut cli = [0u8; CLI_CHUNK];
    loop {
        tx.wait_connection().await;
        defmt::info!("USB configured");
        loop {
            // The frame and the number of records it carries (lost if USB goes away).
            let (framed, records) = match select3(halves.receive(), CLI_TO_HOST.read(&mut cli), status.next()).await {
                Either3::First(half) => {
                    let framed = (frame_records(half, wire), half.records().len());
                    halves.receive_done();
                    framed
                }
                Either3::Second(n) => (frame_cli(&cli[..n], wire), 0),
                Either3::Third(()) => {
                    let now = COUNTERS.snapshot();
                    if now == reported {
                        continue;
                    }
                    reported = now;
                    defmt::warn!("losses: {}", now);
                    (frame_cli(now.status_line().as_bytes(), wire), 0)
                }
            };
            // WIRE_BUF holds the longest frame of every kind, so encoding cannot fail.
            let n = defmt::unwrap!(framed);
            if write_frame(&mut tx, &wire[..n]).await.is_err() {
                COUNTERS.usb_dropped(records as u32);
                defmt::info!("USB disconnected");
                break;
            }
        }
    }
}

/// Writes one wire frame in full-size packets, ending the transfer with a short (possibly
/// empty) packet so that the host hands it over at once.
async fn write_frame(tx: &mut cdc_acm::Sender<'static, UsbDriver>, frame: &[u8]) -> Result<(), EndpointError> {
    let max = usize::from(MAX_PACKET);
    for packet in frame.chunks(max) {
        tx.write_packet(packet).await?;
    }
    if frame.len().is_multiple_of(max) {
        tx.write_packet(&[]).await?;
    }
    Ok(())
}

/// The CDC class's OUT endpoint as the packet source of the host → device reader.
struct CdcPackets(cdc_acm::Receiver<'static, UsbDriver>);

impl UsbPackets for CdcPackets {
    type Error = ErrorKind;

    async fn read_packet(&mut self, buf: &mut [u8]) -> Result<usize, ErrorKind> {
        self.0.read_packet(buf).await.map_err(|e| match e {
            EndpointError::Disabled => ErrorKind::NotConnected,
            // `buf` holds MAX_PACKET bytes, the endpoint's packet size: cannot happen.
            EndpointError::BufferOverflow => ErrorKind::OutOfMemory,
        })
    }
}

/// Reads host → device packets through the library's reader and writes the payload of CLI
/// packets to the UART; a new reader (an empty decoder) for each host connection.
#[embassy_executor::task]
pub async fn from_host(rx: cdc_acm::Receiver<'static, UsbDriver>, mut uart: uart::Tx) -> ! {
    let mut packets = CdcPackets(rx);
    loop {
        packets.0.wait_connection().await;
        let mut reader = host_reader(&mut packets);
        loop {
            while let Some(event) = reader.next() {
                forward(event.into(), &mut uart).await;
            }
            // Fails only when the host goes away.
            if reader.fill().await.is_err() {
                break;
            }
        }
    }
}

/// Writes a CLI packet's payload to the UART, a burst at a time; logs the others.
async fn forward(event: HostEvent<'_>, uart: &mut uart::Tx) {
    match event {
        HostEvent::Cli(mut bytes) => {
            let mut burst = [0u8; 32];
            loop {
                let n = bytes.read(&mut burst);
                if n == 0 {
                    break;
                }
                let _ = uart.write_all(&burst[..n]).await;
            }
        }
        HostEvent::Ignored(packet_type) => defmt::debug!("ignored {} packet from host", packet_type),
        HostEvent::Rejected(kind) => defmt::warn!("bad packet from host: {}", kind),
    }
}
