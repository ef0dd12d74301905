#!/usr/bin/env bash
# nginx behind a 40 MB/s link; 8 clients each read the same 256 MiB file, directly vs through
# the cache (which reads the source once). Prints the speedup; target >= 6.
source "$(dirname "$0")/lib.sh"
need nginx-light curl iproute2 python3
SIZE_MIB=${BENCH_SIZE_MIB:-256}
CLIENTS=${BENCH_CLIENTS:-8}
shm_dir src src; shm_dir cache cache
random_file "$src/file.bin" "$SIZE_MIB"
netns_pair fbsrc fbcache
# The source's link is shaped to 40 MB/s (320 Mbit/s) in both directions of its veth.
ip netns exec fbsrc tc qdisc add dev veth-fbsrc root tbf rate 320mbit burst 256kb latency 50ms
nginx_serve fbsrc "$src" "10.77.0.1:8080"

start=$(date +%s.%N)
curls=()
for i in $(seq 1 "$CLIENTS"); do ip netns exec fbcache curl -s -o /dev/null "http://10.77.0.1:8080/file.bin" & curls+=($!); done
wait "${curls[@]}"
direct=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')

dataset_file "$WORK/dataset.yaml" "http://10.77.0.1:8080/"
master="http://127.0.0.1:19998"
start_master fbcache "$master" "$WORK/dataset.yaml"
start_worker fbcache "$master" "127.0.0.1:29999" "MEM:$cache:$((SIZE_MIB + 256))Mi" --local-socket "$WORK/worker.sock"
start=$(date +%s.%N)
readers=()
for i in $(seq 1 "$CLIENTS"); do client fbcache "$master" read /file.bin > "$WORK/reader$i.log" & readers+=($!); done
wait "${readers[@]}"
cached=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN{print b-a}')
echo "$CLIENTS readers of ${SIZE_MIB} MiB: directly from the source ${direct}s, through the cache ${cached}s"
echo "BENCH engine-fanout ratio=$(ratio "$direct" "$cached") target=6"
