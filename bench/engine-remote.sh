#!/usr/bin/env bash
# Warm read from a worker in another network namespace over veth vs iperf3 between the same
# namespaces. Target >= 0.9.
source "$(dirname "$0")/lib.sh"
need iperf3 iproute2 python3
SIZE_MIB=${BENCH_SIZE_MIB:-2048}
shm_dir src src; shm_dir cache cache
random_file "$src/file.bin" "$SIZE_MIB"
dataset_file "$WORK/dataset.yaml" "local://$src"
netns_pair fbw fbc
master="http://10.77.0.1:19998"
start_master fbw "$master" "$WORK/dataset.yaml"
start_worker fbw "$master" "10.77.0.1:29999" "MEM:$cache:$((SIZE_MIB + 512))Mi"

export FLUID_HOST_ID=bench-client-host   # another host: no short-circuit, reads go over the veth
client fbc "$master" read --buffer 4194304 /file.bin > /dev/null
ours_once() { client fbc "$master" read --buffer 4194304 --repeat 3 /file.bin | gbps; }
ours=$(best 3 ours_once)
ip netns exec fbw iperf3 -s -1 -D -B 10.77.0.1 > /dev/null
sleep 0.5
iperf=$(ip netns exec fbc iperf3 -c 10.77.0.1 -t 5 -J | python3 -c 'import json,sys; print(json.load(sys.stdin)["end"]["sum_received"]["bits_per_second"]/8e9)')
echo "warm remote read through the cache: $ours GB/s; iperf3 over the same veth: $iperf GB/s"
echo "BENCH engine-remote ratio=$(ratio "$ours" "$iperf") target=0.9"
