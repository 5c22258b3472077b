//! What each dialect's frames carry, as points of series in physical units.

use std::collections::HashMap;

use serial_dialects::stream::Dialect;
use serial_dialects::{ascii_crc8, plot, pmu30, powerscope, vectordebug};

use super::{Axis, Emit, Scalings, SeriesInfo};

/// A dialect whose frames carry quantities worth plotting.
pub trait Plottable: Dialect {
    /// What extraction keeps between frames (names, unwrapped counters).
    type Tracker: Send;
    /// The x axis of every series of the dialect.
    const AXIS: Axis;
    /// A tracker for one stream.
    fn tracker(scalings: Scalings) -> Self::Tracker;
    /// The points one frame carries.
    fn extract(tracker: &mut Self::Tracker, frame: &Self::Message<'_>, emit: &mut Emit<'_>);
}

/// Plot: DATA values over the DATA frame count, named by LABEL frames, scaled per channel.
pub struct PlotTracker {
    samples: u64,
    names: HashMap<u8, String>,
    scalings: Scalings,
}

impl Plottable for plot::Plot {
    type Tracker = PlotTracker;
    const AXIS: Axis = Axis { title: "sample", seconds_per_unit: None, default_window: 500.0 };

    fn tracker(scalings: Scalings) -> PlotTracker {
        PlotTracker { samples: 0, names: HashMap::new(), scalings }
    }

    fn extract(tracker: &mut PlotTracker, frame: &plot::Message<'_>, emit: &mut Emit<'_>) {
        match frame {
            plot::Message::Data(data) => {
                let x = tracker.samples as f64;
                tracker.samples = tracker.samples.saturating_add(1);
                for (index, raw) in data.values().enumerate() {
                    // A frame has at most 255 values (COUNT is a byte).
                    let channel = u8::try_from(index).unwrap_or(u8::MAX);
                    let y = tracker.scalings.of(channel).apply(raw);
                    let names = &tracker.names;
                    emit.point(u32::from(channel), x, y, || SeriesInfo {
                        name: names.get(&channel).cloned().unwrap_or_else(|| format!("ch{channel}")),
                        unit: "",
                    });
                }
            }
            plot::Message::Label(labels) => {
                for entry in labels.entries() {
                    let name = entry.name().to_string();
                    emit.rename(u32::from(entry.index), name.clone());
                    tracker.names.insert(entry.index, name);
                }
            }
            plot::Message::Text(_) | plot::Message::Commands(_) => {}
        }
    }
}

/// VectorDebug: `seq`, unwrapped past its 16 bits.
#[derive(Default)]
pub struct SeqUnwrap {
    last: Option<u16>,
    unwrapped: u64,
}

impl SeqUnwrap {
    fn next(&mut self, seq: u16) -> u64 {
        if let Some(last) = self.last {
            // seq only moves forward; a gap is a forward jump (lost frames).
            self.unwrapped = self.unwrapped.saturating_add(u64::from(seq.wrapping_sub(last)));
        } else {
            self.unwrapped = u64::from(seq);
        }
        self.last = Some(seq);
        self.unwrapped
    }
}

/// The names of vectordebug's six variables: the firmware chooses what they hold.
const VECTORDEBUG_NAMES: [&str; 6] =
    ["payload[0]", "payload[1]", "payload[2]", "payload[3]", "payload[4]", "payload[5]"];

impl Plottable for vectordebug::VectorDebug {
    type Tracker = SeqUnwrap;
    // One record per control cycle at 20 kHz.
    const AXIS: Axis = Axis { title: "seq", seconds_per_unit: Some(1.0 / 20_000.0), default_window: 20_000.0 };

    fn tracker(_: Scalings) -> SeqUnwrap {
        SeqUnwrap::default()
    }

    fn extract(tracker: &mut SeqUnwrap, frame: &vectordebug::Message<'_>, emit: &mut Emit<'_>) {
        for record in frame.records() {
            let x = tracker.next(record.seq) as f64;
            for (key, (value, name)) in record.payload.iter().zip(VECTORDEBUG_NAMES).enumerate() {
                emit.point(key as u32, x, f64::from(*value), || SeriesInfo { name: name.to_string(), unit: "" });
            }
        }
    }
}

