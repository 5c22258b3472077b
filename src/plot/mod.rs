//! The `plot` dialect (under construction).
