#!/usr/bin/env bash
# Makes Docker usable on this machine, also one with no Docker and no registry (air-gapped):
#   scripts/docker.sh [up]      engine + the images the hub needs (default)
#   scripts/docker.sh env       exports Testcontainers and compose need here:  eval "$(scripts/docker.sh env)"
#   scripts/docker.sh status    engine, whether this script started it, images
#   scripts/docker.sh down      stop the dockerd this script started (alias: stop)
#
# up: where `docker info` fails it installs Debian's docker.io (+ iptables, debootstrap, docker-compose) if
# needed and starts dockerd in the background (no systemd). Then for each image it keeps what is there, else
# pulls it, else (no registry) builds it from Debian packages and tags it with the official name, so unchanged
# Dockerfiles, compose files and Testcontainers use it:
#   hub-local/debian:bookworm          debootstrap minbase of the apt mirror this machine uses
#   postgres:15                        PostgreSQL 15, entrypoint compatible with the official image
#   rabbitmq:3-management              RabbitMQ (Debian's 3.10) with the management plugin
#   mcr.microsoft.com/dotnet/aspnet:10.0, .../sdk:10.0   this machine's /usr/share/dotnet on the base
# A locally built image carries a hash of its recipe (label hub.local.recipe); a changed recipe rebuilds it.
# Settings: HUB_DOCKER_STATE (/var/lib/hub-docker: pid, log), HUB_DOCKER_BUILD_LOCAL=1 (never pull).
# Times of each stage go to stderr. Needs root only for what it has to install or start.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)
state=${HUB_DOCKER_STATE:-/var/lib/hub-docker}
images_dir=$repo/deploy/images
base_image=hub-local/debian:bookworm

