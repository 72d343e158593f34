#!/usr/bin/env bash
# Validates the Kubernetes manifests offline (no cluster): yamllint on the sources, then every kustomization
# (base, overlays/*) rendered and each object checked against the Kubernetes schemas and the hub's rules
# (validate/validate.mjs). Rendering is validate.mjs's own minimal kustomize (resources, components, patches,
# labels, namespace, images); where kubectl is installed, `kubectl kustomize` renders too and both must agree.
# Exit code 0 = all valid. Installs yamllint (Debian) and the validator's npm packages when missing.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v yamllint >/dev/null; then
  [ "$(id -u)" = 0 ] || { echo "validate: yamllint missing (apt-get install yamllint)" >&2; exit 2; }
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends yamllint >/dev/null 2>&1 ||
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends yamllint >/dev/null; }
fi
if [ ! -d validate/node_modules/kubernetes-models ]; then
  (cd validate && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

yamllint -s -c .yamllint.yaml .
echo "validate: yamllint ok" >&2

out=$(mktemp -d); trap 'rm -rf "$out"' EXIT
failed=0
for dir in base overlays/*/; do
  dir=${dir%/}; name=${dir//\//-}
  echo "validate: $dir" >&2
  node validate/validate.mjs render "$dir" >"$out/$name.yaml" || { failed=1; continue; }
  if command -v kubectl >/dev/null; then
    if ! kubectl kustomize "$dir" >"$out/$name.kubectl.yaml" ||
       ! node validate/validate.mjs same "$out/$name.yaml" "$out/$name.kubectl.yaml"; then
      echo "validate: $dir renders differently with kubectl kustomize" >&2; failed=1
    fi
  fi
  if node validate/validate.mjs check "$out/$name.yaml" 2>"$out/$name.log"; then
    grep -v '^ok ' "$out/$name.log" >&2 || true
  else
    grep -v '^ok ' "$out/$name.log" >&2 || true; failed=1
  fi
done
[ "$failed" = 0 ] && echo "validate: all manifests valid" >&2
exit "$failed"
