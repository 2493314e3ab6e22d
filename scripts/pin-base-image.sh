#!/usr/bin/env bash
# Pins the Dockerfile's Node base image to the current digest of a tag (for maintainers, on a
# machine that reaches the registry): scripts/pin-base-image.sh [node:20.19-bookworm-slim].
# Uses `crane` or `docker buildx imagetools`, whichever is installed.
set -euo pipefail
tag="${1:-$(sed -n 's/^ARG NODE_IMAGE=\([^@]*\)@.*/\1/p' Dockerfile)}"
if command -v crane >/dev/null; then
  digest="$(crane digest "$tag")"
elif command -v docker >/dev/null; then
  digest="$(docker buildx imagetools inspect "$tag" --format '{{json .Manifest.Digest}}' | tr -d '"')"
else
  echo "pin-base-image: needs crane or docker buildx" >&2
  exit 1
fi
[[ "$digest" == sha256:* ]] || { echo "pin-base-image: no digest for $tag" >&2; exit 1; }
sed -i "s|^ARG NODE_IMAGE=.*|ARG NODE_IMAGE=${tag}@${digest}|" Dockerfile
echo "pin-base-image: ${tag}@${digest}"
