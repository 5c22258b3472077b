//! Host → device CLI packets: the USB reader's decoding, without the I/O.
//!
//! The USB reader reads each USB packet into [`HostCli::usb_packet`], reports its length
//! with [`HostCli::received`], and then alternates [`HostCli::advance`] and
//! [`HostCli::next`] until `advance` returns false:
//!
//! ```text
//! host.received(n);
//! while host.advance() {
//!     while let Some(event) = host.next() { /* write HostEvent::Cli bytes to the UART */ }
//! }
//! ```
//!
//! Two steps rather than one iterator because each event borrows the decoder's buffer,
//! which the next push may move.

use serial_dialects::vectordebug::{Config, PacketType, PayloadBytes, VectorDebug};
use serial_dialects::{DialectError, ErrorKind, Item, StreamDecoder};

/// Full-speed bulk packet size of the CDC endpoints.
pub const MAX_PACKET: u16 = 64;

const USB_PACKET: usize = MAX_PACKET as usize;

/// Host → device packets are keystrokes and pasted text: the PC tool sends at most 2032
/// bytes of text per packet, so 2048 decoded bytes bound them.
pub const FROM_HOST: Config = Config { max_packet: 2048 };

/// The host → device decoder buffer: the longest wire frame of [`FROM_HOST`] (2058 bytes).
pub const FROM_HOST_BUF: usize = FROM_HOST.max_frame_len();

/// One complete host → device packet (or rejected run of bytes).
pub enum HostEvent<'a> {
    /// A CLI packet: its payload, for the UART.
    Cli(CliBytes<'a>),
    /// A valid packet of another type, which the bridge does not act on.
    Ignored(PacketType),
    /// Bytes that are not a valid packet.
    Rejected(ErrorKind),
}

/// The payload of a CLI packet, decoded from its COBS bytes on the fly.
pub struct CliBytes<'a>(PayloadBytes<'a>);

impl CliBytes<'_> {
    /// Copies the next payload bytes into `buf` (a UART burst) and returns how many; 0 at
    /// the end of the payload.
    pub fn read(&mut self, buf: &mut [u8]) -> usize {
        let mut n = 0;
        for (slot, byte) in buf.iter_mut().zip(&mut self.0) {
            *slot = byte;
            n += 1;
        }
        n
    }
}

/// The host → device decoder and the USB packet being decoded.
pub struct HostCli {
    decoder: StreamDecoder<VectorDebug, FROM_HOST_BUF>,
    usb: [u8; USB_PACKET],
    /// Bytes in `usb`.
    len: usize,
    /// Bytes of `usb` given to the decoder.
    pushed: usize,
    /// The USB packet was short, so it ended the host's write.
    write_ended: bool,
}

impl Default for HostCli {
    fn default() -> Self {
        Self::new()
    }
}

impl HostCli {
    /// A decoder at the start of a stream.
    pub fn new() -> Self {
        HostCli {
            decoder: StreamDecoder::new(VectorDebug::new(FROM_HOST)),
            usb: [0; USB_PACKET],
            len: 0,
            pushed: 0,
            write_ended: false,
        }
    }

    /// Forgets everything: a new host connection starts a new stream.
    pub fn reset(&mut self) {
        self.decoder.reset();
        self.len = 0;
        self.pushed = 0;
        self.write_ended = false;
    }

    /// Where the USB reader puts the next USB packet.
    pub fn usb_packet(&mut self) -> &mut [u8; USB_PACKET] {
        &mut self.usb
    }

    /// A USB packet of `n` bytes is in [`usb_packet`](Self::usb_packet).
    pub fn received(&mut self, n: usize) {
        self.len = n.min(USB_PACKET);
        self.pushed = 0;
        self.write_ended = n < USB_PACKET;
    }

