#!/usr/bin/env bash
# Provisions the CRDs the tests install on the test API server: Cilium's own CiliumNetworkPolicy
# CRD (the Cilium actionner) and Prometheus Operator's ServiceMonitor CRD (the Helm chart), each
# taken from its project's Go module (through the Go module proxy), cached at
# ${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools/<name>-crds-<version>/.
# (Calico's projectcalico.org/v3 API is served by Calico's API server, not a CRD: the tests use the
# stand-in CRD in test/kube/crds/.) Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# shellcheck source=kube/versions.env
source "$here/kube/versions.env"
tools="${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools"

# provision NAME MODULE@VERSION PATH-IN-MODULE FILE: copies one CRD file out of a Go module, once.
provision() {
  local dest="$tools/$1" crd="$tools/$1/$4"
  if [[ -s "$crd" ]]; then
    echo "provision-crds: cached: $crd"
    return
  fi
  local dir
  dir="$(cd "$here" && GOFLAGS=-mod=mod go mod download -json "$2" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')"
  [[ -s "$dir/$3" ]] || { echo "provision-crds: $3 not found in $2" >&2; exit 1; }
  mkdir -p "$dest"
  cp "$dir/$3" "$crd.tmp" && mv "$crd.tmp" "$crd"
  echo "provision-crds: $crd"
}

provision "cilium-crds-${CILIUM_VERSION}" "github.com/cilium/cilium@${CILIUM_VERSION}" \
  pkg/k8s/apis/cilium.io/client/crds/v2/ciliumnetworkpolicies.yaml ciliumnetworkpolicies.yaml
provision "prometheus-operator-crds-${PROMETHEUS_OPERATOR_VERSION}" "github.com/prometheus-operator/prometheus-operator@${PROMETHEUS_OPERATOR_VERSION}" \
  example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml servicemonitors.yaml
