#!/usr/bin/env bash
# The whole test suite, against throwaway PostgreSQL and RabbitMQ that this script starts and removes
# (also when the tests fail or are interrupted). Exit code = the tests'. Extra arguments go to `dotnet test`,
# e.g. scripts/test.sh --filter "FullyQualifiedName~EventStore".
set -euo pipefail
cd "$(dirname "$0")/.."

# Build first, so a compile error fails fast without starting any server.
dotnet build IntegrationHub.sln -c Release -nologo -clp:NoSummary -v:quiet

log=$(mktemp "${TMPDIR:-/tmp}/hub-test.XXXXXX")
trap 'rm -f "$log"' EXIT
set +e
scripts/infra.sh run -- dotnet test IntegrationHub.sln -c Release --no-build -nologo \
  --logger "console;verbosity=normal" "$@" 2>&1 | tee "$log"
code=${PIPESTATUS[0]}
set -e

# One plain closing line over all test assemblies (each prints a "Total tests:" block).
awk '/^Total tests: [0-9]+/ { block = 1; next }
     block && /^ +Passed: +[0-9]+$/  { passed += $2 }
     block && /^ +Failed: +[0-9]+$/  { failed += $2 }
     block && /^ +Skipped: +[0-9]+$/ { skipped += $2 }
     /^ +Total time:/ { block = 0 }
     END { printf "%d passed, %d failed, %d skipped\n", passed, failed, skipped }' "$log"
exit "$code"
