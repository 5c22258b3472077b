//! `nucleo-l432kc-ina219`: the powerscope power monitor, revision 1, on a Nucleo-32
//! STM32L432KC with an INA219 breakout.
//!
//! The protocol is the library's powerscope device model
//! (`serial_dialects::powerscope::device::Model`, the code the simulator runs), shared by
//! four tasks behind a blocking mutex:
//!
//! * [`usb::run`] drives the USB device (CDC ACM, D+ PA12, D− PA11).
//! * [`usb::commands`] hands every CDC read to the model, which decodes and answers the
//!   commands.
//! * [`sampler::run`] copies each INA219's registers into the model's sample source every
//!   millisecond and lets the model take the STREAM samples that are due.
//! * [`usb::transmit`] sends what the model has (replies first, then stream frames from its
//!   drop-oldest queue), one whole frame per USB packet, and only while the host asserts
//!   DTR.

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
use embassy_sync::mutex::Mutex;
use embassy_sync::signal::Signal;
use nucleo_l432kc_ina219::LatestReadings;
use nucleo_l432kc_ina219::ina219::Ina219;
use serial_dialects::powerscope::Config;
use serial_dialects::powerscope::device::{Model, Settings};
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

type Cs = CriticalSectionRawMutex;

/// The device model, with the chips' latest readings as its sample source; shared by the
/// tasks (held only briefly, never across an await).
pub type SharedDevice = BlockingMutex<Cs, RefCell<Model<LatestReadings<SENSOR_COUNT>>>>;

/// The I2C bus and its INA219s, shared by the sampler and READ_SENSOR (held across reads).
pub struct Sensors {
    /// I2C1, SCL PB6 (D5), SDA PB7 (D4).
    pub i2c: I2c<'static, Async, Master>,
    /// One driver per entry of the sensor table.
    pub chips: [Ina219; SENSOR_COUNT],
}

/// [`Sensors`] behind an async mutex.
pub type SharedSensors = Mutex<Cs, Sensors>;

/// Raised when the model may have new output (a command arrived, a sample was taken).
pub static OUTPUT_READY: Signal<Cs, ()> = Signal::new();

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

    let settings = Settings {
        sensors: SENSORS.iter().map(|&(runtime_id, _)| runtime_id).collect(),
        uid: embassy_stm32::uid::uid(),
        // This board samples exactly at the period (the shipped firmware's state machine
        // added 3 ms).
        sample_overhead_ms: 0,
        queue_depth: STREAM_QUEUE_FRAMES,
        ..Settings::new(Config::r1())
    };
    static DEVICE_CELL: StaticCell<SharedDevice> = StaticCell::new();
    let device =
        DEVICE_CELL.init(BlockingMutex::new(RefCell::new(Model::with_source(settings, LatestReadings::new()))));

    let usb = usb::Usb::new(p.USB, p.PA12, p.PA11, Irqs);
    spawner.spawn(usb::run(usb.device).unwrap());
    spawner.spawn(usb::commands(usb.receiver, device).unwrap());
    spawner.spawn(usb::transmit(usb.sender, usb.control, device).unwrap());
    spawner.spawn(sampler::run(device, sensors).unwrap());
}

/// The model's clock: ms since boot (the model truncates it to u32 for `ts_ms` and
/// GET_UPTIME, which wrap after 49.7 days like the shipped firmware's HAL tick).
pub fn now_ms() -> u64 {
    embassy_time::Instant::now().as_millis()
}
