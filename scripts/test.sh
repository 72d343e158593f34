#!/usr/bin/env bash
# The whole test suite. Makes Docker usable (scripts/docker.sh: engine and images, built from Debian packages where
# no registry answers), builds, then `dotnet test`: each test assembly starts its own PostgreSQL and RabbitMQ
# containers (Testcontainers) unless ConnectionStrings__Postgres / ConnectionStrings__RabbitMq name servers of your
# own. Containers are removed when the run ends, also when tests fail or the run is interrupted; a dockerd this
# script had to start is stopped again. Exit code = the tests'. Extra arguments go to `dotnet test`, e.g.
# scripts/test.sh --filter "FullyQualifiedName~EventStore".
set -euo pipefail
cd "$(dirname "$0")/.."

engine_was_up=false
docker info >/dev/null 2>&1 && engine_was_up=true
scripts/docker.sh up
eval "$(scripts/docker.sh env)"

export HUB_TEST_RUN="test-$$-$(date +%s)"
log=$(mktemp "${TMPDIR:-/tmp}/hub-test.XXXXXX")
cleanup() {
  # Test processes remove their containers on exit; this catches those of a process that was killed.
  local left
  left=$(docker ps -aq --filter "label=integration-hub.test-run=$HUB_TEST_RUN" 2>/dev/null || true)
  [ -z "$left" ] || docker rm -f $left >/dev/null 2>&1 || true
  rm -f "$log"
  $engine_was_up || scripts/docker.sh down >/dev/null 2>&1 || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# Build first, so a compile error fails fast.
dotnet build IntegrationHub.sln -c Release -nologo -clp:NoSummary -v:quiet

set +e
dotnet test IntegrationHub.sln -c Release --no-build -nologo --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
set -e

# One plain closing line over all test assemblies (each prints a "Total tests:" block).
awk '/^Total tests: [0-9]+/ { block = 1; next }
     block && /^ +Passed: +[0-9]+$/  { passed += $2 }
     block && /^ +Failed: +[0-9]+$/  { failed += $2 }
     block && /^ +Skipped: +[0-9]+$/ { skipped += $2 }
     /^ +Total time:/ { block = 0 }
     END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
# CI shows only the end of the output: name each failed test there again, with the first lines of its message.
awk '/^ +Failed [A-Za-z_][A-Za-z0-9_.]+/ { sub(/^ +Failed /, ""); print "failed: " $0; lines = 14; next }
     lines > 0 && !/^\{"@t"/ { print "  " $0; lines-- }' "$log"
exit "$code"
