#!/usr/bin/env bash
# Provisions the CRDs the Calico and Cilium actionner tests install on the test API server:
# Cilium's own CiliumNetworkPolicy CRD, taken from the Cilium release's Go module (through the Go
# module proxy), cached at ${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools/cilium-crds-<version>/.
# (Calico's projectcalico.org/v3 API is served by Calico's API server, not a CRD: the tests use the
# stand-in CRD in test/kube/crds/.) Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=kube/versions.env
source "$here/kube/versions.env"
dest="${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools/cilium-crds-${CILIUM_VERSION}"
crd="$dest/ciliumnetworkpolicies.yaml"
if [[ -s "$crd" ]]; then
  echo "provision-crds: cached: $crd"
  exit 0
fi
dir="$(cd "$here" && GOFLAGS=-mod=mod go mod download -json "github.com/cilium/cilium@${CILIUM_VERSION}" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
src="$dir/pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml"
[[ -s "$src" ]] || { echo "provision-crds: $src not found in the Cilium module" >&2; exit 1; }
mkdir -p "$dest"
cp "$src" "$crd.tmp" && mv "$crd.tmp" "$crd"
echo "provision-crds: $crd"
