#!/usr/bin/env bash
# Cluster scaling curve (issue 7): throughput of 1, 2, 3… IdentiGuard hosts in cluster mode on this one machine.
# Builds Release, starts PostgreSQL and Redis (scripts/test-services.sh; reused when IDENTIGUARD_TEST_POSTGRES and
# IDENTIGUARD_TEST_REDIS are set), then for each host count: starts that many `IdentiGuard.Server.dll` processes in
# cluster mode (Redis membership, PostgreSQL) on loopback with their own HTTP/silo/gateway ports, on a fresh PostgreSQL
# database and Orleans cluster id per step (steps do not see each other's data), waits for /healthz on all, runs
# bench/IdentiGuard.LoadTest against all of them (deliveries round-robin over the hosts, as a load balancer would, and
# over several tenants, each its own emulated Okta org, so tenant grains can spread over the hosts), stops them, and
# at the end prints one row per host count with the machine's state (cores, load average) around it.
#
#   scripts/cluster-load.sh [load-test options]      e.g. scripts/cluster-load.sh --duration 10 --load-tenants 3
#
# Load-test defaults (later options override): --rate 0 --concurrency 32 (closed loop: as fast as the hosts answer,
# the same 32 deliveries in flight at every host count) --events-per-delivery 10 --load-tenants 6 --duration 30
# --warmup 5 --alert-probes 2. Environment: HOST_COUNTS ("1 2 3"), PORT (5180: host n listens on PORT+n-1),
# SILO_PORT (11200), GATEWAY_PORT (30200), PIN=1 pins host n to CPU (n-1) mod cores with taskset (the generator,
# PostgreSQL and Redis stay unpinned; with fewer cores than hosts, hosts share cores), TOOL_TIMEOUT (600 s per step),
# KEEP_DATA=1 keeps the data directories and host logs. DOTNET_gcServer etc. pass through to the hosts.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1

host_counts="${HOST_COUNTS:-1 2 3}"
port="${PORT:-5180}"; silo_port="${SILO_PORT:-11200}"; gateway_port="${GATEWAY_PORT:-30200}"
email="owner@example.com"
password="load-test-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')"
run_id="$(date -u +%H%M%S)$$"
work="$(mktemp -d -t identiguard-cluster-load-XXXXXX)"
summary="$work/summary.tsv"
cores="$(nproc)"
pids=()

stop_hosts() {
  local pid
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
  done
  pids=()
}
cleanup() {
  stop_hosts
  if [ "${KEEP_DATA:-0}" = "1" ]; then echo "data directories and host logs kept in $work"; else rm -rf "$work"; fi
  if declare -F ig_stop_services >/dev/null; then ig_stop_services; fi
}

# PostgreSQL and Redis: reuse the ones given, or start throwaway ones (test-services.sh stops them when we exit).
infra_pids=""
if [ -n "${IDENTIGUARD_TEST_POSTGRES:-}" ] && [ -n "${IDENTIGUARD_TEST_REDIS:-}" ]; then
  echo "Reusing PostgreSQL ($IDENTIGUARD_TEST_POSTGRES) and Redis ($IDENTIGUARD_TEST_REDIS); their CPU is not measured."
else
  source scripts/test-services.sh
  infra_pids="$(head -1 "$IG_SERVICES_DIR/pg/postmaster.pid"),$(cat "$IG_SERVICES_DIR/redis.pid")"
fi
trap cleanup EXIT
trap 'exit 130' INT TERM
pg_bin="${IDENTIGUARD_TEST_PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)}"
pg_port="$(sed -nE 's/.*[Pp]ort=([0-9]+).*/\1/p' <<<"$IDENTIGUARD_TEST_POSTGRES")"
psql_admin() { "$pg_bin/psql" -q -h 127.0.0.1 -p "${pg_port:-5432}" -U postgres -d postgres -v ON_ERROR_STOP=1 -c "$1" >/dev/null; }

for n in $(seq 1 "$(tr ' ' '\n' <<<"$host_counts" | sort -n | tail -1)"); do
  for p in $((port + n - 1)) $((silo_port + n - 1)) $((gateway_port + n - 1)); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then echo "something already listens on 127.0.0.1:$p; set PORT, SILO_PORT, GATEWAY_PORT" >&2; exit 1; fi
  done
