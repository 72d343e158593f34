#!/usr/bin/env bash
# Throwaway PostgreSQL and RabbitMQ on free loopback ports, all state under one folder.
#
#   scripts/infra.sh up   [--dir DIR] [--services postgres,rabbitmq]   start; prints `export ...` lines
#   scripts/infra.sh env  [--dir DIR]                                  print the `export ...` lines again
#   scripts/infra.sh down [--dir DIR]                                  stop everything and remove DIR
#   scripts/infra.sh run  [--dir DIR] [--services ...] -- CMD ARGS...  up, run CMD with the settings, down
#                                                                      (also on failure or Ctrl-C); exits with CMD's code
#   scripts/infra.sh stop-postgres|start-postgres [--dir DIR]         for tests of what happens when the database goes away
#
# DIR defaults to $HUB_INFRA_DIR, or a new folder under ${TMPDIR:-/tmp} for `up` and `run`, so two runs side by
# side never share ports, data or processes. As root the servers run as the `postgres` and `rabbitmq` users.
# Missing packages (Debian's rabbitmq-server) are installed with apt-get, as root or through `sudo -n`.
set -euo pipefail

PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)}
RABBIT_BIN=${RABBIT_BIN:-/usr/lib/rabbitmq/bin}
START_TIMEOUT=${INFRA_START_TIMEOUT:-90}

log() { echo "infra: $*" >&2; }
die() { log "error: $*"; exit 1; }

is_root() { [ "$(id -u)" = 0 ]; }

# Run a command as a service user when we are root (PostgreSQL refuses to run as root), else as ourselves.
as_user() {
  local user=$1; shift
  if is_root; then runuser -u "$user" -- "$@"; else "$@"; fi
}

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

free_port() {
  local port
  for _ in $(seq 1 200); do
    port=$(( 20000 + RANDOM % 40000 ))
    port_in_use "$port" || { echo "$port"; return; }
  done
  die "no free loopback port found"
}

random_secret() { od -An -N16 -tx1 /dev/urandom | tr -d ' \n'; }

wait_for_port() { # name port pidfile-or-pid logfile
  local name=$1 port=$2 pid=$3 logfile=$4 waited=0
  until port_in_use "$port"; do
    if ! kill -0 "$pid" 2>/dev/null; then
      log "$name exited during start-up; last lines of $logfile:"; tail -n 30 "$logfile" >&2 || true; return 1
    fi
    sleep 0.2; waited=$(( waited + 1 ))
    if [ "$waited" -ge $(( START_TIMEOUT * 5 )) ]; then
      log "$name did not accept connections within ${START_TIMEOUT}s; last lines of $logfile:"; tail -n 30 "$logfile" >&2 || true; return 1
    fi
  done
}

