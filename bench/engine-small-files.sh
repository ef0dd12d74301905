#!/usr/bin/env bash
# 100k files of 4 KiB: warm stat+read rate through the cache vs the same files read directly
# from local disk by the same program. No target is set; the ratio is reported.
source "$(dirname "$0")/lib.sh"
need python3
FILES=${BENCH_FILES:-100000}
src="$WORK/src"; shm_dir cache cache
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
rate() { sed -n 's/.* \([0-9]*\) files\/s.*/\1/p'; }
client "$master" read --tree / > /dev/null   # cold
ours=$(client "$master" read --tree / | rate)
direct=$(client "$master" read --tree / --direct-dir "$src" | rate)
echo "warm stat+read of $FILES files: $ours files/s through the cache; $direct files/s directly from disk"
echo "BENCH engine-small-files ratio=$(ratio "$ours" "$direct") target=none"
