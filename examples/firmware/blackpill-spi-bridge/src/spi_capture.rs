//! SPI1 slave receive through a circular DMA ring, batched into the ping-pong halves.
//!
//! embassy-stm32 sets up pins, clock and the slave mode (`Spi::new_blocking_slave`, SPI
//! mode [`SPI_MODE`], hardware NSS); the register details that its driver does not offer
//! for a slave are done here through `embassy_stm32::pac`: receive-only (MISO not driven),
//! RX DMA requests, enabling between records, and the OVR flag. The circular DMA is
//! embassy's `ReadableRingBuffer` over [`RING_BYTES`] bytes, woken at each half and at the
//! wrap: two halves of [`HALF_RECORDS`](blackpill_spi_bridge::batch::HALF_RECORDS)
//! records, the hardware side of the ping-pong.

use embassy_futures::select::{Either, select};
use embassy_stm32::Peri;
use embassy_stm32::dma::{Channel, Priority, ReadableRingBuffer, TransferOptions};
use embassy_stm32::pac;
use embassy_stm32::pac::spi::vals::Rxonly;
use embassy_stm32::peripherals::{DMA2_CH0, PA4, PA5, PA6, PA7, SPI1};
use embassy_stm32::spi::{self, RxDma, Spi};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::zerocopy_channel::Sender;
use embassy_time::{Duration, Ticker, Timer};
use serial_dialects::vectordebug::Record;

use blackpill_spi_bridge::batch::{Batch, HALF_BYTES};
use blackpill_spi_bridge::counters::COUNTERS;

/// The DMA ring: two halves.
pub const RING_BYTES: usize = 2 * HALF_BYTES;

/// The flush timer: a half that has not filled is sent after at most this long
/// (the seed's 1–10 ms range; 5 ms keeps latency low and packets at about 100 records
/// at 20 kHz).
pub const FLUSH_PERIOD: Duration = Duration::from_millis(5);

/// The ESC's SPI mode (CPOL = 0, CPHA = 0: data sampled on the rising edge).
pub const SPI_MODE: spi::Mode = spi::MODE_0;

/// NSS is PA4.
const NSS_PIN: usize = 4;

/// How often NSS is sampled while waiting for a gap between records.
const NSS_POLL: Duration = Duration::from_micros(100);

/// The SPI1 pins (PA4 NSS, PA5 SCK, PA6 MISO, PA7 MOSI) and the RX DMA stream.
pub struct SpiParts {
    pub spi: Peri<'static, SPI1>,
    pub nss: Peri<'static, PA4>,
    pub sck: Peri<'static, PA5>,
    pub miso: Peri<'static, PA6>,
    pub mosi: Peri<'static, PA7>,
    pub dma: Peri<'static, DMA2_CH0>,
}

/// Receives records for ever: one capture session after another, a new one only after
/// the SPI peripheral lost a byte (the only thing that can break the 14-byte alignment).
#[embassy_executor::task]
pub async fn capture(
    mut parts: SpiParts,
    ring: &'static mut [u8; RING_BYTES],
    mut halves: Sender<'static, CriticalSectionRawMutex, Batch>,
) -> ! {
    let mut config = spi::Config::default();
    config.mode = SPI_MODE;
    let _spi = Spi::new_blocking_slave(parts.spi, parts.sck, parts.mosi, parts.miso, parts.nss, config);
    // Pull NSS up (embassy leaves it floating): with the ESC unplugged the bridge then
    // reads "deselected" instead of noise.
    pac::GPIOA.pupdr().modify(|w| w.set_pupdr(NSS_PIN, pac::gpio::vals::Pupdr::PULL_UP));
    let request = <DMA2_CH0 as RxDma<SPI1>>::request(&parts.dma);
    loop {
        spi_stop();
        let channel = Channel::new(parts.dma.reborrow(), crate::Irqs);
        let mut options = TransferOptions::default();
        options.priority = Priority::VeryHigh;
        // SAFETY: `ring` is borrowed by the ring buffer for its whole life and used by
        // nothing else; the peripheral address is SPI1's data register, which the DMA
        // reads one byte at a time as the RX DMA request of the channel asks for. Dropping
        // the ring buffer stops the transfer before the borrow ends.
        let mut rb = unsafe { ReadableRingBuffer::new(channel, request, spi_dr(), &mut ring[..], options) };
        // After a ring overrun, the reader skips to the next record boundary.
        rb.set_alignment(Record::SIZE);
        rb.start();
        spi_start_between_records().await;
        defmt::info!("SPI capture running");
        run_session(&mut rb, &mut halves).await;
        COUNTERS.spi_overrun();
        defmt::warn!("SPI overrun: restarting the capture at a record boundary");
    }
}

