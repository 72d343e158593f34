#!/usr/bin/env bash
# Runs the hub as containers (docker-compose.yml) and shows it working: PostgreSQL, RabbitMQ with its management
# UI, the sandbox (Propstreet, Property Finder and HubSpot stand-ins, seeded, control surface on), the schema
# migration and the three hub hosts. Makes Docker usable first (scripts/docker.sh: engine and images, built from
# Debian packages where no registry answers), waits until every host reports ready and says where everything is.
# Then the initial sync: a progress bar per resource (records seen in the sources, pushed to HubSpot, rate), read
# from Hub.Api's GET /api/hubspot/sync (scripts/hub.sh sync); then live sync, the same bars kept current, until
# Ctrl-C, which prints the parity summary (scripts/hub.sh parity) and removes the containers, network and volumes
# (also `scripts/run.sh stop` from another terminal); a dockerd this script had to start is stopped again.
#
#   scripts/run.sh                   # interactive: initial sync, live sync, Ctrl-C for parity and teardown
#   scripts/run.sh --until-synced    # non-interactive check: initial sync, parity, teardown; exit 0 = parity 0
#
# Ports on 127.0.0.1: HUB_API_PORT (5000), HUB_INGEST_PORT (5001), HUB_PROJECTIONS_PORT (5002),
# HUB_SANDBOX_PORT (5080), HUB_RABBITMQ_UI_PORT (15672); a taken port is replaced by a free one.
# HUB_API_TOKEN: Hub.Api's operator token (default: the local-only one in docker-compose.yml).
# HUB_COMPOSE_PROJECT: the compose project name (integration-hub); HUB_IMAGE_TAG: the images' tag (local).
# HUB_SANDBOX_CONTACTS etc.: the seed sizes (docker-compose.yml); HUB_RUN_SYNC_TIMEOUT: --until-synced's limit (1800 s).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/compose-lib.sh
project=${HUB_COMPOSE_PROJECT:-integration-hub}
say() { printf 'run: %s\n' "$*" >&2; }

until_synced=false
case ${1:-} in
  stop) dc down -v --remove-orphans --timeout 30; exit 0 ;;
  --until-synced) until_synced=true ;;
  "") ;;
  *) sed -n '2,18p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2 ;;
esac

engine_was_up=false
docker info >/dev/null 2>&1 && engine_was_up=true
scripts/docker.sh up
eval "$(scripts/docker.sh env)"

pick_ports 5000 5001 5002 5080 15672
export HUB_POSTGRES_PASSWORD HUB_RABBITMQ_PASSWORD
HUB_POSTGRES_PASSWORD=$(secret); HUB_RABBITMQ_PASSWORD=$(secret)
export HUB_API_TOKEN=${HUB_API_TOKEN:-hub-local-only-operator-token-0000} HUB_API_URL

stopping=false
hub_up=false
view=   # the running sync view (scripts/hub.sh sync), in the background so the traps below run at once

# Ctrl-C during live sync: the parity summary first, while everything still runs.
finish() {
  [ -z "$view" ] || kill "$view" 2>/dev/null || true
  $hub_up && ! $stopping && { printf '\n' >&2; scripts/hub.sh parity || true; }
  stop
}
stop() {
  $stopping && return; stopping=true
  trap - EXIT INT TERM
  [ -z "$view" ] || kill "$view" 2>/dev/null || true
  say "stopping the hub and removing its containers, network and volumes"
  dc down -v --remove-orphans --timeout 30 >/dev/null 2>&1 || true
  $engine_was_up || scripts/docker.sh down >/dev/null 2>&1 || true
}
trap stop EXIT
trap 'finish; exit 130' INT
trap 'stop; exit 143' TERM

t=$(now_ms)
dc build -q
say "images built in $(since "$t")"
dc up -d --no-build >/dev/null
while read -r name port; do
  if [ "$(wait_ready "$port" 180)" = 200 ]; then say "$(printf '%-12s ready  http://127.0.0.1:%s' "$name" "$port")"
  else say "$(printf '%-12s NOT READY  http://127.0.0.1:%s/health/ready  (logs: docker-compose -p %s logs %s)' "$name" "$port" "$project" "$name")"; fi
done < <(hosts_and_ports)

HUB_API_URL=http://127.0.0.1:$HUB_API_PORT
hub_up=true
cat >&2 <<MSG
run: the hub is up in $(since "$t")
  API            $HUB_API_URL   (reference: $HUB_API_URL/scalar; token: $HUB_API_TOKEN)
                 scripts/hub.sh status | parity | rebuild hubspot   (export HUB_API_URL=$HUB_API_URL)
  Ingest         http://127.0.0.1:$HUB_INGEST_PORT
  Projections    http://127.0.0.1:$HUB_PROJECTIONS_PORT
  Sandbox        http://127.0.0.1:$HUB_SANDBOX_PORT   Propstreet /api/v1/..., Property Finder /v1/..., HubSpot /crm/v3/...
                 (HubSpot token sandbox-hubspot-token); control surface /_sandbox, e.g. /_sandbox/hubspot/stats
  RabbitMQ UI    http://127.0.0.1:$HUB_RABBITMQ_UI_PORT   (user hub, password $HUB_RABBITMQ_PASSWORD)
  Logs           docker-compose -p $project logs -f [api|ingest|projections|sandbox]
run: initial sync — per resource: pushed to HubSpot / to push, records seen in the sources, push rate
MSG
t=$(now_ms)
# In the background and waited for: bash runs a trap only once its foreground command ends, and the view would not.
scripts/hub.sh sync --until-synced --timeout "${HUB_RUN_SYNC_TIMEOUT:-1800}" & view=$!
if wait "$view"; then
  say "initial sync done in $(since "$t")"
else
  say "the initial sync did not finish in time (the hosts' logs: docker-compose -p $project logs)"
  $until_synced && { scripts/hub.sh parity || true; exit 1; }
fi
if $until_synced; then
  scripts/hub.sh parity && exit 0 || exit 1
fi
say "live sync: the same view, kept current (change records through the sandbox's control surface); Ctrl-C prints parity and stops"
scripts/hub.sh sync & view=$!
wait "$view" || true
