#!/usr/bin/env bash
# Proves the compose stack works: makes Docker usable (scripts/docker.sh), builds the images, starts the stack
# under a project name of its own on free loopback ports with random passwords, waits for every host's
# /health/ready, sends one request through each host, waits for the initial sync of a small sandbox seed to
# HubSpot (scripts/hub.sh sync --until-synced), checks parity 0 through Hub.Api and that an edit made in HubSpot
# reaches Propstreet (two-way), then removes everything it
# made (containers, network, volumes), also when a check fails or the run is interrupted. Exit code 0 = every
# check passed. The seed is a few hundred records (HUB_SANDBOX_*; the sandbox's default of 20,000 would take
# minutes behind HubSpot's burst limit); HUB_SMOKE_SYNC_TIMEOUT (300 s) bounds the sync.
# Compose files: COMPOSE_FILE (default docker-compose.yml). Logs of a failed run: $TMPDIR/compose-smoke.*.log.
# HUB_SMOKE_UP_TIMEOUT (300 s): how long `up` may wait for health checks and the migrate service.
set -euo pipefail
cd "$(dirname "$0")/.."

source scripts/compose-lib.sh
say() { printf 'compose-smoke: %s\n' "$*" >&2; }
t_all=$(now_ms)

scripts/docker.sh up
eval "$(scripts/docker.sh env)"

project=hubsmoke$$
pick_ports "" "" "" "" ""
export HUB_POSTGRES_PASSWORD HUB_RABBITMQ_PASSWORD HUB_LOG_FORMAT=json HUB_API_TOKEN
export HUB_SANDBOX_CONTACTS=${HUB_SANDBOX_CONTACTS:-300} HUB_SANDBOX_COMPANIES=${HUB_SANDBOX_COMPANIES:-40} \
  HUB_SANDBOX_PROJECTS=${HUB_SANDBOX_PROJECTS:-10} HUB_SANDBOX_PROSPECTS_PER_PROJECT=${HUB_SANDBOX_PROSPECTS_PER_PROJECT:-4} \
  HUB_SANDBOX_LEADS=${HUB_SANDBOX_LEADS:-60}
HUB_API_TOKEN=$(secret)$(secret)
HUB_POSTGRES_PASSWORD=$(secret); HUB_RABBITMQ_PASSWORD=$(secret)

