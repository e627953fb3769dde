#!/usr/bin/env bash
# Runs every test suite: all of them on the embedded SQLite default, then the data and end-to-end tests again on
# PostgreSQL. Installs what the tests need when missing: Debian's chromium (browser tests), postgresql and redis-server
# (started on free loopback ports for the run by scripts/test-services.sh, stopped at exit).
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

if [ ! -x /usr/bin/chromium ]; then
  sudo=""; [ "$(id -u)" -eq 0 ] || sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq chromium >/dev/null
fi
source scripts/test-services.sh

dotnet tool restore >/dev/null
dotnet build IdentiGuard.slnx -c Release -v q -nologo
dotnet test IdentiGuard.slnx -c Release --no-build -v q -nologo -m:1 --logger "console;verbosity=minimal" "$@"

# PostgreSQL parity: hooks, polling, detection, tenants, events and notifications end to end, each test app on its own
# PostgreSQL database (tests that exercise SQLite itself skip with their reason).
postgres_subset="FullyQualifiedName~IdentiGuard.Tests.Hooks|FullyQualifiedName~IdentiGuard.Tests.Polling|FullyQualifiedName~IdentiGuard.Tests.Detection.DetectionEndToEndTests|FullyQualifiedName~IdentiGuard.Tests.Tenants|FullyQualifiedName~IdentiGuard.Tests.Events.EventsExplorerTests|FullyQualifiedName~IdentiGuard.Tests.Detection.FirstSeenPersistenceTests|FullyQualifiedName~IdentiGuard.Tests.Notifications.NotificationTests|FullyQualifiedName~IdentiGuard.Tests.Notifications.NotificationDurabilityTests|FullyQualifiedName~IdentiGuard.Tests.Notifications.SuppressedAlertNotificationTests"
echo "PostgreSQL parity run"
IDENTIGUARD_TEST_DATABASE=PostgreSql dotnet test tests/IdentiGuard.Tests -c Release --no-build -v q -nologo \
  --logger "console;verbosity=minimal" --filter "$postgres_subset"
