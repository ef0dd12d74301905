#!/usr/bin/env bash
# The main job on one machine, no cluster: sample files on a real HTTP server (nginx, throttled to stand in
# for remote storage), brought up as a dataset with two cache workers by `fluid up`, warmed by `fluid load`
# with a progress bar, and read through the FUSE mount cold (from the source) and warm (from the cache).
#
#   sudo ./quickstart.sh            # FLUID_QUICKSTART_MB (default 256) and FLUID_QUICKSTART_RATE (default 100m) tune it
#   sudo ./quickstart.sh --down     # stops fluidd (forgetting the quickstart's objects) and the quickstart's nginx
set -euo pipefail
root="$(cd "$(dirname "$0")" && pwd)"
mb="${FLUID_QUICKSTART_MB:-256}"
rate="${FLUID_QUICKSTART_RATE:-100m}"
port="${FLUID_QUICKSTART_PORT:-18080}"
work="${FLUID_QUICKSTART_DIR:-/var/lib/fluid-quickstart}"   # outside $HOME: nginx's workers must read it

if [[ "${1:-}" == "--down" ]]; then
  "$root/fluid" down --purge
  if [[ -f "$work/nginx/nginx.pid" ]]; then kill "$(cat "$work/nginx/nginx.pid")" 2>/dev/null && echo "nginx stopped"; fi
  exit 0
fi

if [[ $EUID -ne 0 ]]; then
  echo "error: the quickstart mounts FUSE and runs pods in mount namespaces, which needs root; run: sudo $0" >&2
  exit 1
fi

# Its own set-up: fuse3 for the mount, nginx for the source.
missing=()
ldconfig -p | grep -q libfuse3.so.3 || missing+=(fuse3)
command -v nginx >/dev/null || missing+=(nginx-light)
command -v curl >/dev/null || missing+=(curl)
if ((${#missing[@]})); then
  if command -v apt-get >/dev/null; then
    echo "installing ${missing[*]}..." >&2
    apt-get -o DPkg::Lock::Timeout=600 update -qq
    DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  else
    echo "error: install ${missing[*]} (Debian/Ubuntu: sudo apt-get install -y ${missing[*]}) and run $0 again" >&2
    exit 1
  fi
fi

# Sample files: 32 files of MB/32 MiB each, made once.
samples="$work/samples"
if [[ ! -f "$samples/.complete-$mb" ]]; then
  rm -rf "$samples"; mkdir -p -m 755 "$work" "$samples" "$samples/images"
  each=$((mb * 1024 / 32))
  for i in $(seq -w 1 32); do head -c "${each}K" /dev/urandom > "$samples/images/part-$i.bin"; done
  touch "$samples/.complete-$mb"
fi

# nginx serves them (autoindex JSON is how the cache lists an HTTP source), throttled per connection.
mkdir -p "$work/nginx/logs"
cat > "$work/nginx/nginx.conf" <<CONF
daemon off; worker_processes 2; pid $work/nginx/nginx.pid; error_log $work/nginx/logs/error.log;
events { worker_connections 1024; }
http {
  access_log off; sendfile on;
  server { listen 127.0.0.1:$port; root $samples; location / { autoindex on; autoindex_format json; limit_rate $rate; } }
}
CONF
if [[ -f "$work/nginx/nginx.pid" ]] && kill -0 "$(cat "$work/nginx/nginx.pid")" 2>/dev/null; then
  kill "$(cat "$work/nginx/nginx.pid")"; sleep 0.5
fi
setsid nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" </dev/null >/dev/null 2>&1 &
for _ in $(seq 1 100); do curl -s -o /dev/null "http://127.0.0.1:$port/" && break; sleep 0.1; done
echo "nginx serving $samples on http://127.0.0.1:$port/ (limit_rate $rate per connection)"

cat > "$work/quickstart.yaml" <<YAML
apiVersion: data.fluid.io/v1alpha1
kind: Dataset
metadata:
  name: quickstart
spec:
  mounts:
    - name: samples
      mountPoint: http://127.0.0.1:$port/
      path: /
---
apiVersion: data.fluid.io/v1alpha1
kind: CacheRuntime
metadata:
  name: quickstart
spec:
  runtimeClassName: fluid
  worker:
    replicas: 2
    tieredStore:
      levels:
        - processMemory:
            quota: $((mb * 2))Mi
YAML

out="$("$root/fluid" up -f "$work/quickstart.yaml" | tee /dev/stderr)"
mount="$(sed -n 's/^default\/quickstart mounted at //p' <<<"$out")"
[[ -n "$mount" ]] || { echo "error: fluid up did not mount the dataset" >&2; exit 1; }

seconds() { local start end; start=$(date +%s.%N); "$@" >/dev/null; end=$(date +%s.%N); awk -v a="$start" -v b="$end" 'BEGIN { print b - a }'; }
# Two halves of equal size: the first is read cold, the second only after the load, so neither read can be
# served by the kernel's page cache of the other.
first_half() { cat "$mount"/images/part-{01..16}.bin; }
second_half() { cat "$mount"/images/part-{17..32}.bin; }
half=$((mb / 2))

echo
echo "== cold read: files 01-16 ($half MiB) through the mount, from nginx"
cold=$(seconds first_half)
echo "== fluid load quickstart: the whole dataset into the two workers"
"$root/fluid" load quickstart
echo "== warm read: files 17-32 ($half MiB) through the mount, from the workers' memory"
warm=$(seconds second_half)

echo
printf 'dataset default/quickstart, %s MiB in 32 files, mounted at %s\n' "$mb" "$mount"
awk -v c="$cold" -v w="$warm" -v h="$half" 'BEGIN {
  printf "cold read %6.2f s  (%7.1f MiB/s)\n", c, h / c
  printf "warm read %6.2f s  (%7.1f MiB/s)  %.1fx faster\n", w, h / w, c / w }'
echo
echo "next: ls $mount/images   |   $root/fluid get datasets   |   $root/fluid describe dataset quickstart   |   sudo $0 --down"
