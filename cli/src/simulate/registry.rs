//! Which dialects have a device model, and how the command line's device options map to
//! each model's settings. One line per model in [`simulators!`]; a dialect without a line is
//! refused by name.

use serial_dialects::device::Device;
use serial_dialects::powerscope::{self, Revision};
use serial_dialects::{ascii_crc8, plot, pmu30, vectordebug};

use crate::dialect::Selected;

/// The device options of the command line (`None`: not given).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct DeviceOptions {
    /// `--rate HZ`.
    pub rate: Option<f64>,
    /// `--channels N`.
    pub channels: Option<u32>,
    /// `--seed N`, also the model's noise seed.
    pub seed: u64,
}

/// Runs generic work with the chosen model (the visitor of [`simulate`]).
pub trait ModelJob {
    type Output;
    fn run<M: Device>(self, name: &'static str, model: M) -> Self::Output;
}

/// The registry: `Selected variant => model type, settings builder`, one line per model.
macro_rules! simulators {
    ($($variant:ident => $model:ty, $settings:ident;)*) => {
        /// The dialects that have a device model, for messages.
        pub const SIMULATED: &[&str] = &[$(<<$model as ModelOf>::Dialect as serial_dialects::Dialect>::NAME,)*];

        /// Builds the model of `selected` with `options` and runs `job` with it.
        pub fn simulate<J: ModelJob>(selected: &Selected, options: &DeviceOptions, job: J) -> Result<J::Output, String> {
            match selected {
                $(Selected::$variant(config) => {
                    let settings = $settings(*config, options)?;
                    Ok(job.run(selected.name(), <$model>::new(settings)))
                })*
                #[allow(unreachable_patterns)]
                other => Err(format!(
                    "no device model for {} yet (simulated: {})",
                    other.name(),
                    SIMULATED.join(", ")
                )),
            }
        }
    };
}

/// The dialect a model speaks (for its name in messages).
pub trait ModelOf {
    type Dialect: serial_dialects::Dialect;
}

impl ModelOf for pmu30::device::Model {
    type Dialect = pmu30::Pmu30;
}

impl ModelOf for ascii_crc8::device::Model {
    type Dialect = ascii_crc8::AsciiCrc8;
}

impl ModelOf for vectordebug::device::Model {
    type Dialect = vectordebug::VectorDebug;
}

impl ModelOf for plot::device::Model {
    type Dialect = plot::Plot;
}

/// The simulator's power monitor: the load profile of steps and ramps as its sample source.
type PowerScopeModel = powerscope::device::Model<powerscope::load_profile::LoadProfile>;

impl ModelOf for PowerScopeModel {
    type Dialect = powerscope::PowerScope;
}

simulators! {
    Pmu30 => pmu30::device::Model, pmu30_settings;
    VectorDebug => vectordebug::device::Model, vectordebug_settings;
    Plot => plot::device::Model, plot_settings;
    AsciiCrc8 => ascii_crc8::device::Model, ascii_crc8_settings;
    PowerScope => PowerScopeModel, powerscope_settings;
}

/// A whole number of `what` within `range`, from `--rate`.
fn whole_rate(dialect: &str, hz: f64, range: core::ops::RangeInclusive<u32>, what: &str) -> Result<u32, String> {
    if hz.fract() == 0.0 && hz >= f64::from(*range.start()) && hz <= f64::from(*range.end()) {
        Ok(hz as u32)
    } else {
        Err(format!("{dialect}: --rate {hz} is not {what} ({} to {} Hz, whole)", range.start(), range.end()))
    }
}

/// vectordebug: `--rate` is the ESC's record rate (1–200 000 Hz; 20 000 by default); the six
/// signals of a record are fixed, so `--channels` does not apply.
fn vectordebug_settings(
    _config: vectordebug::Config,
    options: &DeviceOptions,
) -> Result<vectordebug::device::Settings, String> {
    if options.channels.is_some() {
        return Err("vectordebug has no --channels: every record carries the same six signals".into());
    }
    let mut settings = vectordebug::device::Settings { seed: options.seed as u32, ..Default::default() };
    if let Some(hz) = options.rate {
        settings.record_rate_hz = whole_rate("vectordebug", hz, 1..=200_000, "a record rate")?;
    }
    Ok(settings)
}

/// plot: `--rate` is DATA frames per second (1–10 000; 100 by default), `--channels` the values
/// per frame (1 to the variant's limit, 32 or 64; 3 by default).
fn plot_settings(config: plot::Config, options: &DeviceOptions) -> Result<plot::device::Settings, String> {
    let mut settings = plot::device::Settings { config, seed: options.seed as u32, ..Default::default() };
    if let Some(hz) = options.rate {
        settings.rate_hz = whole_rate("plot", hz, 1..=10_000, "a DATA frame rate")?;
    }
    if let Some(n) = options.channels {
        let max = u32::from(config.max_channels);
        if !(1..=max).contains(&n) {
            return Err(format!("plot: --channels {n} is not 1 to {max} (the variant's channel limit)"));
        }
        settings.channels = n as u8;
    }
    Ok(settings)
}

/// powerscope: revision 1 streams each sensor at the period the host sets (SET_PERIOD), so
/// `--rate` does not apply; `--channels N` is the number of INA219s (runtime ids 1..=N, at most
/// 8; 2 by default, the shipped board). Revision 0 streams test frames: `--rate` sets their
/// rate (1–1000 Hz, the period in whole ms; 200 Hz by default), and it has no sensors.
fn powerscope_settings(
    config: powerscope::Config,
    options: &DeviceOptions,
) -> Result<powerscope::device::Settings, String> {
    let mut settings =
        powerscope::device::Settings { seed: options.seed as u32, ..powerscope::device::Settings::new(config) };
    match config.revision {
        Revision::R1 => {
            if options.rate.is_some() {
                return Err("powerscope has no --rate: the host sets each sensor's period (SET_PERIOD)".into());
            }
            if let Some(n) = options.channels {
                let max = powerscope::board::MAX_BOARD_SENSORS as u32;
                if !(1..=max).contains(&n) {
                    return Err(format!("powerscope: --channels {n} is not 1 to {max} sensors"));
                }
                settings.sensors = (1..=n as u8).collect();
            }
        }
        Revision::R0 => {
            if options.channels.is_some() {
                return Err("powerscope:r0 has no --channels: it streams test frames, not sensors".into());
            }
            if let Some(hz) = options.rate {
                let hz = whole_rate("powerscope:r0", hz, 1..=1000, "a frame rate")?;
                if 1000 % hz != 0 {
                    return Err(format!("powerscope:r0: --rate {hz} is not a whole period in ms (1000 / {hz})"));
                }
                settings.r0_period_ms = (1000 / hz) as u16;
            }
        }
    }
    Ok(settings)
}

/// pmu30: `--rate` streams telemetry from power-on (1–100 Hz, as SUBSCRIBE_TELEMETRY
/// allows); `--channels` is the number of enabled outputs (0–30).
fn pmu30_settings(config: pmu30::Config, options: &DeviceOptions) -> Result<pmu30::device::Settings, String> {
    let telemetry_rate_hz = match options.rate {
        None => None,
        Some(hz) if hz.fract() == 0.0 && (1.0..=100.0).contains(&hz) => Some(hz as u16),
        Some(hz) => return Err(format!("pmu30: --rate {hz} is not a telemetry rate (1 to 100 Hz, whole)")),
    };
    let channels = match options.channels {
        None => 30,
        Some(n) if n <= 30 => n as u8,
        Some(n) => return Err(format!("pmu30: --channels {n} is more than the 30 outputs")),
    };
    Ok(pmu30::device::Settings {
        dialect: config,
        channels,
        telemetry_rate_hz,
        seed: options.seed,
        ..pmu30::device::Settings::default()
    })
}

/// ascii-crc8: the light meter sends only answers; its interval is set by the host
/// (SET_INTERVAL), and it has one sensor, so neither `--rate` nor `--channels` applies.
fn ascii_crc8_settings(
    _config: ascii_crc8::Config,
    options: &DeviceOptions,
) -> Result<ascii_crc8::device::Settings, String> {
    if options.rate.is_some() {
        return Err("ascii-crc8 has no --rate: the host sets the measurement interval with SET_INTERVAL".into());
    }
    if options.channels.is_some() {
        return Err("ascii-crc8 has no --channels: the light meter has one sensor".into());
    }
    Ok(ascii_crc8::device::Settings { seed: options.seed, ..ascii_crc8::device::Settings::default() })
}
