#!/usr/bin/env bash
# Controls the native Fabric network: up | down [--clean] | status [--json] | deploy | add-org NAME | remove-org NAME | logs |
# compose.
# The logic lives in network/src (TypeScript); this wrapper makes sure it is installed and built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
[[ -f network/dist/cli.js && -z "${ECF_REBUILD:-}" ]] || npm run --silent build
exec node network/dist/cli.js "$@"
