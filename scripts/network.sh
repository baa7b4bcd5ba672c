#!/usr/bin/env bash
# Controls the Fabric network (native, or each org on its own host with --placement hosts): up | down [--clean] |
# status [--json] | deploy | add-org NAME | remove-org NAME | host-link ORG down|up | logs |
# compose.
# The logic lives in network/src (TypeScript); this wrapper makes sure it is installed and built.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
[[ -d node_modules ]] || npm ci --no-audit --no-fund
[[ -f network/dist/cli.js && -z "${ECF_REBUILD:-}" ]] || npm run --silent build
exec node network/dist/cli.js "$@"
