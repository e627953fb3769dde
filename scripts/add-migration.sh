#!/usr/bin/env bash
# Adds a migration with the same name to both providers, so SQLite and PostgreSQL stay in step.
# Usage: scripts/add-migration.sh <Name>
set -euo pipefail
name=${1:?usage: scripts/add-migration.sh <MigrationName>}
cd "$(dirname "$0")/.."
dotnet tool restore >/dev/null
for provider in Sqlite PostgreSql; do
  project=src/IdentiGuard.Migrations.$provider
  dotnet ef migrations add "$name" --project "$project" --startup-project "$project" --context IdentiGuardDbContext --output-dir Migrations
done
