#!/bin/bash
# The client's .deb tested as IT and a clerk would use it (issue 17 §2), in a clean Debian 12 root:
#   1. a fresh root (packaging/debian-root.sh), IT's /etc/counterapp/counter.conf placed before installing;
#   2. a real server on the host's loopback (counterapp-server from the venv, SQLite), the demo centre seeded,
#      a kiosk issuing tickets for counter 1;
#   3. `apt-get install ./counterapp_*.deb` in the root (Depends from Debian's mirror), `counterapp --selftest`;
#   4. as the user `clerk`: `counterapp gui` on an Xvfb display (with openbox) shared into the root, whose
#      first-start wizard enrolls with counter.conf's server and code; Enter through its pages, then the
#      password and F2 typed with xdotool on the real sign-in and main windows,
#      the call checked in the server's database, a screenshot, F4/F5 to finish the ticket, Alt+F4 to quit;
#   5. the start to the sign-in window, timed (cold after a page-cache drop, and warm);
#   6. `dpkg -r` keeps the clerk's data and counter.conf; `dpkg -P` removes counter.conf, keeps the data.
# Usage (root): packaging/test-deb.sh dist/counterapp_<version>_amd64.deb
# Environment: COUNTERAPP_PYTHON (the Python with counterapp-server; default .venv/bin/python),
# TEST_DEB_OUT (logs and screenshot; default build/test-deb), KEEP=1 keeps the work folder.
set -euo pipefail
deb=$(realpath "$1")
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")
py=${COUNTERAPP_PYTHON:-$repo/.venv/bin/python}
server_bin=$(dirname "$py")/counterapp-server
out=${TEST_DEB_OUT:-$repo/build/test-deb}
[ "$(id -u)" = 0 ] || { echo "test-deb: run as root (chroot, mounts)" >&2; exit 1; }
[ -x "$server_bin" ] || { echo "test-deb: no counterapp-server next to $py" >&2; exit 1; }
"$here/host-tools.sh" Xvfb xdotool openbox

mkdir -p "$out"
work=$(mktemp -d /var/tmp/counterapp-test-deb.XXXXXX)
root=$work/root
site=$work/server
pids=()
t0=$(date +%s.%N)
elapsed() { awk -v now="$(date +%s.%N)" -v t0="$1" 'BEGIN { printf "%.1f", now - t0 }'; }
step() { printf '[%6s s] %s\n' "$(elapsed "$t0")" "$*"; }
fail() { step "FAILED: $*"; exit 1; }

