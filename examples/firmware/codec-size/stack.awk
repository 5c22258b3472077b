# Worst-case stack depth of `main` in a Cortex-M ELF, from its disassembly (a static upper
# bound, in bytes). Input: `llvm-objdump -s -j .rodata` output, a line "@@", then
# `llvm-objdump -d --no-show-raw-insn` output. Prints the depth, or "?" followed by the
# reason when the code defeats the analysis (recursion, a computed stack adjustment).
#
# * A function's frame is the sum of its `push`/`vpush` registers and `sub sp` immediates
#   (summed over all paths: an upper bound when shrink-wrapping pushes on several paths).
# * Calls are `bl` and tail branches (`b`, `b.w`) to the start of another function, both
#   counted as nested calls (an upper bound for tail calls).
# * An indirect call (`blx rN`: core::fmt's Display and Write vtables) may reach any
#   function whose address the code takes: a Thumb pointer (odd word) to a function start
#   in .rodata (vtables), in a literal pool (`.word`) or built by a `movw`/`movt` pair.
#   The worst of them is taken.
#   Below such a call, a function already on the call path is skipped rather than reported
#   as recursion: the vtable set is wider than the real targets (`Write::write_fmt`, which
#   calls core::fmt::write, sits in the vtable whose `write_str` core::fmt::write calls),
#   and following it would report a recursion the code does not have. Recursion through
#   direct calls only is reported.

BEGIN { section = "rodata"; hexdigit = "0123456789abcdef"; even = "0022446688aaccee" }

# Records a 32-bit value given as 8 lowercase hex digits if it is a Thumb code pointer,
# as the function address it points to (low bit cleared).
function take(w,    low) {
    low = index(hexdigit, substr(w, 8, 1)) - 1
    if (low % 2 == 1) taken_addr[substr(w, 1, 7) substr(even, low + 1, 1)] = 1
}

$0 == "@@" { section = "text"; next }

# Words of .rodata that look like Thumb function pointers (low bit set) are recorded
# without that bit, as the address strings of the disassembly's function headers.
section == "rodata" {
    if ($1 !~ /^[0-9a-f]+$/) next
    for (i = 2; i <= 5 && i <= NF; i++) {
        if (length($i) != 8 || $i !~ /^[0-9a-f]+$/) continue
        take(substr($i, 7, 2) substr($i, 5, 2) substr($i, 3, 2) substr($i, 1, 2))
    }
    next
}

# A function header: "08000a66 <main>:". Mapping symbols ($t, $d) continue the function.
/^[0-9a-f]+ <.*>:$/ {
    name = substr($2, 2, length($2) - 3)
    if (name ~ /^\$/) next
    cur = name
    frame[cur] = 0
    start[cur] = $1
    next
}

cur == "" { next }

$2 == ".word" && $3 ~ /^0x[0-9a-f]+$/ {
    w = substr($3, 3)
    while (length(w) < 8) w = "0" w
    take(w)
    next
}

$2 ~ /^movw$/ && $4 ~ /^#[0-9]+$/ { low16[$3] = substr($4, 2) + 0; next }

$2 ~ /^movt$/ && $4 ~ /^#[0-9]+$/ && ($3 in low16) {
    take(sprintf("%04x%04x", substr($4, 2) + 0, low16[$3]))
    delete low16[$3]
    next
}

$2 == "push" || $2 == "push.w" || $2 == "vpush" {
    regs = 0
    for (i = 3; i <= NF; i++) if ($i ~ /^\{?[rdsl]/) regs++
    frame[cur] += regs * ($3 ~ /^\{d/ ? 8 : 4)
    next
}

$2 ~ /^sub(\.w|w)?$/ && $3 == "sp," {
    imm = ($4 == "sp,") ? $5 : $4
    if (imm ~ /^#[0-9]+$/) frame[cur] += substr(imm, 2) + 0
    else unknown = unknown " computed stack adjustment in " cur
    next
}

$2 == "blx" { indirect[cur] = 1; next }

$2 ~ /^(bl|b|b\.w)$/ {
    if (match($0, /<[^>]*>/) == 0) next
    target = substr($0, RSTART + 1, RLENGTH - 2)
    if (target ~ /\+/ || target ~ /^\$/ || target == cur) next
    calls[cur] = calls[cur] " " target
}

function worst(f, vague,    n, list, i, w, deepest, t) {
    if (f in memo) return memo[f]
    if (f in active) {
        if (!vague) unknown = unknown " recursion through " f
        return 0
    }
    active[f] = 1
    deepest = 0
    n = split(calls[f], list, " ")
    for (i = 1; i <= n; i++) { w = worst(list[i], vague); if (w > deepest) deepest = w }
    if (f in indirect) for (t in taken) { w = worst(t, 1); if (w > deepest) deepest = w }
    delete active[f]
    memo[f] = frame[f] + deepest
    return memo[f]
}

END {
    for (f in start) if (start[f] in taken_addr) taken[f] = 1
    depth = worst("main", 0)
    if (unknown != "") print "?" unknown
    else print depth
}
