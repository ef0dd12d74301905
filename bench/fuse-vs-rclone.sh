#!/usr/bin/env bash
# Warm sequential read (dd bs=1M) of a 2 GiB file through `fluid cache fuse` (MEM tier holds it)
# vs `rclone mount --vfs-cache-mode full --read-only` of the same directory once rclone's cache
# holds it; the page cache dropped before each run. Best of 3. Target >= 5.
source "$(dirname "$0")/lib.sh"
need python3 coreutils rclone fuse3
SIZE_MIB=${BENCH_SIZE_MIB:-2048}
shm_dir rcache rclone-cache
mount_one_file "$SIZE_MIB"

mkdir -p "$WORK/rclone"
rclone mount "$src" "$WORK/rclone" --read-only --vfs-cache-mode full --cache-dir "$rcache" \
  --vfs-cache-max-size "$((SIZE_MIB + 512))M" --config /dev/null --daemon=false > "$WORK/rclone.log" 2>&1 &
PIDS+=($!); MOUNTS+=("$WORK/rclone")
wait_mounted "$WORK/rclone" $!

cat "$WORK/rclone/file.bin" > /dev/null   # cold: fills rclone's VFS cache
once() { drop_caches; dd_gbps "$1"; }
ours=$(best 3 once "$WORK/ours/file.bin")
base=$(best 3 once "$WORK/rclone/file.bin")
echo "warm dd bs=1M of $SIZE_MIB MiB: $ours GB/s through fluid cache fuse; $base GB/s through rclone mount (vfs-cache-mode full)"
echo "BENCH fuse-vs-rclone ratio=$(ratio "$ours" "$base") target=5"
