#!/usr/bin/env bash
# Provisions the object stores the output tests run against: a real MinIO server (S3 protocol, for
# `aws:s3` and `minio:s3`) and fake-gcs-server (GCS JSON/upload API, for `gcp:gcs`). Both are built
# from Go modules and cached OUTSIDE the repo, so a warm machine skips this in a second:
#   ${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools/minio-<version>/minio
#   ${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools/fake-gcs-server-<version>/fake-gcs-server
# Idempotent: a binary is rebuilt only when its cached file is missing.
# test/support/object-stores.ts reads the two *_VERSION lines below: keep them `NAME=value`.
set -euo pipefail

# The Go proxy serves no MinIO `RELEASE.*` tag (they are not semver); this pseudo-version pins
# commit 7aac2a2c5b7c of 2026-02-12, the newest the proxy resolves.
MINIO_VERSION=v0.0.0-20260212201848-7aac2a2c5b7c
FAKE_GCS_VERSION=v1.56.1

tools="${XDG_CACHE_HOME:-$HOME/.cache}/talon-tools"
log_dir="${TMPDIR:-/tmp}"
minio_bin="$tools/minio-$MINIO_VERSION/minio"
fake_gcs_bin="$tools/fake-gcs-server-$FAKE_GCS_VERSION/fake-gcs-server"

mkdir -p "$tools"
# Two provisioners at once would race on the same go build outputs.
exec 9>"$tools/.provision-object-stores.lock"
flock 9

if [[ -x "$minio_bin" && -x "$fake_gcs_bin" ]]; then
  echo "provision-object-stores: cached: $minio_bin, $fake_gcs_bin"
  exit 0
fi
command -v go >/dev/null || { echo "provision-object-stores: 'go' (>= 1.26) is required to build the missing binaries" >&2; exit 1; }

# Static, stripped binaries; the build cache stays Go's own (shared with other provisioners).
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:--buildvcs=false}"
now() { date +%s; }

# install_pkg FINAL_PATH MODULE_PKG@VERSION NAME: `go install` into a temp GOBIN, then an atomic
# move, so a killed build never leaves a half-written binary in the cache.
install_pkg() {
  local final="$1" pkg="$2" name="$3" out t0 log
  [[ -x "$final" ]] && { echo "provision-object-stores: cached: $final"; return 0; }
  out="$(mktemp -d "$tools/.build-$name.XXXXXX")"
  log="$log_dir/provision-object-stores-$name.log"
  t0=$(now)
  echo "provision-object-stores: building $pkg; log: $log"
  GOBIN="$out" go install -trimpath -ldflags '-s -w' "$pkg" >"$log" 2>&1 \
    || { cat "$log" >&2; rm -rf "$out"; return 1; }
  mkdir -p "$(dirname "$final")" && mv -f "$out/$name" "$final" && chmod 0755 "$final"
  rm -rf "$out"
  echo "provision-object-stores: built $final in $(( $(now) - t0 ))s"
}

install_pkg "$fake_gcs_bin" "github.com/fsouza/fake-gcs-server@$FAKE_GCS_VERSION" fake-gcs-server
install_pkg "$minio_bin" "github.com/minio/minio@$MINIO_VERSION" minio
