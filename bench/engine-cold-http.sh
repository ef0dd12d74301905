#!/usr/bin/env bash
# First read through the cache of a file served by nginx vs curl of the same file from nginx.
# Target >= 0.9.
source "$(dirname "$0")/lib.sh"
need nginx-light curl python3
SIZE_MIB=${BENCH_SIZE_MIB:-1024}
shm_dir src src; shm_dir cache cache
random_file "$src/file.bin" "$SIZE_MIB"
port=$(free_port)
nginx_serve "$src" "127.0.0.1:$port"
curl_gbps() { curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$port/file.bin" | awk '{print $1/1e9}'; }
direct=$(best 3 curl_gbps)
dataset_file "$WORK/dataset.yaml" "http://127.0.0.1:$port/"
master="http://127.0.0.1:$(free_port)"
start_master "$master" "$WORK/dataset.yaml"
start_worker "$master" "127.0.0.1:$(free_port)" "MEM:$cache:$((SIZE_MIB + 512))Mi" --local-socket "$WORK/worker.sock"
ours=$(client "$master" read --buffer 4194304 /file.bin | gbps)
echo "first read through the cache from nginx: $ours GB/s; curl from nginx: $direct GB/s"
echo "BENCH engine-cold-http ratio=$(ratio "$ours" "$direct") target=0.9"
