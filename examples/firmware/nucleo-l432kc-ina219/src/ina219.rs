//! A small INA219 driver, from the TI datasheet (SBOS448), over any async I2C bus.
//!
//! The sensor runs continuously (shunt and bus, 12-bit, 532 µs each); a read takes the
//! latest conversion from the bus-voltage and current registers. The calibration register
//! makes the chip compute the current itself, so a sample is two register reads.

use embedded_hal_async::i2c::I2c;
pub use serial_dialects::powerscope::load_profile::Reading;

/// The shunt resistor on the breakout, in mΩ (the common Adafruit/clone boards: R100).
pub const SHUNT_MILLIOHMS: u32 = 100;
/// The current register's LSB, in µA: 100 µA gives ±3.2767 A full scale, which covers the
/// ±320 mV shunt range (±3.2 A through 0.1 Ω).
pub const CURRENT_LSB_UA: u32 = 100;
/// Calibration register (datasheet eq. 1): `trunc(0.04096 / (Current_LSB × R_shunt))`,
/// here with µA and mΩ: 40 960 000 / (100 × 100) = 4096.
pub const CALIBRATION: u16 = {
    let cal = 40_960_000 / (CURRENT_LSB_UA * SHUNT_MILLIOHMS);
    assert!(cal > 0 && cal <= 0xFFFE && cal.is_multiple_of(2), "calibration must fit bits 15..1");
    // The current LSB the chip ends up with must be exactly the one we scale by.
    let divisor = cal * SHUNT_MILLIOHMS;
    assert!(40_960_000_u32.is_multiple_of(divisor) && 40_960_000 / divisor == CURRENT_LSB_UA);
    cal as u16
};
/// Configuration register: 32 V bus range, PGA ÷8 (±320 mV shunt), 12-bit bus and shunt
/// ADCs, shunt and bus continuous (the power-on default, written anyway so that a chip
/// left in another mode by earlier firmware is put right).
pub const CONFIG: u16 = 1 << 13 | 0b11 << 11 | 0b0011 << 7 | 0b0011 << 3 | 0b111;

/// Register addresses (datasheet table 2).
pub mod reg {
    /// Configuration.
    pub const CONFIG: u8 = 0x00;
    /// Bus voltage.
    pub const BUS_VOLTAGE: u8 = 0x02;
    /// Current (valid once the calibration register is set).
    pub const CURRENT: u8 = 0x04;
    /// Calibration.
    pub const CALIBRATION: u8 = 0x05;
}

// The library's register maths (`Reading::from_registers`) assumes this current LSB.
const _: () = assert!(CURRENT_LSB_UA as i32 == serial_dialects::powerscope::load_profile::CURRENT_LSB_UA);

/// One INA219 at a 7-bit I2C address. The bus is passed to each call, so several chips
/// can share it.
#[derive(Debug)]
pub struct Ina219 {
    address: u8,
    configured: bool,
}

impl Ina219 {
    /// A chip at `address` (0x40..=0x4F by the A0/A1 straps), not yet configured.
    pub const fn new(address: u8) -> Ina219 {
        Ina219 { address, configured: false }
    }

    /// The chip's I2C address.
    pub const fn address(&self) -> u8 {
        self.address
    }

    /// Writes the configuration and calibration registers.
    pub async fn configure<I: I2c>(&mut self, i2c: &mut I) -> Result<(), I::Error> {
        self.configured = false;
        write_register(i2c, self.address, reg::CONFIG, CONFIG).await?;
        write_register(i2c, self.address, reg::CALIBRATION, CALIBRATION).await?;
        self.configured = true;
        Ok(())
    }

    /// Reads bus voltage and current. A chip that failed to answer before (unplugged,
    /// or reset by a brown-out, which clears the calibration) is configured again first.
    pub async fn read<I: I2c>(&mut self, i2c: &mut I) -> Result<Reading, I::Error> {
        if !self.configured {
            self.configure(i2c).await?;
        }
        let result = async {
            let bus = read_register(i2c, self.address, reg::BUS_VOLTAGE).await?;
            let current = read_register(i2c, self.address, reg::CURRENT).await?;
            Ok(Reading::from_registers(bus, current))
        }
        .await;
        self.configured = result.is_ok();
        result
    }
}

async fn write_register<I: I2c>(i2c: &mut I, address: u8, register: u8, value: u16) -> Result<(), I::Error> {
    let [hi, lo] = value.to_be_bytes();
    i2c.write(address, &[register, hi, lo]).await
}

async fn read_register<I: I2c>(i2c: &mut I, address: u8, register: u8) -> Result<u16, I::Error> {
    let mut value = [0; 2];
    i2c.write_read(address, &[register], &mut value).await?;
    Ok(u16::from_be_bytes(value))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn register_values_match_the_datasheet() {
        assert_eq!(CALIBRATION, 4096);
        assert_eq!(CONFIG, 0x399F);
    }

    #[test]
    fn registers_read_as_the_library_says() {
        // 12.304 V = 3076 × 4 mV, with CNVR (bit 1) and OVF (bit 0) set; 236 × 100 µA.
        assert_eq!(Reading::from_registers(3076 << 3 | 0b11, 236), Reading { bus_mv: 12_304, current_ua: 23_600 });
        assert_eq!(Reading::from_registers(0xFFFF, 0x8000), Reading { bus_mv: 32_764, current_ua: -3_276_800 });
    }
}
