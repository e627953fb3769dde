#!/usr/bin/env bash
# Memory per tenant: starts IdentiGuard like scripts/hook-load.sh (Release, fresh data directory, loopback), adds
# 1,000 tenants against emulated Okta orgs through the API, reads the server's memory from /metrics once they are idle,
# then drives 100 of them with hook deliveries and reads it again.
#
#   scripts/tenant-memory.sh [--tenants 1000] [--busy 100] [--rate 100] [--events-per-delivery 10] [--duration 30]
set -euo pipefail
cd "$(dirname "$0")/.."
TOOL_TIMEOUT="${TOOL_TIMEOUT:-1800}" exec scripts/hook-load.sh --tenants 1000 --busy 100 --rate 100 --duration 30 --concurrency 16 "$@"