cleanup() {
  set +e
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null; done
  [ -d "$root/proc" ] && for pid in $(ls /proc | grep -E '^[0-9]+$'); do  # whatever still runs in the root
    [ "$(readlink "/proc/$pid/root" 2>/dev/null)" = "$root" ] && kill "$pid" 2>/dev/null
  done
  sleep 0.5
  for mnt in "$root/tmp/.X11-unix" "$root/dev/shm" "$root/dev/pts" "$root/dev" "$root/sys" "$root/proc"; do
    mountpoint -q "$mnt" 2>/dev/null && umount -l "$mnt"
  done
  if [ -n "${KEEP:-}" ]; then echo "work folder kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- 1. the clean root -----------------------------------------------------------------------------------
step "unpacking a clean Debian 12 root"
"$here/debian-root.sh" "$root"
chmod 0755 "$root"  # the cached tarball's "." is its 0700 build folder: other users could not even reach /
mount -t proc proc "$root/proc"
mount -t sysfs sys "$root/sys"
mount --bind /dev "$root/dev"
mount --bind /dev/pts "$root/dev/pts"
mount --bind /dev/shm "$root/dev/shm"
mkdir -p "$root/tmp/.X11-unix" /tmp/.X11-unix  # the host's X sockets (Xvfb below) seen from the root
chmod 1777 /tmp/.X11-unix
mount --bind /tmp/.X11-unix "$root/tmp/.X11-unix"
chroot "$root" useradd --create-home --shell /bin/sh clerk
# exec: started with `&`, the function runs in a subshell, and $! must be the program itself (to stop it)
as_clerk() {
  exec chroot --userspec=clerk:clerk "$root" env -i HOME=/home/clerk USER=clerk LANG=C.UTF-8 \
    PATH=/usr/bin:/bin DISPLAY=":$display" "$@"
}
clerk() { (as_clerk "$@"); }  # in the foreground: in a subshell, so the exec does not end this script

# --- 2. the server and the display on the host -----------------------------------------------------------
step "the server: seeding the demo centre (SQLite) and starting counterapp-server on loopback"
seed=$("$py" "$here/deb_site.py" seed "$site")
field() { "$py" -c 'import json, sys; print(json.loads(sys.argv[1])[sys.argv[2]])' "$seed" "$1"; }
port=$("$py" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
url="http://127.0.0.1:$port"
"$server_bin" serve --database-url "sqlite:///$site/server.sqlite3" --host 127.0.0.1 --port "$port" \
  >"$out/server.log" 2>&1 &
pids+=($!)
Xvfb -displayfd 3 -screen 0 1366x768x24 -nolisten tcp 3>"$work/display" 2>"$out/xvfb.log" &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/display" ] && break; sleep 0.1; done
display=$(cat "$work/display")
DISPLAY=":$display" openbox >"$out/openbox.log" 2>&1 &
pids+=($!)
for _ in $(seq 150); do curl -sf "$url/healthz" >/dev/null && break; sleep 0.2; done
curl -sf "$url/healthz" >/dev/null || fail "the server does not answer on $url (see $out/server.log)"
step "server on $url, display :$display; kiosk issues tickets: $("$py" "$here/deb_site.py" tickets "$site" "$url" 3)"

# IT's installer config, placed before the package (owner-only: postinst must make it readable to clerks)
mkdir -p "$root/etc/counterapp"
printf '[enroll]\nserver = %s\ncode = %s\ncounter = %s\n' "$url" "$(field counter_code)" "$(field counter)" \
  >"$root/etc/counterapp/counter.conf"
chmod 0600 "$root/etc/counterapp/counter.conf"

# --- 3. the package ---------------------------------------------------------------------------------------
t_install=$(date +%s.%N)
step "apt-get install $(basename "$deb") into the root (its Depends from Debian)"
cp "$deb" "$root/tmp/"
chroot "$root" apt-get update -qq
DEBIAN_FRONTEND=noninteractive chroot "$root" apt-get install -y -qq --no-install-recommends \
  "/tmp/$(basename "$deb")" >"$out/apt.log" 2>&1 || { tail -20 "$out/apt.log"; fail "apt-get install"; }
grep -h "^counterapp" "$out/apt.log" || true
step "installed: $(chroot "$root" dpkg-query -W -f '${Package} ${Version}, ${Installed-Size} KiB' counterapp);" \
  "$(chroot "$root" dpkg -l | grep -c '^ii') packages in the root"
[ "$(stat -c %a "$root/etc/counterapp/counter.conf")" = 644 ] || fail "postinst left counter.conf unreadable"
[ -L "$root/usr/bin/counterapp" ] && [ -f "$root/usr/share/applications/counterapp.desktop" ] || fail "files"
clerk counterapp --version
clerk counterapp --selftest 2>/dev/null | sed 's/^/    /' || fail "counterapp --selftest in the root"

# --- 4. the clerk's first day -----------------------------------------------------------------------------
data=/home/clerk/.local/share/counterapp
export DISPLAY=":$display"
# A window's id by its title, polled (xdotool's own --sync dies with BadWindow when a window goes away while
# it walks the tree, as the sign-in dialog does when the main window opens).
wait_window() {
  local id
  for _ in $(seq 600); do
    id=$(xdotool search --onlyvisible --name "$1" 2>/dev/null | head -1) && [ -n "$id" ] && { echo "$id"; return 0; }
    sleep 0.1
  done
  return 1
}
step "first start as clerk: the wizard enrolls with counter.conf's server and code, without questions"
as_clerk counterapp gui --username "$(field username)" >"$out/gui.log" 2>&1 &
gui=$!
pids+=($gui)
wizard=$(wait_window 'Khởi động lần đầu') || fail "no first-start wizard (see $out/gui.log)"
for _ in $(seq 300); do [ -f "$root$data/sync-credential.json" ] && break; sleep 0.1; done
[ -f "$root$data/sync-credential.json" ] || fail "the wizard did not enroll (see $out/gui.log)"
sleep 1  # the result page: centre and counter
shot() { "$py" -c 'import sys; from PIL import ImageGrab; ImageGrab.grab(xdisplay=sys.argv[1]).save(sys.argv[2])' \
  ":$display" "$out/$1"; }
shot first-start-wizard.png
step "enrolled (screenshot first-start-wizard.png); Enter (to the printers page), Enter (Xong, đăng nhập)"
xdotool windowactivate --sync "$wizard"
xdotool key Return
sleep 1
xdotool key Return
login=$(wait_window 'Đăng nhập') || fail "no sign-in window"
step "sign-in window up; typing the password"
xdotool windowactivate --sync "$login"
sleep 0.3
xdotool type --delay 20 "$(field password)"
xdotool key Return
main=$(wait_window 'quầy một cửa') || fail "no main window"
xdotool windowactivate --sync "$main"
sleep 2  # the queue panel's first refresh
step "signed in; F2 (call next)"
xdotool key F2
"$py" "$here/deb_site.py" called "$site" 30 || fail "the server saw no call (see $out/gui.log)"
first_call=$(elapsed "$t_install")
step "FIRST CALL made ${first_call} s after the .deb went into the clean root"
sleep 1
shot counter-window.png
step "screenshot: $out/counter-window.png; F4 (start), F5 (finish), Alt+F4 (quit)"
xdotool key F4
sleep 1
xdotool key F5
sleep 1
xdotool windowactivate --sync "$main" key alt+F4
for _ in $(seq 100); do kill -0 "$gui" 2>/dev/null || break; sleep 0.2; done
kill -0 "$gui" 2>/dev/null && fail "the window did not quit on Alt+F4"
wait "$gui" || fail "counterapp gui exited with an error (see $out/gui.log)"
[ -f "$root$data/counter.sqlite3" ] || fail "no data directory at $data"
step "quit cleanly; data directory $data ($(du -sh "$root$data" | cut -f1))"

# --- 5. start to the sign-in window -----------------------------------------------------------------------
# With COUNTERAPP_EXIT_ON_LOGIN the app prints how long after its process started the sign-in window was
# first painted (on the Xvfb display, under openbox), then quits; the wall time to its exit is taken too.
# The first run follows a drop of the page cache (cold), the other four are warm.
painted=()
exited=()
for run in 1 2 3 4 5; do
  [ "$run" = 1 ] && { sync; echo 3 >/proc/sys/vm/drop_caches; }
  start=$(date +%s.%N)
  clerk env COUNTERAPP_EXIT_ON_LOGIN=1 counterapp gui 2>"$work/start.log" >/dev/null || fail "timed start"
  exited+=("$(elapsed "$start")")
  cat "$work/start.log" >>"$out/startup.log"
  painted+=("$(sed -n 's/.*sign-in window painted \([0-9.]*\) s.*/\1/p' "$work/start.log")")
done
step "start to sign-in window painted (s): cold ${painted[0]}, warm ${painted[*]:1};" \
  "to exit: cold ${exited[0]}, warm ${exited[*]:1} (load average $(cut -d' ' -f1-3 /proc/loadavg))"

# --- 6. remove, purge -------------------------------------------------------------------------------------
chroot "$root" dpkg -r counterapp >/dev/null
[ ! -e "$root/opt/counterapp" ] && [ ! -e "$root/usr/bin/counterapp" ] || fail "dpkg -r left the program"
[ -f "$root$data/counter.sqlite3" ] && [ -f "$root/etc/counterapp/counter.conf" ] || fail "dpkg -r took data or config"
step "dpkg -r: program gone, data directory and counter.conf kept"
chroot "$root" dpkg -P counterapp >/dev/null
[ ! -e "$root/etc/counterapp" ] || fail "dpkg -P left /etc/counterapp"
[ -f "$root$data/counter.sqlite3" ] || fail "dpkg -P took the clerk's data"
step "dpkg -P: counter.conf gone, the clerk's data directory kept"
step "PASSED (first call ${first_call} s after install; whole test $(elapsed "$t0") s)"
