#!/usr/bin/env bash
# Hyperledger Caliper 0.6.0 on W0 and W2 (see README.md). Options are run.js's, e.g.
#   bash bench/caliper/run.sh --rates 50,100 --duration 20 --accounts 1000
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/../.." && pwd)"

# The market setup and the network CLI come from the repository's build (npm run build at the root).
for f in network/dist/cli.js network/dist/index.js bench/dist/market.js chaincode/dist/index.js; do
  if [[ ! -f "$repo/$f" ]]; then
    echo "missing $f: run 'npm ci && npm run build' at the repository root first" >&2
    exit 1
  fi
done

# Caliper is a package of its own (not a root workspace), with its own lockfile.
if [[ ! -x "$here/node_modules/.bin/caliper" ]]; then
  npm ci --prefix "$here" --no-audit --no-fund
fi

exec node "$here/run.js" "$@"
