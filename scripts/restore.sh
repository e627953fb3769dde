#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh into a data directory: the SQLite database and the Data Protection keys.
#   scripts/restore.sh <backup.tar.gz> <data-directory> [--force]
# Stop IdentiGuard first. An existing database there is refused unless --force (it is then moved aside, not deleted).
# Start IdentiGuard with IdentiGuard__DataDirectory=<data-directory>; it applies newer migrations itself.
set -euo pipefail
[ $# -ge 2 ] || { echo "usage: $0 <backup.tar.gz> <data-directory> [--force]" >&2; exit 2; }
archive="$1"; data="$2"; force="${3:-}"
command -v sqlite3 >/dev/null || { echo "restore.sh needs the sqlite3 command (Debian: apt-get install sqlite3)" >&2; exit 1; }

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
tar -C "$work" -xzf "$archive"
backup="$work/identiguard-backup"
[ -f "$backup/identiguard.db" ] && [ -f "$backup/MANIFEST" ] || { echo "$archive is not an IdentiGuard backup" >&2; exit 1; }
compgen -G "$backup/keys/*.xml" >/dev/null || { echo "$archive has no Data Protection keys: its stored secrets could not be read" >&2; exit 1; }
[ "$(sqlite3 "$backup/identiguard.db" 'PRAGMA integrity_check;')" = ok ] || { echo "the backed-up database fails SQLite's integrity check" >&2; exit 1; }

mkdir -p "$data/keys"
if [ -e "$data/identiguard.db" ]; then
  [ "$force" = "--force" ] || { echo "$data already has a database; stop IdentiGuard and pass --force to replace it" >&2; exit 1; }
  aside="$data/replaced-$(date -u +%Y%m%dT%H%M%SZ)"
  mkdir -p "$aside"
  mv "$data"/identiguard.db* "$aside/"
  echo "Moved the existing database to $aside"
fi
umask 077
cp "$backup/identiguard.db" "$data/identiguard.db"
# Keys are only ever added: keys this directory already has stay usable for what they protected.
cp -n "$backup"/keys/*.xml "$data/keys/"
echo "Restored $archive into $(cd "$data" && pwd) ($(tr '\n' ' ' < "$backup/MANIFEST"))"
