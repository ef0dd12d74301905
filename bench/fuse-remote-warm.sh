#!/usr/bin/env bash
# Warm read of many 8 MiB files with cat through `fluid cache fuse` whose worker is another host
# (no short-circuit: every block travels over the worker's TCP socket, as between pods), vs the C
# passthrough (pread) over the same files on tmpfs. The blocks are put in the worker with
# `fluid cache load`, and every run reads files no earlier run opened through either mount, so
# neither is served by the kernel's page cache of an earlier read. Best of 3. Target >= 0.5.
source "$(dirname "$0")/lib.sh"
need python3 coreutils fuse3
SIZE_MIB=${BENCH_SIZE_MIB:-256}   # per run; 3 runs, each on its own files
FILES=$((SIZE_MIB / 8))
shm_dir src src; shm_dir cache cache
for run in 1 2 3; do
  mkdir -p "$src/run$run"
  for i in $(seq -w 1 "$FILES"); do random_file "$src/run$run/f$i.bin" 8; done
done
dataset_file "$WORK/dataset.yaml" "local://$src"
master="http://127.0.0.1:$(free_port)"
start_master "$master" "$WORK/dataset.yaml"
start_worker "$master" "127.0.0.1:$(free_port)" "MEM:$cache:$((SIZE_MIB * 3 + 512))Mi"
client "$master" load / > /dev/null
export FLUID_HOST_ID=bench-fuse-host   # the mount is on another host than the worker
mount_fluid "$master" "$WORK/ours"
mount_passthrough "$src" "$WORK/pt"

# read_set MOUNT RUN : MB/s of cat over the run's files (fresh inodes: no page cache of them yet).
read_set() {
  local start end
  start=$(date +%s.%N)
  cat "$1/run$2"/f*.bin > /dev/null
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v mib="$SIZE_MIB" 'BEGIN { printf "%.3f", mib * 1048576 / (e - s) / 1e9 }'
}
ours=0; base=0
for run in 1 2 3; do
  o=$(read_set "$WORK/ours" "$run"); ours=$(awk -v a="$ours" -v b="$o" 'BEGIN{print (b>a)?b:a}')
  # The passthrough reads the next run's files, which our mount has not opened either.
  b=$(read_set "$WORK/pt" "$(( run % 3 + 1 ))"); base=$(awk -v a="$base" -v b="$b" 'BEGIN{print (b>a)?b:a}')
done
echo "warm cat of $FILES files x 8 MiB: $ours GB/s through fluid cache fuse (worker on another host); $base GB/s through the C passthrough (pread) on tmpfs"
echo "BENCH fuse-remote-warm ratio=$(ratio "$ours" "$base") target=0.5"
