# Sourced by run.sh and compose-smoke.sh: the compose command, free loopback ports, waiting for readiness.
# Expects `project` to be set before dc is called.

now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }

if command -v docker-compose >/dev/null; then compose=(docker-compose); else compose=(docker compose); fi
dc() { "${compose[@]}" -p "$project" "$@"; }

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
# A wanted port if it is free, else any free one.
free_port() { local p=${1:-}; while [ -z "$p" ] || port_in_use "$p"; do p=$(( 20000 + RANDOM % 40000 )); done; echo "$p"; }
secret() { head -c 18 /dev/urandom | base64 | tr -d '/+='; }

# Picks the published ports (HUB_*_PORT, taken ones replaced) and exports them for the compose file.
pick_ports() { # default-api default-ingest default-projections default-sandbox default-rabbitmq-ui
  export HUB_API_PORT HUB_INGEST_PORT HUB_PROJECTIONS_PORT HUB_SANDBOX_PORT HUB_RABBITMQ_UI_PORT
  HUB_API_PORT=$(free_port "$1"); HUB_INGEST_PORT=$(free_port "$2"); HUB_PROJECTIONS_PORT=$(free_port "$3")
  HUB_SANDBOX_PORT=$(free_port "$4"); HUB_RABBITMQ_UI_PORT=$(free_port "$5")
}

hosts_and_ports() {
  printf '%s\n' "sandbox $HUB_SANDBOX_PORT" "api $HUB_API_PORT" "ingest $HUB_INGEST_PORT" "projections $HUB_PROJECTIONS_PORT"
}

# Waits up to $2 seconds for http://127.0.0.1:$1/health/ready to answer 200; prints the last status.
wait_ready() {
  local status=000
  for _ in $(seq 1 "$2"); do
    status=$(curl -s -o /dev/null -w '%{http_code}' --max-time 2 "http://127.0.0.1:$1/health/ready" || true)
    [ "$status" = 200 ] && break
    sleep 1
  done
  echo "$status"
}
