#!/usr/bin/env bash
# Warm single-stream sequential read (dd bs=1M) of a 2 GiB file through `fluid cache fuse` over a
# worker whose MEM tier holds it, vs bench/fuse-passthrough.c (pread) over the same file on tmpfs;
# both with 4 MiB readahead and max_read 1 MiB, the page cache dropped before each run. Best of 3.
# Target >= 0.9.
source "$(dirname "$0")/lib.sh"
need python3 coreutils
SIZE_MIB=${BENCH_SIZE_MIB:-2048}
mount_one_file "$SIZE_MIB"
mount_passthrough "$src" "$WORK/pt"
once() { drop_caches; dd_gbps "$1"; }
ours=$(best 3 once "$WORK/ours/file.bin")
base=$(best 3 once "$WORK/pt/file.bin")
echo "warm dd bs=1M of $SIZE_MIB MiB: $ours GB/s through fluid cache fuse; $base GB/s through the C passthrough (pread)"
echo "BENCH fuse-seq-read ratio=$(ratio "$ours" "$base") target=0.9"