log() { printf 'docker.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
now_ms() { echo $(( $(date +%s%N) / 1000000 )); }
since() { local ms=$(( $(now_ms) - $1 )); printf '%d.%d s' $((ms / 1000)) $((ms % 1000 / 100)); }
stage_start=0
stage() { stage_start=$(now_ms); log "$1 ..."; }
stage_done() { log "$1 done in $(since "$stage_start")"; }

engine_up() { docker info >/dev/null 2>&1; }

install_engine() {
  [ "$(id -u)" = 0 ] || die "no Docker engine and not root: install docker.io or run as root"
  command -v apt-get >/dev/null || die "no Docker engine and no apt-get: install Docker by hand"
  stage "installing docker.io iptables debootstrap docker-compose (apt)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends docker.io iptables debootstrap docker-compose >/dev/null
  stage_done "engine install"
}

start_engine() {
  [ "$(id -u)" = 0 ] || die "dockerd is not running and only root can start it"
  mkdir -p "$state"
  local old_pid
  old_pid=$(cat "$state/dockerd.pid" 2>/dev/null || true)
  if [ -n "$old_pid" ] && [ "$(cat "/proc/$old_pid/comm" 2>/dev/null)" = dockerd ]; then
    die "dockerd (pid $old_pid) runs but does not answer; see $state/dockerd.log, or stop it: scripts/docker.sh down"
  fi
  rm -f "$state/dockerd.pid" # left by a dockerd that was killed (a machine handed on, a CI run ended)
  stage "starting dockerd (log: $state/dockerd.log)"
  # setsid + redirects: dockerd outlives this script and holds none of its caller's pipes open.
  # The pid comes from dockerd's own pid file: setsid may fork, so $! need not be dockerd.
  setsid dockerd --pidfile "$state/dockerd.pid" </dev/null >"$state/dockerd.log" 2>&1 &
  for _ in $(seq 1 60); do
    if engine_up && [ -s "$state/dockerd.pid" ]; then
      cp "$state/dockerd.pid" "$state/started-by-docker-sh"
      stage_done "dockerd start"; return 0
    fi
    sleep 0.5
  done
  tail -20 "$state/dockerd.log" >&2 || true
  die "dockerd did not come up; see $state/dockerd.log"
}

ensure_engine() {
  engine_up && return 0
  command -v dockerd >/dev/null || install_engine
  start_engine
}

ensure_compose() {
  docker compose version >/dev/null 2>&1 && return 0
  command -v docker-compose >/dev/null && return 0
  [ "$(id -u)" = 0 ] || die "neither docker compose nor docker-compose; install one"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends docker-compose >/dev/null
}

# --- images -----------------------------------------------------------------------------------------------

recipe_hash() { # files... -> short hash of their contents (and names)
  (cd "$images_dir" && sha256sum "$@") | sha256sum | cut -c1-16
}
image_label() { docker image inspect -f "{{ index .Config.Labels \"hub.local.recipe\" }}" "$1" 2>/dev/null; }

# Up to date: present and either pulled (no recipe label) or built from the current recipe.
image_current() { # name hash
  local label
  docker image inspect "$1" >/dev/null 2>&1 || return 1
  label=$(image_label "$1")
  [ -z "$label" ] || [ "$label" = "<no value>" ] || [ "$label" = "$2" ]
}

registry=unknown # reachable | unreachable, decided by the first pull
try_pull() {
  [ "${HUB_DOCKER_BUILD_LOCAL:-0}" = 1 ] && return 1
  [ "$registry" = unreachable ] && return 1
  if timeout 120 docker pull -q "$1" >/dev/null 2>&1; then registry=reachable; return 0; fi
  registry=unreachable
  log "cannot pull $1: building it from Debian packages"
  return 1
}

apt_mirror() { # the Debian mirror apt here uses (first URIs of deb822 sources, else sources.list)
  local m=""
  [ -f /etc/apt/sources.list.d/debian.sources ] &&
    m=$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
  [ -n "$m" ] || m=$(awk '$1 == "deb" && $3 ~ /^bookworm$/ { print $2; exit }' /etc/apt/sources.list 2>/dev/null || true)
  echo "${m:-http://deb.debian.org/debian}"
}

build_base() {
  local hash=$1 rootfs="$state/rootfs.$$" mirror
  [ "$(id -u)" = 0 ] || die "building $base_image needs root (debootstrap)"
  command -v debootstrap >/dev/null || install_engine
  mirror=$(apt_mirror)
  stage "debootstrap bookworm from $mirror"
  rm -rf "$rootfs"; mkdir -p "$rootfs"
  trap 'rm -rf "$rootfs"' EXIT
  # The libraries .NET, PostgreSQL and Erlang all need are in the base, so the images above it share them.
  debootstrap --variant=minbase --include=ca-certificates,tzdata,libicu72,libssl3 \
    bookworm "$rootfs" "$mirror" >"$state/debootstrap.log" 2>&1 ||
    { tail -20 "$state/debootstrap.log" >&2; die "debootstrap failed; see $state/debootstrap.log"; }
  # Inside images apt uses the same mirror and suites as this machine.
  if [ -f /etc/apt/sources.list.d/debian.sources ]; then
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/"
    rm -f "$rootfs/etc/apt/sources.list"
  fi
  cp "$images_dir/base/dpkg-excludes" "$rootfs/etc/dpkg/dpkg.cfg.d/excludes"
  cp "$images_dir/base/apt-lean" "$rootfs/etc/apt/apt.conf.d/90lean"
  rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/* "$rootfs"/usr/share/doc/* \
    "$rootfs"/usr/share/man/* "$rootfs"/usr/share/info/* "$rootfs"/var/log/*.log
  tar -C "$rootfs" -c . | docker import \
    -c 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' -c 'CMD ["bash"]' \
    -c "LABEL hub.local.recipe=$hash" - "$base_image" >/dev/null
  rm -rf "$rootfs"; trap - EXIT
  stage_done "base image $base_image"
}

# docker build, quiet unless it fails (the classic builder's deprecation notice is no news here).
build_quietly() {
  local log
  mkdir -p "$state"
  log=$(mktemp "$state/build.XXXXXX.log")
  docker build -q "$@" >/dev/null 2>"$log" || { cat "$log" >&2; rm -f "$log"; die "docker build $* failed"; }
  rm -f "$log"
}

build_from_dir() { # name hash dir [extra tags...]
  local name=$1 hash=$2 dir=$3; shift 3
  stage "building $name from Debian packages"
  build_quietly --label "hub.local.recipe=$hash" -t "$name" "$@" "$images_dir/$dir"
  stage_done "image $name"
}

# The .NET images: this machine's /usr/share/dotnet, sent as build context straight from a tar stream.
dotnet_root=$(dirname "$(readlink -f "$(command -v dotnet 2>/dev/null || echo /usr/share/dotnet/dotnet)")")
newest() { find "$1" -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -1; }

context_with_dotnet() { # dir dockerfile parts... : a build context with hard links to this machine's .NET
  local ctx=$1 dockerfile=$2 part; shift 2
  rm -rf "$ctx"; mkdir -p "$ctx/dotnet"
  cp "$images_dir/dotnet/$dockerfile" "$ctx/Dockerfile"
  for part in "$@"; do
    [ -e "$dotnet_root/$part" ] || continue
    mkdir -p "$ctx/dotnet/$(dirname "$part")"
    cp -al "$dotnet_root/$part" "$ctx/dotnet/$part" 2>/dev/null || cp -a "$dotnet_root/$part" "$ctx/dotnet/$part"
  done
}

build_aspnet() {
  local hash=$1 version ctx="$state/aspnet-context"
  [ -x "$dotnet_root/dotnet" ] || die "no .NET on this machine ($dotnet_root): cannot build $aspnet_image"
  version=$(newest "$dotnet_root/shared/Microsoft.AspNetCore.App")
  stage "building $aspnet_image from $dotnet_root (ASP.NET Core $version)"
  context_with_dotnet "$ctx" Dockerfile.aspnet dotnet host shared/Microsoft.NETCore.App \
    shared/Microsoft.AspNetCore.App LICENSE.txt ThirdPartyNotices.txt
  build_quietly --build-arg "BASE=$base_image" --build-arg "ASPNET_VERSION=$version" \
    --label "hub.local.recipe=$hash" -t "$aspnet_image" "$ctx"
  rm -rf "$ctx"
  stage_done "image $aspnet_image"
}

build_sdk() {
  local hash=$1 sdk_version ctx="$state/sdk-context" f
  sdk_version=$(newest "$dotnet_root/sdk")
  stage "building $sdk_image from $dotnet_root (SDK $sdk_version)"
  context_with_dotnet "$ctx" Dockerfile.sdk sdk packs templates sdk-manifests dnx
  # NuGet inside a build reaches its feed the way this machine does: same extra CA certificates, same
  # NuGet.Config (if any), same revocation mode.
  mkdir -p "$ctx/ca-certificates" "$ctx/nuget"
  cp /usr/local/share/ca-certificates/*.crt "$ctx/ca-certificates/" 2>/dev/null || true
  for f in "${HOME:-/root}/.nuget/NuGet/NuGet.Config" /etc/nuget/NuGet.Config; do
    [ -f "$f" ] && { cp "$f" "$ctx/nuget/NuGet.Config"; break; }
  done
  build_quietly --build-arg "SDK_VERSION=$sdk_version" \
    --build-arg "NUGET_CERT_REVOCATION_MODE=${NUGET_CERT_REVOCATION_MODE:-online}" \
    --label "hub.local.recipe=$hash" -t "$sdk_image" "$ctx"
  rm -rf "$ctx"
  stage_done "image $sdk_image"
}

aspnet_image=mcr.microsoft.com/dotnet/aspnet:10.0
sdk_image=mcr.microsoft.com/dotnet/sdk:10.0

ensure_images() {
  local h_base h_pg h_rmq h_aspnet h_sdk
  h_base=$(recipe_hash base/dpkg-excludes base/apt-lean)
  h_pg=$(recipe_hash postgres/Dockerfile postgres/docker-entrypoint.sh)-$h_base
  h_rmq=$(recipe_hash rabbitmq/Dockerfile rabbitmq/docker-entrypoint.sh)-$h_base
  h_aspnet=$(recipe_hash dotnet/Dockerfile.aspnet)-$h_base-$(newest "$dotnet_root/shared/Microsoft.AspNetCore.App")
  h_sdk=$(recipe_hash dotnet/Dockerfile.sdk)-$h_aspnet-$(newest "$dotnet_root/sdk")

  local todo=()
  image_current postgres:15 "$h_pg" || try_pull postgres:15 || todo+=(postgres)
  image_current rabbitmq:3-management "$h_rmq" || try_pull rabbitmq:3-management || todo+=(rabbitmq)
  image_current "$aspnet_image" "$h_aspnet" || try_pull "$aspnet_image" || todo+=(aspnet)
  image_current "$sdk_image" "$h_sdk" || try_pull "$sdk_image" || todo+=(sdk)
  [ ${#todo[@]} -gt 0 ] || return 0
  want() { [[ " ${todo[*]} " == *" $1 "* ]]; }

  image_current "$base_image" "$h_base" || build_base "$h_base"
  # The three chains share nothing but the base; in parallel they take as long as the slowest (apt-bound).
  local pids=() pid failed=0
  want postgres && { build_from_dir postgres:15 "$h_pg" postgres --build-arg "BASE=$base_image" & pids+=($!); }
  want rabbitmq && { { build_from_dir rabbitmq:3-management "$h_rmq" rabbitmq --build-arg "BASE=$base_image" &&
                       docker tag rabbitmq:3-management rabbitmq:3.10-management; } & pids+=($!); }
  { if want aspnet; then build_aspnet "$h_aspnet"; fi && if want sdk; then build_sdk "$h_sdk"; fi; } & pids+=($!)
  for pid in "${pids[@]}"; do wait "$pid" || failed=1; done
  [ "$failed" = 0 ] || die "an image build failed (see above)"
  docker image prune -f --filter label=hub.local.recipe >/dev/null # dangling layers of replaced images
}

# --- commands ---------------------------------------------------------------------------------------------

cmd_up() {
  local t0; t0=$(now_ms)
  ensure_engine
  ensure_compose
  ensure_images
  log "ready in $(since "$t0") (engine $(docker version -f '{{.Server.Version}}' 2>/dev/null))"
}

cmd_env() {
  # Docker.DotNet (Testcontainers) asks for API 1.44, which Debian's Docker 20.10 (1.41) refuses: pin the
  # engine's own version. Ryuk (Testcontainers' reaper) cannot be pulled without a registry; the tests remove
  # their own containers.
  echo "export DOCKER_API_VERSION=$(docker version -f '{{.Server.APIVersion}}' 2>/dev/null || echo 1.41)"
  echo "export TESTCONTAINERS_RYUK_DISABLED=true"
  # Without buildx (Debian's Docker 20.10) builds use the classic builder, which deploy/Dockerfile is made for.
  docker buildx version >/dev/null 2>&1 || echo "export DOCKER_BUILDKIT=0 COMPOSE_DOCKER_CLI_BUILD=0"
}

cmd_status() {
  if engine_up; then log "engine: $(docker version -f '{{.Server.Version}}' 2>/dev/null) reachable"; else log "engine: not reachable"; fi
  if [ -f "$state/started-by-docker-sh" ]; then log "started by docker.sh: pid $(cat "$state/started-by-docker-sh")"; fi
  if engine_up; then
    docker image ls --format '{{.Repository}}:{{.Tag}}  {{.Size}}' |
      grep -E '^(hub-local/|postgres:|rabbitmq:|mcr.microsoft.com/dotnet/|integration-hub/)' >&2 || true
  fi
}

cmd_down() {
  local marker="$state/started-by-docker-sh" pid
  if [ ! -f "$marker" ]; then log "no dockerd started by docker.sh; nothing to stop"; return 0; fi
  pid=$(cat "$marker")
  if kill -0 "$pid" 2>/dev/null && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = dockerd ]; then
    log "stopping dockerd (pid $pid); running containers stop with it"
    kill -TERM "$pid"
    for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -0 "$pid" 2>/dev/null && die "dockerd (pid $pid) still running after 30 s"
  else
    log "dockerd (pid $pid) is not running"
  fi
  rm -f "$marker"
  log "left behind: images and volumes in /var/lib/docker, the docker0 bridge, Docker's iptables chains" \
      "(DOCKER, DOCKER-USER, DOCKER-ISOLATION-*) and net.ipv4.ip_forward=1; \`scripts/docker.sh up\` reuses them"
}

case "${1:-up}" in
  up) cmd_up ;;
  env) cmd_env ;;
  status) cmd_status ;;
  down|stop) cmd_down ;;
  *) die "usage: scripts/docker.sh [up|env|status|down]" ;;
esac
