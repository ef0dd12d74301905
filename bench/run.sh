#!/usr/bin/env bash
# Runs one benchmark (bench/run.sh NAME) or all of them (bench/run.sh all). Each installs and
# starts what it needs, cleans up after itself, and prints as its last line
#   BENCH <name> ratio=<x> target=<y>
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
benches=(engine-short-circuit engine-remote engine-cold-http engine-fanout engine-small-files fuse-remote-warm
  fuse-seq-read fuse-vs-rclone fuse-rand-4k fuse-stat kube-api)

usage() {
  echo "usage: bench/run.sh NAME|all" >&2
  echo "benchmarks: ${benches[*]}" >&2
  exit 2
}

[[ $# -eq 1 ]] || usage
if [[ "$1" == all ]]; then
  for b in "${benches[@]}"; do "$0" "$b"; done
  exit 0
fi
[[ " ${benches[*]} " == *" $1 "* ]] || usage
exec bash "$here/$1.sh"
