#!/usr/bin/env bash
# npm test: install what is missing, build, lint, run the unit tests (chaincode line coverage must stay
# at 90% or more), then the end-to-end suites against real native Fabric networks (a suite that changes the
# network brings up its own instance on its own ports and tears it down; the others share one).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
start=$(date +%s)
# fabric-contract-api logs every decorator at info level when loaded; tests need only warnings.
export CORE_CHAINCODE_LOGGING_LEVEL=${CORE_CHAINCODE_LOGGING_LEVEL:-warning}

[[ -d node_modules ]] || npm ci --no-audit --no-fund
npm run --silent build
bash scripts/install-fabric.sh >/dev/null
# SoftHSM2 for the PKCS#11 unit tests and the keys-in-an-HSM suite (decision 45).
bash scripts/install-softhsm.sh >/dev/null
CHROMIUM_PATH=$(bash scripts/install-chromium.sh)
export CHROMIUM_PATH
bash scripts/install-schemathesis.sh >/dev/null
# promtool runs the alert rules' unit tests; Prometheus and Alertmanager the monitoring suite.
bash scripts/install-monitoring.sh >/dev/null
npx eslint --max-warnings 0 .
npx prettier --check --log-level warn .

out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
echo "== unit tests (coverage of chaincode/src) =="
npx c8 --check-coverage --lines 90 --reporter=text-summary \
  --include 'chaincode/dist/**' --exclude '**/*.test.js' --exclude 'chaincode/dist/testing/**' \
  mocha --config .mocharc.unit.json 2>&1 | tee "$out" || status=$?
echo "== the cap table on Debian's PostgreSQL server (a throwaway cluster) =="
bash scripts/with-postgres.sh npx mocha --timeout 60000 --grep 'on a PostgreSQL server' gateway-api/dist/captable/captable.test.js 2>&1 | tee -a "$out" ||
  status=$?
echo "== end-to-end suites on the real network =="
npx mocha --config .mocharc.e2e.json 2>&1 | tee -a "$out" || status=$?

passed=$( (grep -Eo '[0-9]+ passing' "$out" || true) | awk '{s+=$1} END {print s+0}')
failed=$( (grep -Eo '[0-9]+ failing' "$out" || true) | awk '{s+=$1} END {print s+0}')
pending=$( (grep -Eo '[0-9]+ pending' "$out" || true) | awk '{s+=$1} END {print s+0}')
echo "npm test finished in $(($(date +%s) - start))s"
echo "tests: $passed passed, $failed failed, $pending skipped"
if [[ $status -ne 0 || $failed -ne 0 || $passed -eq 0 ]]; then exit 1; fi
