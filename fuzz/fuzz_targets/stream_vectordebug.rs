//! Arbitrary bytes, in an arbitrary chunking, through the vectordebug stream decoder; and
//! every decoded packet through the typed layer: decoded into its `Payload` and written back
//! by `emit` to exactly the bytes it was decoded from.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serial_dialects::vectordebug::{self, VectorDebug};
use serial_dialects::{Item, SliceDecoder};

fuzz_target!(|data: &[u8]| {
    fuzz_support::check_stream(VectorDebug::default, data);
    let (_, input) = fuzz_support::split_chunking(data);
    let dialect = VectorDebug::default();
    let mut decoded = vec![0u8; dialect.config().max_packet];
    let mut out = vec![0u8; 64 * 1024];
    for event in SliceDecoder::new(dialect, input) {
        if let Item::Frame(packet) = &event.item {
            let bytes = &input[event.offset as usize..event.offset as usize + event.len];
            let message = vectordebug::Payload::decode_wire(packet.wire(), &mut decoded)
                .unwrap_or_else(|e| panic!("a decoded packet does not decode again: {e}"));
            let n = message.emit(&mut out).unwrap_or_else(|e| panic!("{message:?} does not re-encode: {e}"));
            assert_eq!(&out[..n], bytes, "{message:?} re-encodes to other bytes");
        }
    }
});
