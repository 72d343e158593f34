#!/usr/bin/env bash
# Runs the hub on this machine: throwaway PostgreSQL and RabbitMQ, the API sandbox (Propstreet and
# Property Finder stand-ins) and the three hub hosts. Waits until every host reports ready, then runs
# until Ctrl-C, which stops the hosts gracefully and removes the servers and their data.
#
# Ports: HUB_API_PORT (5000), HUB_INGEST_PORT (5001), HUB_PROJECTIONS_PORT (5002), HUB_SANDBOX_PORT (5080);
# a taken port is replaced by a free one.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

if [ "${1:-}" != "--inside-infra" ]; then
  dotnet build IntegrationHub.sln -c Release -nologo -clp:NoSummary -v:quiet
  exec scripts/infra.sh run -- "$0" --inside-infra
fi

port_in_use() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
pick_port() { local p=$1; while port_in_use "$p"; do p=$(( 20000 + RANDOM % 40000 )); done; echo "$p"; }

pids=()
stop_hosts() {
  trap - INT TERM
  [ ${#pids[@]} -gt 0 ] || return 0
  echo "run: stopping hosts" >&2
  kill -TERM "${pids[@]}" 2>/dev/null || true
  wait "${pids[@]}" 2>/dev/null || true
}
trap 'stop_hosts; exit 0' INT TERM

start_host() { # name port
  local name=$1 port=$2
  local dll="$root/src/$name/bin/Release/net10.0/$name.dll"
  # --urls on the command line wins over any Urls in the host's appsettings.json.
  Logging__Format=text dotnet "$dll" --contentRoot "$root/src/$name" --urls "http://127.0.0.1:$port" &
  pids+=($!)
  echo "$name http://127.0.0.1:$port"
}

sandbox_port=$(pick_port "${HUB_SANDBOX_PORT:-5080}")
hosts=("Hub.Sandbox $sandbox_port")
# The control surface (drive changes, inject faults, reseed) is on for local runs: this is a demo.
Sandbox__AdminEnabled=true start_host Hub.Sandbox "$sandbox_port" >/dev/null
# The hosts talk to the sandbox unless real base URLs and credentials are configured.
export Propstreet__BaseUrl="${Propstreet__BaseUrl:-http://127.0.0.1:$sandbox_port}"
export PropertyFinder__BaseUrl="${PropertyFinder__BaseUrl:-http://127.0.0.1:$sandbox_port}"
for spec in "Hub.Api ${HUB_API_PORT:-5000}" "Hub.Ingest ${HUB_INGEST_PORT:-5001}" "Hub.Projections ${HUB_PROJECTIONS_PORT:-5002}"; do
  set -- $spec
  port=$(pick_port "$2")
  start_host "$1" "$port" >/dev/null
  hosts+=("$1 $port")
done

for spec in "${hosts[@]}"; do
  set -- $spec
  for _ in $(seq 1 120); do
    curl -fsS "http://127.0.0.1:$2/health/ready" >/dev/null 2>&1 && break
    sleep 0.5
  done
  if curl -fsS "http://127.0.0.1:$2/health/ready" >/dev/null 2>&1; then
    printf 'run: %-16s ready  http://127.0.0.1:%s\n' "$1" "$2" >&2
  else
    printf 'run: %-16s NOT READY  http://127.0.0.1:%s/health/ready\n' "$1" "$2" >&2
  fi
done
echo "run: the hub is up; Ctrl-C stops everything" >&2
wait
