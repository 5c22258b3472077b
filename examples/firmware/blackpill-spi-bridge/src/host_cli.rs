//! Host → device CLI packets: the bytes of the host's USB writes, as an
//! [`embedded_io_async::Read`] for the library's reader, and what the bridge does with each
//! event. The USB reader (`usb::from_host`) drives it, without any I/O of its own:
//!
//! ```text
//! let mut reader = host_reader(&mut packets);
//! loop {
//!     while let Some(event) = reader.next() { /* HostEvent::Cli bytes to the UART */ }
//!     reader.fill().await?; // the next USB packet's bytes, or the delimiter a write owes
//! }
//! ```
//!
//! The PC tool writes each CLI packet without its 0x00 delimiter. A short USB packet (fewer
//! than [`MAX_PACKET`] bytes, possibly empty) ends the host's write, so a packet still
//! pending then is complete: [`HostWrites`] supplies its delimiter.

use embedded_io_async::{ErrorType, Read};
use serial_dialects::io::embedded_async::Reader;
use serial_dialects::vectordebug::{Config, PacketType, PayloadBytes, VectorDebug};
use serial_dialects::{DialectError, ErrorKind, EventOf, Item};

/// Full-speed bulk packet size of the CDC endpoints.
pub const MAX_PACKET: u16 = 64;

const USB_PACKET: usize = MAX_PACKET as usize;

/// Host → device packets are keystrokes and pasted text: the PC tool sends at most 2032
/// bytes of text per packet, so 2048 decoded bytes bound them.
pub const FROM_HOST: Config = Config { max_packet: 2048 };

/// The host → device decoder buffer: the longest wire frame of [`FROM_HOST`] (2058 bytes).
pub const FROM_HOST_BUF: usize = FROM_HOST.max_frame_len();

/// The source of the host's USB packets: the CDC class's OUT endpoint on the board, a list
/// of packets in the tests.
// Futures are polled on the task that created them (a single-threaded executor): no `Send`
// bound is needed, which is what the lint is about.
#[allow(async_fn_in_trait)]
pub trait UsbPackets {
    /// Why no packet can be read (the host went away).
    type Error: embedded_io_async::Error;

    /// Waits for the next packet from the host, reads it into `buf` (which holds
    /// [`MAX_PACKET`] bytes) and returns its length: less than [`MAX_PACKET`] (0 for a
    /// zero-length packet) when it ends the host's write.
    async fn read_packet(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error>;
}

impl<P: UsbPackets + ?Sized> UsbPackets for &mut P {
    type Error = P::Error;

    async fn read_packet(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        (**self).read_packet(buf).await
    }
}

/// The bytes of the host's writes, read a USB packet at a time, with the 0x00 that ends a
/// write's last CLI packet when the host sent none.
///
/// A read delivers the bytes of the USB packet in hand (as many as the reader's buffer
/// takes), and never returns 0 (that would end the stream): a zero-length packet with
/// nothing owed is skipped. When a short packet ended the host's write and the last byte
/// delivered was not 0x00, a packet is pending in the decoder: the next read delivers one
/// 0x00, which completes it.
///
/// Where this matches the decoder's own "bytes pending" (and so the behaviour of the
/// bridge before the library's reader, which asked the decoder): after anything but
/// garbage, always. The bytes after the last 0x00 are a packet's start, which the decoder
/// holds until its delimiter; after a 0x00 it holds nothing. Two kinds of noise differ,
/// both without effect on the UART: a write that ends in a run of 0x00 (the decoder holds
/// the run, to report it as one event; the old bridge added a 0x00 to it, this adds none)
/// and one that ends a run of non-zero bytes exactly [`FROM_HOST_BUF`] long (rejected
/// whole, so nothing is pending; this adds a 0x00, reported as one more empty chunk).
#[derive(Debug)]
pub struct HostWrites<P> {
    packets: P,
    /// The USB packet in hand: the reader's buffer may have less room than a packet.
    packet: [u8; USB_PACKET],
    /// Bytes in `packet`.
    len: usize,
    /// Bytes of `packet` delivered.
    delivered: usize,
    /// The packet in hand is short: it ended the host's write.
    write_ended: bool,
    /// The last byte delivered was not 0x00: a packet has begun and not ended.
    packet_open: bool,
}

impl<P: UsbPackets> HostWrites<P> {
    /// The start of a stream (a new host connection) from `packets`.
    pub fn new(packets: P) -> Self {
        HostWrites { packets, packet: [0; USB_PACKET], len: 0, delivered: 0, write_ended: false, packet_open: false }
    }

