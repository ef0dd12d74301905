#!/usr/bin/env bash
# stat(2) of 100k files of 4 KiB (100 directories of 1000) through `fluid cache fuse` vs
# bench/fuse-passthrough.c over the same tree on tmpfs: after a warm-up listing (find), a python
# loop stats every file of the list; ops/s, best of 3 (attribute timeouts are 1 s on both, so
# every pass asks the daemon). Target >= 0.8.
source "$(dirname "$0")/lib.sh"
need python3 fuse3
FILES=${BENCH_FILES:-100000}
shm_dir src src; shm_dir cache cache
python3 - "$src" "$FILES" <<'PY'
import os, sys
root, n = sys.argv[1], int(sys.argv[2])
data = os.urandom(4096)
for i in range(n):
    d = os.path.join(root, f"d{i // 1000:03d}")
    if i % 1000 == 0: os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, f"f{i:06d}"), "wb") as f: f.write(data)
PY
dataset_file "$WORK/dataset.yaml" "local://$src"
master="http://127.0.0.1:$(free_port)"
start_master "$master" "$WORK/dataset.yaml"
start_worker "$master" "127.0.0.1:$(free_port)" "MEM:$cache:2Gi" --local-socket "$WORK/worker.sock"
mount_fluid "$master" "$WORK/ours"
mount_passthrough "$src" "$WORK/pt"

(cd "$src" && find . -type f | sort) > "$WORK/files"
once() {
  python3 - "$1" "$WORK/files" "$FILES" <<'PY'
import os, sys, time
root, names, n = sys.argv[1], open(sys.argv[2]).read().split(), int(sys.argv[3])
assert len(names) == n, (len(names), n)
paths = [os.path.join(root, p) for p in names]
time.sleep(1.1)   # past the 1 s attribute timeout of the warm-up: every stat reaches the daemon
t = time.perf_counter()
for p in paths: os.stat(p)
print(round(n / (time.perf_counter() - t)))
PY
}
for m in ours pt; do find "$WORK/$m" -type f | wc -l | grep -qx "$FILES" || { echo "$m lists the wrong number of files" >&2; exit 1; }; done
ours=$(best 3 once "$WORK/ours")
base=$(best 3 once "$WORK/pt")
echo "stat of $FILES files after a warm-up listing: $ours ops/s through fluid cache fuse; $base ops/s through the C passthrough"
echo "BENCH fuse-stat ratio=$(ratio "$ours" "$base") target=0.8"
