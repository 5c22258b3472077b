//! USB CDC ACM: the device, the command reader and the DTR-gated frame writer.

use embassy_futures::select::select3;
use embassy_stm32::usb::{DmPin, DpPin, Driver};
use embassy_stm32::{Peri, peripherals};
use embassy_time::{Instant, Timer};
use embassy_usb::class::cdc_acm::{CdcAcmClass, ControlChanged, Receiver, Sender, State};
use embassy_usb::driver::EndpointError;
use embassy_usb::{Builder, UsbDevice};
use serial_dialects::device::Device;
use serial_dialects::powerscope::Revision;
use static_cell::StaticCell;

use crate::{Irqs, OUTPUT_READY, SharedDevice, now_ms};

type UsbDriver = Driver<'static, peripherals::USB>;

/// A revision-1 frame is at most 64 bytes: one full-speed bulk packet.
const MAX_PACKET: u16 = Revision::R1.max_frame_len() as u16;

/// The CDC ACM function, split for the three tasks.
pub struct Usb {
    /// Runs the USB state machine.
    pub device: UsbDevice<'static, UsbDriver>,
    /// Host → device bulk endpoint.
    pub receiver: Receiver<'static, UsbDriver>,
    /// Device → host bulk endpoint.
    pub sender: Sender<'static, UsbDriver>,
    /// DTR / RTS as set by the host.
    pub control: ControlChanged<'static>,
}

impl Usb {
    /// Builds a CDC ACM device on the USB FS peripheral (D+ PA12, D− PA11). ST's VCP ids
    /// (0483:5740) are the ones the shipped host tools look for.
    pub fn new(
        usb: Peri<'static, peripherals::USB>,
        dp: Peri<'static, impl DpPin<peripherals::USB>>,
        dm: Peri<'static, impl DmPin<peripherals::USB>>,
        irqs: Irqs,
    ) -> Usb {
        let driver = Driver::new(usb, irqs, dp, dm);
        let mut config = embassy_usb::Config::new(0x0483, 0x5740);
        config.manufacturer = Some("serial-dialects");
        config.product = Some("powerscope INA219 (nucleo-l432kc)");
        config.serial_number = Some(embassy_stm32::uid::uid_hex());
        config.max_power = 100;
        config.max_packet_size_0 = 64;

        static CONFIG_DESCRIPTOR: StaticCell<[u8; 256]> = StaticCell::new();
        static BOS_DESCRIPTOR: StaticCell<[u8; 256]> = StaticCell::new();
        static CONTROL_BUF: StaticCell<[u8; 64]> = StaticCell::new();
        static CDC_STATE: StaticCell<State> = StaticCell::new();
        let mut builder = Builder::new(
            driver,
            config,
            CONFIG_DESCRIPTOR.init([0; 256]),
            BOS_DESCRIPTOR.init([0; 256]),
            &mut [], // no Microsoft OS descriptors
            CONTROL_BUF.init([0; 64]),
        );
        let class = CdcAcmClass::new(&mut builder, CDC_STATE.init(State::new()), MAX_PACKET);
        let (sender, receiver, control) = class.split_with_control();
        Usb { device: builder.build(), receiver, sender, control }
    }
}

/// Runs the USB device (enumeration, control requests, suspend).
#[embassy_executor::task]
pub async fn run(mut device: UsbDevice<'static, UsbDriver>) -> ! {
    device.run().await
}

/// Hands every host write to the model, which decodes the commands (resynchronising after
/// noise or a corrupted frame by itself) and queues their answers.
#[embassy_executor::task]
pub async fn commands(mut receiver: Receiver<'static, UsbDriver>, device: &'static SharedDevice) -> ! {
    let mut packet = [0u8; MAX_PACKET as usize];
    loop {
        receiver.wait_connection().await;
        loop {
            let n = match receiver.read_packet(&mut packet).await {
                Ok(n) => n,
                Err(EndpointError::Disabled) => break,
                Err(EndpointError::BufferOverflow) => continue, // cannot happen: 64-byte buffer
            };
            let stats = device.lock(|d| {
                let mut d = d.borrow_mut();
                d.receive(&packet[..n], now_ms());
                *d.stats()
            });
            defmt::debug!("{=u64} request(s), {=u64} bad input(s) so far", stats.requests, stats.bad_input);
            OUTPUT_READY.signal(());
        }
    }
}

/// Sends the model's output (replies first, then stream frames), one whole frame per
/// packet, while DTR is asserted.
#[embassy_executor::task]
pub async fn transmit(
    mut sender: Sender<'static, UsbDriver>,
    control: ControlChanged<'static>,
    device: &'static SharedDevice,
) -> ! {
    // Revision-1 frames are at most 64 bytes: one packet each.
    let mut frame = [0u8; MAX_PACKET as usize];
    let mut dropped = 0;
    loop {
        sender.wait_connection().await;
        if !control.dtr() {
            // Port closed: the model keeps sampling into its queue (the oldest frames are
            // dropped when full) until DTR returns.
            control.control_changed().await;
            continue;
        }
        let (sent, poll_at, stats) = device.lock(|d| {
            let mut d = d.borrow_mut();
            let sent = d.transmit(now_ms(), &mut frame);
            (sent, d.poll_at(), *d.stats())
        });
        if stats.dropped != dropped {
            defmt::debug!("host too slow: {=u64} frame(s) dropped so far", stats.dropped);
            dropped = stats.dropped;
        }
        let Some(sent) = sent else {
            // Whichever comes first: the next sample, new output, or DTR dropping.
            let wake = poll_at.map_or(Instant::MAX, Instant::from_millis);
            select3(Timer::at(wake), OUTPUT_READY.wait(), control.control_changed()).await;
            continue;
        };
        // One frame per packet: a slow host makes this wait, and the model's queue drops
        // old frames meanwhile. If the cable goes, the frame in hand is lost.
        if sender.write_packet(&frame[..sent.len]).await.is_err() {
            defmt::warn!("USB disconnected, one frame lost");
        }
    }
}
