#!/usr/bin/env bash
# Builds `vectordebug-cycles` and runs it under QEMU netduinoplus2 with one virtual
# nanosecond per instruction: it prints the instruction count of encoding a 200-record
# DBG_FRAME1 packet and exits with status 0, or 1 when the encoding is wrong.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
workspace=$(dirname "$here")
elf="${CARGO_TARGET_DIR:-$workspace/target}/thumbv7em-none-eabihf/release/vectordebug-cycles"

(cd "$workspace" && cargo build --release --quiet -p codec-size --bin vectordebug-cycles)
# The binary exits QEMU through semihosting; the timeout only guards against a hang.
timeout 60 qemu-system-arm -M netduinoplus2 -display none -monitor none -icount shift=0 \
    -semihosting-config enable=on,target=native -kernel "$elf"
