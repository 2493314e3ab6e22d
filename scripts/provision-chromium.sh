#!/usr/bin/env bash
# Provisions the headless browser of the UI test (test/ui/): Chromium from Debian's packages, driven
# by playwright-core (npm; it downloads no browser). Already on PATH, or named by CHROMIUM_BIN, it
# is used as is; otherwise `apt-get install chromium` (about 30 s), as root or through sudo.
set -euo pipefail
if [[ -n "${CHROMIUM_BIN:-}" && -x "${CHROMIUM_BIN}" ]] || command -v chromium >/dev/null 2>&1; then
  echo "provision-chromium: present: ${CHROMIUM_BIN:-$(command -v chromium)}"
  exit 0
fi
sudo=""
if [[ "$(id -u)" != 0 ]]; then
  command -v sudo >/dev/null 2>&1 || { echo "provision-chromium: install Debian's chromium package (apt-get install chromium), or set CHROMIUM_BIN" >&2; exit 1; }
  sudo="sudo -n"
fi
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends chromium >/dev/null || { $sudo apt-get update >/dev/null && $sudo apt-get install -y --no-install-recommends chromium >/dev/null; }
echo "provision-chromium: installed: $(command -v chromium)"
