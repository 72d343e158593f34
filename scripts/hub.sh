#!/usr/bin/env bash
# The operator's command: talks to Hub.Api (docs/api.md) with curl and jq (installed from Debian when missing).
#
#   scripts/hub.sh rebuild [hubspot]           rebuild a read model beside the live one; shows its progress until done
#   scripts/hub.sh parity [--limit N] [connection]
#                                              the sources against HubSpot, field by field (N mismatches listed,
#                                              default 20); exit 0 = no mismatch
#   scripts/hub.sh status [connection]         shards against the log, and the HubSpot sync per resource
#   scripts/hub.sh sync [--until-synced] [--timeout S] [connection]
#                                              a progress bar per resource (records seen, pushed, rate); with
#                                              --until-synced it returns once the hub has settled (the whole log
#                                              projected and pushed, nothing moving for 10 s)
#
# HUB_API_URL (default http://127.0.0.1:${HUB_API_PORT:-5000}) and HUB_API_TOKEN (default: the local-only operator
# token of docker-compose.yml, as scripts/run.sh starts it). Exit codes: 0 ok, 1 mismatches / rebuild failed /
# not synced in time, 2 the API refused or could not be reached.
set -euo pipefail

api=${HUB_API_URL:-http://127.0.0.1:${HUB_API_PORT:-5000}}
api=${api%/}
token=${HUB_API_TOKEN:-hub-local-only-operator-token-0000}

die() { printf 'hub: %s\n' "$*" >&2; exit 2; }
usage() { sed -n '2,16p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }

if ! command -v jq >/dev/null; then
  [ "$(id -u)" = 0 ] || die "jq is missing (apt-get install jq)"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jq >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends jq >/dev/null; } ||
    die "could not install jq"
fi

# call METHOD PATH [JSON body]: prints the body; a non-2xx answer ends the script with the problem's title and detail.
# The token goes to curl on stdin (a config line), so it never shows in the process list.
call() {
  local method=$1 path=$2 body=${3:-} out status problem args=()
  [ -n "$body" ] && args=(-H 'Content-Type: application/json' --data "$body")
  out=$(mktemp)
  if ! status=$(printf 'header = "Authorization: Bearer %s"\n' "$token" |
      curl -sS -K - -X "$method" -o "$out" -w '%{http_code}' --max-time 300 "${args[@]}" "$api$path"); then
    rm -f "$out"; die "no answer from $api$path (is the hub up? HUB_API_URL)"
  fi
  if [ "${status:0:1}" != 2 ]; then
    problem=$(jq -r '[.title, .detail] | map(select(. != null)) | join(": ")' "$out" 2>/dev/null || cat "$out")
    rm -f "$out"; die "$method $path: $status $problem"
  fi
  cat "$out"; rm -f "$out"
}

# bar DONE TOTAL WIDTH: [#####.....]
bar() {
  local done=$1 total=$2 width=$3 filled=0
  [ "$total" -gt 0 ] && filled=$(( done * width / total ))
  [ "$filled" -gt "$width" ] && filled=$width
  printf '[%s%s]' "$(printf '%*s' "$filled" '' | tr ' ' '#')" "$(printf '%*s' $(( width - filled )) '' | tr ' ' '.')"
}

# The HubSpot connection as a query parameter (none: the only one configured).
query() { printf '?parkedLimit=%s%s' "${2:-100}" "${1:+&connection=$1}"; }

rebuild() {
  local model=${1:-hubspot} answer location status phase folded total docs error
  answer=$(call POST /api/rebuilds "{\"readModel\":\"$model\"}")
  location="/api/rebuilds/$(jq -r .id <<<"$answer")"
  if [ "$(jq -r .joined <<<"$answer")" = true ]; then printf 'hub: a rebuild of %s is already open; following it (%s)\n' "$model" "$location" >&2
  else printf 'hub: rebuild of %s requested (%s)\n' "$model" "$location" >&2; fi
  while :; do
    read -r status phase folded total docs < <(jq -r '[.status, (.phase // "-"), .eventsFolded, .eventsTotal, .documents] | @tsv' <<<"$answer")
    printf '\r%-10s %-11s %s %12s / %-12s events  %s documents ' "$status" "$phase" "$(bar "$folded" "$total" 30)" "$folded" "$total" "$docs" >&2
    case $status in
      succeeded) printf '\nhub: rebuild done: %s events folded into %s documents\n' "$folded" "$docs" >&2; return 0 ;;
      failed) error=$(jq -r '.error // "unknown"' <<<"$answer"); printf '\nhub: rebuild failed: %s\n' "$error" >&2; return 1 ;;
      requested) [ "${waited:=0}" -eq 30 ] && printf '\nhub: no Projections node has claimed it yet (is Hub.Projections running?)\n' >&2; waited=$(( waited + 1 )) ;;
    esac
    sleep 1
    answer=$(call GET "$location")
  done
}