install_missing() {
  local missing=()
  [ -x "$PG_BIN/initdb" ] || missing+=(postgresql)
  if want rabbitmq; then [ -x "$RABBIT_BIN/rabbitmq-server" ] || missing+=(rabbitmq-server); fi
  [ ${#missing[@]} -eq 0 ] && return
  local sudo=()
  is_root || { command -v sudo >/dev/null && sudo -n true 2>/dev/null && sudo=(sudo -n); } || die "missing packages: ${missing[*]}; install them (apt-get install ${missing[*]}) or run as root"
  log "installing ${missing[*]} (one-off)"
  # Keep the package's own service from starting: we run private instances only. An existing policy is left alone.
  local own_policy=""
  if [ ! -e /usr/sbin/policy-rc.d ]; then
    "${sudo[@]}" sh -c 'printf "#!/bin/sh\nexit 101\n" > /usr/sbin/policy-rc.d && chmod +x /usr/sbin/policy-rc.d'
    own_policy=yes
  fi
  local ok=yes
  {
    "${sudo[@]}" apt-get update -qq &&
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
  } >&2 || ok=""
  [ -n "$own_policy" ] && "${sudo[@]}" rm -f /usr/sbin/policy-rc.d
  [ -n "$ok" ] || die "apt-get install ${missing[*]} failed"
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
}

SERVICES=postgres,rabbitmq
want() { [[ ",$SERVICES," == *",$1,"* ]]; }

start_postgres() {
  local dir=$1 port password
  port=$(free_port); password=$(random_secret)
  mkdir -p "$dir/pg"
  printf '%s\n' "$password" > "$dir/pg/.pwfile"
  is_root && chown -R postgres:postgres "$dir/pg"
  as_user postgres "$PG_BIN/initdb" -D "$dir/pg/data" -U hub --pwfile="$dir/pg/.pwfile" \
    --auth-local=scram-sha-256 --auth-host=scram-sha-256 -E UTF8 --locale=C.UTF-8 >"$dir/pg/initdb.log" 2>&1 \
    || { tail -n 20 "$dir/pg/initdb.log" >&2; die "initdb failed"; }
  rm -f "$dir/pg/.pwfile"
  cat >>"$dir/pg/data/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = ''
max_connections = 300
fsync = on
synchronous_commit = on
# ADR 0008: a transaction left open holds every async projection back; end it within a minute.
idle_in_transaction_session_timeout = '60s'
logging_collector = off
EOF
  echo "$port" > "$dir/pg/port"
  pg_start "$dir"
  cat >>"$dir/env" <<EOF
export ConnectionStrings__Postgres='Host=127.0.0.1;Port=$port;Username=hub;Password=$password;Database=postgres'
export HUB_POSTGRES_PORT=$port
EOF
  log "PostgreSQL on 127.0.0.1:$port (data in $dir/pg/data)"
}

pg_start() {
  local dir=$1
  as_user postgres "$PG_BIN/pg_ctl" -D "$dir/pg/data" -l "$dir/pg/server.log" -w -t "$START_TIMEOUT" start >/dev/null \
    || { tail -n 30 "$dir/pg/server.log" >&2; die "PostgreSQL did not start"; }
}

pg_stop() {
  local dir=$1
  [ -f "$dir/pg/data/postmaster.pid" ] || return 0
  as_user postgres "$PG_BIN/pg_ctl" -D "$dir/pg/data" -m fast -w -t 30 stop >/dev/null 2>&1 \
    || as_user postgres "$PG_BIN/pg_ctl" -D "$dir/pg/data" -m immediate -w stop >/dev/null 2>&1 || true
}

start_rabbitmq() {
  local dir=$1 port dist epmd password node
  port=$(free_port); dist=$(free_port); epmd=$(free_port); password=$(random_secret)
  node="hub$(random_secret | cut -c1-8)@localhost"
  local rd="$dir/rabbitmq"
  mkdir -p "$rd/mnesia" "$rd/log"
  cat >"$rd/rabbitmq.conf" <<EOF
listeners.tcp.1 = 127.0.0.1:$port
default_user = hub
default_pass = $password
loopback_users = none
log.console = false
log.file.level = warning
EOF
  echo '[].' >"$rd/enabled_plugins"
  echo "$epmd" >"$rd/epmd-port"
  is_root && chown -R rabbitmq:rabbitmq "$rd"

  local env_vars=(HOME="$rd" ERL_EPMD_PORT="$epmd" ERL_EPMD_ADDRESS=127.0.0.1
    RABBITMQ_NODENAME="$node" RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$port" RABBITMQ_DIST_PORT="$dist"
    RABBITMQ_CONFIG_FILE="$rd/rabbitmq.conf" RABBITMQ_ENABLED_PLUGINS_FILE="$rd/enabled_plugins"
    RABBITMQ_MNESIA_BASE="$rd/mnesia" RABBITMQ_LOG_BASE="$rd/log" RABBITMQ_LOGS="$rd/log/rabbit.log"
    RABBITMQ_PID_FILE="$rd/rabbit.pid" RABBITMQ_CONF_ENV_FILE=/dev/null RABBITMQ_ADVANCED_CONFIG_FILE="$rd/advanced.config")

  # Our own epmd on its own port, in our own process group, so `down` stops it and two runs never share one.
  setsid bash -c "exec -a 'epmd [hub-infra $dir]' $(command -v epmd) -port $epmd -address 127.0.0.1" </dev/null >"$rd/log/epmd.log" 2>&1 &
  echo $! >"$rd/epmd.pgid"
  if is_root; then
    setsid runuser -u rabbitmq -- env "${env_vars[@]}" "$RABBIT_BIN/rabbitmq-server" </dev/null >"$rd/log/stdout.log" 2>&1 &
  else
    setsid env "${env_vars[@]}" "$RABBIT_BIN/rabbitmq-server" </dev/null >"$rd/log/stdout.log" 2>&1 &
  fi
  echo $! >"$rd/server.pgid"
  wait_for_port RabbitMQ "$port" "$(cat "$rd/server.pgid")" "$rd/log/stdout.log" || die "RabbitMQ did not start"
  cat >>"$dir/env" <<EOF
export ConnectionStrings__RabbitMq='amqp://hub:$password@127.0.0.1:$port/'
export HUB_RABBITMQ_PORT=$port
EOF
  log "RabbitMQ on 127.0.0.1:$port (node $node)"
}

# Stop a process group started with setsid: TERM, then KILL what is left.
stop_group() {
  local pgid=$1
  kill -0 -- "-$pgid" 2>/dev/null || return 0
  kill -TERM -- "-$pgid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 -- "-$pgid" 2>/dev/null || return 0; sleep 0.1; done
  kill -KILL -- "-$pgid" 2>/dev/null || true
}

stop_rabbitmq() {
  local rd="$1/rabbitmq"
  [ -f "$rd/server.pgid" ] && stop_group "$(cat "$rd/server.pgid")"
  [ -f "$rd/epmd.pgid" ] && stop_group "$(cat "$rd/epmd.pgid")"
  return 0
}

down() {
  local dir=$1
  [ -d "$dir" ] || return 0
  [ -f "$dir/infra.owner" ] || die "$dir was not made by infra.sh; not removing it"
  pg_stop "$dir"
  stop_rabbitmq "$dir"
  rm -rf "$dir"
  log "stopped and removed $dir"
}

up() {
  local dir=$1
  install_missing
  mkdir -p "$dir"
  [ -f "$dir/env" ] && die "$dir is already in use (run: scripts/infra.sh down --dir $dir)"
  chmod 711 "$dir"
  if is_root; then
    for user in postgres rabbitmq; do
      if want "$user" && ! runuser -u "$user" -- test -x "$dir"; then
        die "the $user user cannot reach $dir; choose a folder whose parents others may enter (chmod o+x)"
      fi
    done
  fi
  echo "$$" >"$dir/infra.owner"
  echo "export HUB_INFRA_DIR='$dir'" >"$dir/env"
  # If start-up fails half-way, leave nothing behind.
  trap 'down "$dir"' EXIT
  if want postgres; then start_postgres "$dir"; fi
  if want rabbitmq; then start_rabbitmq "$dir"; fi
  trap - EXIT
}

cmd=${1:-}; [ $# -gt 0 ] && shift
DIR=${HUB_INFRA_DIR:-}
while [ $# -gt 0 ]; do
  case $1 in
    --dir) DIR=$2; shift 2 ;;
    --services) SERVICES=$2; shift 2 ;;
    --) shift; break ;;
    *) break ;;
  esac
