//! USB CDC ACM: the device, the command reader and the DTR-gated frame writer.

use embassy_futures::select::select3;
use embassy_stm32::usb::{DmPin, DpPin, Driver};
use embassy_stm32::{Peri, peripherals};
use embassy_usb::class::cdc_acm::{CdcAcmClass, ControlChanged, Receiver, Sender, State};
use embassy_usb::driver::EndpointError;
use embassy_usb::{Builder, UsbDevice};
use nucleo_l432kc_ina219::WireFrame;
use nucleo_l432kc_ina219::device::{self, Answer};
use serial_dialects::powerscope::{Cmd, Command, Message, PowerScope, Revision};
use serial_dialects::{EncodeError, StreamDecoder};
use static_cell::StaticCell;

use crate::{FRAME_READY, Irqs, REPLIES, SCHEDULE_CHANGED, STREAM_QUEUE, SharedDevice, SharedSensors, now_ms};

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

/// Reads commands and answers each one. Bytes go through the library's stream decoder,
/// which resynchronises after noise or a corrupted frame by itself.
#[embassy_executor::task]
pub async fn commands(
    mut receiver: Receiver<'static, UsbDriver>,
    device: &'static SharedDevice,
    sensors: &'static SharedSensors,
) -> ! {
    // 64 bytes hold the longest frame, so decoding never depends on how the host chunks.
    let mut decoder: StreamDecoder<PowerScope, { Revision::R1.max_frame_len() }> = StreamDecoder::new(PowerScope::r1());
    let mut packet = [0u8; MAX_PACKET as usize];
    loop {
        receiver.wait_connection().await;
        // A new connection starts a new byte stream: drop any half command of the last one.
        decoder.reset();
        loop {
            let n = match receiver.read_packet(&mut packet).await {
                Ok(n) => n,
                Err(EndpointError::Disabled) => break,
                Err(EndpointError::BufferOverflow) => continue, // cannot happen: 64-byte buffer
            };
            let mut rest = &packet[..n];
            while !rest.is_empty() {
                rest = &rest[decoder.push(rest)..];
                while let Some((event, bytes)) = decoder.next_with_bytes() {
                    let cmd = match event.frame() {
                        Some(Message::Cmd(cmd)) => *cmd,
                        Some(_) => continue, // STREAM / ACK / NACK from the host: nothing to do
                        None => {
                            defmt::debug!("rejected {=usize} byte(s): {}", event.len, event.error_kind());
                            if let Some(frame) = device::refusal(bytes, now_ms()) {
                                reply(frame).await;
                            }
                            continue;
                        }
                    };
                    handle(cmd, device, sensors).await;
                }
            }
        }
    }
}

/// Answers one decoded command.
async fn handle(cmd: Cmd, device: &'static SharedDevice, sensors: &'static SharedSensors) {
    defmt::debug!("command {}", cmd);
    let answer = device.lock(|d| d.borrow_mut().answer(&cmd, now_ms()));
    let frame = match answer {
        Ok(Answer::Reply(frame)) => Ok(frame),
        Ok(Answer::ReadSensor { index }) => {
            let reading = {
                let mut s = sensors.lock().await;
                let crate::Sensors { i2c, chips } = &mut *s;
                match chips.get_mut(index) {
                    Some(chip) => chip.read(i2c).await.map_err(|e| defmt::warn!("READ_SENSOR: {}", e)),
                    None => Err(()),
                }
            };
            match reading {
                Ok(r) => device.lock(|d| d.borrow().sample_reply(&cmd, index, r, now_ms())),
                Err(()) => device::read_failed(&cmd, now_ms()),
            }
        }
        Err(e) => Err(e),
    };
    if matches!(cmd.command, Command::StartStream { .. } | Command::StopStream { .. } | Command::SetPeriod { .. }) {
        SCHEDULE_CHANGED.signal(());
    }
    reply(frame).await;
}

/// Queues an answer for the writer (waiting for a free slot rather than losing it).
async fn reply(frame: Result<WireFrame, EncodeError>) {
    match frame {
        Ok(frame) => REPLIES.send(frame).await,
        // Our messages are within the revision's limits; this would be a firmware bug.
        Err(e) => defmt::error!("reply not encodable: {}", e),
    }
}

/// Sends replies, then stream frames, one whole frame per packet, while DTR is asserted.
#[embassy_executor::task]
pub async fn transmit(mut sender: Sender<'static, UsbDriver>, control: ControlChanged<'static>) -> ! {
    loop {
        sender.wait_connection().await;
        if !control.dtr() {
            // Port closed: frames stay queued (the oldest dropped when full) until DTR returns.
            control.control_changed().await;
            continue;
        }
        let frame = match REPLIES.try_receive() {
            Ok(frame) => frame,
            Err(_) => match STREAM_QUEUE.lock(|q| q.borrow_mut().pop()) {
                Some(frame) => frame,
                None => {
                    // Whichever comes first: a reply, a stream frame, or DTR dropping.
                    select3(REPLIES.ready_to_receive(), FRAME_READY.wait(), control.control_changed()).await;
                    continue;
                }
            },
        };
        // One frame per packet: a slow host makes this wait, and the queue drops old frames
        // meanwhile. If the cable goes, the frame in hand is lost like any other dropped one.
        if sender.write_packet(frame.as_bytes()).await.is_err() {
            defmt::warn!("USB disconnected, one frame lost");
        }
    }
}
