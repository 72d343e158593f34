#!/usr/bin/env bash
# Runs the hub as containers (docker-compose.yml): PostgreSQL, RabbitMQ with its management UI, the API sandbox
# (Propstreet and Property Finder stand-ins, control surface on), the schema migration and the three hub hosts.
# Makes Docker usable first (scripts/docker.sh: engine and images, built from Debian packages where no registry
# answers), waits until every host reports ready, says where everything is, then follows the hosts' logs.
# Ctrl-C (or `scripts/run.sh stop` from another terminal) removes the containers, network and volumes; a dockerd
# this script had to start is stopped again.
#
# Ports on 127.0.0.1: HUB_API_PORT (5000), HUB_INGEST_PORT (5001), HUB_PROJECTIONS_PORT (5002),
# HUB_SANDBOX_PORT (5080), HUB_RABBITMQ_UI_PORT (15672); a taken port is replaced by a free one.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/compose-lib.sh
project=integration-hub
say() { printf 'run: %s\n' "$*" >&2; }

if [ "${1:-}" = stop ]; then
  dc down -v --remove-orphans --timeout 30
  exit 0
fi

engine_was_up=false
docker info >/dev/null 2>&1 && engine_was_up=true
scripts/docker.sh up
eval "$(scripts/docker.sh env)"

pick_ports 5000 5001 5002 5080 15672
export HUB_POSTGRES_PASSWORD HUB_RABBITMQ_PASSWORD
HUB_POSTGRES_PASSWORD=$(secret); HUB_RABBITMQ_PASSWORD=$(secret)

stopping=false
stop() {
  $stopping && return; stopping=true
  trap - EXIT INT TERM
  say "stopping the hub and removing its containers, network and volumes"
  dc down -v --remove-orphans --timeout 30 >/dev/null 2>&1 || true
  $engine_was_up || scripts/docker.sh down >/dev/null 2>&1 || true
}
trap stop EXIT
trap 'stop; exit 130' INT
trap 'stop; exit 143' TERM

t=$(now_ms)
dc build -q
say "images built in $(since "$t")"
dc up -d --no-build >/dev/null
while read -r name port; do
  if [ "$(wait_ready "$port" 180)" = 200 ]; then say "$(printf '%-12s ready  http://127.0.0.1:%s' "$name" "$port")"
  else say "$(printf '%-12s NOT READY  http://127.0.0.1:%s/health/ready  (logs: docker-compose -p %s logs %s)' "$name" "$port" "$project" "$name")"; fi
done < <(hosts_and_ports)

cat >&2 <<MSG
run: the hub is up in $(since "$t")
  API            http://127.0.0.1:$HUB_API_PORT   (/health/ready)
  Ingest         http://127.0.0.1:$HUB_INGEST_PORT
  Projections    http://127.0.0.1:$HUB_PROJECTIONS_PORT
  Sandbox        http://127.0.0.1:$HUB_SANDBOX_PORT   (Propstreet /api/v1/..., Property Finder /v1/..., control surface /_sandbox)
  RabbitMQ UI    http://127.0.0.1:$HUB_RABBITMQ_UI_PORT   (user hub, password $HUB_RABBITMQ_PASSWORD)
  Logs           docker-compose -p $project logs -f [api|ingest|projections|sandbox]
run: following the hosts' logs; Ctrl-C stops everything
MSG
dc logs -f --tail=20 api ingest projections &
wait $! || true
