#!/bin/sh
# The Debian tools the packaging builds and tests need on the build host, installed when missing
# (as root with apt-get; otherwise it names the packages to install). Usage: host-tools.sh TOOL...
# where TOOL is a command name: makensis, wine, debootstrap, xvfb-run, xdotool, openbox, dpkg-deb, ...
set -eu
package_of() {
  case "$1" in
    makensis) echo nsis ;;
    wine) echo "wine wine64" ;;
    xvfb-run) echo "xvfb xauth" ;;
    Xvfb) echo xvfb ;;
    pdftoppm|pdftotext) echo poppler-utils ;;
    import) echo imagemagick ;;
    *) echo "$1" ;;
  esac
}
missing=""
for tool in "$@"; do
  command -v "$tool" >/dev/null 2>&1 || missing="$missing $(package_of "$tool")"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "Installing from Debian:$missing"
  apt-get update -qq
  # The libxcb libraries: PyInstaller bundles only what the build host has (PRINTING_PACKAGING.md §4).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $missing \
    libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-render-util0 libxcb-render0 \
    libxcb-shape0 libxcb-util1 libxcb-xkb1 libxkbcommon-x11-0 >/dev/null
else
  echo "packaging needs:$missing — sudo apt-get install$missing" >&2
  exit 1
fi
