//! The sampling task: each streaming INA219 is read at its own period and every reading
//! becomes one STREAM frame in the drop-oldest queue.

use embassy_futures::select::select;
use embassy_time::{Duration, Instant, Timer};

use crate::{FRAME_READY, SCHEDULE_CHANGED, SENSOR_COUNT, STREAM_QUEUE, SharedDevice, SharedSensors, now_ms};

/// Reads the sensors on schedule until the end of time.
#[embassy_executor::task]
pub async fn run(device: &'static SharedDevice, sensors: &'static SharedSensors) -> ! {
    // When each streaming sensor is due next; `None` while it does not stream.
    let mut due: [Option<Instant>; SENSOR_COUNT] = [None; SENSOR_COUNT];
    loop {
        let now = Instant::now();
        for (index, next) in due.iter_mut().enumerate() {
            let Some((period_ms, restarted)) = device.lock(|d| d.borrow_mut().take_schedule(index)) else {
                *next = None;
                continue;
            };
            let period = Duration::from_millis(u64::from(period_ms));
            let at = match *next {
                Some(at) if !restarted => at,
                _ => now, // just started: first sample right away
            };
            if at > now {
                // A shorter period set since the last sample applies from now on.
                *next = Some(at.min(now + period));
                continue;
            }
            sample(index, device, sensors).await;
            // Keep the cadence drift-free; after a stall (a long I2C timeout) restart it
            // from the end of the read rather than firing a burst of late samples.
            let following = at + period;
            let done = Instant::now();
            *next = Some(if following > done { following } else { done + period });
        }
        match due.iter().flatten().min() {
            Some(&at) => {
                select(Timer::at(at), SCHEDULE_CHANGED.wait()).await;
            }
            None => SCHEDULE_CHANGED.wait().await,
        }
    }
}

/// Reads sensor `index` and queues its STREAM frame.
async fn sample(index: usize, device: &'static SharedDevice, sensors: &'static SharedSensors) {
    let reading = {
        let mut s = sensors.lock().await;
        let crate::Sensors { i2c, chips } = &mut *s;
        let Some(chip) = chips.get_mut(index) else { return };
        chip.read(i2c).await
    };
    let reading = match reading {
        Ok(reading) => reading,
        // No frame and no seq for a failed read: the host sees a slower stream, not a gap.
        Err(e) => return defmt::warn!("INA219 #{=usize}: {}", index, e),
    };
    let frame = match device.lock(|d| d.borrow_mut().stream_frame(index, reading, now_ms())) {
        Some(Ok(frame)) => frame,
        Some(Err(e)) => return defmt::error!("STREAM frame not encodable: {}", e),
        None => return, // STOP_STREAM arrived during the read
    };
    let dropped = STREAM_QUEUE.lock(|q| {
        let mut q = q.borrow_mut();
        q.push(frame).then(|| q.dropped())
    });
    if let Some(total) = dropped {
        defmt::debug!("host too slow: oldest frame dropped ({=u32} so far)", total);
    }
    FRAME_READY.signal(());
}
