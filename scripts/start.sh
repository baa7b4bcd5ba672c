#!/usr/bin/env bash
# npm start: from a fresh clone, install what is missing, bring the whole network up with the chaincode,
# print how to reach it, and keep running until Ctrl-C, which stops every node cleanly (data is kept).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/install-fabric.sh >/dev/null

stop() {
  trap - INT TERM ERR
  echo
  echo "stopping the network (data kept; 'scripts/network.sh down --clean' wipes it)..."
  node network/dist/cli.js down
  exit 0
}
trap stop INT TERM
# A failed start stops what it started (data kept), so a retry begins from a clean slate of processes.
trap 'echo "start failed; stopping the nodes it started"; node network/dist/cli.js down; exit 1' ERR

node network/dist/cli.js up "$@"
node network/dist/cli.js status || true
cat <<MSG

The network is up. Peers, orderers and CAs listen on 127.0.0.1 (ports above); crypto material is in
crypto-config/, node logs in .fabric/logs/ ('scripts/network.sh logs'). Press Ctrl-C to stop everything.
MSG
while true; do sleep 3600 & wait $!; done
