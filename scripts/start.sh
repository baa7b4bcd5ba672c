#!/usr/bin/env bash
# npm start: from a fresh clone, install what is missing, bring the whole network up with the chaincode,
# start one gateway API per org, print how to reach them, and keep running until Ctrl-C, which stops
# every node and gateway cleanly (data is kept).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"

[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/install-fabric.sh >/dev/null

stop() {
  trap - INT TERM ERR
  # Output may go to a pipe whose reader died with the same Ctrl-C; stopping must not depend on it.
  trap '' PIPE
  { echo; echo "stopping the network and gateways (data kept; 'scripts/network.sh down --clean' wipes it)..."; } 2>/dev/null || true
  node network/dist/cli.js down || true
  exit 0
}
trap stop INT TERM
# A failed start stops what it started (data kept), so a retry begins from a clean slate of processes.
trap 'echo "start failed; stopping the nodes it started"; node network/dist/cli.js down; exit 1' ERR

node network/dist/cli.js up "$@"
node network/dist/cli.js status || true
echo
echo "gateway API, one per org:"
node gateway-api/dist/cli.js up
echo
# Prometheus and Alertmanager (Debian's packages) where root can install them; the network runs without.
if bash scripts/install-monitoring.sh >/dev/null; then
  node network/dist/cli.js monitoring up || echo "monitoring did not start (see above); the network runs without it"
else
  echo "monitoring not started: Prometheus and Alertmanager are not installed (see above)"
fi
cat <<MSG

The network is up. Peers, orderers and CAs listen on 127.0.0.1 (ports above); crypto material is in
crypto-config/, node and gateway logs in .fabric/logs/ ('scripts/network.sh logs').
An org admin creates an API token with, e.g.:
  node gateway-api/dist/cli.js token create --org Regulator --identity gateway
then: curl -H "Authorization: Bearer <token>" http://127.0.0.1:7080/v1/participants
Press Ctrl-C to stop everything.
MSG
while true; do sleep 3600 & wait $!; done
