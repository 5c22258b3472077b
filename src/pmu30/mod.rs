//! The `pmu30` dialect (under construction).
