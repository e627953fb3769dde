#!/usr/bin/env bash
# Load-tests the Okta event hook endpoint: starts IdentiGuard (Release, Production environment) on a fresh temporary
# data directory on loopback, waits for /healthz, runs bench/IdentiGuard.LoadTest against it, then stops the server.
#
#   scripts/hook-load.sh [load-test options]      e.g. scripts/hook-load.sh --rate 100 --events-per-delivery 1 --duration 20
#
# Defaults: --rate 100 --events-per-delivery 10 --duration 30, alert probes 2/s, and the floor measured against the
# server's database after the run (later options override). Environment: PORT (5080),
# SILO_PORT (11111), GATEWAY_PORT (30000), TOOL_TIMEOUT (600 s), KEEP_DATA=1 keeps the data directory and server log.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

port="${PORT:-5080}"
url="http://127.0.0.1:${port}"
email="owner@example.com"
password="load-test-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
work="$(mktemp -d -t identiguard-hook-load-XXXXXX)"
server_log="$work/server.log"
server_pid=""

stop_server() {
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill -TERM "$server_pid" 2>/dev/null || true
    for _ in $(seq 1 40); do kill -0 "$server_pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$server_pid" 2>/dev/null && kill -KILL "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
  fi
  server_pid=""
}
cleanup() {
  stop_server
  if [ "${KEEP_DATA:-0}" = "1" ]; then echo "data directory and server log kept in $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

if (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
  echo "something already listens on 127.0.0.1:${port}; set PORT" >&2
  exit 1
fi

echo "building IdentiGuard.Server and IdentiGuard.LoadTest (Release) from $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git status --porcelain -- src tools 2>/dev/null)" ] && echo ' + uncommitted changes')..."
timeout 900 dotnet build src/IdentiGuard.Server -c Release -v q -nologo
timeout 900 dotnet build bench/IdentiGuard.LoadTest -c Release -v q -nologo

echo "starting IdentiGuard on ${url} (data: $work/data)..."
(
  cd src/IdentiGuard.Server
  export ASPNETCORE_ENVIRONMENT=Production
  export IdentiGuard__DataDirectory="$work/data"
  export IdentiGuard__PublicBaseUrl="$url"
  export IdentiGuard__Okta__AllowInsecureLoopback=true
  export IdentiGuard__Bootstrap__AdminEmail="$email"
  export IdentiGuard__Bootstrap__AdminPassword="$password"
  export IdentiGuard__Cluster__SiloPort="${SILO_PORT:-11111}"
  export IdentiGuard__Cluster__GatewayPort="${GATEWAY_PORT:-30000}"
  exec dotnet bin/Release/net10.0/IdentiGuard.Server.dll --urls "$url"
) >"$server_log" 2>&1 &
server_pid=$!

for i in $(seq 1 120); do
  if [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/healthz" || true)" = "200" ]; then break; fi
  if ! kill -0 "$server_pid" 2>/dev/null; then echo "IdentiGuard exited during start:" >&2; tail -50 "$server_log" >&2; exit 1; fi
  if [ "$i" -eq 120 ]; then echo "IdentiGuard did not become healthy within 120 s:" >&2; tail -50 "$server_log" >&2; exit 1; fi
  sleep 1
done
echo "IdentiGuard is healthy (pid $server_pid)."
echo

status=0
timeout "${TOOL_TIMEOUT:-600}" dotnet run -c Release --no-build --project bench/IdentiGuard.LoadTest -- \
  --url "$url" --email "$email" --password "$password" --server-pid "$server_pid" \
  --floor-database "$work/data/identiguard.db" --rate 100 --events-per-delivery 10 --duration 30 "$@" || status=$?

stop_server
echo
# Server log summary: warn/fail/crit entries by category, then the first line of each distinct message (trimmed).
warnings="$(grep -cE '^(warn|fail|crit):' "$server_log" || true)"
echo "server log: ${warnings} warn/fail/crit entries"
if [ "$warnings" != "0" ]; then
  grep -E '^(warn|fail|crit):' "$server_log" | sed -E 's/\[[0-9]+\]$//' | sort | uniq -c | sort -rn | head -20
  grep -E -A1 '^(warn|fail|crit):' "$server_log" | grep -vE '^(warn|fail|crit):|^--$' | cut -c1-220 \
    | sed -E 's/[0-9a-f]{32}|[0-9a-f-]{36}/<id>/g; s/[0-9]+(\.[0-9]+)?(ms| s)/<n>\2/g' | sort | uniq -c | sort -rn | head -15
fi
exit "$status"
