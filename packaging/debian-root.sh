#!/bin/sh
# A clean Debian 12 root for the install tests, made once with debootstrap (minbase) and kept as a
# tarball; each test unpacks a fresh copy. Usage: debian-root.sh DEST  (DEST must not exist).
# The cache: $COUNTERAPP_ROOT_CACHE (default /var/cache/counterapp/bookworm-minbase.tar).
set -eu
dest=$1
cache=${COUNTERAPP_ROOT_CACHE:-/var/cache/counterapp/bookworm-minbase.tar}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
here=$(dirname "$0")
"$here/host-tools.sh" debootstrap
if [ ! -s "$cache" ]; then
  mkdir -p "$(dirname "$cache")"
  build=$(mktemp -d /var/tmp/counterapp-root.XXXXXX)
  echo "Making a Debian 12 root with debootstrap (a few minutes, once)…"
  debootstrap --variant=minbase bookworm "$build" "$mirror" >/dev/null
  tar -C "$build" -cf "$cache.part" .
  mv "$cache.part" "$cache"
  rm -rf "$build"
fi
mkdir -p "$dest"
chmod 755 "$dest"  # mktemp-made roots are 0700: the chroot's own users must reach /
tar -C "$dest" -xf "$cache"
cp /etc/resolv.conf "$dest/etc/resolv.conf"