done

echo "building IdentiGuard.Server and IdentiGuard.LoadTest (Release) from $(git rev-parse --short HEAD 2>/dev/null || echo '?')$( [ -n "$(git status --porcelain -- src bench tools 2>/dev/null)" ] && echo ' + uncommitted changes')..."
timeout 900 dotnet build src/IdentiGuard.Server -c Release -v q -nologo
timeout 900 dotnet build bench/IdentiGuard.LoadTest -c Release -v q -nologo

machine="$cores core(s): $(sed -nE 's/^model name\s*:\s*//p' /proc/cpuinfo | sort | uniq -c | sed -E 's/^ *//' | paste -sd';'), $(free -m | awk '/^Mem:/ {print $2 " MiB RAM"}')"
echo "machine: $machine"
echo "before:  $(uptime)"
echo

start_host() { # step host-number database
  local step="$1" n="$2" database="$3" url="http://127.0.0.1:$((port + $2 - 1))" pin=()
  [ "${PIN:-0}" = "1" ] && pin=(taskset -c "$(( (n - 1) % cores ))")
  mkdir -p "$work/step$step/host$n"
  (
    cd src/IdentiGuard.Server
    export ASPNETCORE_ENVIRONMENT=Production
    export IdentiGuard__DataDirectory="$work/step$step/host$n"
    export IdentiGuard__PublicBaseUrl="http://127.0.0.1:$port"   # host 1 stands in for the load balancer's address
    export IdentiGuard__Okta__AllowInsecureLoopback=true
    export IdentiGuard__Bootstrap__AdminEmail="$email"
    export IdentiGuard__Bootstrap__AdminPassword="$password"
    export IdentiGuard__Cluster__Mode=Redis
    export IdentiGuard__Cluster__ClusterId="igscale-$run_id-$step"
    export IdentiGuard__Cluster__AdvertisedAddress=127.0.0.1
    export IdentiGuard__Cluster__SiloPort="$((silo_port + n - 1))"
    export IdentiGuard__Cluster__GatewayPort="$((gateway_port + n - 1))"
    export IdentiGuard__Redis__ConnectionString="$IDENTIGUARD_TEST_REDIS"
    export IdentiGuard__Redis__KeyPrefix="igscale-$run_id-$step"
    export IdentiGuard__Database__Provider=PostgreSql
    export IdentiGuard__Database__ConnectionString="$IDENTIGUARD_TEST_POSTGRES;Database=$database"
    exec "${pin[@]}" dotnet bin/Release/net10.0/IdentiGuard.Server.dll --urls "$url"
  ) >"$work/step$step/host$n.log" 2>&1 &
  pids+=("$!")
}

wait_healthy() { # host-number
  local n="$1" url="http://127.0.0.1:$((port + $1 - 1))" pid="${pids[$(($1 - 1))]}" log="$work/step$step/host$1.log"
  for i in $(seq 1 180); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "$url/healthz" || true)" = "200" ] && return 0
    if ! kill -0 "$pid" 2>/dev/null; then echo "host $n exited during start:" >&2; tail -50 "$log" >&2; exit 1; fi
    [ "$i" -eq 180 ] && { echo "host $n did not become healthy within 180 s:" >&2; tail -50 "$log" >&2; exit 1; }
    sleep 1
  done
}

