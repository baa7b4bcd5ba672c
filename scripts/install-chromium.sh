#!/usr/bin/env bash
# Debian's Chromium for the dashboard's browser test (driven by playwright-core; never a downloaded
# browser). Installed once from Debian's packages when missing; prints the executable's path.
set -euo pipefail
chromium=${CHROMIUM_PATH:-/usr/bin/chromium}
if [[ ! -x "$chromium" ]]; then
  if ! command -v apt-get >/dev/null || [[ $(id -u) -ne 0 ]]; then
    echo "install-chromium: $chromium is missing; install Debian's 'chromium' package (or set CHROMIUM_PATH)" >&2
    exit 1
  fi
  echo "install-chromium: installing Debian's chromium package (once)..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
echo "$chromium"
