#!/usr/bin/env bash
# Backs up an embedded (SQLite) IdentiGuard: the database AND the Data Protection key ring that encrypts the stored Okta
# secrets. Without the keys the secrets in the database cannot be read, so they are always saved together.
#   scripts/backup.sh <data-directory> <backup.tar.gz>
# Safe while IdentiGuard runs: SQLite's online backup copies a consistent snapshot (WAL included). The archive holds
# the key ring in clear: store it like a secret (the script makes it readable by its owner only).
# PostgreSQL deployments: see docs/deployment.md (pg_dump plus the key ring).
set -euo pipefail
[ $# -eq 2 ] || { echo "usage: $0 <data-directory> <backup.tar.gz>" >&2; exit 2; }
data="$1"; out="$2"
command -v sqlite3 >/dev/null || { echo "backup.sh needs the sqlite3 command (Debian: apt-get install sqlite3)" >&2; exit 1; }
[ -f "$data/identiguard.db" ] || { echo "no IdentiGuard database at $data/identiguard.db" >&2; exit 1; }
[ -d "$data/keys" ] && compgen -G "$data/keys/*.xml" >/dev/null || { echo "no Data Protection keys in $data/keys: the stored secrets could not be read after a restore" >&2; exit 1; }

work="$(mktemp -d)"; trap 'rm -rf "$work"' EXIT
umask 077
mkdir "$work/identiguard-backup"
sqlite3 "$data/identiguard.db" ".timeout 30000" ".backup '$work/identiguard-backup/identiguard.db'"
[ "$(sqlite3 "$work/identiguard-backup/identiguard.db" 'PRAGMA integrity_check;')" = ok ] || { echo "the snapshot failed SQLite's integrity check" >&2; exit 1; }
mkdir "$work/identiguard-backup/keys"
cp -p "$data"/keys/*.xml "$work/identiguard-backup/keys/"
{
  echo "created: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "source: $(cd "$data" && pwd)"
  echo "keys: $(ls "$work/identiguard-backup/keys" | wc -l)"
  echo "migration: $(sqlite3 "$work/identiguard-backup/identiguard.db" 'SELECT MigrationId FROM __EFMigrationsHistory ORDER BY MigrationId DESC LIMIT 1;')"
} > "$work/identiguard-backup/MANIFEST"
tar -C "$work" -czf "$out" identiguard-backup
chmod 600 "$out"
echo "Backed up $(cd "$data" && pwd) to $out ($(cat "$work/identiguard-backup/MANIFEST" | tr '\n' ' '))"