defaults=(--rate 0 --concurrency 32 --events-per-delivery 10 --load-tenants 6 --duration 30 --warmup 5 --alert-probes 2)
rows=()
status=0
step=0
for hosts in $host_counts; do
  step=$((step + 1))
  database="ig_scale_${run_id}_${hosts}h"
  psql_admin "CREATE DATABASE \"$database\""
  echo "=== $hosts host(s): database $database, cluster id igscale-$run_id-$step$( [ "${PIN:-0}" = "1" ] && echo ", pinned with taskset") ==="
  # The first host migrates the database and creates the owner; then the others join its cluster.
  start_host "$step" 1 "$database"
  wait_healthy 1
  for n in $(seq 2 "$hosts"); do start_host "$step" "$n" "$database"; done
  for n in $(seq 2 "$hosts"); do wait_healthy "$n"; done
  urls="$(for n in $(seq 1 "$hosts"); do printf 'http://127.0.0.1:%s,' $((port + n - 1)); done)"
  echo "hosts healthy: pids ${pids[*]}; $(uptime | sed 's/^ *//')"
  : >"$work/row.tsv"
  tool=0
  timeout "${TOOL_TIMEOUT:-600}" dotnet bench/IdentiGuard.LoadTest/bin/Release/net10.0/IdentiGuard.LoadTest.dll \
    --url "http://127.0.0.1:$port" --urls "${urls%,}" --email "$email" --password "$password" \
    --server-pid "$(IFS=,; echo "${pids[*]}")" ${infra_pids:+--infra-pids "$infra_pids"} --summary "$work/row.tsv" \
    "${defaults[@]}" "$@" || tool=$?
  [ "$tool" -ne 0 ] && status=$tool
  load="$(cut -d' ' -f1 /proc/loadavg)"
  # Which host processes which tenant: each tenant grain logs its activation (it moves only when a host goes away).
  grains="$(for n in $(seq 1 "$hosts"); do grep -c 'is processed on this host' "$work/step$step/host$n.log" || true; done | paste -sd/)"
  # What the hosts logged during the run (a snapshot before the stop: stopping hosts mid-backlog logs aborted grain calls).
  for n in $(seq 1 "$hosts"); do cp "$work/step$step/host$n.log" "$work/step$step/host$n.run.log"; done
  warnings="$(cat "$work/step$step"/host*.run.log | grep -cE '^(warn|fail|crit):' || true)"
  stop_hosts
  psql_admin "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" || true
  echo "host logs until the end of the load: $warnings warn/fail/crit entries; tenant grain activations per host: $grains"
  if [ "$warnings" != "0" ]; then
    cat "$work/step$step"/host*.run.log | grep -E -A1 '^(warn|fail|crit):' | grep -vE '^(warn|fail|crit):|^--$' | cut -c1-200 \
      | sed -E 's/[0-9a-f]{32}|[0-9a-f-]{36}/<id>/g; s/[0-9]+(\.[0-9]+)?(ms| s)/<n>\2/g' | sort | uniq -c | sort -rn | head -8
  fi
  row="$(cat "$work/row.tsv" 2>/dev/null || true)"
  [ -n "$row" ] || row="$(printf -- '-\t-\t-\t-\t-\t-\t-\t-\t-\tNO FIGURES (exit %s)' "$tool")"
  rows+=("$hosts	$row	$load	$grains")
  echo
done

echo "=== Cluster scaling: $(git rev-parse --short HEAD 2>/dev/null || echo '?'), $(date -u '+%Y-%m-%d %H:%M UTC')$( [ "${PIN:-0}" = "1" ] && echo ', hosts pinned to cores (taskset)') ==="
echo "machine: $machine; PostgreSQL, Redis, the load generator and its emulated Okta orgs run on the same cores"
echo "load:    bench/IdentiGuard.LoadTest ${defaults[*]} $* (later options override)"
echo "after:   $(uptime)"
echo "CPU columns: share of all $cores cores over the measured window; hosts = sum over the host processes;"
echo "infra = PostgreSQL (postmaster + backends) + Redis; machine = every process (/proc/stat), anything else running included."
printf '%-5s %9s %9s %9s %10s %7s %7s %7s %8s %6s %7s %6s %s\n' hosts events/s ack-med ack-p99 alert-p99 hosts% gen% infra% machine% load1 grains errors result
printf '%-5s %9s %9s %9s %10s %7s %7s %7s %8s %6s %7s %6s %s\n' "" "(200)" "(ms)" "(ms)" "(ms)" "" "" "" "" "" "/host" "" ""
for row in "${rows[@]}"; do
  IFS=$'\t' read -r h ev med p99 alert srv gen infra mach errors result load grains <<<"$row"
  printf '%-5s %9s %9s %9s %10s %7s %7s %7s %8s %6s %7s %6s %s\n' "$h" "$ev" "$med" "$p99" "$alert" "$srv" "$gen" "$infra" "$mach" "$load" "$grains" "$errors" "$result"
done
exit "$status"