    /// The packet source, e.g. to wait for the host.
    pub fn packets_mut(&mut self) -> &mut P {
        &mut self.packets
    }
}

impl<P: UsbPackets> ErrorType for HostWrites<P> {
    type Error = P::Error;
}

impl<P: UsbPackets> Read for HostWrites<P> {
    async fn read(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            let held = self.packet.get(self.delivered..self.len).unwrap_or_default();
            if !held.is_empty() {
                let n = held.len().min(buf.len());
                let (to, from) = (buf.get_mut(..n).unwrap_or_default(), held.get(..n).unwrap_or_default());
                to.copy_from_slice(from);
                self.packet_open = from.last().is_some_and(|&b| b != 0);
                self.delivered = self.delivered.saturating_add(n);
                return Ok(n);
            }
            if self.write_ended && self.packet_open {
                self.packet_open = false;
                if let Some(first) = buf.first_mut() {
                    *first = 0;
                }
                return Ok(1);
            }
            let n = self.packets.read_packet(&mut self.packet).await?;
            self.len = n.min(USB_PACKET);
            self.delivered = 0;
            self.write_ended = n < USB_PACKET;
        }
    }
}

/// The library's reader of host → device events over the host's writes, in a decoder of
/// [`FROM_HOST_BUF`] bytes.
pub type HostReader<P> = Reader<VectorDebug, HostWrites<P>, FROM_HOST_BUF>;

/// A reader at the start of a stream (a new host connection) from `packets`.
pub fn host_reader<P: UsbPackets>(packets: P) -> HostReader<P> {
    Reader::new(VectorDebug::new(FROM_HOST), HostWrites::new(packets))
}

/// One complete host → device packet (or rejected run of bytes).
pub enum HostEvent<'a> {
    /// A CLI packet: its payload, for the UART.
    Cli(CliBytes<'a>),
    /// A valid packet of another type, which the bridge does not act on.
    Ignored(PacketType),
    /// Bytes that are not a valid packet.
    Rejected(ErrorKind),
}

impl<'a> From<EventOf<'a, VectorDebug>> for HostEvent<'a> {
    fn from(event: EventOf<'a, VectorDebug>) -> Self {
        match event.item {
            Item::Frame(packet) if packet.packet_type() == PacketType::Cli => {
                HostEvent::Cli(CliBytes(packet.payload_bytes()))
            }
            Item::Frame(packet) => HostEvent::Ignored(packet.packet_type()),
            Item::Error(e) => HostEvent::Rejected(e.kind()),
        }
    }
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

#[cfg(test)]
mod tests {
    use embassy_futures::block_on;
    use serial_dialects::StreamDecoder;
    use serial_dialects::vectordebug::{Payload, Record, Records};
    use std::collections::VecDeque;
    use std::vec::Vec;

    use super::*;

    /// The host's USB packets as the tests queue them; once all are read, an error, as when
    /// the host goes away.
    #[derive(Default)]
    struct Usb {
        packets: VecDeque<Vec<u8>>,
    }

    impl UsbPackets for Usb {
        type Error = embedded_io_async::ErrorKind;

        async fn read_packet(&mut self, buf: &mut [u8]) -> Result<usize, Self::Error> {
            assert_eq!(buf.len(), USB_PACKET, "room for a whole packet, as embassy-usb requires");
            let packet = self.packets.pop_front().ok_or(embedded_io_async::ErrorKind::NotConnected)?;
            buf[..packet.len()].copy_from_slice(&packet);
            Ok(packet.len())
        }
    }

    /// The bridge's USB reader over queued packets: the UART output and the other events.
    struct Bridge {
        reader: HostReader<Usb>,
        uart: Vec<u8>,
        ignored: Vec<PacketType>,
        rejected: usize,
    }

