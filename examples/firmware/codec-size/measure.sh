#!/usr/bin/env bash
# Builds the codec-size binaries in release and prints their flash and RAM use as the
# markdown table of README.md, each with its difference over `baseline`.
#
#   flash  = .vector_table + .text + .rodata + .data (the initial values of .data live in flash)
#   static = .data + .bss + .uninit (statics: none of these binaries has any, nor a heap)
#   stack  = worst-case stack depth of `main`, from the disassembly (stack.awk): every
#            buffer of these binaries is on the stack, so static + stack is their RAM
#
# Tools: llvm-size and llvm-objdump (LLVM_SIZE / LLVM_OBJDUMP override), else rust-size and
# rust-objdump (cargo-binutils). Without an objdump the stack column says "n/a".
#
# Usage: examples/firmware/codec-size/measure.sh [ELF...]
# ELF files given as arguments (the other firmware examples, built beforehand) get rows of
# their own under the codec rows, measured the same way; their interrupt handlers' stacks
# are not in the stack column.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
workspace=$(dirname "$here")
target=thumbv7em-none-eabihf
out="${CARGO_TARGET_DIR:-$workspace/target}/$target/release"

pick() {
    local tool
    for tool in "$@"; do
        if [[ -n "$tool" ]] && command -v "$tool" >/dev/null; then
            echo "$tool"
            return
        fi
    done
}
size_tool=$(pick "${LLVM_SIZE:-}" llvm-size rust-size)
objdump_tool=$(pick "${LLVM_OBJDUMP:-}" llvm-objdump rust-objdump)
if [[ -z "$size_tool" ]]; then
    echo "measure.sh: needs llvm-size (apt install llvm) or rust-size (cargo install cargo-binutils)" >&2
    exit 2
fi

bins=(baseline)
for dialect in pmu30 vectordebug plot ascii-crc8 powerscope; do
    bins+=("$dialect-encode" "$dialect-decode")
done

(cd "$workspace" && cargo build --release --quiet -p codec-size $(printf -- '--bin %s ' "${bins[@]}"))

# Prints "flash static" of an ELF from its section sizes.
sections() {
    "$size_tool" -A "$1" | awk '
        $1 == ".vector_table" || $1 == ".text" || $1 == ".rodata" { flash += $2 }
        $1 == ".data" { flash += $2; ram += $2 }
        $1 == ".bss" || $1 == ".uninit" { ram += $2 }
        END { print flash + 0, ram + 0 }'
}

stack() {
    if [[ -z "$objdump_tool" ]]; then
        echo n/a
        return
    fi
    { "$objdump_tool" -s -j .rodata "$1" 2>/dev/null || true; echo @@; "$objdump_tool" -d --no-show-raw-insn "$1"; } |
        awk -f "$here/stack.awk"
}

# The `//! Stack buffers:` line of a binary's source.
buffers() {
    sed -n 's|^//! Stack buffers: ||p' "$here/src/bin/$1.rs"
}

delta() {
    if [[ "$1" =~ ^[0-9]+$ && "$2" =~ ^[0-9]+$ ]]; then
        printf '%+d' $(($1 - $2))
    else
        echo n/a
    fi
}

read -r base_flash base_static < <(sections "$out/baseline")
base_stack=$(stack "$out/baseline")

echo "| binary | flash (B) | Δ flash | static RAM (B) | stack, worst case (B) | Δ stack | stack buffers in the source |"
echo "|---|---:|---:|---:|---:|---:|---|"
for bin in "${bins[@]}"; do
    read -r flash static < <(sections "$out/$bin")
    depth=$(stack "$out/$bin")
    echo "| \`$bin\` | $flash | $(delta "$flash" "$base_flash") | $static | $depth | $(delta "$depth" "$base_stack") | $(buffers "$bin") |"
done
for elf in "$@"; do
    read -r flash static < <(sections "$elf")
    depth=$(stack "$elf")
    echo "| \`$(basename "$elf")\` | $flash | $(delta "$flash" "$base_flash") | $static | $depth | $(delta "$depth" "$base_stack") | |"
done
echo
echo "$(rustc --version), opt-level \"s\", fat LTO; sizes by $size_tool, stack by ${objdump_tool:-nothing}."
