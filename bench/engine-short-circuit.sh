#!/usr/bin/env bash
# Warm read of a 2 GiB file through a long-running client on the worker's host (block files read
# directly; each run reads the file 3 times and reports the last pass, as a FUSE daemon would)
# vs a direct read of the same bytes from tmpfs with the same read size. Target >= 0.8.
source "$(dirname "$0")/lib.sh"
need python3 coreutils
SIZE_MIB=${BENCH_SIZE_MIB:-2048}
shm_dir src src; shm_dir cache cache
random_file "$src/file.bin" "$SIZE_MIB"
dataset_file "$WORK/dataset.yaml" "local://$src"
master="http://127.0.0.1:$(free_port)"
start_master "$master" "$WORK/dataset.yaml"
start_worker "$master" "127.0.0.1:$(free_port)" "MEM:$cache:$((SIZE_MIB + 512))Mi" --local-socket "$WORK/worker.sock"

client "$master" read --buffer 4194304 /file.bin > /dev/null   # cold: fills the cache
ours_once() { client "$master" read --buffer 4194304 --repeat 3 /file.bin | gbps; }
dd_once() { dd if="$src/file.bin" of=/dev/null bs=4M 2>&1 | awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") { v = $(i+1); u = $(i+2) } } END { if (u ~ /^MB/) v /= 1000; print v }'; }
ours=$(best 3 ours_once)
direct=$(best 3 dd_once)
echo "warm read through the cache (short-circuit): $ours GB/s; dd from tmpfs: $direct GB/s"
echo "BENCH engine-short-circuit ratio=$(ratio "$ours" "$direct") target=0.8"