parity() {
  local limit=20 connection= report
  while [ $# -gt 0 ]; do
    case $1 in
      --limit) limit=$2; shift ;;
      -*) usage ;;
      *) connection=$1 ;;
    esac
    shift
  done
  report=$(call GET "/api/hubspot/parity?limit=$limit${connection:+&connection=$connection}")
  jq -r '
    "Parity with HubSpot connection \u0027\(.connection)\u0027",
    "  \("resource" | .+" "*(24-length))   sources   hubspot   matched",
    (.resources[] | "  \(.resource | .+" "*(24-length)) \(.sources | tostring | " "*(9-length)+.) \(.hubSpot | tostring | " "*(9-length)+.) \(.matched | tostring | " "*(9-length)+.)"),
    (.mismatches[] | "  ≠ \(.resource) \(.record) \(.field): expected \u0027\(.expected // "")\u0027, HubSpot \u0027\(.actual // "")\u0027"),
    (if .mismatchCount > (.mismatches | length) then "  … and \(.mismatchCount - (.mismatches | length)) more (--limit N, or GET /api/hubspot/parity?limit=N)" else empty end),
    "  \(.mismatchCount) mismatches"' <<<"$report"
  [ "$(jq -r .mismatchCount <<<"$report")" = 0 ]
}

# One frame of the sync view into $frame, a line per resource. Rates are pushed records per second over at least
# 5 s (pushes come in batches), so the previous sample (last_pushed, last_at, rates) must survive between frames:
# this runs in the script's own shell, never in $(...).
sync_frame() {
  local sync=$1 now=$2 resource records mapped insync pending parked line sample=false
  frame=
  [ $(( now - last_at )) -ge 5000 ] && sample=true
  while IFS=$'\t' read -r resource records mapped insync pending parked; do
    if $sample; then
      [ -n "${last_pushed[$resource]:-}" ] && rates[$resource]=$(( (insync - last_pushed[$resource]) * 1000 / (now - last_at) ))
      last_pushed[$resource]=$insync
    fi
    line=$(printf '%-22s %s %7s / %-7s pushed  %7s seen  %6s/s' "$resource" "$(bar "$(( insync + parked ))" "$mapped" 24)" "$insync" "$mapped" "$records" "${rates[$resource]:--}")
    [ "$parked" -gt 0 ] && line+="  $parked parked"
    [ "$pending" -gt 0 ] && line+="  $pending pending"
    $tty && line+=$'\033[K'   # clears what a longer line of the previous frame left
    frame+="$line"$'\n'
  done < <(jq -r '.resources[] | select(.mapped > 0 or .records > 0) | [.resource, .records, .mapped, .inSync, .pending, .parked] | @tsv' <<<"$sync")
  $sample && last_at=$now
  return 0
}

