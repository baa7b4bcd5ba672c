#!/usr/bin/env bash
# Debian's Prometheus and Alertmanager for the network's monitoring (docs/operations.md). Installed once
# from Debian's packages when missing and root can install; the packages' own services are not used
# (the project starts both with configuration generated from the topology). Prints both executables'
# paths, one per line; exits 1, saying why, when they are missing and cannot be installed.
set -euo pipefail
prometheus=${PROMETHEUS_PATH:-/usr/bin/prometheus}
alertmanager=${ALERTMANAGER_PATH:-/usr/bin/prometheus-alertmanager}
if [[ ! -x "$prometheus" || ! -x "$alertmanager" || ! -x /usr/bin/promtool ]]; then
  if ! command -v apt-get >/dev/null || [[ $(id -u) -ne 0 ]]; then
    echo "install-monitoring: Prometheus or Alertmanager is missing; install Debian's 'prometheus' and 'prometheus-alertmanager' packages as root" >&2
    exit 1
  fi
  echo "install-monitoring: installing Debian's prometheus and prometheus-alertmanager packages (once)..." >&2
  apt-get update -qq >/dev/null
  # No service is started here: the project runs both itself (network/src/monitoring.ts).
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    prometheus prometheus-alertmanager >/dev/null
fi
echo "$prometheus"
echo "$alertmanager"
