#!/usr/bin/env bash
# The full failure tests of issue 7, with figures. Each runs the real server against the Okta emulator on loopback:
#   host-kill  3 server processes (`dotnet IdentiGuard.Server.dll`) in cluster mode (Redis membership, PostgreSQL) behind
#              a failover load balancer; under sustained deliveries the host processing the tenant gets kill -9. Every
#              event is stored exactly once (acknowledged ones directly, the rest by the poller), every attack raises its
#              alert exactly once, the tenant's grain and poller resume on a surviving host.
#   db-outage  PostgreSQL stopped for 10 s under sustained deliveries: 5xx (Okta retries), nothing acknowledged is lost,
#              the app recovers without a restart.
# CI runs the short versions (scripts/test.sh); this runs them longer and prints what happened.
#   scripts/failure-test.sh [load-seconds (60)] [events-per-second (50)]
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
seconds="${1:-60}"; rate="${2:-50}"
source scripts/test-services.sh
dotnet build tests/IdentiGuard.Tests -c Release -v q -nologo
report="$(mktemp)"
echo "Failure tests: $seconds s of load at $rate events/s around the kill; 10 s database outage"
IDENTIGUARD_FAILURE_SECONDS="$seconds" IDENTIGUARD_FAILURE_RATE="$rate" IDENTIGUARD_FAILURE_REPORT="$report" \
  dotnet test tests/IdentiGuard.Tests -c Release --no-build -nologo --logger "console;verbosity=minimal" \
  --filter "FullyQualifiedName~IdentiGuard.Tests.Cluster.HostKillTests|FullyQualifiedName~IdentiGuard.Tests.Cluster.DatabaseOutageTests"
echo "--- figures ---"
cat "$report"
rm -f "$report"