    impl Bridge {
        fn new() -> Self {
            Bridge { reader: host_reader(Usb::default()), uart: Vec::new(), ignored: Vec::new(), rejected: 0 }
        }

        /// A new host connection: a new reader, as `usb::from_host` makes.
        fn reconnect(&mut self) {
            self.reader = host_reader(Usb::default());
        }

        /// One USB packet, read exactly as `usb::from_host` reads (until the packets run
        /// out), with CLI payloads read in 32-byte UART bursts.
        fn usb_packet(&mut self, packet: &[u8]) {
            self.reader.get_mut().packets_mut().packets.push_back(packet.to_vec());
            let Bridge { reader, uart, ignored, rejected } = self;
            loop {
                while let Some(event) = reader.next() {
                    match HostEvent::from(event) {
                        HostEvent::Cli(mut bytes) => {
                            let mut burst = [0u8; 32];
                            loop {
                                let n = bytes.read(&mut burst);
                                if n == 0 {
                                    break;
                                }
                                uart.extend_from_slice(&burst[..n]);
                            }
                        }
                        HostEvent::Ignored(packet_type) => ignored.push(packet_type),
                        HostEvent::Rejected(_) => *rejected += 1,
                    }
                }
                if block_on(reader.fill()).is_err() {
                    break;
                }
            }
        }