/// Fills halves until the SPI peripheral reports an overrun.
async fn run_session(
    rb: &mut ReadableRingBuffer<'_, u8>,
    halves: &mut Sender<'static, CriticalSectionRawMutex, Batch>,
) {
    let mut flush = Ticker::every(FLUSH_PERIOD);
    while !spi_overrun() {
        // The next free half. When the flush timer fires first, both halves are still
        // queued for USB: the ring keeps up to one half of records waiting for a free half;
        // beyond that they are dropped and counted, before the DMA can lap them.
        let half = match select(halves.send(), flush.next()).await {
            Either::First(half) => half,
            Either::Second(()) => {
                if rb.len().map_or(true, |waiting| waiting > HALF_BYTES) {
                    discard(rb);
                }
                continue;
            }
        };
        half.clear();
        // Ends when the half is full or the flush timer fires, whichever is first.
        select(fill(rb, half), flush.next()).await;
        read_into(rb, half);
        if !half.is_empty() {
            halves.send_done();
        }
    }
}

/// Copies records from the ring into `half` until it is full (woken at each DMA half).
async fn fill(rb: &mut ReadableRingBuffer<'_, u8>, half: &mut Batch) {
    core::future::poll_fn(|cx| {
        rb.set_waker(cx.waker());
        read_into(rb, half);
        if half.is_full() { core::task::Poll::Ready(()) } else { core::task::Poll::Pending }
    })
    .await
}

/// Copies the whole records available now; counts a ring overrun (the ring then resets
/// itself to the newest record boundary).
fn read_into(rb: &mut ReadableRingBuffer<'_, u8>, half: &mut Batch) {
    match rb.read(half.spare()) {
        Ok((n, _)) => half.commit(n),
        Err(_) => COUNTERS.dma_overrun(),
    }
}

/// Reads and drops everything in the ring, counting the records.
fn discard(rb: &mut ReadableRingBuffer<'_, u8>) {
    let mut scratch = [0u8; 16 * Record::SIZE];
    loop {
        match rb.read(&mut scratch) {
            Ok((0, _)) => break,
            Ok((n, _)) => COUNTERS.usb_dropped((n / Record::SIZE) as u32),
            Err(_) => {
                COUNTERS.dma_overrun();
                break;
            }
        }
    }
}

/// SPI1's data register, as the DMA's peripheral address.
fn spi_dr() -> *mut u8 {
    pac::SPI1.dr().as_ptr() as *mut u8
}

/// True when the receiver lost a byte (a new one arrived before the DMA read the last).
fn spi_overrun() -> bool {
    pac::SPI1.sr().read().ovr()
}

/// Disables the peripheral and its DMA request and clears a pending OVR.
fn spi_stop() {
    let spi = pac::SPI1;
    spi.cr1().modify(|w| w.set_spe(false));
    spi.cr2().modify(|w| w.set_rxdmaen(false));
    // OVR clears by reading DR, then SR (RM0383, SPI error flags).
    let _ = spi.dr().read();
    let _ = spi.sr().read();
}

/// Enables reception while NSS is high, so that the first byte received is the first byte
/// of a record. The check and the enable run with interrupts masked, a few cycles apart;
/// NSS is high between records (about 25 µs of every 50 µs at 20 kHz and 4.5 Mbit/s), so
/// polling every [`NSS_POLL`] finds it within a few tries.
async fn spi_start_between_records() {
    let spi = pac::SPI1;
    spi.cr1().modify(|w| w.set_rxonly(Rxonly::OUTPUT_DISABLED));
    spi.cr2().modify(|w| w.set_rxdmaen(true));
    loop {
        let started = critical_section::with(|_| {
            let idle = pac::GPIOA.idr().read().idr(NSS_PIN) == pac::gpio::vals::Idr::HIGH;
            if idle {
                spi.cr1().modify(|w| w.set_spe(true));
            }
            idle
        });
        if started {
            return;
        }
        Timer::after(NSS_POLL).await;
    }
}
