//! `serial_dialects::tokio::Codec` through tokio-util's `FramedRead` and `FramedWrite`.

use std::fmt::Debug;
use std::pin::Pin;
use std::task::{Context, Poll};

use futures_util::{SinkExt, StreamExt};
use serial_dialects::tokio::Codec;
use serial_dialects::{Dialect, Encode, Item, SliceDecoder};
use tokio::io::{AsyncRead, AsyncWriteExt, ReadBuf};
use tokio_util::codec::{FramedRead, FramedWrite};

use super::common::{Summary, XorShift};
use super::{references, summarize_owned};

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().expect("a runtime")
}

/// Every capture written into a small `tokio::io::duplex` in random pieces (1 to 300 bytes,
/// a yield between them, so that the reader sees reads of every size) and read back by
/// `FramedRead`: exactly the slice decoder's events, and its statistics.
pub fn framed_read_equals_slice<D>()
where
    D: Dialect + Send + 'static,
    D::Config: Send,
    for<'a> D::Message<'a>: Debug,
{
    let rt = runtime();
    for (round, (config, reference)) in references::<D>().into_iter().enumerate() {
        let (got, stats) = rt.block_on(async {
            let (mut device, host) = tokio::io::duplex(97);
            let input = reference.input.clone();
            let writer = tokio::spawn(async move {
                let mut rng = XorShift::new(0xD0_0000 + round as u64);
                let mut rest = &input[..];
                while !rest.is_empty() {
                    let n = (1 + rng.below(300)).min(rest.len());
                    device.write_all(&rest[..n]).await.expect("write");
                    rest = &rest[n..];
                    tokio::task::yield_now().await;
                }
            });
            let mut framed = FramedRead::new(host, Codec::new(D::new(config)));
            let mut got: Vec<Summary> = Vec::new();
            while let Some(event) = framed.next().await {
                got.push(summarize_owned(&event.expect("no I/O error")));
            }
            writer.await.expect("writer");
            (got, *framed.decoder().stats())
        });
        assert_eq!(got.len(), reference.events.len(), "{}", reference.label);
        for (g, e) in got.iter().zip(&reference.events) {
            assert_eq!(g, e, "{}", reference.label);
        }
        assert_eq!(stats, reference.stats, "{}", reference.label);
    }
}

/// Every frame of every capture, as a typed message, sent through `FramedWrite` and read
/// back by `FramedRead` on the other end of a duplex: the bytes on the wire are each
/// message's `encode`, and what comes back is the same messages in the same order. A
/// message the encoder refuses (a value out of the range senders may use, which the decoder
/// reports as it is) is a `SendError::Encode`, and nothing of it is sent.
///
/// One exception, plot's TEXT: a piece of text is cut where the stream cut it (by a frame,
/// a rejected candidate), and two pieces sent side by side read back as one. For plot, the
/// frames read back are those the slice decoder finds in the bytes sent.
pub fn round_trip<D>()
where
    D: Encode,
    for<'a> D::Message<'a>: Debug,
{
    let rt = runtime();
    let mut sent_total = 0;
    for (config, reference) in references::<D>() {
        let (sent, got) = rt.block_on(async {
            let (host, device) = tokio::io::duplex(4096);
            let input = &reference.input;
            let writer = async move {
                let dialect = D::new(config);
                let mut sink = FramedWrite::new(host, Codec::new(D::new(config)));
                let (mut sent, mut wire) = (Vec::new(), Vec::new());
                for event in SliceDecoder::new(D::new(config), input) {
                    let Item::Frame(message) = event.item else { continue };
                    let text = format!("{message:?}");
                    let mut frame = vec![0u8; dialect.encoded_len(&message)];
                    let encoded = dialect.encode(&message, &mut frame);
                    match (sink.send(message).await, encoded) {
                        (Ok(()), Ok(n)) => {
                            sent.push(text);
                            wire.extend_from_slice(&frame[..n]);
                        }
                        (Err(serial_dialects::tokio::SendError::Encode(e)), Err(expected)) => assert_eq!(e, expected),
                        (result, encoded) => panic!("{text}: sent {result:?}, encoded {encoded:?}"),
                    }
                }
                (sent, wire)
            };
            let reader = async move {
                let mut framed = FramedRead::new(device, Codec::new(D::new(config)));
                let mut got = Vec::new();
                while let Some(event) = framed.next().await {
                    let event = event.expect("no I/O error");
                    let frame = event.frame().unwrap_or_else(|| panic!("an error event: {event:?}"));
                    got.push(format!("{:?}", frame.message()));
                }
                got
            };
            let ((sent, wire), got) = tokio::join!(writer, reader);
            if D::NAME == "plot" {
                let frames: Vec<String> = SliceDecoder::new(D::new(config), &wire)
                    .map(|e| format!("{:?}", e.frame().expect("a frame")))
                    .collect();
                let non_text = |v: &[String]| v.iter().filter(|s| !s.starts_with("Text(")).cloned().collect::<Vec<_>>();
                assert_eq!(non_text(&got), non_text(&sent), "{}", reference.label);
                (frames, got)
            } else {
                (sent, got)
            }
        });
        sent_total += sent.len();
        // A plot help table is text lines and a COMMANDS event that spans no bytes: sent as
        // nothing, it comes back from the lines. Every other message is its own frame.
        assert_eq!(got, sent, "{}", reference.label);
    }
    assert!(sent_total > 0, "{}: nothing was sent", D::NAME);
}