        /// One host write: full-size USB packets and a short one (empty when the length is
        /// a multiple of 64 and `zlp` is set).
        fn write(&mut self, bytes: &[u8], zlp: bool) {
            for packet in bytes.chunks(USB_PACKET) {
                self.usb_packet(packet);
            }
            if zlp && bytes.len().is_multiple_of(USB_PACKET) {
                self.usb_packet(&[]);
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

    /// The wire frame of a DBG_FRAME1 packet of one record.
    fn dbg_frame(seq: u16) -> Vec<u8> {
        let records = [Record { seq, payload: [0; 6] }];
        let payload = Payload::DbgFrame1 { records: Records::new(&records) };
        let mut wire = std::vec![0u8; payload.buffer_len()];
        let n = payload.emit(&mut wire).unwrap();
        wire.truncate(n);
        wire
    }

    /// The largest CLI text the PC tool sends, zero bytes included.
    fn long_text() -> Vec<u8> {
        (0..2032u32).map(|i| (i * 13 % 256) as u8).collect()
    }

    #[test]
    fn terminated_cli_packet_reaches_the_uart_exactly() {
        let mut bridge = Bridge::new();
        bridge.write(&cli_frame(b"help\r", true), true);
        assert_eq!(bridge.uart, b"help\r");
        assert_eq!((bridge.ignored.len(), bridge.rejected), (0, 0));
    }

    #[test]
    fn unterminated_cli_packet_ends_with_the_host_write() {
        let mut bridge = Bridge::new();
        bridge.write(&cli_frame(b"help\r", false), true);
        assert_eq!(bridge.uart, b"help\r");
        bridge.write(&cli_frame(b"status\r", false), true);
        assert_eq!(bridge.uart, b"help\rstatus\r");
        assert_eq!(bridge.rejected, 0);
    }

    #[test]
    fn long_cli_packets_cross_many_usb_packets() {
        let text = long_text();
        assert!(text.contains(&0));
        for terminated in [true, false] {
            let mut bridge = Bridge::new();
            let wire = cli_frame(&text, terminated);
            assert!(wire.len() > 30 * USB_PACKET);
            bridge.write(&wire, true);
            assert_eq!(bridge.uart, text, "terminated: {terminated}");
            assert_eq!(bridge.rejected, 0);
        }
    }

    #[test]
    fn several_packets_in_one_write() {
        let mut wire = cli_frame(b"a", true);
        wire.extend(cli_frame(&long_text(), true));
        wire.extend(cli_frame(b"\x00z\r", false));
        let mut bridge = Bridge::new();
        bridge.write(&wire, true);
        let mut expected = b"a".to_vec();
        expected.extend(long_text());
        expected.extend(b"\x00z\r");
        assert_eq!(bridge.uart, expected);
        assert_eq!(bridge.rejected, 0);
    }

    #[test]
    fn unterminated_write_of_whole_usb_packets_waits_for_its_end() {
        // A text whose unterminated frame is exactly two USB packets.
        let text: Vec<u8> = (1..=120u8).collect();
        let wire = cli_frame(&text, false);
        assert_eq!(wire.len(), 2 * USB_PACKET);
        let mut bridge = Bridge::new();
        bridge.write(&wire, false);
        assert!(bridge.uart.is_empty(), "no short packet yet: the write may go on");
        bridge.usb_packet(&[]);
        assert_eq!(bridge.uart, text);
        // A second zero-length packet owes nothing: no empty chunk.
        bridge.usb_packet(&[]);
        bridge.write(&cli_frame(b"x", false), true);
        assert_eq!(bridge.uart, [&text[..], b"x"].concat());
        assert_eq!(bridge.rejected, 0);
        // Without the zero-length packet, the next write runs into it: that packet is lost
        // (rejected), the next one still arrives (README's caveat).
        let mut bridge = Bridge::new();
        bridge.write(&wire, false);
        bridge.write(&cli_frame(b"x", false), true);
        assert_eq!(bridge.rejected, 1);
        assert_eq!(bridge.uart, b"x");
    }

    #[test]
    fn other_packets_and_noise_do_not_reach_the_uart() {
        let mut wire = dbg_frame(1);
        wire.extend_from_slice(b"noise\x00");
        wire.extend(cli_frame(b"ok\r", false));
        let mut bridge = Bridge::new();
        bridge.write(&wire, true);
        assert_eq!(bridge.ignored, [PacketType::DbgFrame1]);
        assert_eq!(bridge.rejected, 1);
        assert_eq!(bridge.uart, b"ok\r");
    }

    #[test]
    fn reconnecting_drops_a_partial_packet() {
        let wire = cli_frame(&long_text(), false);
        let mut bridge = Bridge::new();
        bridge.write(&wire[..3 * USB_PACKET], false);
        bridge.reconnect();
        bridge.write(&cli_frame(b"new\r", false), true);
        assert_eq!(bridge.uart, b"new\r");
        assert_eq!(bridge.rejected, 0);
    }

    #[test]
    fn cli_bytes_come_in_bursts() {
        let wire = cli_frame(&[5u8; 50], true);
        let mut reader = host_reader(Usb { packets: VecDeque::from([wire]) });
        assert_eq!(block_on(reader.fill()), Ok(true));
        let Some(HostEvent::Cli(mut bytes)) = reader.next().map(HostEvent::from) else { panic!("a CLI packet") };
        let mut burst = [0u8; 32];
        let sizes: Vec<usize> = core::iter::from_fn(|| Some(bytes.read(&mut burst)).filter(|&n| n > 0)).collect();
        assert_eq!(sizes, [32, 18]);
    }

    /// Everything `HostWrites` delivers from `packets` in reads of at most `room` bytes
    /// (until the packets run out), and the sizes of the reads.
    fn delivered(packets: &[&[u8]], room: usize) -> (Vec<u8>, Vec<usize>) {
        let usb = Usb { packets: packets.iter().map(|p| p.to_vec()).collect() };
        let mut writes = HostWrites::new(usb);
        let (mut bytes, mut sizes) = (Vec::new(), Vec::new());
        let mut buf = [0xAAu8; USB_PACKET];
        while let Ok(n) = block_on(writes.read(&mut buf[..room])) {
            bytes.extend_from_slice(&buf[..n]);
            sizes.push(n);
        }
        (bytes, sizes)
    }

    #[test]
    fn reads_of_1_to_64_bytes_deliver_the_writes_and_the_delimiters_they_owe() {
        let full: Vec<u8> = (1..=64u8).collect();
        // An unterminated write of 70 bytes, a terminated one (nothing owed), zero-length
        // packets (one ends the 64-byte write that follows the first; the next owes
        // nothing), an empty write and a 64-byte write that never ends.
        let packets: [&[u8]; 8] = [&full, b"abcdef", b"xy\x00", &full, &[], &[], b"q", &full];
        let mut expected = full.clone();
        expected.extend_from_slice(b"abcdef\x00xy\x00");
        expected.extend_from_slice(&full);
        expected.extend_from_slice(b"\x00q\x00");
        expected.extend_from_slice(&full);
        for room in 1..=USB_PACKET {
            let (bytes, sizes) = delivered(&packets, room);
            assert_eq!(bytes, expected, "reads of {room} bytes");
            assert!(sizes.iter().all(|&n| (1..=room).contains(&n)), "reads of {room} bytes: {sizes:?}");
            // Each read takes what is in hand, up to the room: never more reads than needed.
            let reads = |len: usize| len.div_ceil(room);
            let delimiters = 3;
            let expected_reads = 3 * reads(64) + reads(6) + reads(3) + reads(1) + delimiters;
            assert_eq!(sizes.len(), expected_reads, "reads of {room} bytes");
        }
        assert_eq!(delivered(&[&[]], 64), (Vec::new(), Vec::new()), "nothing owed at the start");
        let mut buf = [0u8; 0];
        let mut writes = HostWrites::new(Usb { packets: VecDeque::from([full]) });
        assert_eq!(block_on(writes.read(&mut buf)), Ok(0), "an empty buffer reads nothing");
    }

    /// The bridge before the library's reader (a `StreamDecoder` it pushed USB packets into,
    /// adding a 0x00 after a short packet when the decoder held bytes), for comparison.
    fn old_bridge(packets: &[Vec<u8>]) -> (Vec<u8>, Vec<PacketType>, usize) {
        let mut decoder = StreamDecoder::<VectorDebug, FROM_HOST_BUF>::new(VectorDebug::new(FROM_HOST));
        let (mut uart, mut ignored, mut rejected) = (Vec::new(), Vec::new(), 0);
        let mut take = |decoder: &mut StreamDecoder<VectorDebug, FROM_HOST_BUF>| {
            while let Some(event) = decoder.next() {
                match HostEvent::from(event) {
                    HostEvent::Cli(CliBytes(bytes)) => uart.extend(bytes),
                    HostEvent::Ignored(packet_type) => ignored.push(packet_type),
                    HostEvent::Rejected(_) => rejected += 1,
                }
            }
        };
        for packet in packets {
            let mut rest = &packet[..];
            while !rest.is_empty() {
                rest = &rest[decoder.push(rest)..];
                take(&mut decoder);
            }
            if packet.len() < USB_PACKET && decoder.pending() > 0 {
                decoder.push(&[0]);
                take(&mut decoder);
            }
        }
        (uart, ignored, rejected)
    }

    #[test]
    fn mixed_traffic_gives_what_the_old_bridge_gave() {
        // Writes of every kind the host sends, chosen and sized by a fixed pseudo-random
        // sequence: CLI packets with and without their delimiter (some exactly whole USB
        // packets, ended by a zero-length packet or not), DBG_FRAME1 packets, noise with and
        // without delimiters, lone zero-length packets.
        let mut state = 0x2545_F491_4F6C_DD1Du64;
        let mut random = move |below: usize| {
            state = state.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % below
        };
        let mut packets: Vec<Vec<u8>> = Vec::new();
        for _ in 0..300 {
            let write = match random(6) {
                0 | 1 => {
                    let text: Vec<u8> = (0..random(300)).map(|_| random(256) as u8).collect();
                    cli_frame(&text, random(2) == 0)
                }
                2 => cli_frame(&(1..=120u8).collect::<Vec<u8>>(), false),
                3 => dbg_frame(random(65536) as u16),
                4 => (0..random(100)).map(|_| [0, 0x55, 0xAA, 7][random(4)]).collect(),
                _ => Vec::new(),
            };
            let zlp = random(4) != 0;
            packets.extend(write.chunks(USB_PACKET).map(<[u8]>::to_vec));
            if write.len().is_multiple_of(USB_PACKET) && zlp {
                packets.push(Vec::new());
            }
        }
        let mut bridge = Bridge::new();
        for packet in &packets {
            bridge.usb_packet(packet);
        }
        let (uart, ignored, rejected) = old_bridge(&packets);
        assert!(
            uart.len() > 10_000 && ignored.len() > 20 && rejected > 20,
            "{} {} {rejected}",
            uart.len(),
            ignored.len()
        );
        assert_eq!(bridge.uart, uart);
        assert_eq!(bridge.ignored, ignored);
        assert_eq!(bridge.rejected, rejected);
    }
}
