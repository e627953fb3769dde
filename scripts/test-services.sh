#!/usr/bin/env bash
# Sourced by scripts/test.sh: installs Debian's postgresql, redis-server and sqlite3 when missing, starts a throwaway PostgreSQL
# server and a Redis server on free loopback ports, exports where they are, and stops both when the shell exits.
#   IDENTIGUARD_TEST_POSTGRES  connection string of the server (tests create one database per test app in it)
#   IDENTIGUARD_TEST_PG_BIN    PostgreSQL's bin directory (tests that stop a server start a private one with it)
#   IDENTIGUARD_TEST_REDIS     host:port of the Redis server (cluster-mode tests)
# PostgreSQL refuses to run as root: as root it runs as the `postgres` user; as anyone else, as that user.

ig_sudo() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }

ig_install() {
  local missing=()
  ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql)
  command -v redis-server >/dev/null || missing+=(redis-server)
  command -v sqlite3 >/dev/null || missing+=(sqlite3)   # scripts/backup.sh (tested)
  [ "${#missing[@]}" -eq 0 ] && return 0
  ig_sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive ig_sudo apt-get install -y -qq "${missing[@]}" >/dev/null
}

# A loopback port nobody listens on (the OS picks it when python3 is there; otherwise a random high port that is free).
ig_free_port() {
  if command -v python3 >/dev/null; then
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()'
    return
  fi
  local port
  while :; do
    port=$((20000 + RANDOM % 30000))
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
}

ig_as_db_owner() { if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }

ig_stop_services() {
  [ -n "${IG_SERVICES_DIR:-}" ] || return 0
  ig_as_db_owner "$IDENTIGUARD_TEST_PG_BIN/pg_ctl" -D "$IG_SERVICES_DIR/pg" -m immediate stop >/dev/null 2>&1 || true
  [ -f "$IG_SERVICES_DIR/redis.pid" ] && kill "$(cat "$IG_SERVICES_DIR/redis.pid")" 2>/dev/null || true
  rm -rf "$IG_SERVICES_DIR"
  IG_SERVICES_DIR=""
}

ig_start_services() {
  ig_install
  # Debian's packaged cluster may auto-start on install; ours is separate, so it does not matter.
  export IDENTIGUARD_TEST_PG_BIN
  IDENTIGUARD_TEST_PG_BIN="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
  IG_SERVICES_DIR="$(mktemp -d /tmp/identiguard-services.XXXXXX)"
  chmod 755 "$IG_SERVICES_DIR"
  [ "$(id -u)" -eq 0 ] && chown postgres "$IG_SERVICES_DIR"
  trap ig_stop_services EXIT

  local pg_port redis_port
  pg_port="$(ig_free_port)"
  ig_as_db_owner "$IDENTIGUARD_TEST_PG_BIN/initdb" -D "$IG_SERVICES_DIR/pg" -U postgres --auth=trust -E UTF8 --locale=C.UTF-8 >/dev/null
  ig_as_db_owner "$IDENTIGUARD_TEST_PG_BIN/pg_ctl" -D "$IG_SERVICES_DIR/pg" -l "$IG_SERVICES_DIR/pg.log" -w -t 60 \
    -o "-p $pg_port -k $IG_SERVICES_DIR -c listen_addresses=127.0.0.1 -c max_connections=400 -c shared_buffers=64MB" start >/dev/null
  export IDENTIGUARD_TEST_POSTGRES="Host=127.0.0.1;Port=$pg_port;Username=postgres;Maximum Pool Size=20"

  redis_port="$(ig_free_port)"
  redis-server --port "$redis_port" --bind 127.0.0.1 --daemonize yes --save "" --appendonly no \
    --dir "$IG_SERVICES_DIR" --pidfile "$IG_SERVICES_DIR/redis.pid" --logfile "$IG_SERVICES_DIR/redis.log"
  for _ in $(seq 50); do redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  export IDENTIGUARD_TEST_REDIS="127.0.0.1:$redis_port"
  echo "Test services: PostgreSQL on 127.0.0.1:$pg_port, Redis on $IDENTIGUARD_TEST_REDIS"
}

ig_start_services
