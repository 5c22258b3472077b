//! The endpoint address of a frame (SRC and DST), `docs/protocols/ascii-crc8.md` 1.1.

use core::fmt;

/// A 3-character endpoint address (`PC_`, `STM`, or whatever a peer sends).
///
/// On the wire an address is 3 printable ASCII characters other than space (0x21–0x7E);
/// `&` and `*` are in that range but are the frame markers, so no frame can carry them
/// there. [`is_valid`](Self::is_valid) tells whether an address can be sent; the fields are
/// public, so an `Address` may hold any bytes, and the encoder refuses the others.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "defmt", derive(defmt::Format))]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Address(pub [u8; 3]);

impl Address {
    /// The PC (host) endpoint.
    pub const PC: Address = Address(*b"PC_");
    /// The STM32 (device) endpoint.
    pub const STM: Address = Address(*b"STM");

    /// The address bytes.
    pub const fn as_bytes(&self) -> &[u8; 3] {
        &self.0
    }

    /// An address of `bytes` if a frame can carry them (see [`is_valid`](Self::is_valid)).
    pub const fn new_checked(bytes: [u8; 3]) -> Option<Address> {
        let address = Address(bytes);
        if address.is_valid() { Some(address) } else { None }
    }

    /// Reads an address from exactly 3 bytes, without checking them (a checked frame's
    /// addresses are valid; [`is_valid`](Self::is_valid) checks others).
    pub fn from_slice(bytes: &[u8]) -> Option<Address> {
        <[u8; 3]>::try_from(bytes).ok().map(Address)
    }

    /// Whether `b` can be an address character: printable ASCII other than space
    /// (0x21–0x7E), and not a frame marker (`&`, `*`).
    pub const fn is_valid_byte(b: u8) -> bool {
        // The markers are spelled out rather than imported from `frame`, which builds on this
        // file; `frame` asserts at compile time that they are its `START` and `END`.
        matches!(b, 0x21..=0x7E) && b != b'&' && b != b'*'
    }

    /// Whether a frame can carry this address: all three characters pass
    /// [`is_valid_byte`](Self::is_valid_byte).
    pub const fn is_valid(&self) -> bool {
        let [a, b, c] = self.0;
        Address::is_valid_byte(a) && Address::is_valid_byte(b) && Address::is_valid_byte(c)
    }
}

impl fmt::Display for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&crate::fmt::Lossy(&self.0), f)
    }
}

impl fmt::Debug for Address {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(&crate::fmt::Lossy(&self.0), f)
    }
}

#[cfg(feature = "serde")]
impl serde::Serialize for Address {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}
