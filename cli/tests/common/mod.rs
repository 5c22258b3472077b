//! Running the built binary, shared by the command-line tests.
#![allow(dead_code)]

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// The `serial-dialects` binary under test.
pub const BIN: &str = env!("CARGO_BIN_EXE_serial-dialects");

/// Runs the binary with `args`, feeding `stdin`, and collects its output.
pub fn run_stdin(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = Command::new(BIN)
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary runs");
    child.stdin.take().expect("stdin").write_all(stdin).expect("stdin written");
    child.wait_with_output().expect("the binary finishes")
}