impl Plottable for powerscope::PowerScope {
    type Tracker = ();
    const AXIS: Axis = Axis { title: "time (s)", seconds_per_unit: Some(1.0), default_window: 10.0 };

    fn tracker(_: Scalings) {}

    /// INA219 samples of revision 1: voltage, current and power per sensor.
    fn extract(_: &mut (), frame: &powerscope::Message<'_>, emit: &mut Emit<'_>) {
        let powerscope::Message::Stream(stream) = frame else { return };
        let Some(sample) = stream.packet.ina219() else { return };
        let x = f64::from(stream.ts_ms) / 1000.0;
        let sensor = sample.runtime_id;
        let quantities: [(&str, &'static str, f64); 3] = [
            ("voltage", "V", f64::from(sample.bus_volts())),
            ("current", "mA", f64::from(sample.current_ma())),
            // Exact (mV × µA = nW), then mW.
            ("power", "mW", sample.power_nw() as f64 / 1e6),
        ];
        for (index, (what, unit, y)) in quantities.into_iter().enumerate() {
            let key = u32::from(sensor) * 3 + index as u32;
            emit.point(key, x, y, || SeriesInfo { name: format!("sensor {sensor} {what}"), unit });
        }
    }
}

/// pmu30: which channels have been used (a channel that stays OFF at 0 mA is not drawn).
pub struct ChannelsSeen([bool; pmu30::telemetry::CHANNELS]);

const PMU30_INPUT_VOLTAGE: u32 = 100;
const PMU30_TEMPERATURE: u32 = 101;

impl Plottable for pmu30::Pmu30 {
    type Tracker = ChannelsSeen;
    const AXIS: Axis = Axis { title: "time (s)", seconds_per_unit: Some(1.0), default_window: 10.0 };

    fn tracker(_: Scalings) -> ChannelsSeen {
        ChannelsSeen([false; pmu30::telemetry::CHANNELS])
    }

    /// TELEMETRY_DATA: channel currents, input voltage and temperature.
    fn extract(seen: &mut ChannelsSeen, frame: &pmu30::Message<'_>, emit: &mut Emit<'_>) {
        let pmu30::Message::TelemetryData(telemetry) = frame else { return };
        let x = f64::from(telemetry.timestamp_ms) / 1000.0;
        let channels = telemetry.output_currents.iter().zip(&telemetry.channel_states);
        for ((channel, (&current, state)), seen) in channels.enumerate().zip(seen.0.iter_mut()) {
            *seen |= current != 0 || *state != pmu30::ChannelState::Off;
            if *seen {
                emit.point(channel as u32, x, f64::from(current), || SeriesInfo {
                    name: format!("ch{channel} current"),
                    unit: "mA",
                });
            }
        }
        // Millivolts to volts in f64 (exact to the millivolt).
        emit.point(PMU30_INPUT_VOLTAGE, x, f64::from(telemetry.input_voltage) / 1000.0, || SeriesInfo {
            name: "input voltage".to_string(),
            unit: "V",
        });
        emit.point(PMU30_TEMPERATURE, x, f64::from(telemetry.temperature), || SeriesInfo {
            name: "temperature".to_string(),
            unit: "°C",
        });
    }
}

impl Plottable for ascii_crc8::AsciiCrc8 {
    /// Lux readings so far.
    type Tracker = u64;
    const AXIS: Axis = Axis { title: "reading", seconds_per_unit: None, default_window: 100.0 };

    fn tracker(_: Scalings) -> u64 {
        0
    }

    /// DOWNLOAD and VIEW replies, in order of arrival (a VIEW frame's values oldest first).
    fn extract(readings: &mut u64, frame: &ascii_crc8::Message<'_>, emit: &mut Emit<'_>) {
        let ascii_crc8::Message::Reply(reply) = frame else { return };
        let mut lux = |value: u16| {
            emit.point(0, *readings as f64, f64::from(value), || SeriesInfo { name: "lux".to_string(), unit: "lx" });
            *readings = readings.saturating_add(1);
        };
        match reply.answer {
            Some(ascii_crc8::Answer::Lux(value)) => lux(value),
            Some(ascii_crc8::Answer::View { values, .. }) => {
                // Newest first on the wire.
                (0..values.len()).rev().filter_map(|i| values.get(i)).for_each(lux);
            }
            _ => {}
        }
    }
}
