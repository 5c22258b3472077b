//! Transmit-only USART output over the `stm32f4` PAC: no HAL, no interrupts, no DMA.
//!
//! QEMU 7.2's `stm32f2xx-usart` model sends a byte as soon as DR is written and always
//! reports TXE and TC set; it ignores BRR and the RCC (unimplemented on the netduinoplus2).
//! The driver still does what silicon needs (clock enable, BRR, UE/TE, TXE polling), so
//! the same code runs on a real STM32F405 at its reset clock (16 MHz HSI).

use stm32f4::stm32f405::{self as pac, uart4, usart1};

/// 115200 baud from the 16 MHz reset clock: USARTDIV = 16 MHz / (16 × 115200) = 8.68,
/// mantissa 8 and fraction round(0.68 × 16) = 11 (115 942 baud, +0.6 %).
const BRR_MANTISSA: u16 = 8;
const BRR_FRACTION: u8 = 11;

/// A USART that sends bytes.
pub trait Port {
    /// Sets 115200 8N1, transmitter on (the clock must already be enabled).
    fn enable(&self);
    /// Sends `bytes` and waits until the last one has left the shift register.
    fn send(&self, bytes: &[u8]);
}

/// USART1/2/3/6 and UART4/5 have register blocks of different types with the same
/// transmit registers.
macro_rules! impl_port {
    ($($block:ty),+) => {$(
        impl Port for $block {
            fn enable(&self) {
                self.brr().write(|w| w.div_mantissa().set(BRR_MANTISSA).div_fraction().set(BRR_FRACTION));
                self.cr1().write(|w| w.ue().set_bit().te().set_bit());
            }

            fn send(&self, bytes: &[u8]) {
                for &byte in bytes {
                    while self.sr().read().txe().bit_is_clear() {}
                    self.dr().write(|w| w.dr().set(u16::from(byte)));
                }
                while self.sr().read().tc().bit_is_clear() {}
            }
        }
    )+};
}

impl_port!(usart1::RegisterBlock, uart4::RegisterBlock);

/// The six serial ports in QEMU's `-serial` order.
pub struct Ports {
    usart1: pac::USART1,
    usart2: pac::USART2,
    usart3: pac::USART3,
    uart4: pac::UART4,
    uart5: pac::UART5,
    usart6: pac::USART6,
}

impl Ports {
    /// Clocks and enables all six.
    pub fn new(p: pac::Peripherals) -> Ports {
        p.RCC.apb2enr().modify(|_, w| w.usart1en().set_bit().usart6en().set_bit());
        p.RCC
            .apb1enr()
            .modify(|_, w| w.usart2en().set_bit().usart3en().set_bit().uart4en().set_bit().uart5en().set_bit());
        let ports = Ports {
            usart1: p.USART1,
            usart2: p.USART2,
            usart3: p.USART3,
            uart4: p.UART4,
            uart5: p.UART5,
            usart6: p.USART6,
        };
        for k in 0..6 {
            if let Some((port, _)) = ports.get(k) {
                port.enable();
            }
        }
        ports
    }

    /// Port `k` of QEMU's `-serial` list (0 = USART1 … 5 = USART6) and its name.
    pub fn get(&self, k: usize) -> Option<(&dyn Port, &'static str)> {
        Some(match k {
            0 => (&*self.usart1 as &dyn Port, "USART1"),
            1 => (&*self.usart2, "USART2"),
            2 => (&*self.usart3, "USART3"),
            3 => (&*self.uart4, "UART4"),
            4 => (&*self.uart5, "UART5"),
            5 => (&*self.usart6, "USART6"),
            _ => return None,
        })
    }
}

/// A port as an `embedded_io::Write` (what the library's `io::embedded::write_message` and
/// any other embedded-io code writes to).
pub struct Tx<'a>(pub &'a dyn Port);

impl embedded_io::ErrorType for Tx<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Write for Tx<'_> {
    fn write(&mut self, buf: &[u8]) -> Result<usize, Self::Error> {
        self.0.send(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> Result<(), Self::Error> {
        Ok(())
    }
}

/// The bytes sent, read back as a receiver would see them in pieces of `chunk` bytes: an
/// `embedded_io::Read` for the library's reader.
pub struct Pieces<'a> {
    rest: &'a [u8],
    chunk: usize,
}

impl<'a> Pieces<'a> {
    pub fn new(bytes: &'a [u8], chunk: usize) -> Self {
        Pieces { rest: bytes, chunk: chunk.max(1) }
    }
}

impl embedded_io::ErrorType for Pieces<'_> {
    type Error = core::convert::Infallible;
}

impl embedded_io::Read for Pieces<'_> {
    fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        let n = self.chunk.min(buf.len()).min(self.rest.len());
        let (piece, rest) = self.rest.split_at(n);
        buf[..n].copy_from_slice(piece);
        self.rest = rest;
        Ok(n)
    }
}
