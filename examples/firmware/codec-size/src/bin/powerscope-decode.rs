//! PowerScope device receiving commands (revision 1): a `StreamDecoder` of the revision's
//! worst case (64 bytes) fed 64-byte chunks.
//!
//! Stack buffers: `rx` 64 B, `StreamDecoder<PowerScope, 64>` 1272 B (1 KiB of it the gap table of all 256 streams).
#![no_std]
#![no_main]

use codec_size::decode_forever;
use cortex_m_rt::entry;
use panic_halt as _;
use serial_dialects::powerscope::PowerScope;

/// `PowerScope::r1().max_frame_len()` (revision 0 needs 528).
const CAPACITY: usize = 64;

#[entry]
fn main() -> ! {
    decode_forever::<PowerScope, CAPACITY>(PowerScope::r1())
}
