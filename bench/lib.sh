#!/usr/bin/env bash
# Shared set-up of the benchmarks: packages, the fluid binary, cache processes, network
# namespaces, and clean-up of everything started (by PID) when the script exits.
set -euo pipefail
BENCH_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
WORK="$(mktemp -d /tmp/fluid-bench.XXXXXX)"
PIDS=()
NETNS=()
SHM_DIRS=()
MOUNTS=()

cleanup() {
  local pid ns dir mnt
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  for mnt in "${MOUNTS[@]}"; do mountpoint -q "$mnt" && umount -l "$mnt" 2>/dev/null || true; done
  for ns in "${NETNS[@]}"; do ip netns del "$ns" 2>/dev/null || true; done
  for dir in "${SHM_DIRS[@]}"; do rm -rf "$dir"; done
  rm -rf "$WORK"
}
trap cleanup EXIT

need() {
  local missing=()
  for pkg in "$@"; do dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg"); done
  if ((${#missing[@]})); then
    [[ $(id -u) -eq 0 ]] || { echo "run as root, or install: apt-get install -y ${missing[*]}" >&2; exit 1; }
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null \
      || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null; }
  fi
}

# The published fluid binary (built once).
FLUID=(dotnet "$BENCH_ROOT/artifacts/fluid/fluid.dll")
"$BENCH_ROOT/fluid" --help >/dev/null

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

# shm_dir VAR NAME: a fresh directory on tmpfs, removed at exit, its path put in VAR (not a
# subshell: the clean-up list must see it).
shm_dir() { local d="/dev/shm/fluid-bench-$2-$$"; rm -rf "$d"; mkdir -p "$d"; SHM_DIRS+=("$d"); printf -v "$1" '%s' "$d"; }

# random_file PATH SIZE_MIB
random_file() { head -c "$(($2 * 1024 * 1024))" /dev/urandom > "$1"; }

# dataset_file PATH MOUNTPOINT: a Dataset with one mount at the root.
dataset_file() {
  cat > "$1" <<YAML
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata: {name: bench, namespace: default}
spec:
  mounts:
  - {mountPoint: '$2', name: data, path: /}
YAML
}

# start_master [NETNS] URL DATASET_FILE : background master; waits until it answers.
start_master() {
  local prefix=() ; if [[ $# -eq 3 ]]; then prefix=(ip netns exec "$1"); shift; fi
  local url="$1" dataset="$2"
  head -c 24 /dev/urandom | base64 > "$WORK/token"
  "${prefix[@]}" "${FLUID[@]}" cache master --data-dir "$WORK/master" --listen "$url" --token-file "$WORK/token" \
    --dataset-file "$dataset" --secrets-dir "$WORK" > "$WORK/master.log" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/master.log" "master listening on"
}

# start_worker [NETNS] MASTER_URL LISTEN TIER [extra flags...]
start_worker() {
  local prefix=() ; if [[ "$1" != http* ]]; then prefix=(ip netns exec "$1"); shift; fi
  local master="$1" listen="$2" tier="$3"; shift 3
  local id="w$RANDOM"
  "${prefix[@]}" "${FLUID[@]}" cache worker --master "$master" --token-file "$WORK/token" --id "$id" --listen "$listen" \
    --tier "$tier" --secrets-dir "$WORK" "$@" > "$WORK/$id.log" 2>&1 &
  PIDS+=($!)
  wait_for "$WORK/$id.log" "worker $id serving"
}

wait_for() {
  for _ in $(seq 1 600); do
    grep -q "$2" "$1" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "timed out waiting for '$2' in $1:" >&2; cat "$1" >&2; exit 1
}

# client [NETNS] MASTER_URL ARGS... : runs a fluid cache client command.
client() {
  local prefix=() ; if [[ "$1" != http* ]]; then prefix=(ip netns exec "$1"); shift; fi
  local master="$1"; shift
  "${prefix[@]}" "${FLUID[@]}" cache "$@" --master "$master" --token-file "$WORK/token" --secrets-dir "$WORK"
}

# gbps "read ... : 1.234 GB/s ..." -> 1.234
gbps() { sed -n 's/.*: \([0-9.]*\) GB\/s.*/\1/p'; }

# best N CMD... : runs CMD N times, prints the highest number it printed (one number per run).
best() {
  local n="$1"; shift; local top=0 v
  for _ in $(seq 1 "$n"); do v=$("$@"); top=$(awk -v a="$top" -v b="$v" 'BEGIN{print (b>a)?b:a}'); done
  echo "$top"
}

ratio() { awk -v a="$1" -v b="$2" 'BEGIN{ if (b==0) print 0; else printf "%.2f", a/b }'; }

# netns_pair NS_A NS_B : two namespaces joined by a veth pair, 10.77.0.1 (A) and 10.77.0.2 (B).
netns_pair() {
  ip netns add "$1"; NETNS+=("$1")
  ip netns add "$2"; NETNS+=("$2")
  ip link add "veth-$1" type veth peer name "veth-$2"
  ip link set "veth-$1" netns "$1"; ip link set "veth-$2" netns "$2"
  ip -n "$1" addr add 10.77.0.1/24 dev "veth-$1"; ip -n "$2" addr add 10.77.0.2/24 dev "veth-$2"
  ip -n "$1" link set "veth-$1" up; ip -n "$2" link set "veth-$2" up
  ip -n "$1" link set lo up; ip -n "$2" link set lo up
}

# nginx_serve [NETNS] DIR ADDR:PORT [extra directives] : nginx serving DIR, autoindex JSON.
nginx_serve() {
  local prefix=() ; if [[ ! -d "$1" ]]; then prefix=(ip netns exec "$1"); shift; fi
  local dir="$1" listen="$2" extra="${3:-}"
  mkdir -p "$WORK/nginx/logs"
  cat > "$WORK/nginx/nginx.conf" <<CONF
daemon off; worker_processes 2; pid $WORK/nginx/nginx.pid; error_log $WORK/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off; sendfile on; tcp_nopush on; keepalive_requests 100000;
  server { listen $listen; root $dir; location / { autoindex on; autoindex_format json; $extra } }
}
CONF
  "${prefix[@]}" nginx -p "$WORK/nginx" -c "$WORK/nginx/nginx.conf" &
  PIDS+=($!)
  for _ in $(seq 1 100); do "${prefix[@]}" curl -s -o /dev/null "http://$listen/" && return 0; sleep 0.1; done
  echo "nginx did not start" >&2; cat "$WORK/nginx/logs/error.log" >&2; exit 1
}

# dd_gbps FILE : reads FILE with dd bs=1M, prints GB/s.
dd_gbps() { dd if="$1" of=/dev/null bs=1M 2>&1 | awk '/copied/ { for (i = 1; i <= NF; i++) if ($i == "s,") { v = $(i+1); u = $(i+2) } } END { if (u ~ /^MB/) v /= 1000; print v }'; }

# drop_caches : drops the kernel's page cache, so reads through a FUSE mount reach its daemon.
drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

# wait_mounted DIR PID : waits until DIR is a mount point (fails if PID exits first).
wait_mounted() {
  for _ in $(seq 1 300); do
    mountpoint -q "$1" && return 0
    kill -0 "$2" 2>/dev/null || { echo "the daemon of $1 exited" >&2; exit 1; }
    sleep 0.1
  done
  echo "timed out waiting for the mount on $1" >&2; exit 1
}

# set_readahead DIR KIB : the readahead of the FUSE mount on DIR (its bdi's read_ahead_kb).
set_readahead() { echo "$2" > "/sys/class/bdi/$(mountpoint -d "$1")/read_ahead_kb"; }
get_readahead() { cat "/sys/class/bdi/$(mountpoint -d "$1")/read_ahead_kb"; }

# mount_passthrough SOURCE_DIR MOUNTPOINT : bench/fuse-passthrough.c (built here) serving SOURCE_DIR
# read-only on MOUNTPOINT with pread, max_read 1 MiB and 4 MiB readahead, as our mount has.
mount_passthrough() {
  need libfuse3-dev fuse3 gcc pkg-config
  [[ -x "$WORK/fuse-passthrough" ]] || gcc -O2 -o "$WORK/fuse-passthrough" "$BENCH_ROOT/bench/fuse-passthrough.c" $(pkg-config --cflags --libs fuse3)
  mkdir -p "$2"
  "$WORK/fuse-passthrough" "$1" "$2" > "$WORK/passthrough.log" 2>&1 &
  PIDS+=($!); MOUNTS+=("$2")
  wait_mounted "$2" $!
  stat "$2" > /dev/null   # the INIT exchange is done once the mount answers
  set_readahead "$2" 4096
}

# mount_one_file SIZE_MIB : a SIZE_MIB file at $src/file.bin on tmpfs, served by a master and a worker
# whose MEM tier (in $cache) holds it, mounted with `fluid cache fuse` at $WORK/ours and read once
# through the mount so the worker holds every block.
mount_one_file() {
  shm_dir src src; shm_dir cache cache
  random_file "$src/file.bin" "$1"
  dataset_file "$WORK/dataset.yaml" "local://$src"
  local master="http://127.0.0.1:$(free_port)"
  start_master "$master" "$WORK/dataset.yaml"
  start_worker "$master" "127.0.0.1:$(free_port)" "MEM:$cache:$(($1 + 512))Mi" --local-socket "$WORK/worker.sock"
  mount_fluid "$master" "$WORK/ours"
  cat "$WORK/ours/file.bin" > /dev/null   # cold: fills the cache
}

# mount_fluid MASTER_URL MOUNTPOINT : `fluid cache fuse` (supervisor and server) in the background (it sets 4 MiB readahead).
mount_fluid() {
  need fuse3
  mkdir -p "$2"
  "${FLUID[@]}" cache fuse --mountpoint "$2" --master "$1" --token-file "$WORK/token" --secrets-dir "$WORK" > "$WORK/fuse.log" 2>&1 &
  PIDS+=($!); MOUNTS+=("$2")
  wait_for "$WORK/fuse.log" "fuse server pid"
  stat "$2" > /dev/null
  # The supervisor raises the readahead once the server has answered INIT.
  for _ in $(seq 50); do [[ "$(get_readahead "$2")" == 4096 ]] && break; sleep 0.1; done
  [[ "$(get_readahead "$2")" == 4096 ]] || { echo "fluid mount readahead is $(get_readahead "$2") KiB, not 4096" >&2; exit 1; }
}

# unmount_pid DIR PID : stops the FUSE daemon PID (SIGTERM unmounts) and waits for it.
unmount_pid() { kill "$2" 2>/dev/null || true; wait "$2" 2>/dev/null || true; mountpoint -q "$1" && umount -l "$1" || true; }
