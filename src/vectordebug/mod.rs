//! The `vectordebug` dialect (under construction).
