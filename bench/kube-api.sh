#!/usr/bin/env bash
# fluidd's Kubernetes API against the store underneath it: wrk creates Datasets (16 connections,
# every create one SQLite transaction with synchronous=FULL, admission and defaulting included),
# gets one, and lists them 500 at a time; a Python client measures watch latency (POST sent ->
# ADDED event read) for 300 creates one after another. The baseline is a loop of raw SQLite
# inserts of the same Dataset JSON, one transaction each, in WAL mode with synchronous=FULL, on
# the same disk in the same run. ratio = fluidd creates/s / raw inserts/s. Target >= 0.3: an
# API write also parses, validates, defaults and re-serializes the object, writes it twice
# (object and event log) and answers over TLS.
source "$(dirname "$0")/lib.sh"
need wrk python3
SECONDS_EACH=${BENCH_SECONDS:-10}
DATA="$WORK/fluidd"
port=$(free_port)
"${FLUID[@]}" server --data-dir "$DATA" --port "$port" > "$WORK/fluidd.log" 2>&1 &
PIDS+=($!)
wait_for "$WORK/fluidd.log" "fluidd serving"
url="https://127.0.0.1:$port"
export FLUIDD_TOKEN; FLUIDD_TOKEN=$(cat "$DATA/token")

cat > "$WORK/create.lua" <<'LUA'
local token = os.getenv("FLUIDD_TOKEN")
local n = 0
function request()
  n = n + 1
  local body = string.format('{"apiVersion":"data.fluid.io/v1alpha1","kind":"Dataset","metadata":{"generateName":"bench-","labels":{"app":"bench"}},"spec":{"mounts":[{"name":"data","mountPoint":"s3://bucket/data/%d","options":{"alluxio.underfs.s3.endpoint":"http://127.0.0.1:9000"}}]}}', n)
  return wrk.format("POST", "/apis/data.fluid.io/v1alpha1/namespaces/default/datasets", {["Content-Type"] = "application/json", ["Authorization"] = "Bearer " .. token}, body)
end
LUA
cat > "$WORK/get.lua" <<'LUA'
wrk.headers["Authorization"] = "Bearer " .. os.getenv("FLUIDD_TOKEN")
LUA

rate() { awk '/^Requests\/sec/ { printf "%d", $2 }' "$1"; }
errors() { awk '/Non-2xx/ { print $NF }' "$1"; }
wrk -t2 -c16 -d"${SECONDS_EACH}s" -s "$WORK/create.lua" "$url" > "$WORK/create.out"
[[ -z "$(errors "$WORK/create.out")" ]] || { echo "creates failed: $(errors "$WORK/create.out") non-2xx" >&2; cat "$WORK/fluidd.log" >&2; exit 1; }
creates=$(rate "$WORK/create.out")
latency=$(python3 - "$url" "$DATA/ca.crt" "$FLUIDD_TOKEN" <<'PY'
import http.client, json, ssl, sys, threading, time, urllib.parse
url, ca, token = sys.argv[1:4]
host = urllib.parse.urlparse(url)
ctx = ssl.create_default_context(cafile=ca)
headers = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
def conn(): return http.client.HTTPSConnection(host.hostname, host.port, context=ctx)
c = conn()
c.request("POST", "/api/v1/namespaces", json.dumps({"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "latency"}}), headers)
assert c.getresponse().read() and True
N = 300
sent, received = {}, {}
ready = threading.Event()
def watch():
    w = conn()
    w.request("GET", "/apis/data.fluid.io/v1alpha1/namespaces/latency/datasets?watch=true&resourceVersion=0", headers=headers)
    r = w.getresponse()
    ready.set()
    while len(received) < N:
        line = r.readline()
        if not line: break
        e = json.loads(line)
        received[e["object"]["metadata"]["name"]] = time.perf_counter()
t = threading.Thread(target=watch, daemon=True); t.start(); ready.wait(); time.sleep(0.2)
for i in range(N):
    body = json.dumps({"apiVersion": "data.fluid.io/v1alpha1", "kind": "Dataset", "metadata": {"name": f"lat-{i}"},
                       "spec": {"mounts": [{"name": "data", "mountPoint": f"s3://bucket/data/{i}"}]}})
    sent[f"lat-{i}"] = time.perf_counter()
    c.request("POST", "/apis/data.fluid.io/v1alpha1/namespaces/latency/datasets", body, headers)
    r = c.getresponse(); r.read()
    assert r.status == 201, r.status
t.join(30)
lat = sorted((received[k] - sent[k]) * 1000 for k in sent if k in received)
assert len(lat) == N, f"only {len(lat)} of {N} events arrived"
print(f"{lat[len(lat) // 2]:.2f} {lat[int(len(lat) * 0.99) - 1]:.2f}")
PY
)
p50=${latency% *}; p99=${latency#* }
wrk -t2 -c16 -d"${SECONDS_EACH}s" -s "$WORK/get.lua" "$url/apis/data.fluid.io/v1alpha1/namespaces/latency/datasets/lat-0" > "$WORK/get.out"
[[ -z "$(errors "$WORK/get.out")" ]] || { echo "gets failed:" >&2; cat "$WORK/get.out" "$WORK/create.out" >&2; exit 1; }
gets=$(rate "$WORK/get.out")
wrk -t2 -c4 -d"${SECONDS_EACH}s" -s "$WORK/get.lua" "$url/apis/data.fluid.io/v1alpha1/namespaces/default/datasets?limit=500" > "$WORK/list.out"
[[ -z "$(errors "$WORK/list.out")" ]] || { echo "lists failed" >&2; exit 1; }
lists=$(( $(rate "$WORK/list.out") * 500 ))


baseline=$(python3 - "$WORK/raw.db" "$SECONDS_EACH" <<'PY'
import json, sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE objects(resource TEXT, namespace TEXT, name TEXT, json TEXT, PRIMARY KEY(resource, namespace, name)) WITHOUT ROWID")
n, end = 0, time.perf_counter() + float(sys.argv[2])
start = time.perf_counter()
while time.perf_counter() < end:
    n += 1
    obj = {"apiVersion": "data.fluid.io/v1alpha1", "kind": "Dataset", "metadata": {"name": f"bench-{n}", "labels": {"app": "bench"}},
           "spec": {"mounts": [{"name": "data", "mountPoint": f"s3://bucket/data/{n}", "options": {"alluxio.underfs.s3.endpoint": "http://127.0.0.1:9000"}}]}}
    db.execute("BEGIN"); db.execute("INSERT INTO objects VALUES(?,?,?,?)", ("datasets.data.fluid.io", "default", f"bench-{n}", json.dumps(obj))); db.execute("COMMIT")
print(int(n / (time.perf_counter() - start)))
PY
)
echo "fluidd: create $creates objects/s, get $gets objects/s, list $lists objects/s (500 per page), watch latency p50 $p50 ms p99 $p99 ms; raw SQLite insert (WAL, synchronous=FULL) $baseline objects/s"
echo "BENCH kube-api ratio=$(ratio "$creates" "$baseline") target=0.3"
