//! The ESC's CLI UART (USART1: PA9 TX, PA10 RX), interrupt-driven with small ring buffers.
//! Received bytes go through [`CLI_TO_HOST`] to the USB writer, which sends them as CLI
//! packets; host CLI packets are written to [`Tx`] by the USB reader.

use embassy_stm32::usart::{self, BufferedUart, BufferedUartRx, BufferedUartTx};
use embassy_sync::blocking_mutex::raw::CriticalSectionRawMutex;
use embassy_sync::pipe::Pipe;
use embedded_io_async::Read;

use blackpill_spi_bridge::batch::CLI_CHUNK;
use blackpill_spi_bridge::counters::COUNTERS;

/// The ESC's CLI baud rate.
pub const BAUD: u32 = 115_200;

/// Bytes buffered between the UART and the USB writer: 89 ms of uninterrupted CLI output
/// at 115200 baud, far longer than the writer spends on one DBG_FRAME1 packet.
pub const CLI_PIPE: usize = 4 * CLI_CHUNK;

/// UART RX bytes waiting to become CLI packets.
pub static CLI_TO_HOST: Pipe<CriticalSectionRawMutex, CLI_PIPE> = Pipe::new();

/// The transmit half, used by the USB reader.
pub type Tx = BufferedUartTx<'static>;

/// 8N1 at [`BAUD`].
pub fn config() -> usart::Config {
    let mut config = usart::Config::default();
    config.baudrate = BAUD;
    config
}

/// Splits the UART into its halves.
pub fn split(uart: BufferedUart<'static>) -> (Tx, BufferedUartRx<'static>) {
    uart.split()
}

/// Moves received bytes into [`CLI_TO_HOST`]; what does not fit is dropped and counted
/// (the UART cannot be paused: the ESC has no flow control).
#[embassy_executor::task]
pub async fn rx_to_host(mut rx: BufferedUartRx<'static>) -> ! {
    let mut buf = [0u8; 64];
    loop {
        match rx.read(&mut buf).await {
            Ok(n) => {
                let taken = CLI_TO_HOST.try_write(&buf[..n]).unwrap_or(0);
                if taken < n {
                    COUNTERS.cli_dropped((n - taken) as u32);
                }
            }
            // Framing or noise errors while the ESC is unplugged or rebooting: the byte is
            // gone, the next ones are fine.
            Err(e) => defmt::debug!("UART RX error: {}", e),
        }
    }
}
