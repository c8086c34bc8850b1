#!/bin/sh
# The client's .deb around the PyInstaller bundle: the program in /opt/counterapp, /usr/bin/counterapp, a
# desktop entry with its icon, and the maintainer scripts in packaging/deb/. Usage:
#     packaging/build-deb.sh [BUNDLE_DIR [OUT_DIR]]      (defaults: dist/counterapp, dist)
# Writes OUT_DIR/counterapp_<version>_amd64.deb (zstd: seconds to build, ~40 % larger than xz, which takes
# minutes; dpkg reads zstd since Debian 12 — PRINTING_PACKAGING.md §4).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bundle=${1:-$root/dist/counterapp}
out=${2:-$root/dist}
version=$(sed -n 's/^__version__ = "\(.*\)"$/\1/p' "$root/counterapp/__init__.py")
[ -x "$bundle/counterapp" ] || { echo "build-deb: no bundle at $bundle (run make bundle)" >&2; exit 1; }
[ -n "$version" ] || { echo "build-deb: no __version__ in counterapp/__init__.py" >&2; exit 1; }

stage=$(mktemp -d "${TMPDIR:-/tmp}/counterapp-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/256x256/apps" "$stage/usr/share/icons/hicolor/scalable/apps" \
  "$stage/usr/share/doc/counterapp"
cp -a "$bundle" "$stage/opt/counterapp"
ln -s /opt/counterapp/counterapp "$stage/usr/bin/counterapp"
install -m 0644 "$here/deb/counterapp.desktop" "$stage/usr/share/applications/counterapp.desktop"
install -m 0644 "$root/resources/icons/counterapp.png" "$stage/usr/share/icons/hicolor/256x256/apps/counterapp.png"
install -m 0644 "$root/resources/icons/counterapp.svg" "$stage/usr/share/icons/hicolor/scalable/apps/counterapp.svg"
install -m 0644 "$here/deb/counter.conf.example" "$stage/usr/share/doc/counterapp/counter.conf.example"
install -m 0644 "$root/resources/fonts/OFL.txt" "$stage/usr/share/doc/counterapp/OFL-BeVietnamPro.txt"
for script in postinst postrm; do
  install -m 0755 "$here/deb/$script" "$stage/DEBIAN/$script"
done
size_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
sed -e "s/@VERSION@/$version/" -e "s/@SIZE@/$size_kb/" "$here/deb/control.in" > "$stage/DEBIAN/control"
# Directories 0755 and files readable by all: the clerks' accounts run the program, root owns it.
chmod -R u+rwX,go+rX,go-w "$stage"
mkdir -p "$out"
deb="$out/counterapp_${version}_amd64.deb"
dpkg-deb --build --root-owner-group -Zzstd "$stage" "$deb" >/dev/null
echo "$deb ($(du -h "$deb" | cut -f1), installed $((size_kb / 1024)) MB)"
