//! Which dialects have a device model, and how the command line's device options map to
//! each model's settings. One line per model in [`simulators!`]; a dialect without a line is
//! refused by name.

use serial_dialects::device::Device;
use serial_dialects::{ascii_crc8, pmu30};

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

/// The registry: `Selected variant => model type, settings builder`. The other dialects'
/// models (powerscope, vectordebug, plot) get their line here when they land.
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

simulators! {
    Pmu30 => pmu30::device::Model, pmu30_settings;
    AsciiCrc8 => ascii_crc8::device::Model, ascii_crc8_settings;
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