sync_view() {
  local until=false timeout=1800 connection= sync lines=0 quiet_since= seen last_seen= start now
  while [ $# -gt 0 ]; do
    case $1 in
      --until-synced) until=true ;;
      --timeout) timeout=$2; shift ;;
      -*) usage ;;
      *) connection=$1 ;;
    esac
    shift
  done
  tty=false; [ -t 1 ] && tty=true
  declare -gA last_pushed=() rates=(); last_at=0 failures=0
  start=$(date +%s)
  while :; do
    # An API that is restarting or briefly failing is shown and asked again; 30 failures in a row end the view.
    if ! sync=$(call GET "/api/hubspot/sync$(query "$connection" 0)"); then
      failures=$(( failures + 1 )); lines=0
      [ "$failures" -ge 30 ] && return 2
      sleep 1; continue
    fi
    failures=0
    now=$(( $(date +%s%N) / 1000000 ))
    # On a terminal the frame is redrawn in place; otherwise (logs, CI) one frame every 10 s.
    if $tty; then
      [ "$lines" -gt 0 ] && printf '\033[%dA' "$lines"
      sync_frame "$sync" "$now"; printf '%s' "$frame"; lines=$(printf '%s' "$frame" | grep -c '')
    elif [ $(( ${printed:-0} + 10000 )) -le "$now" ]; then
      printed=$now; sync_frame "$sync" "$now"; printf '%s\n' "$frame"
    else
      sync_frame "$sync" "$now"
    fi
    if $until; then
      # Settled: something arrived, the read model and the push have the whole log, and no count has moved for
      # 10 s (the initial pass is over). Usually nothing is pending then; what still is waits on something that
      # cannot go (an association whose other end is parked), and parity shows it.
      seen=$(jq -c '[.resources[] | [.records, .inSync, .pending, .parked]]' <<<"$sync")
      if [ "$seen" != '[]' ] && jq -e '[.resources[].records] | add > 0' <<<"$sync" >/dev/null &&
         jq -e '.readModelSequence >= .lastEventSequence and .pushSequence >= .lastEventSequence' <<<"$sync" >/dev/null; then
        [ "$seen" = "$last_seen" ] && [ -n "$quiet_since" ] || quiet_since=$(date +%s)
        if [ $(( $(date +%s) - quiet_since )) -ge 10 ]; then
          $tty || printf '%s\n' "$frame"
          printf 'hub: settled after %d s: %s records in sync with HubSpot, %s parked, %s still pending\n' $(( $(date +%s) - start )) \
            "$(jq '[.resources[].inSync] | add' <<<"$sync")" "$(jq '[.resources[].parked] | add' <<<"$sync")" \
            "$(jq '[.resources[].pending] | add' <<<"$sync")" >&2
          return 0
        fi
      else
        quiet_since=
      fi
      last_seen=$seen
      if [ $(( $(date +%s) - start )) -ge "$timeout" ]; then
        printf 'hub: not in sync after %d s\n' "$timeout" >&2; return 1
      fi
    fi
    sleep 1
  done
}

status() {
  call GET /api/status | jq -r '
    "Log: last event \(.lastEventSequence), high-water mark \(.highWaterMark)",
    (.shards[] | "  \(.name | .+" "*(36-length)) at \(.sequence)  \(.behind) behind")'
  echo "HubSpot sync$( [ -n "${1:-}" ] && echo " ($1)")"
  call GET "/api/hubspot/sync$(query "${1:-}")" | jq -r '
    (.resources[] | select(.mapped > 0 or .records > 0)
      | "  \(.resource | .+" "*(22-length)) \(.records) seen, \(.inSync)/\(.mapped) in sync, \(.pending) pending, \(.parked) parked"),
    (.parked[] | "  parked \(.record): \(.reason) (\(.attempts) attempts, \(.parkedUtc))"),
    (if .nextParkedAfter then "  … more parked: GET /api/hubspot/sync?parkedAfter=\(.nextParkedAfter)" else empty end)'
}

case ${1:-} in
  rebuild) shift; rebuild "$@" ;;
  parity) shift; parity "$@" ;;
  status) shift; status "$@" ;;
  sync) shift; sync_view "$@" ;;
  *) usage ;;
esac
