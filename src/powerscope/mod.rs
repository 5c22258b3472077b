//! The `powerscope` dialect (under construction).
