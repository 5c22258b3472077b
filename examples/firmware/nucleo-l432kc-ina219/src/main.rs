//! `nucleo-l432kc-ina219`: the powerscope power monitor, revision 1, on a Nucleo-32
//! STM32L432KC with an INA219 breakout.
//!
//! Four tasks share a few statics:
//!
//! * [`usb::run`] drives the USB device (CDC ACM, D+ PA12, D− PA11).
//! * [`usb::commands`] feeds CDC reads to the library's `StreamDecoder` and answers every
//!   command through the [`REPLIES`] channel.
//! * [`sampler::run`] reads each streaming INA219 at its period and appends a STREAM frame
//!   to [`STREAM_QUEUE`], which drops its oldest whole frame when full.
//! * [`usb::transmit`] sends replies first, then stream frames, one whole frame per USB
//!   packet, and only while the host asserts DTR.

#![no_std]
#![no_main]

mod sampler;
mod usb;

use core::cell::RefCell;

use embassy_executor::Spawner;
use embassy_stm32::i2c::{self, I2c, Master};
use embassy_stm32::mode::Async;
use embassy_stm32::time::Hertz;
use embassy_stm32::{bind_interrupts, dma, peripherals};
use embassy_sync::blocking_mutex::Mutex as BlockingMutex;
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::channel::Channel;
use embassy_sync::mutex::Mutex;
use embassy_sync::signal::Signal;
use nucleo_l432kc_ina219::ina219::Ina219;
use nucleo_l432kc_ina219::{Device, FrameQueue, WireFrame};
use static_cell::StaticCell;
use {defmt_rtt as _, panic_probe as _};

/// The board's INA219s: runtime id (what the host addresses) and 7-bit I2C address. The
/// shipped firmware numbers them from 1; a second breakout with A0 bridged (0x41) would be
/// `(2, 0x41)`.
const SENSORS: [(u8, u8); 1] = [(1, 0x40)];
/// Number of sensors.
pub const SENSOR_COUNT: usize = SENSORS.len();

/// Stream frames buffered while the host is slow or DTR is low: 128 × 25-byte INA219
/// frames, 0.64 s at the fastest period (5 ms), 128 s at the default 1 s.
const STREAM_QUEUE_FRAMES: usize = 128;
/// Replies waiting for the USB writer. The command task waits when they are all taken,
/// so a burst of commands slows the host down instead of losing answers.
const REPLY_SLOTS: usize = 4;

type Cs = CriticalSectionRawMutex;

/// Command state shared by the command task and the sampler (held only briefly).
pub type SharedDevice = BlockingMutex<Cs, RefCell<Device<SENSOR_COUNT>>>;

/// The I2C bus and its INA219s, shared by the sampler and READ_SENSOR (held across reads).
pub struct Sensors {
    /// I2C1, SCL PB6 (D5), SDA PB7 (D4).
    pub i2c: I2c<'static, Async, Master>,
    /// One driver per entry of the sensor table.
    pub chips: [Ina219; SENSOR_COUNT],
}

/// [`Sensors`] behind an async mutex.
pub type SharedSensors = Mutex<Cs, Sensors>;

/// STREAM frames for the USB writer.
pub static STREAM_QUEUE: BlockingMutex<Cs, RefCell<FrameQueue<STREAM_QUEUE_FRAMES>>> =
    BlockingMutex::new(RefCell::new(FrameQueue::new()));
/// Raised when a frame enters [`STREAM_QUEUE`].
pub static FRAME_READY: Signal<Cs, ()> = Signal::new();
/// ACK and NACK frames for the USB writer; they go before stream frames.
pub static REPLIES: Channel<Cs, WireFrame, REPLY_SLOTS> = Channel::new();
/// Raised when a command starts or stops a stream or changes a period.
pub static SCHEDULE_CHANGED: Signal<Cs, ()> = Signal::new();

bind_interrupts!(struct Irqs {
    USB => embassy_stm32::usb::InterruptHandler<peripherals::USB>;
    I2C1_EV => i2c::EventInterruptHandler<peripherals::I2C1>;
    I2C1_ER => i2c::ErrorInterruptHandler<peripherals::I2C1>;
    DMA1_CHANNEL6 => dma::InterruptHandler<peripherals::DMA1_CH6>;
    DMA1_CHANNEL7 => dma::InterruptHandler<peripherals::DMA1_CH7>;
});

/// 80 MHz from HSI16 through the PLL; USB from HSI48, trimmed to the host's start-of-frame
/// packets by the CRS (the Nucleo-32 has no crystal for USB).
fn clocks() -> embassy_stm32::Config {
    use embassy_stm32::rcc::*;
    let mut config = embassy_stm32::Config::default();
    config.rcc.hsi = true;
    config.rcc.pll = Some(Pll {
        source: PllSource::HSI,
        prediv: PllPreDiv::DIV1,
        mul: PllMul::MUL10,
        divp: None,
        divq: None,
        divr: Some(PllRDiv::DIV2), // 16 MHz × 10 / 2 = 80 MHz
    });
    config.rcc.sys = Sysclk::PLL1_R;
    config.rcc.hsi48 = Some(Hsi48Config { sync_from_usb: true });
    config.rcc.mux.clk48sel = mux::Clk48sel::HSI48;
    config
}

#[embassy_executor::main]
async fn main(spawner: Spawner) {
    let p = embassy_stm32::init(clocks());
    defmt::info!("nucleo-l432kc-ina219: powerscope revision 1");

    let mut i2c_config = i2c::Config::default();
    i2c_config.frequency = Hertz::khz(400); // INA219 fast mode; the breakout has 10 kΩ pull-ups
    let i2c = I2c::new(p.I2C1, p.PB6, p.PB7, p.DMA1_CH6, p.DMA1_CH7, Irqs, i2c_config);

    static SENSORS_CELL: StaticCell<SharedSensors> = StaticCell::new();
    let sensors =
        SENSORS_CELL.init(Mutex::new(Sensors { i2c, chips: SENSORS.map(|(_, address)| Ina219::new(address)) }));
    {
        let mut s = sensors.lock().await;
        let Sensors { i2c, chips } = &mut *s;
        for chip in chips {
            match chip.configure(i2c).await {
                Ok(()) => defmt::info!("INA219 at {=u8:#x} configured", chip.address()),
                // Not fatal: every read configures the chip again until it answers.
                Err(e) => defmt::warn!("INA219 at {=u8:#x} does not answer: {}", chip.address(), e),
            }
        }
    }

    static DEVICE_CELL: StaticCell<SharedDevice> = StaticCell::new();
    let device = DEVICE_CELL.init(BlockingMutex::new(RefCell::new(Device::new(
        SENSORS.map(|(runtime_id, _)| runtime_id),
        embassy_stm32::uid::uid(),
    ))));

    let usb = usb::Usb::new(p.USB, p.PA12, p.PA11, Irqs);
    spawner.spawn(usb::run(usb.device).unwrap());
    spawner.spawn(usb::commands(usb.receiver, device, sensors).unwrap());
    spawner.spawn(usb::transmit(usb.sender, usb.control).unwrap());
    spawner.spawn(sampler::run(device, sensors).unwrap());
}

/// Device uptime in ms, as `ts_ms` and GET_UPTIME carry it (wraps after 49.7 days, like
/// the shipped firmware's HAL tick).
pub fn now_ms() -> u32 {
    embassy_time::Instant::now().as_millis() as u32
}