failed=0
state_log=$(mktemp)
cleanup() {
  local code=$? t
  trap - EXIT INT TERM
  if [ "$code" != 0 ] || [ "$failed" != 0 ]; then
    local logs; logs=$(mktemp "${TMPDIR:-/tmp}/compose-smoke.XXXXXX.log")
    dc ps >"$logs" 2>&1 || true
    dc logs --no-color >>"$logs" 2>&1 || true
    say "FAILED; container logs: $logs"
  fi
  t=$(now_ms)
  dc down -v --remove-orphans --timeout 30 >/dev/null 2>&1 || true
  local left
  left=$(docker ps -aq --filter "label=com.docker.compose.project=$project"; \
         docker network ls -q --filter "label=com.docker.compose.project=$project"; \
         docker volume ls -q --filter "label=com.docker.compose.project=$project")
  if [ -n "$left" ]; then say "left behind: $left"; code=1; else say "down in $(since "$t"): nothing left behind"; fi
  rm -f "$state_log"
  say "total $(since "$t_all")"
  exit "$code"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

t=$(now_ms)
dc build -q
say "images built in $(since "$t")"
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^integration-hub/' | sed 's/^/compose-smoke: image /' >&2

t=$(now_ms)
# Compose waits for the health checks and for migrate to exit; a migrate that never exits must not hang CI.
if ! timeout "${HUB_SMOKE_UP_TIMEOUT:-300}" "${compose[@]}" -p "$project" up -d --no-build >"$state_log" 2>&1; then
  cat "$state_log" >&2; say "docker-compose up failed or took over ${HUB_SMOKE_UP_TIMEOUT:-300} s"; exit 1
fi
say "stack started in $(since "$t")"

check() { # name expected-status url [curl args...]
  local name=$1 want=$2 url=$3 got; shift 3
  got=$(curl -s -o /dev/null -w '%{http_code}' --max-time 10 "$@" "$url" || true)
  if [ "$got" = "$want" ]; then say "ok    $name ($got)"; else say "FAIL  $name: $url gave $got, want $want"; failed=1; fi
}

t=$(now_ms)
while read -r name port; do
  wait_ready "$port" 180 >/dev/null
  check "$name ready after $(since "$t")" 200 "http://127.0.0.1:$port/health/ready"
done < <(hosts_and_ports)

migrate_id=$(dc ps -q migrate)
migrate_exit=$(docker inspect -f '{{.State.ExitCode}} {{.State.Status}}' "$migrate_id" 2>/dev/null || echo "? missing")
if [ "$migrate_exit" = "0 exited" ]; then say "ok    migrate exited 0"; else say "FAIL  migrate: $migrate_exit"; failed=1; fi

check "sandbox: Propstreet contacts with a bearer token" 200 \
  "http://127.0.0.1:$HUB_SANDBOX_PORT/api/v1/network/contacts?limit=1" -H 'Authorization: Bearer compose-smoke'
check "sandbox: Propstreet contacts without a token is refused" 401 \
  "http://127.0.0.1:$HUB_SANDBOX_PORT/api/v1/network/contacts?limit=1"
for spec in "api $HUB_API_PORT" "ingest $HUB_INGEST_PORT" "projections $HUB_PROJECTIONS_PORT"; do
  read -r name port <<<"$spec"
  check "$name /health/live" 200 "http://127.0.0.1:$port/health/live"
  check "$name /health/ready" 200 "http://127.0.0.1:$port/health/ready"
done
check "rabbitmq management UI (API overview)" 200 "http://127.0.0.1:$HUB_RABBITMQ_UI_PORT/api/overview" \
  -u "hub:$HUB_RABBITMQ_PASSWORD"

# The hosts run as the unprivileged user on a read-only root filesystem.
for svc in sandbox api ingest projections; do
  id=$(dc ps -q "$svc")
  user=$(docker exec "$id" id -u 2>/dev/null || echo '?')
  if docker exec "$id" sh -c 'touch /app/x' 2>/dev/null; then ro=writable; else ro=read-only; fi
  if [ "$user" != 0 ] && [ "$ro" = read-only ]; then say "ok    $svc runs as uid $user, /app $ro"
  else say "FAIL  $svc runs as uid $user, /app $ro"; failed=1; fi
done

check "api: /api/status without a token is refused" 401 "http://127.0.0.1:$HUB_API_PORT/api/status"
check "api: /api/status with the operator token" 200 "http://127.0.0.1:$HUB_API_PORT/api/status" \
  -H "Authorization: Bearer $HUB_API_TOKEN"

# The product's path end to end: sandbox → Ingest → RabbitMQ → Projections → HubSpot sandbox, compared through Hub.Api.
export HUB_API_URL=http://127.0.0.1:$HUB_API_PORT
t=$(now_ms)
if scripts/hub.sh sync --until-synced --timeout "${HUB_SMOKE_SYNC_TIMEOUT:-300}" >/dev/null; then
  say "ok    initial sync to HubSpot in $(since "$t")"
else
  say "FAIL  initial sync to HubSpot: not done in ${HUB_SMOKE_SYNC_TIMEOUT:-300} s"; failed=1
fi
if parity=$(scripts/hub.sh parity); then say "ok    parity: 0 mismatches"
else say "FAIL  parity:"; printf '%s\n' "$parity" | head -40 >&2; failed=1; fi
printf '%s\n' "$parity" | sed 's/^/compose-smoke: /' >&2

# Two-way: a user's edit in HubSpot reaches Propstreet (Ingest watches HubSpot, Projections writes it back).
sandbox=http://127.0.0.1:$HUB_SANDBOX_PORT
linked=$(curl -s --max-time 10 -H "Authorization: Bearer sandbox-hubspot-token" -H "Content-Type: application/json" \
  -d '{"filterGroups":[{"filters":[{"propertyName":"propstreet_id","operator":"HAS_PROPERTY"}]}],"properties":["propstreet_id"],"limit":1}' \
  "$sandbox/crm/v3/objects/contacts/search" | jq -r '.results[0] | "\(.id) \(.properties.propstreet_id)"' || true)
read -r hubspot_id propstreet_id <<<"$linked"
t=$(now_ms); written=""
if [ -n "${propstreet_id:-}" ] && [ "$propstreet_id" != null ] &&
   curl -sf -o /dev/null --max-time 10 -X PATCH -H "Content-Type: application/json" \
     -d '{"properties":{"firstname":"Smoke-Two-Way"}}' "$sandbox/_sandbox/hubspot/objects/contacts/$hubspot_id"; then
  for _ in $(seq 1 120); do
    written=$(curl -s --max-time 10 -H "Authorization: Bearer smoke" "$sandbox/api/v1/network/contacts/$propstreet_id" | jq -r .firstName || true)
    [ "$written" = Smoke-Two-Way ] && break
    sleep 0.5
  done
fi
if [ "$written" = Smoke-Two-Way ]; then say "ok    two-way: an edit in HubSpot reached Propstreet in $(since "$t")"
else say "FAIL  two-way: HubSpot contact ${hubspot_id:-?}'s edit did not reach Propstreet contact ${propstreet_id:-?}"; failed=1; fi

[ "$failed" = 0 ] || exit 1
say "all checks passed"