/// An `AsyncRead` of endless random bytes, in reads of up to 8 KiB.
struct Garbage(XorShift);

impl AsyncRead for Garbage {
    fn poll_read(mut self: Pin<&mut Self>, _: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<std::io::Result<()>> {
        let n = buf.remaining().min(1 + self.0.below(8192));
        let bytes: Vec<u8> = (0..n).map(|_| self.0.below(256) as u8).collect();
        buf.put_slice(&bytes);
        Poll::Ready(Ok(()))
    }
}

/// 8 MiB of random bytes (start markers among them, so candidates open and fail): the read
/// buffer never holds more than the largest frame plus one read, and every byte
/// is accounted for.
pub fn garbage_is_bounded<D>()
where
    D: Dialect,
    for<'a> D::Message<'a>: Debug,
{
    let rt = runtime();
    rt.block_on(async {
        let dialect = D::new(Default::default());
        let bound = dialect.max_frame_len() + 8192;
        let mut framed = FramedRead::new(Garbage(XorShift::new(0x6A5B)), Codec::new(dialect));
        let mut events = 0u64;
        while framed.decoder().position() < 8 << 20 {
            let event = framed.next().await.expect("endless").expect("no I/O error");
            events += 1;
            let held = framed.read_buffer().len();
            assert!(held <= bound, "{}: {held} bytes held, more than {bound}", D::NAME);
            assert!(framed.read_buffer().capacity() <= 4 * bound, "{}: buffer capacity grew", D::NAME);
            assert_eq!(event.offset + event.len as u64, framed.decoder().position());
        }
        let stats = framed.decoder().stats();
        assert_eq!(stats.bytes_accounted(), framed.decoder().position(), "{}", D::NAME);
        assert!(events > 0);
    });
}

/// The first frame of the first capture, cut one byte short and followed by the end of the
/// input: `decode` waits, `decode_eof` reports the cut-off frame exactly as the slice decoder
/// does (a truncated error, or whatever the dialect makes of those bytes), then `None`.
pub fn cut_off_frame_at_eof<D>()
where
    D: Dialect,
    for<'a> D::Message<'a>: Debug,
{
    use tokio_util::codec::Decoder as _;
    let (config, reference) = references::<D>().swap_remove(0);
    let first = reference.events.iter().find(|e| e.kind.is_none() && e.len > 1).expect("a frame");
    let start = first.offset as usize;
    let cut = &reference.input[start..start + first.len - 1];
    let expected: Vec<Summary> = SliceDecoder::new(D::new(config), cut).map(|e| super::common::summarize(&e)).collect();
    assert!(expected.iter().any(|e| e.kind.is_some()), "{}: cut-off bytes decode to an error", reference.label);

    let mut codec = Codec::new(D::new(config));
    let mut buf = bytes::BytesMut::from(cut);
    let mut got = Vec::new();
    while let Some(event) = codec.decode(&mut buf).expect("never fails") {
        got.push(summarize_owned(&event));
    }
    while let Some(event) = codec.decode_eof(&mut buf).expect("never fails") {
        got.push(summarize_owned(&event));
    }
    assert_eq!(got, expected, "{}", reference.label);
    assert!(buf.is_empty());
    assert_eq!(codec.stats().bytes_accounted(), cut.len() as u64);
}
