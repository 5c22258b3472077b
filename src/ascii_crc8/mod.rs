//! The `ascii_crc8` dialect (under construction).
