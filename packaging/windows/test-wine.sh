#!/usr/bin/env bash
# The Windows installer, proved on Linux: compile packaging/windows/counterapp.nsi with Debian's makensis over
# a stand-in bundle (a real 64-bit counterapp.exe made by stand-in-app.nsi, plus folders shaped like
# PyInstaller's), then run it under Debian's wine in a fresh, headless prefix as IT would run it:
#   refused parameters (exit codes, nothing installed) → silent install with /SERVER /CODE /COUNTER →
#   silent upgrade without parameters (config kept) and with new ones (config replaced) →
#   silent uninstall (program, shortcut and keys gone, counter.conf and user data kept) →
#   reinstall and `uninstall.exe /S /PURGE` (counter.conf gone, user data still kept).
# Usage: packaging/windows/test-wine.sh [--keep]   (--keep leaves the work directory for a look)
# Needs: makensis and wine (packaging/host-tools.sh installs them as root), pgrep (procps). About 40 s on
# 2 cores, most of it wineboot making the prefix.
set -euo pipefail

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
keep=0
[ "${1:-}" = "--keep" ] && keep=1

sh "$repo/packaging/host-tools.sh" makensis wine

work=$(mktemp -d /tmp/counterapp-wine.XXXXXX)
export WINEPREFIX="$work/prefix"
export WINEDEBUG=-all             # wine's own chatter, and the "wine32 is missing" hint: only wine64 is needed
export WINEDLLOVERRIDES="mscoree,mshtml="   # no Mono/Gecko download prompts in a fresh prefix
export LC_ALL=C.UTF-8
unset DISPLAY WAYLAND_DISPLAY     # headless: a silent NSIS installer opens no window
cleanup() {
  wineserver -k >/dev/null 2>&1 || true
  if [ "$keep" = 1 ]; then echo "kept: $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

failures=0
ok() { echo "  ok   $*"; }
bad() { echo "  FAIL $*"; failures=$((failures + 1)); }
check() {  # check DESCRIPTION COMMAND...
  local what=$1; shift
  if "$@"; then ok "$what"; else bad "$what"; fi
}
declare -a timings=()
clock() { date +%s.%N; }
timed() {  # timed LABEL COMMAND...: runs it, records the seconds; returns its status
  local label=$1 t0 t1 status=0; shift
  t0=$(clock)
  "$@" || status=$?
  t1=$(clock)
  timings+=("$(awk -v a="$t0" -v b="$t1" -v l="$label" 'BEGIN { printf "%-44s %6.1f s", l, b - a }')")
  return $status
}

# --- Build: the stand-in app, two stand-in bundles (0.1.0 and 0.1.1) and their installers -------------------
t_start=$(clock)
echo "== build (makensis $(makensis -VERSION))"
makensis -V2 -DOUTFILE="$work/counterapp.exe" "$here/stand-in-app.nsi" >/dev/null
make_payload() {  # make_payload DIR ONLY_FILE: a bundle shaped like PyInstaller's onedir output
  local dir=$1
  mkdir -p "$dir/_internal/resources/i18n" "$dir/_internal/resources/fonts"
  cp "$work/counterapp.exe" "$dir/counterapp.exe"
  echo "stand-in for the Python runtime" >"$dir/_internal/python311.dll"
  echo "stand-in catalogue" >"$dir/_internal/resources/i18n/counterapp_vi.qm"
  cp "$repo/resources/fonts/BeVietnamPro-Regular.ttf" "$dir/_internal/resources/fonts/"
  # A Vietnamese file name: Unicode paths through makensis on Linux and NSIS's File at install time.
  echo "Tệp thử tên tiếng Việt" >"$dir/_internal/resources/đọc-tôi.txt"
  echo "only in this version" >"$dir/_internal/$2"
}
make_payload "$work/payload-0.1.0" old-only.dll
make_payload "$work/payload-0.1.1" new-only.dll
for v in 0.1.0 0.1.1; do
  timed "makensis counterapp.nsi ($v)" \
    makensis -V2 -DPAYLOAD="$work/payload-$v" -DVERSION=$v -DOUTFILE="$work/counterapp-setup-$v.exe" \
    "$here/counterapp.nsi" >/dev/null
done
setup_size=$(stat -c %s "$work/counterapp-setup-0.1.1.exe")

# --- A fresh Windows prefix ----------------------------------------------------------------------------------
echo "== wine prefix ($(wine --version))"
timed "wineboot -i (fresh prefix)" sh -c 'wineboot -i >/dev/null 2>&1; wineserver -w'
# One wineserver for the whole test: each wine command then starts in ~0.3 s instead of ~2 s plus ~2 s of
# waiting for the server to wind down (cleanup() stops it).
wineserver -p
C="$WINEPREFIX/drive_c"
prog="$C/Program Files/counterapp"
conf="$C/ProgramData/counterapp/counter.conf"
lnk="$C/ProgramData/Microsoft/Windows/Start Menu/Programs/Quầy giao dịch một cửa.lnk"
key='HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\counterapp'
[ -d "$C/windows" ] || { echo "wineboot made no prefix" >&2; exit 1; }

# Runs a Windows program; prints nothing, returns the program's exit code.
run() { wine "$@" >/dev/null 2>&1; }
# The uninstaller run without _?= (as IT runs it) copies itself to %TEMP%\~nsuN.tmp\Un.exe, starts the copy
# and returns at once: wait for the copy to end (at most 60 s).
wait_uninstaller_copy() {
  local i
  for i in $(seq 1 600); do
    pgrep -f '~nsu[^\\]*\.tmp\\Un\.exe' >/dev/null || return 0
    sleep 0.1
  done
  return 1
}
# A batch file passes a command line as typed; wine, building one from its argv, would escape the quotes
# in /SERVER="..." and quote an argument holding a space such as _?=C:\Program Files\counterapp.
bat() {  # bat NAME LINE: writes NAME.bat that runs LINE and returns its exit code; prints its Windows path
  printf '@echo off\r\n%s\r\nexit /b %%ERRORLEVEL%%\r\n' "$2" >"$work/$1.bat"
  echo "Z:$work/$1.bat" | tr / '\\'
}
exit_code() { local s=0; run "$@" || s=$?; echo $s; }
reg_value() {  # reg_value NAME: the value's data as `reg export` writes it (UTF-16 .reg turned into UTF-8)
  rm -f "$work/key.reg"
  run reg export "$key" 'Z:'"$(echo "$work/key.reg" | tr / '\\')" /y || return 1
  iconv -f UTF-16 -t UTF-8 "$work/key.reg" | tr -d '\r' | sed -n "s/^\"$1\"=//p"
}
key_exists() { run reg query "$key"; }
tree() { (cd "$1" && find . -mindepth 1 | LC_ALL=C sort); }
same_tree() {  # same_tree PAYLOAD: Program Files\counterapp holds exactly the payload plus uninstall.exe
  diff <( (tree "$1"; echo ./uninstall.exe) | LC_ALL=C sort) <(tree "$prog") >/dev/null &&
    diff -r --exclude=uninstall.exe "$1" "$prog" >/dev/null
}
conf_is() { cmp -s <(printf '%s\r\n' "$@") "$conf"; }
setup() { echo "$work/counterapp-setup-$1.exe" | sed 's|^|Z:|; s|/|\\|g'; }
header='# Written by the counterapp 0.1.0 installer; read at the first start to enroll this PC.'

# --- Refused parameters: a non-zero exit code and nothing on disk or in the registry -------------------------
echo "== refused parameters"
S=$(setup 0.1.0)
check "/SERVER=hcc.example/ (no scheme) → exit 11" \
  test "$(exit_code "$S" /S /SERVER=hcc.example/ /CODE=K7QX-M2PD-9HTC)" = 11
check "/SERVER=ftp://hcc.example/ → exit 11" test "$(exit_code "$S" /S /SERVER=ftp://hcc.example/)" = 11
check "/SERVER=https://hcc.example/%41 → exit 11" test "$(exit_code "$S" /S /SERVER=https://hcc.example/%41)" = 11
check "/CODE=K7QX-M2PD-9HT (11 symbols) → exit 12" \
  test "$(exit_code "$S" /S /SERVER=https://hcc.example/ /CODE=K7QX-M2PD-9HT)" = 12
check "/CODE=O7QX-M2PD-9HTC (O is not in the alphabet) → exit 12" \
  test "$(exit_code "$S" /S /SERVER=https://hcc.example/ /CODE=O7QX-M2PD-9HTC)" = 12
check "/COUNTER=0 → exit 13" test "$(exit_code "$S" /S /SERVER=https://hcc.example/ /COUNTER=0)" = 13
check "/COUNTER=5a → exit 13" test "$(exit_code "$S" /S /SERVER=https://hcc.example/ /COUNTER=5a)" = 13
check "/CODE without /SERVER → exit 14" test "$(exit_code "$S" /S /CODE=K7QX-M2PD-9HTC)" = 14
# A setup already running (the stand-in holding the setup's mutex): the second one gives way.
touch "$work/hold"
wine "Z:$(echo "$work/counterapp.exe" | tr / '\\')" --hold-setup-mutex >/dev/null 2>&1 &
holder=$!
for _ in $(seq 1 300); do [ -e "$work/mutex-held" ] && break; sleep 0.1; done
check "another setup running → exit 18" \
  test "$(exit_code "$S" /S /SERVER=https://hcc.example/ /CODE=K7QX-M2PD-9HTC)" = 18
rm -f "$work/hold"
wait "$holder" || true
mkdir -p "$C/Tools" && echo "someone else's" >"$C/Tools/notes.txt"
check "/D=C:\\Tools (a folder holding other files) → exit 15" test "$(exit_code "$S" /S '/D=C:\Tools')" = 15
check "…and that folder is untouched" test "$(cat "$C/Tools/notes.txt")" = "someone else's"
check "nothing installed after the refusals" test ! -e "$prog"
check "no counter.conf after the refusals" test ! -e "$conf"
check "no uninstall key after the refusals" sh -c "! wine reg query '$key' >/dev/null 2>&1"

# --- Silent install with parameters ---------------------------------------------------------------------------
echo "== silent install 0.1.0 with /SERVER /CODE /COUNTER"
status=0
timed "silent install (0.1.0, with parameters)" \
  run "$S" /S /SERVER=https://hcc.example/ /CODE=k7qx-m2pd-9htc /COUNTER=05 || status=$?
check "exit code 0" test "$status" = 0
check "Program Files\\counterapp holds exactly the bundle + uninstall.exe" same_tree "$work/payload-0.1.0"
check "the Vietnamese file name arrived intact" test -f "$prog/_internal/resources/đọc-tôi.txt"
check "counter.conf is exactly the [enroll] file (code and counter normalised, CRLF, ASCII = UTF-8)" \
  conf_is "$header" "[enroll]" "server = https://hcc.example/" "code = K7QX-M2PD-9HTC" "counter = 5"
check "counter.conf has no byte-order mark" sh -c "! head -c3 '$conf' | grep -q \$'\\xef\\xbb\\xbf'"
check "the Start-menu shortcut (Vietnamese name) exists" test -f "$lnk"
check "the shortcut points at counterapp.exe" grep -aq 'counterapp\.exe' "$lnk"
# The arguments are stored in UTF-16: "gui" is 67 00 75 00 69 00.
check "the shortcut starts \`counterapp.exe gui\`" sh -c "od -An -tx1 -v '$lnk' | tr -d ' \n' | grep -q 670075006900"
check "uninstall key: reg query finds it" key_exists
check "DisplayName" test "$(reg_value DisplayName)" = '"counterapp — Quầy giao dịch một cửa"'
check "DisplayVersion 0.1.0" test "$(reg_value DisplayVersion)" = '"0.1.0"'
check "Publisher" test "$(reg_value Publisher)" = '"counterapp"'
check "InstallLocation" test "$(reg_value InstallLocation)" = '"C:\\Program Files\\counterapp"'
check "UninstallString" test "$(reg_value UninstallString)" = '"\"C:\\Program Files\\counterapp\\uninstall.exe\""'
check "QuietUninstallString" \
  test "$(reg_value QuietUninstallString)" = '"\"C:\\Program Files\\counterapp\\uninstall.exe\" /S"'
size_kb=$(find "$prog" -type f -printf '%s\n' | awk '{ s += $1 } END { print int(s / 1024) }')
estimated=$(( 16#$(reg_value EstimatedSize | sed 's/^dword://') ))
check "EstimatedSize ${estimated} KB = the files' ${size_kb} KB" test "$estimated" = "$size_kb"
check "the installed counterapp.exe --selftest exits 0" \
  test "$(exit_code 'C:\Program Files\counterapp\counterapp.exe' --selftest)" = 0

# --- Upgrades ---------------------------------------------------------------------------------------------------
echo "== silent upgrade to 0.1.1 without parameters"
conf_before=$(sha256sum <"$conf")
S=$(setup 0.1.1)
status=0
timed "silent upgrade (0.1.1, no parameters)" run "$S" /S || status=$?
check "exit code 0" test "$status" = 0
check "the folder holds exactly the new bundle (old-only.dll gone)" same_tree "$work/payload-0.1.1"
check "counter.conf kept byte for byte" test "$(sha256sum <"$conf")" = "$conf_before"
check "DisplayVersion 0.1.1" test "$(reg_value DisplayVersion)" = '"0.1.1"'
check "still one shortcut" test -f "$lnk"

echo "== silent upgrade with new parameters, from a deployment .bat (quoted /SERVER, no /COUNTER)"
status=0
run cmd /c "$(bat upgrade "\"$S\" /S /SERVER=\"http://10.0.0.5:8443/\" /CODE=M2PD9HTCK7QX")" || status=$?
check "exit code 0" test "$status" = 0
check "counter.conf replaced as a whole (no stale counter line)" \
  conf_is "${header/0.1.0/0.1.1}" "[enroll]" "server = http://10.0.0.5:8443/" "code = M2PD-9HTC-K7QX"
conf_before=$(sha256sum <"$conf")
check "a refused /CODE on an installed PC, from a .bat → exit 12" \
  test "$(exit_code cmd /c "$(bat refused "\"$S\" /S /SERVER=https://x.example/ /CODE=bad")")" = 12
check "…and leaves counter.conf as it was" test "$(sha256sum <"$conf")" = "$conf_before"
check "…and the program in place" same_tree "$work/payload-0.1.1"

# --- Uninstall ---------------------------------------------------------------------------------------------------
# A user's data directory, as the app makes it in AppData: no uninstall may touch it.
userdir=$(find "$C/users" -mindepth 1 -maxdepth 1 -type d ! -name Public | head -n1)
mkdir -p "$userdir/AppData/Local/counterapp" && echo "unsent work" >"$userdir/AppData/Local/counterapp/counter.db"

echo "== silent uninstall (uninstall.exe /S _?=…, waited for)"
# From a .bat: _?= must reach NSIS unquoted (wine would quote an argument holding a space).
status=0
timed "silent uninstall (/S _?=)" run cmd /c "$(bat uninstall \
  '"C:\Program Files\counterapp\uninstall.exe" /S _?=C:\Program Files\counterapp')" || status=$?
check "exit code 0" test "$status" = 0
# With _?= the uninstaller runs from the folder itself: Windows cannot delete a running program, so
# uninstall.exe and the folder stay there (ExecWait-style callers delete them); wine can, and does.
check "the folder is gone or holds only uninstall.exe" \
  sh -c "! test -e '$prog' || test \"\$(ls -A '$prog')\" = uninstall.exe"
rm -rf "$prog"
check "the shortcut is gone" test ! -e "$lnk"
check "the uninstall key is gone" sh -c "! wine reg query '$key' >/dev/null 2>&1"
check "counter.conf is kept" conf_is "${header/0.1.0/0.1.1}" "[enroll]" "server = http://10.0.0.5:8443/" "code = M2PD-9HTC-K7QX"
check "the user's data directory is kept" test -f "$userdir/AppData/Local/counterapp/counter.db"

echo "== reinstall without parameters, then uninstall.exe /S /PURGE as IT runs it (no _?=)"
status=0
run "$S" /S || status=$?
check "reinstall: exit code 0" test "$status" = 0
check "reinstall without parameters keeps the existing counter.conf" test -f "$conf"
status=0
uninstall_purge() { run 'C:\Program Files\counterapp\uninstall.exe' /S /PURGE && wait_uninstaller_copy; }
timed "silent uninstall (/S /PURGE, self-copy)" uninstall_purge || status=$?
check "exit code 0 and the uninstaller's copy ended" test "$status" = 0
check "Program Files\\counterapp is gone entirely" test ! -e "$prog"
check "the uninstall key is gone" sh -c "! wine reg query '$key' >/dev/null 2>&1"
check "/PURGE removed counter.conf and its folder" test ! -e "$C/ProgramData/counterapp"
check "the user's data directory is still kept" test -f "$userdir/AppData/Local/counterapp/counter.db"

t_end=$(clock)
echo "== figures"
printf '  %s\n' "${timings[@]}"
printf '  %-44s %6s KB\n' "installer size (stand-in payload)" "$((setup_size / 1024))"
awk -v a="$t_start" -v b="$t_end" 'BEGIN { printf "  %-44s %6.1f s\n", "whole test", b - a }'
if [ "$failures" -gt 0 ]; then
  echo "test-wine: $failures check(s) FAILED"
  exit 1
fi
echo "test-wine: all checks passed"
