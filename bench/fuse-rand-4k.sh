#!/usr/bin/env bash
# fio 4 KiB random reads, 4 jobs, of a warm 2 GiB file through `fluid cache fuse` (MEM tier holds
# it) vs bench/fuse-passthrough.c over the same file on tmpfs; the page cache dropped before each
# run. IOPS, best of 3. Target >= 0.8.
source "$(dirname "$0")/lib.sh"
need python3 coreutils fio
SIZE_MIB=${BENCH_SIZE_MIB:-2048}
RUNTIME=${BENCH_RUNTIME:-10}
mount_one_file "$SIZE_MIB"
mount_passthrough "$src" "$WORK/pt"
once() {
  drop_caches
  fio --name=rand4k --filename="$1" --readonly --rw=randread --bs=4k --numjobs=4 --group_reporting \
    --ioengine=psync --direct=0 --time_based --runtime="$RUNTIME" --output-format=json \
    | python3 -c 'import json, sys; print(round(json.load(sys.stdin)["jobs"][0]["read"]["iops"]))'
}
ours=$(best 3 once "$WORK/ours/file.bin")
base=$(best 3 once "$WORK/pt/file.bin")
echo "fio randread 4k x 4 jobs, $SIZE_MIB MiB file: $ours IOPS through fluid cache fuse; $base IOPS through the C passthrough"
echo "BENCH fuse-rand-4k ratio=$(ratio "$ours" "$base") target=0.8"