done
new_dir() { mktemp -d "${TMPDIR:-/tmp}/hub-infra.XXXXXX"; }

case $cmd in
  up)
    [ -n "$DIR" ] || DIR=$(new_dir)
    up "$DIR"
    cat "$DIR/env"
    ;;
  env)
    [ -n "$DIR" ] && [ -f "$DIR/env" ] || die "no running infrastructure (give --dir or set HUB_INFRA_DIR)"
    cat "$DIR/env"
    ;;
  down)
    [ -n "$DIR" ] || die "which one? give --dir or set HUB_INFRA_DIR"
    down "$DIR"
    ;;
  run)
    [ $# -gt 0 ] || die "usage: scripts/infra.sh run [--dir DIR] [--services ...] -- CMD ARGS..."
    [ -n "$DIR" ] || DIR=$(new_dir)
    up "$DIR"
    trap 'down "$DIR"' EXIT
    # shellcheck disable=SC1091
    set -a; . "$DIR/env"; set +a
    set +e
    "$@" &
    child=$!
    # A background command does not get the terminal's Ctrl-C, so pass signals on: the first asks it to stop,
    # a second one kills it. Either way we wait for it to end before tearing the servers down.
    signalled=""
    on_signal() {
      if [ -z "$signalled" ]; then
        signalled=$1; log "interrupted: stopping the command"; kill -TERM "$child" 2>/dev/null
      else
        log "interrupted again: killing the command"; kill -KILL "$child" 2>/dev/null
      fi
    }
    trap 'on_signal 130' INT
    trap 'on_signal 143' TERM
    # Poll rather than block in `wait`: a parent may hand us a blocked SIGCHLD (.NET's Process.Start does),
    # and then bash defers traps until the child exits. A short `sleep` lets traps run promptly in any case.
    while kill -0 "$child" 2>/dev/null; do sleep 0.2; done
    wait "$child"; code=$?
    set -e
    exit "${signalled:-$code}"
    ;;
  stop-postgres)  pg_stop "$DIR" ;;
  start-postgres) pg_start "$DIR" ;;
  *)
    sed -n '2,14p' "$0" >&2
    exit 2
    ;;
esac
