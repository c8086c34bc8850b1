#!/bin/sh
# Restore a backup.sh archive into a FRESH, empty PostgreSQL database, then bring its schema to this
# release's (counterapp-server migrate: the archive may come from an older release).
#
#   restore.sh ARCHIVE DATABASE_URL
#
# Make the database first, owned by the server's role, e.g.:
#   sudo -u postgres createdb -O counterapp counterapp_restored
#   sudo -u counterapp /usr/share/counterapp-server/restore.sh /var/backups/counterapp/counterapp-….dump \
#       'postgresql://counterapp@/counterapp_restored?host=/var/run/postgresql'
# then set database_url in /etc/counterapp/server.conf to it and `systemctl restart counterapp-server`.
# It refuses a database that already has tables (a restore never mixes with live data) and restores in one
# transaction: on any error nothing is left half-restored. $COUNTERAPP_SERVER names the server program
# (default: counterapp-server on the PATH).
set -eu
[ $# -eq 2 ] || { echo "usage: restore.sh ARCHIVE DATABASE_URL" >&2; exit 2; }
archive=$1
url=$(printf '%s' "$2" | sed 's|^postgres\(ql\)\{0,1\}+psycopg://|postgresql://|; s|^postgres://|postgresql://|')
server=${COUNTERAPP_SERVER:-counterapp-server}
[ -r "$archive" ] || { echo "restore.sh: cannot read $archive" >&2; exit 1; }
if [ -r "$archive.sha256" ]; then
    (cd "$(dirname "$archive")" && sha256sum --check --quiet "$(basename "$archive").sha256") \
        || { echo "restore.sh: $archive does not match its .sha256" >&2; exit 1; }
fi
tables=$(psql --no-psqlrc --tuples-only --no-align --dbname="$url" --command \
    "SELECT count(*) FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema')")
if [ "$tables" != 0 ]; then
    echo "restore.sh: the database already has $tables tables; restore into a new, empty database" >&2
    exit 1
fi
pg_restore --no-owner --no-privileges --exit-on-error --single-transaction --dbname="$url" "$archive"
"$server" migrate --database-url "$url"
echo "restored $archive"
