#!/bin/bash
# Single-node Ceph (mon + memstore OSD) + radosgw on 127.0.0.1:${RGW_PORT:-7480}; auth none inside the cluster,
# S3 user ${S3_AK:-TESTAK}/${S3_SK:-TESTSECRET}. Usage: start-radosgw.sh DIR
# Needs: apt-get install -y radosgw ceph-mon ceph-osd ceph-base ceph-common curl iproute2
# Prints "pids: MON OSD RGW" on its last line once radosgw answers; on failure prints the log tail and exits 1
# (the daemons it started are in DIR/*.pid either way, for the caller to stop).
set -euo pipefail
D=${1:?dir}; PORT=${RGW_PORT:-7480}; MONPORT=${MON_PORT:-16789}
mkdir -p $D/{run,log,mon.a,osd.0,rgw}; FSID=$(cat /proc/sys/kernel/random/uuid)
fail() {
  echo "error: $1" >&2
  for f in $D/log/*; do echo "--- $f" >&2; tail -n 20 "$f" >&2 || true; done
  exit 1
}
cat > $D/ceph.conf <<CONF
[global]
fsid = $FSID
mon host = v2:127.0.0.1:$MONPORT
public network = 127.0.0.0/8
auth cluster required = none
auth service required = none
auth client required = none
ms mon client mode = crc secure
ms client mode = crc secure
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
mon allow pool size one = true
mon warn on pool no redundancy = false
mon max pg per osd = 1000
osd objectstore = memstore
memstore device bytes = ${MEMSTORE_BYTES:-2147483648}
osd data = $D/osd.\$id
mon data = $D/mon.\$id
run dir = $D/run
log file = $D/log/\$name.log
admin socket = $D/run/\$name.asok
osd max object name len = 460
osd max object namespace len = 64
[client.rgw]
rgw frontends = beast endpoint=127.0.0.1:$PORT
rgw data = $D/rgw
CONF
C="-c $D/ceph.conf"
monmaptool --create --addv a "[v2:127.0.0.1:$MONPORT]" --fsid $FSID $D/monmap >/dev/null
ceph-mon $C --mkfs -i a --monmap $D/monmap
ceph-mon $C -i a -f > $D/log/mon.out 2>&1 & echo $! > $D/mon.pid
timeout 30 ceph $C -s > /dev/null || fail "ceph-mon did not answer on 127.0.0.1:$MONPORT within 30 s"
timeout 30 ceph $C osd create > /dev/null || fail "ceph osd create failed"
ceph-osd $C -i 0 --mkfs > $D/log/osd-mkfs.out 2>&1 || fail "ceph-osd --mkfs failed"
ceph-osd $C -i 0 -f > $D/log/osd.out 2>&1 & echo $! > $D/osd.pid
radosgw $C -n client.rgw -f > $D/log/rgw.out 2>&1 & echo $! > $D/rgw.pid
# Ready when radosgw itself listens and answers (another program holding the port must not look like success).
RGW=$(cat $D/rgw.pid); ready=0
for i in $(seq 1 120); do
  ss -Hltnp "sport = :$PORT" | grep -q "pid=$RGW," && curl -s -o /dev/null http://127.0.0.1:$PORT/ && { ready=1; break; }
  kill -0 "$RGW" 2>/dev/null || fail "radosgw exited"
  sleep 0.5
done
((ready)) || fail "radosgw (pid $RGW) did not answer on 127.0.0.1:$PORT within 60 s"
timeout 30 radosgw-admin $C user create --uid=test --display-name=test --access-key=${S3_AK:-TESTAK} --secret=${S3_SK:-TESTSECRET} > /dev/null \
  || fail "radosgw-admin user create failed"
echo "radosgw ready on http://127.0.0.1:$PORT"
echo "pids: $(cat $D/mon.pid) $(cat $D/osd.pid) $(cat $D/rgw.pid)"
