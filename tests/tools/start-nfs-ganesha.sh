#!/bin/bash
# Userspace NFSv4 server (nfs-ganesha, VFS backend) exporting DIR/export as /export on 127.0.0.1:${NFS_PORT:-12049}
# (and MNT on NFS_PORT-1). Needs: apt-get install -y nfs-ganesha nfs-ganesha-vfs iproute2 (libnfs-utils for checks by hand). Usage: start-nfs-ganesha.sh DIR
# The kernel here has no NFS client: read the export in userspace (libnfs, or nfs-cat / nfs-ls to check).
# Attr_Expiration_Time = 0: tests change the export on disk behind the server's back, so it must not serve cached
# attributes or handles of replaced files (NFS4ERR_STALE otherwise).
# Prints "pids: PID" on its last line once ganesha listens on the port; on failure prints the log tail and exits 1.
set -euo pipefail
D=${1:?dir}; PORT=${NFS_PORT:-12049}
mkdir -p "$D/export" "$D/recov"
cat > "$D/ganesha.conf" <<CONF
NFS_CORE_PARAM { Protocols = 4; NFS_Port = $PORT; MNT_Port = $((PORT-1)); Bind_addr = 127.0.0.1; Enable_NLM = false; Enable_RQUOTA = false; }
NFSv4 { Graceless = true; RecoveryBackend = fs; RecoveryRoot = "$D/recov"; Lease_Lifetime = 10; Grace_Period = 10; }
NFS_KRB5 { Active_krb5 = false; }
EXPORT { Export_Id = 1; Path = $D/export; Pseudo = /export; Access_Type = RW; Squash = No_Root_Squash; Protocols = 4; Transports = TCP; SecType = sys; Attr_Expiration_Time = 0; FSAL { Name = VFS; } }
LOG { Default_Log_Level = WARN; }
CONF
ganesha.nfsd -F -f "$D/ganesha.conf" -L "$D/ganesha.log" -p "$D/ganesha.pid" > "$D/run.log" 2>&1 &
echo $! > "$D/nfs.pid"
# Ready when ganesha itself listens on the port (another program holding it must not look like success).
PID=$(cat "$D/nfs.pid"); ready=0
for i in $(seq 1 60); do
  ss -Hltnp "sport = :$PORT" | grep -q "pid=$PID," && { ready=1; break; }
  kill -0 "$PID" 2>/dev/null || break
  sleep 0.25
done
if ((!ready)); then
  echo "error: nfs-ganesha (pid $PID) is not listening on 127.0.0.1:$PORT" >&2
  for f in "$D/run.log" "$D/ganesha.log"; do echo "--- $f" >&2; tail -n 20 "$f" >&2 || true; done
  exit 1
fi
echo "nfs-ganesha ready: libnfs URL nfs://127.0.0.1/export/<file>?version=4&nfsport=$PORT"
echo "pids: $PID"
