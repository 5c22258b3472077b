//! The sampling task: every millisecond each INA219's registers are copied into the
//! model's latest readings (the chip converts continuously, so this is what reading it at
//! the sample time would give), and the model takes the STREAM samples that are due.

use embassy_time::{Duration, Ticker};

use crate::{OUTPUT_READY, SharedDevice, SharedSensors, now_ms};
use serial_dialects::device::Device;

/// How often the readings are refreshed: about one conversion of the chip (shunt and bus,
/// 12-bit, 532 µs each), and well under the shortest period (5 ms).
const REFRESH: Duration = Duration::from_millis(1);

/// Reads the sensors until the end of time.
#[embassy_executor::task]
pub async fn run(device: &'static SharedDevice, sensors: &'static SharedSensors) -> ! {
    let mut ticker = Ticker::every(REFRESH);
    loop {
        {
            let mut s = sensors.lock().await;
            let crate::Sensors { i2c, chips } = &mut *s;
            for (index, chip) in chips.iter_mut().enumerate() {
                let reading = match chip.read(i2c).await {
                    Ok(reading) => Some(reading),
                    Err(e) => {
                        // No sample and no seq while it fails: the host sees a slower
                        // stream, not a gap; READ_SENSOR gets NACK INTERNAL.
                        defmt::warn!("INA219 #{=usize}: {}", index, e);
                        None
                    }
                };
                device.lock(|d| d.borrow_mut().source_mut().update(index, reading));
            }
        }
        // No bytes: only the clock moves, so the samples due now are taken with these
        // readings even while the host is not reading (DTR low).
        let before = device.lock(|d| {
            let mut d = d.borrow_mut();
            let backlog = d.backlog();
            d.receive(&[], now_ms());
            (backlog, d.backlog())
        });
        if before.1 != before.0 {
            OUTPUT_READY.signal(());
        }
        ticker.next().await;
    }
}