    /// Gives the decoder more of the USB packet, after the events of the previous bytes
    /// were taken with [`next`](Self::next). Returns false when the packet is used up.
    ///
    /// The PC tool writes each CLI packet without its 0x00 delimiter. A short USB packet
    /// ends the host's write, so a packet still pending then is complete: `advance`
    /// supplies its delimiter.
    pub fn advance(&mut self) -> bool {
        if self.pushed < self.len {
            self.pushed += self.decoder.push(&self.usb[self.pushed..self.len]);
            return true;
        }
        if self.write_ended && self.decoder.pending() > 0 {
            self.write_ended = false;
            return self.decoder.push(&[0]) == 1;
        }
        false
    }

    /// The next complete event, or `None` when [`advance`](Self::advance) must give more bytes.
    #[allow(clippy::should_implement_trait)] // events borrow the decoder: not an Iterator
    pub fn next(&mut self) -> Option<HostEvent<'_>> {
        let event = self.decoder.next()?;
        Some(match event.item {
            Item::Frame(packet) if packet.packet_type() == PacketType::Cli => {
                HostEvent::Cli(CliBytes(packet.payload_bytes()))
            }
            Item::Frame(packet) => HostEvent::Ignored(packet.packet_type()),
            Item::Error(e) => HostEvent::Rejected(e.kind()),
        })
    }
}

#[cfg(test)]
mod tests {
    use serial_dialects::vectordebug::{Payload, Record, Records};
    use std::vec::Vec;

    use super::*;

    /// What the USB reader did with the bytes: the UART output and the other events.
    #[derive(Default)]
    struct Reader {
        uart: Vec<u8>,
        ignored: Vec<PacketType>,
        rejected: usize,
    }

    impl Reader {
        /// One USB packet through [`HostCli`], exactly as `usb::from_host` drives it, with
        /// CLI payloads read in 32-byte UART bursts.
        fn usb_packet(&mut self, host: &mut HostCli, packet: &[u8]) {
            host.usb_packet()[..packet.len()].copy_from_slice(packet);
            host.received(packet.len());
            while host.advance() {
                while let Some(event) = host.next() {
                    match event {
                        HostEvent::Cli(mut bytes) => {
                            let mut burst = [0u8; 32];
                            loop {
                                let n = bytes.read(&mut burst);
                                if n == 0 {
                                    break;
                                }
                                self.uart.extend_from_slice(&burst[..n]);
                            }
                        }
                        HostEvent::Ignored(packet_type) => self.ignored.push(packet_type),
                        HostEvent::Rejected(_) => self.rejected += 1,
                    }
                }
            }
        }

        /// One host write: full-size USB packets and a short one (empty when the length is
        /// a multiple of 64 and `zlp` is set).
        fn write(&mut self, host: &mut HostCli, bytes: &[u8], zlp: bool) {
            for packet in bytes.chunks(USB_PACKET) {
                self.usb_packet(host, packet);
            }
            if zlp && bytes.len().is_multiple_of(USB_PACKET) {
                self.usb_packet(host, &[]);
            }
        }
    }

    /// The wire frame of a CLI packet, with or without its 0x00 delimiter.
    fn cli_frame(text: &[u8], terminated: bool) -> Vec<u8> {
        let payload = Payload::Cli { data: text };
        let mut wire = std::vec![0u8; payload.buffer_len()];
        let n = payload.emit(&mut wire).unwrap();
        wire.truncate(if terminated { n } else { n - 1 });
        wire
    }

    /// The largest CLI text the PC tool sends, zero bytes included.
    fn long_text() -> Vec<u8> {
        (0..2032u32).map(|i| (i * 13 % 256) as u8).collect()
    }

    #[test]
    fn terminated_cli_packet_reaches_the_uart_exactly() {
        let (mut host, mut reader) = (HostCli::new(), Reader::default());
        reader.write(&mut host, &cli_frame(b"help\r", true), true);
        assert_eq!(reader.uart, b"help\r");
        assert_eq!((reader.ignored.len(), reader.rejected), (0, 0));
    }

    #[test]
    fn unterminated_cli_packet_ends_with_the_host_write() {
        let (mut host, mut reader) = (HostCli::new(), Reader::default());
        reader.write(&mut host, &cli_frame(b"help\r", false), true);
        assert_eq!(reader.uart, b"help\r");
        reader.write(&mut host, &cli_frame(b"status\r", false), true);
        assert_eq!(reader.uart, b"help\rstatus\r");
        assert_eq!(reader.rejected, 0);
    }

