//! Tests of `chart`.
