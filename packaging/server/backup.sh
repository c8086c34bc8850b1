#!/bin/sh
# Back up counterapp-server's PostgreSQL database: one pg_dump archive in the custom format (compressed,
# restorable table by table, read by restore.sh), taken in one snapshot while the server keeps running.
#
#   backup.sh [-d DATABASE_URL] [-c CONFIG] [-k KEEP] [DIRECTORY]
#
# DATABASE_URL: -d, else $DATABASE_URL, else database_url from CONFIG (default /etc/counterapp/server.conf).
# DIRECTORY: where the archive goes (default /var/backups/counterapp), as counterapp-YYYYmmdd-HHMMSS.dump
# with a .sha256 beside it. -k KEEP: keep only the KEEP newest archives there (default: keep all).
# Prints the archive's path. Run it as a user the database lets in, e.g. daily from cron as counterapp:
#   15 2 * * *  counterapp  /usr/share/counterapp-server/backup.sh -k 14
# A password, if the URL has none, comes from ~/.pgpass or $PGPASSWORD (libpq's usual places).
set -eu
config=/etc/counterapp/server.conf
url=${DATABASE_URL:-}
keep=0
while getopts d:c:k: option; do
    case $option in
        d) url=$OPTARG ;;
        c) config=$OPTARG ;;
        k) keep=$OPTARG ;;
        *) echo "usage: backup.sh [-d DATABASE_URL] [-c CONFIG] [-k KEEP] [DIRECTORY]" >&2; exit 2 ;;
    esac
done
shift $((OPTIND - 1))
dir=${1:-/var/backups/counterapp}

if [ -z "$url" ]; then
    [ -r "$config" ] || { echo "backup.sh: cannot read $config (give -d DATABASE_URL)" >&2; exit 1; }
    # the [server] section's database_url; a trailing " ; comment" or " # comment" is not part of it
    url=$(sed -n 's/^[[:space:]]*database_url[[:space:]]*=[[:space:]]*//p' "$config" | head -n 1 \
        | sed 's/[[:space:]][;#].*$//; s/[[:space:]]*$//')
    [ -n "$url" ] || { echo "backup.sh: no database_url in $config" >&2; exit 1; }
fi
# SQLAlchemy's driver suffix is not libpq's: postgresql+psycopg:// -> postgresql://
url=$(printf '%s' "$url" | sed 's|^postgres\(ql\)\{0,1\}+psycopg://|postgresql://|; s|^postgres://|postgresql://|')
case $url in
    postgresql://*) ;;
    *) echo "backup.sh: not a PostgreSQL database URL (a SQLite server is backed up by copying its file while stopped)" >&2
       exit 1 ;;
esac

mkdir -p "$dir"
name=counterapp-$(date -u +%Y%m%d-%H%M%S).dump
part=$dir/.$name.part
trap 'rm -f "$part"' EXIT
# --no-owner/--no-privileges: the archive restores into a database owned by whoever restores it
pg_dump --format=custom --compress=6 --no-owner --no-privileges --file="$part" --dbname="$url"
pg_restore --list "$part" >/dev/null  # the archive reads back whole
mv "$part" "$dir/$name"
(cd "$dir" && sha256sum "$name" >"$name.sha256")
if [ "$keep" -gt 0 ]; then
    # shellcheck disable=SC2012 # our own file names: no spaces or newlines
    ls -1 "$dir"/counterapp-*.dump | sort -r | tail -n +$((keep + 1)) | while read -r old; do
        rm -f "$old" "$old.sha256"
    done
fi
echo "$dir/$name"
