//! `blackpill-spi-bridge`: the VectorDebug bridge on a WeAct Blackpill (STM32F411CEU6,
//! 25 MHz crystal). An ESC streams 14-byte debug records as SPI master; the bridge batches
//! them into DBG_FRAME1 packets on USB CDC, passes the ESC's UART CLI through as CLI
//! packets both ways, and reports its losses. See README.md for wiring, sizes and the
//! throughput arithmetic.

#![no_std]
#![no_main]

mod spi_capture;
mod uart;
mod usb;

use defmt_rtt as _;
use embassy_executor::Spawner;
use embassy_stm32::time::Hertz;
use embassy_stm32::usart::BufferedUart;
use embassy_stm32::{bind_interrupts, dma, peripherals, rcc, usart};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::zerocopy_channel::Channel;
use embassy_usb::class::cdc_acm::{CdcAcmClass, State};
use panic_probe as _;
use static_cell::{ConstStaticCell, StaticCell};

use blackpill_spi_bridge::batch::{Batch, WIRE_BUF};
use blackpill_spi_bridge::host_cli::MAX_PACKET;
use spi_capture::{RING_BYTES, SpiParts};

bind_interrupts!(pub struct Irqs {
    OTG_FS => embassy_stm32::usb::InterruptHandler<peripherals::USB_OTG_FS>;
    USART1 => usart::BufferedInterruptHandler<peripherals::USART1>;
    DMA2_STREAM0 => dma::InterruptHandler<peripherals::DMA2_CH0>;
});

// Every buffer is a static of fixed size: no heap. `ConstStaticCell` builds them in place.
static SPI_RING: ConstStaticCell<[u8; RING_BYTES]> = ConstStaticCell::new([0; RING_BYTES]);
static HALVES: ConstStaticCell<[Batch; 2]> = ConstStaticCell::new([Batch::new(), Batch::new()]);
static HALF_QUEUE: StaticCell<Channel<'static, CriticalSectionRawMutex, Batch>> = StaticCell::new();
static WIRE: ConstStaticCell<[u8; WIRE_BUF]> = ConstStaticCell::new([0; WIRE_BUF]);
static UART_TX_BUF: ConstStaticCell<[u8; 256]> = ConstStaticCell::new([0; 256]);
static UART_RX_BUF: ConstStaticCell<[u8; 256]> = ConstStaticCell::new([0; 256]);
static USB_EP_OUT: ConstStaticCell<[u8; 256]> = ConstStaticCell::new([0; 256]);
static USB_CONFIG_DESC: ConstStaticCell<[u8; 128]> = ConstStaticCell::new([0; 128]);
static USB_BOS_DESC: ConstStaticCell<[u8; 32]> = ConstStaticCell::new([0; 32]);
static USB_CONTROL: ConstStaticCell<[u8; 64]> = ConstStaticCell::new([0; 64]);
static CDC_STATE: StaticCell<State<'static>> = StaticCell::new();

/// 25 MHz HSE → PLL (÷25 ×192 = 192 MHz VCO) → 96 MHz SYSCLK (÷2) and 48 MHz for USB (÷4).
/// APB1 at 48 MHz (its limit is 50), APB2 (SPI1, USART1) at 96 MHz.
fn clocks() -> embassy_stm32::Config {
    let mut config = embassy_stm32::Config::default();
    config.rcc.hse = Some(rcc::Hse { freq: Hertz(25_000_000), mode: rcc::HseMode::Oscillator });
    config.rcc.pll_src = rcc::PllSource::HSE;
    config.rcc.pll = Some(rcc::Pll {
        prediv: rcc::PllPreDiv::DIV25,
        mul: rcc::PllMul::MUL192,
        divp: Some(rcc::PllPDiv::DIV2),
        divq: Some(rcc::PllQDiv::DIV4),
        divr: None,
    });
    config.rcc.sys = rcc::Sysclk::PLL1_P;
    config.rcc.ahb_pre = rcc::AHBPrescaler::DIV1;
    config.rcc.apb1_pre = rcc::APBPrescaler::DIV2;
    config.rcc.apb2_pre = rcc::APBPrescaler::DIV1;
    config
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_stm32::init(clocks());
    defmt::info!("blackpill-spi-bridge starting");

    // The ping-pong: the capture task fills one half while the USB writer sends the other.
    let (halves_tx, halves_rx) = HALF_QUEUE.init(Channel::new(HALVES.take())).split();

    let uart = defmt::unwrap!(BufferedUart::new(
        p.USART1,
        p.PA10,
        p.PA9,
        UART_TX_BUF.take(),
        UART_RX_BUF.take(),
        Irqs,
        uart::config(),
    ));
    let (uart_tx, uart_rx) = uart::split(uart);

    let mut usb_config = embassy_stm32::usb::Config::default();
    // The Blackpill does not route VBUS to PA9 (used here as USART1 TX); it is bus powered.
    usb_config.vbus_detection = false;
    let driver = embassy_stm32::usb::Driver::new_fs(p.USB_OTG_FS, Irqs, p.PA12, p.PA11, USB_EP_OUT.take(), usb_config);
    // pid.codes test VID/PID: for development; a product needs its own.
    let mut config = embassy_usb::Config::new(0x1209, 0x0001);
    config.manufacturer = Some("serial-dialects");
    config.product = Some("VectorDebug SPI bridge");
    config.serial_number = Some("blackpill-spi-bridge");
    config.max_power = 100;
    let mut builder = embassy_usb::Builder::new(
        driver,
        config,
        USB_CONFIG_DESC.take(),
        USB_BOS_DESC.take(),
        &mut [],
        USB_CONTROL.take(),
    );
    let class = CdcAcmClass::new(&mut builder, CDC_STATE.init(State::new()), MAX_PACKET);
    let (usb_tx, usb_rx) = class.split();
    let device = builder.build();

    let spi = SpiParts { spi: p.SPI1, nss: p.PA4, sck: p.PA5, miso: p.PA6, mosi: p.PA7, dma: p.DMA2_CH0 };

    spawner.spawn(defmt::unwrap!(usb::device(device)));
    spawner.spawn(defmt::unwrap!(usb::to_host(usb_tx, halves_rx, WIRE.take())));
    spawner.spawn(defmt::unwrap!(usb::from_host(usb_rx, uart_tx)));
    spawner.spawn(defmt::unwrap!(uart::rx_to_host(uart_rx)));
    spawner.spawn(defmt::unwrap!(spi_capture::capture(spi, SPI_RING.take(), halves_tx)));
}