    #[test]
    fn long_cli_packets_cross_many_usb_packets() {
        let text = long_text();
        assert!(text.contains(&0));
        for terminated in [true, false] {
            let (mut host, mut reader) = (HostCli::new(), Reader::default());
            let wire = cli_frame(&text, terminated);
            assert!(wire.len() > 30 * USB_PACKET);
            reader.write(&mut host, &wire, true);
            assert_eq!(reader.uart, text, "terminated: {terminated}");
            assert_eq!(reader.rejected, 0);
        }
    }

    #[test]
    fn several_packets_in_one_write() {
        let mut wire = cli_frame(b"a", true);
        wire.extend(cli_frame(&long_text(), true));
        wire.extend(cli_frame(b"\x00z\r", false));
        let (mut host, mut reader) = (HostCli::new(), Reader::default());
        reader.write(&mut host, &wire, true);
        let mut expected = b"a".to_vec();
        expected.extend(long_text());
        expected.extend(b"\x00z\r");
        assert_eq!(reader.uart, expected);
        assert_eq!(reader.rejected, 0);
    }

    #[test]
    fn unterminated_write_of_whole_usb_packets_waits_for_its_end() {
        // A text whose unterminated frame is exactly two USB packets.
        let text: Vec<u8> = (1..=120u8).collect();
        let wire = cli_frame(&text, false);
        assert_eq!(wire.len(), 2 * USB_PACKET);
        let (mut host, mut reader) = (HostCli::new(), Reader::default());
        reader.write(&mut host, &wire, false);
        assert!(reader.uart.is_empty(), "no short packet yet: the write may go on");
        reader.usb_packet(&mut host, &[]);
        assert_eq!(reader.uart, text);
        // Without the zero-length packet, the next write runs into it: that packet is lost
        // (rejected), the next one still arrives (README's caveat).
        let (mut host, mut reader) = (HostCli::new(), Reader::default());
        reader.write(&mut host, &wire, false);
        reader.write(&mut host, &cli_frame(b"x", false), true);
        assert_eq!(reader.rejected, 1);
        assert_eq!(reader.uart, b"x");
    }

    #[test]
    fn other_packets_and_noise_do_not_reach_the_uart() {
        let records = [Record { seq: 1, payload: [0; 6] }];
        let payload = Payload::DbgFrame1 { records: Records::new(&records) };
        let mut wire = std::vec![0u8; payload.buffer_len()];
        let n = payload.emit(&mut wire).unwrap();
        wire.truncate(n);
        wire.extend_from_slice(b"noise\x00");
        wire.extend(cli_frame(b"ok\r", false));
        let (mut host, mut reader) = (HostCli::new(), Reader::default());
        reader.write(&mut host, &wire, true);
        assert_eq!(reader.ignored, [PacketType::DbgFrame1]);
        assert_eq!(reader.rejected, 1);
        assert_eq!(reader.uart, b"ok\r");
    }

    #[test]
    fn reset_drops_a_partial_packet() {
        let wire = cli_frame(&long_text(), false);
        let (mut host, mut reader) = (HostCli::new(), Reader::default());
        reader.write(&mut host, &wire[..3 * USB_PACKET], false);
        host.reset();
        reader.write(&mut host, &cli_frame(b"new\r", false), true);
        assert_eq!(reader.uart, b"new\r");
        assert_eq!(reader.rejected, 0);
    }

    #[test]
    fn cli_bytes_come_in_bursts() {
        let wire = cli_frame(&[5u8; 50], true);
        let mut host = HostCli::new();
        host.usb_packet()[..wire.len()].copy_from_slice(&wire);
        host.received(wire.len());
        assert!(host.advance());
        let Some(HostEvent::Cli(mut bytes)) = host.next() else { panic!("a CLI packet") };
        let mut burst = [0u8; 32];
        let sizes: Vec<usize> = core::iter::from_fn(|| Some(bytes.read(&mut burst)).filter(|&n| n > 0)).collect();
        assert_eq!(sizes, [32, 18]);
    }
}
