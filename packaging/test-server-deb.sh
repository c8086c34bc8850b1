#!/bin/bash
# The server's .deb tested as IT would use it (issue 17 §5, §6), in a clean Debian 12 root:
#   1. a fresh root (packaging/debian-root.sh); `apt-get install ./counterapp-server_*.deb` there (its Depends
#      from Debian's mirror); the user, directories, conffiles and the /usr/bin link checked;
#   2. /etc/counterapp/server.conf pointed at the HOST's PostgreSQL (127.0.0.1:5432; the root shares the
#      host's network) and a fresh database;
#   3. the service started WITHOUT systemd (it cannot run in a chroot) by running exactly the installed unit's
#      ExecStartPre and ExecStart lines, as its User=, in its WorkingDirectory=; /healthz;
#   4. a centre, a service, a counter and an enrollment code made with `counterapp-server admin` inside the
#      root (reading server.conf as the packaged server does); a counter enrolled from the host with
#      `counterapp enroll` into a temporary data directory, and synced;
#   5. the upgrade path: the database taken back one schema revision, the same .deb installed again (prerm
#      upgrade, postinst configure <old version>): postinst must migrate it, the edited server.conf must stay,
#      the service starts again, the centre and device are still there and the counter syncs on;
#   6. backup.sh inside the root; `dpkg --purge` keeps the database.
# Usage (root): packaging/test-server-deb.sh dist/counterapp-server_<version>_amd64.deb
# Environment: COUNTERAPP (the host's counter program; default .venv/bin/counterapp, its python beside it
# runs the downgrade), PG_URL (default postgresql://postgres@127.0.0.1:5432), KEEP=1 keeps the work folder.
set -euo pipefail
deb=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
counterapp=${COUNTERAPP:-$repo/.venv/bin/counterapp}
python=$(dirname "$counterapp")/python
pg=${PG_URL:-postgresql://postgres@127.0.0.1:5432}
[ "$(id -u)" = 0 ] || { echo "test-server-deb: run as root (chroot, mounts)" >&2; exit 1; }
[ -x "$counterapp" ] || { echo "test-server-deb: no counter program at $counterapp (set COUNTERAPP)" >&2; exit 1; }
"$here/host-tools.sh" curl
command -v psql >/dev/null || { echo "test-server-deb: needs psql (apt-get install postgresql-client)" >&2; exit 1; }

work=$(mktemp -d /var/tmp/counterapp-test-server-deb.XXXXXX)
root=$work/root
db=csdeb_$$_$(date +%s)
port=$((32100 + $$ % 600))  # below the ephemeral range, above the test suite's blocks (tests/ports.py)
url="http://127.0.0.1:$port"
server_pid=""
t0=$(date +%s.%N)
elapsed() { awk -v now="$(date +%s.%N)" -v t0="$1" 'BEGIN { printf "%.1f", now - t0 }'; }
step() { printf '[%6s s] %s\n' "$(elapsed "$t0")" "$*"; }
fail() { step "FAILED: $*"; exit 1; }

cleanup() {
  set +e
  stop_server
  [ -d "$root/proc" ] && for pid in $(ls /proc | grep -E '^[0-9]+$'); do  # whatever still runs in the root
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill "$pid" 2>/dev/null
  done
  for mnt in "$root/dev/pts" "$root/dev" "$root/proc"; do
    mountpoint -q "$mnt" 2>/dev/null && umount -l "$mnt"
  done
  psql "$pg/test" -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1
  if [ -n "${KEEP:-}" ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
stop_server() {  # the server runs in a session of its own (setsid): its process group is it and its workers
  if [ -n "$server_pid" ]; then
    kill -TERM -- "-$server_pid" 2>/dev/null || true  # uvicorn and its workers end their requests and exit
    for _ in $(seq 150); do kill -0 -- "-$server_pid" 2>/dev/null || break; sleep 0.2; done
    kill -KILL -- "-$server_pid" 2>/dev/null || true
    server_pid=""
  fi
}
stopped() {
  stop_server
  if curl -fsS -o /dev/null "$url/healthz" 2>/dev/null; then fail "something still answers at $url"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
in_root() { chroot "$root" "$@"; }

# --- 1. the clean root and the package ---------------------------------------------------------------------
step "unpacking a clean Debian 12 root"
"$here/debian-root.sh" "$root"
chmod 0755 "$root"  # the cached tarball's "." is debootstrap's mktemp folder (0700): the user could not enter /
mount -t proc proc "$root/proc"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
cp "$deb" "$root/tmp/"
step "apt-get install ./$(basename "$deb") (Depends and Recommends from Debian)"
in_root apt-get update -qq >"$work/apt.log" 2>&1 || { cat "$work/apt.log"; fail "apt-get update"; }
install_start=$(date +%s.%N)
DEBIAN_FRONTEND=noninteractive in_root apt-get install -y -q "/tmp/$(basename "$deb")" >"$work/install.log" 2>&1 \
  || { cat "$work/install.log"; fail "apt-get install"; }
step "installed in $(elapsed "$install_start") s"
in_root getent passwd counterapp | grep -q ':/var/lib/counterapp:/usr/sbin/nologin$' || fail "no system user counterapp"
for dir in /var/lib/counterapp /var/log/counterapp; do
  [ "$(in_root stat -c %U:%a "$dir")" = counterapp:750 ] || fail "$dir is not counterapp's, 0750"
done
[ "$(in_root stat -c %U:%G:%a /etc/counterapp/server.conf)" = root:counterapp:640 ] || fail "server.conf not 0640 root:counterapp"
[ "$(readlink "$root/usr/bin/counterapp-server")" = /opt/counterapp-server/counterapp-server ] || fail "/usr/bin link"
in_root dpkg-query -W -f='${Conffiles}\n' counterapp-server | grep -q /etc/counterapp/server.conf || fail "conffile"
if find "$root/opt/counterapp-server" -iname '*Qt6*' -o -iname 'PySide6' | grep -q .; then fail "Qt in the server"; fi
step "user, directories, conffile and link in place; $(du -sh "$root/opt/counterapp-server" | cut -f1) in /opt"

# --- 2. the host's PostgreSQL --------------------------------------------------------------------------------
psql "$pg/test" -qc "CREATE DATABASE $db" >/dev/null
sed -i -e "s|^database_url = .*|database_url = $pg/$db|" -e "s|^port = .*|port = $port|" "$root/etc/counterapp/server.conf"
grep -q "^database_url = $pg/$db$" "$root/etc/counterapp/server.conf" || fail "could not edit server.conf"

# --- 3. the unit's own command lines, without systemd ----------------------------------------------------
unit=$root/lib/systemd/system/counterapp-server.service
unit_value() { sed -n "s/^$1=//p" "$unit"; }
user=$(unit_value User)
workdir=$(unit_value WorkingDirectory)
pre=$(unit_value ExecStartPre | sed 's/^[-+!@:]*//')
start=$(unit_value ExecStart | sed 's/^[-+!@:]*//')
[ -n "$user" ] && [ -n "$pre" ] && [ -n "$start" ] || fail "cannot read User/ExecStartPre/ExecStart from the unit"
as_service() {  # what systemd would run: the unit's user and directory, HOME from passwd, a plain PATH
  in_root runuser -u "$user" -- env -i HOME="$workdir" PATH=/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
    /bin/sh -c "cd '$workdir' && exec $1"
}
start_service() {
  step "ExecStartPre: $pre"
  as_service "$pre" | tee -a "$work/migrate.log" || fail "ExecStartPre failed"
  step "ExecStart: $start"
  setsid chroot "$root" runuser -u "$user" -- env -i HOME="$workdir" PATH=/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 /bin/sh -c "cd '$workdir' && exec $start" >>"$work/serve.log" 2>&1 &
  server_pid=$!
  local started
  started=$(date +%s.%N)
  for _ in $(seq 600); do
    kill -0 "$server_pid" 2>/dev/null || { cat "$work/serve.log"; fail "the server exited"; }
    if curl -fsS "$url/healthz" >"$work/health.json" 2>/dev/null; then break; fi
    sleep 0.2
  done
  grep -q '"status":"ok"' "$work/health.json" || { cat "$work/serve.log"; fail "/healthz did not answer ok"; }
  step "/healthz after $(elapsed "$started") s: $(cat "$work/health.json")"
}
start_service
grep -q "Started server process" "$root/var/log/counterapp/server.log" || fail "nothing in /var/log/counterapp/server.log"

# --- 4. a centre and a counter made inside the root, a counter enrolled and synced from the host ---------
admin() { in_root runuser -u "$user" -- counterapp-server admin "$@"; }  # server.conf read by default
centre=000.00.01.H26
admin create-centre --agency-code "$centre" --name "Trung tâm Phục vụ hành chính công thử" >/dev/null
admin add-service --centre "$centre" --code HTCT --prefix A --name "Hộ tịch, chứng thực" >/dev/null
admin add-counter --centre "$centre" --number 1 --name "Quầy 1" >/dev/null
admin assign --centre "$centre" --counter 1 --services HTCT >/dev/null
code=$(admin create-device --centre "$centre" --kind counter --counter 1 | sed -n 's/^enrollment_code: //p')
[ -n "$code" ] || fail "no enrollment code"
echo "Mật khẩu thử 2026" | admin create-user --username clerk.deb --full-name "Nguyễn Văn Thử" --role clerk \
  --centre "$centre" --password-stdin >/dev/null
step "centre, service, counter 1, a clerk and an enrollment code made with the root's counterapp-server admin"
data=$work/counter
"$counterapp" enroll --server "$url" --code "$code" --data-dir "$data" >"$work/enroll.log" 2>&1 \
  || { cat "$work/enroll.log"; fail "counterapp enroll"; }
# the clerk signs in once on the counter (the window does this): only then does the server lease it numbers
"$python" - "$data" <<'PY' || fail "sign-in"
import sys
from pathlib import Path

from counterapp.sync.enrollment import client_for, load_credential

client = client_for(load_credential(Path(sys.argv[1])))
client.login("clerk.deb", "Mật khẩu thử 2026")
client.close()
PY
sync() {
  "$counterapp" sync --once --data-dir "$data" --json >"$work/sync.json" 2>&1 || { cat "$work/sync.json"; fail "sync"; }
  tr -d ' \n' <"$work/sync.json" | grep -o '"pushed":[0-9]*,"pulled":[0-9]*,"leased":[0-9]*,"rejected":[0-9]*'
}
step "counter enrolled from the host; first sync: $(sync)"
"$counterapp" ticket issue --service HTCT --user clerk.deb --data-dir "$data" --json >"$work/ticket.json" 2>&1 \
  || { cat "$work/ticket.json"; fail "ticket issue"; }
pushed=$(sync)
echo "$pushed" | grep -q '"pushed":[1-9]' || fail "the ticket was not pushed: $pushed"
echo "$pushed" | grep -q '"rejected":0' || { "$counterapp" outbox --help >/dev/null; cat "$work/sync.json"; fail "rejected: $pushed"; }
tickets=$(psql "$pg/$db" -tAc "SELECT count(*) FROM tickets")
[ "$tickets" = 1 ] || fail "the server has $tickets tickets, not 1"
step "a walk-in ticket issued at the counter and synced: $pushed; the server has it"
device=$(admin list-devices --centre "$centre" 2>&1) || fail "admin list-devices: $device"
echo "$device" | grep -q "counter	1	enrolled" || fail "the device is not listed as enrolled: $device"

# --- 5. the upgrade path ------------------------------------------------------------------------------------
stopped
head=$(psql "$pg/$db" -tAc "SELECT version_num FROM alembic_version")
"$python" - "$pg/$db" <<'PY' || fail "downgrade"
import sys

from alembic import command

from counterapp.server.db import make_engine
from counterapp.server.schema import alembic_config

engine = make_engine(sys.argv[1])
config = alembic_config()
with engine.begin() as connection:
    config.attributes["connection"] = connection
    command.downgrade(config, "-1")
PY
older=$(psql "$pg/$db" -tAc "SELECT version_num FROM alembic_version")
step "the database taken back from $head to $older; installing the same .deb again"
upgrade_start=$(date +%s.%N)
DEBIAN_FRONTEND=noninteractive in_root dpkg -i --force-confold "/tmp/$(basename "$deb")" >"$work/upgrade.log" 2>&1 \
  || { cat "$work/upgrade.log"; fail "dpkg -i (upgrade)"; }
cat "$work/upgrade.log" | grep -i "migrat" || true
grep -q "from $older to $head" "$work/upgrade.log" || { cat "$work/upgrade.log"; fail "postinst did not migrate"; }
[ "$(psql "$pg/$db" -tAc "SELECT version_num FROM alembic_version")" = "$head" ] || fail "not at $head after upgrade"
grep -q "^database_url = $pg/$db$" "$root/etc/counterapp/server.conf" || fail "the upgrade replaced the edited server.conf"
step "upgraded in $(elapsed "$upgrade_start") s: postinst migrated $older -> $head, server.conf kept"
start_service
grep -q "already at revision $head" "$work/migrate.log" || fail "ExecStartPre did not find the schema current"
after=$(admin list-devices --centre "$centre" 2>&1) || fail "admin list-devices: $after"
[ "$after" = "$device" ] || fail "the devices changed across the upgrade: $after"
"$counterapp" ticket issue --service HTCT --user clerk.deb --data-dir "$data" --json >"$work/ticket.json" 2>&1 \
  || { cat "$work/ticket.json"; fail "ticket issue"; }
pushed=$(sync)
echo "$pushed" | grep -q '"pushed":[1-9]' && echo "$pushed" | grep -q '"rejected":0' || fail "after the upgrade: $pushed"
[ "$(psql "$pg/$db" -tAc "SELECT count(*) FROM tickets")" = 2 ] || fail "the server does not have both tickets"
step "after the upgrade: the same centre and device; the counter's next ticket synced ($pushed), both on the server"

# --- 6. backup inside the root; purge keeps the database ---------------------------------------------------
archive=$(in_root runuser -u "$user" -- /usr/share/counterapp-server/backup.sh /var/lib/counterapp/backups) \
  || fail "backup.sh"
step "backup.sh in the root: $archive ($(du -h "$root$archive" | cut -f1))"
stopped
DEBIAN_FRONTEND=noninteractive in_root dpkg --purge counterapp-server >"$work/purge.log" 2>&1 \
  || { cat "$work/purge.log"; fail "dpkg --purge"; }
[ ! -e "$root/etc/counterapp/server.conf" ] && [ ! -e "$root/opt/counterapp-server" ] || fail "purge left files"
[ "$(psql "$pg/$db" -tAc "SELECT count(*) FROM devices")" -ge 1 ] || fail "purge touched the database"
step "purged: program and configuration gone, the database kept"
step "PASSED in $(elapsed "$t0") s"
