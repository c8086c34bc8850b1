#!/bin/sh
# dist/counterapp-server_<version>_amd64.deb around the onedir bundle dist/counterapp-server/ (built first by
# `make package-server`). Usage: packaging/server/build-deb.sh  (from the repository root).
# Layout: /opt/counterapp-server (the program), /usr/bin/counterapp-server (a link), the systemd unit,
# /etc/counterapp/server.conf and /etc/logrotate.d/counterapp-server (conffiles), the backup/restore
# scripts in /usr/share/counterapp-server, the nginx example and the README in /usr/share/doc.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bundle=$root/dist/counterapp-server
[ -x "$bundle/counterapp-server" ] || { echo "no bundle at $bundle: run make package-server" >&2; exit 1; }
version=$(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$root/counterapp/__init__.py")
deb=$root/dist/counterapp-server_${version}_amd64.deb
stage=$(mktemp -d "${TMPDIR:-/tmp}/counterapp-server-deb.XXXXXX")
trap 'rm -rf "$stage"' EXIT
chmod 0755 "$stage"  # mktemp made it 0700: the root directory of the package

install -d "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/etc/counterapp" \
    "$stage/etc/logrotate.d" "$stage/usr/share/counterapp-server" "$stage/usr/share/doc/counterapp-server/examples"
cp -a "$bundle" "$stage/opt/counterapp-server"
ln -s /opt/counterapp-server/counterapp-server "$stage/usr/bin/counterapp-server"
install -m 0644 "$here/counterapp-server.service" "$stage/lib/systemd/system/"
install -m 0644 "$here/server.conf" "$stage/etc/counterapp/server.conf"
install -m 0644 "$here/logrotate" "$stage/etc/logrotate.d/counterapp-server"
install -m 0755 "$here/backup.sh" "$here/restore.sh" "$stage/usr/share/counterapp-server/"
install -m 0644 "$here/nginx-counterapp.conf" "$stage/usr/share/doc/counterapp-server/examples/"
install -m 0644 "$root/packaging/README.md" "$stage/usr/share/doc/counterapp-server/README.md"
install -m 0755 "$here/postinst" "$here/prerm" "$here/postrm" "$stage/DEBIAN/"
printf '/etc/counterapp/server.conf\n/etc/logrotate.d/counterapp-server\n' >"$stage/DEBIAN/conffiles"
size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<CONTROL
Package: counterapp-server
Version: $version
Architecture: amd64
Maintainer: counterapp <counterapp@localhost>
Installed-Size: $size
Depends: libc6 (>= 2.34), passwd, util-linux
Recommends: postgresql-client
Suggests: postgresql, nginx, logrotate
Section: net
Priority: optional
Description: counterapp central server for public-service centres
 The central server of counterapp: the queue, the counters' offline-first sync,
 device enrollment and the live events for displays. A systemd service
 (counterapp-server.service) configured in /etc/counterapp/server.conf,
 on PostgreSQL; Python and its libraries are bundled in /opt/counterapp-server.
CONTROL
(cd "$stage" && find . -path ./DEBIAN -prune -o -type f -print0 | sort -z | xargs -0 md5sum | sed 's| \./| |') \
    >"$stage/DEBIAN/md5sums"
mkdir -p "$root/dist"
dpkg-deb --root-owner-group -Zzstd --build "$stage" "$deb" >/dev/null
echo "$deb ($(du -h "$deb" | cut -f1))"
