#!/usr/bin/env bash
# Provisions Helm for the chart tests (test/chart/chart.test.ts): built from its Go module (the
# only registry that ships it here) and cached OUTSIDE the repo, so a warm machine skips this:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools/helm-<version>/helm
# test/chart/chart.test.ts reads the HELM_VERSION line below: keep it `NAME=value`.
set -euo pipefail

HELM_VERSION=v3.19.0

tools="${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools"
helm_bin="$tools/helm-$HELM_VERSION/helm"
log_dir="${TMPDIR:-/tmp}"

mkdir -p "$tools"
exec 9>"$tools/.provision-helm.lock"
flock 9

if [[ -x "$helm_bin" ]]; then
  echo "provision-helm: cached: $helm_bin"
  exit 0
fi
command -v go >/dev/null || { echo "provision-helm: 'go' is required to build Helm" >&2; exit 1; }
out="$(mktemp -d "$tools/.build-helm.XXXXXX")"
start=$(date +%s)
echo "provision-helm: building helm $HELM_VERSION; log: $log_dir/provision-helm-build.log"
CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}" GOBIN="$out" \
  go install -trimpath -ldflags '-s -w' "helm.sh/helm/v3/cmd/helm@$HELM_VERSION" >"$log_dir/provision-helm-build.log" 2>&1 \
  || { cat "$log_dir/provision-helm-build.log" >&2; rm -rf "$out"; exit 1; }
mkdir -p "${helm_bin%/*}" && mv -f "$out/helm" "$helm_bin" && chmod 0755 "$helm_bin"
rm -rf "$out"
echo "provision-helm: built in $(( $(date +%s) - start ))s: $helm_bin"
