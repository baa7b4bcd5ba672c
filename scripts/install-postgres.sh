#!/usr/bin/env bash
# Debian's PostgreSQL server, for the test that runs the cap table against a real server (decision 46).
# Installed once from Debian's packages when missing and root can install; the package's own cluster and
# service are not used (scripts/with-postgres.sh starts a throwaway one). Prints the server's bin folder;
# exits 1, saying why, when it is missing and cannot be installed.
set -euo pipefail
bin_dir() { ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1; }
if [[ -z "$(bin_dir)" || ! -x "$(bin_dir)/initdb" ]]; then
  if ! command -v apt-get >/dev/null || [[ $(id -u) -ne 0 ]]; then
    echo "install-postgres: PostgreSQL is missing; install Debian's 'postgresql' package as root" >&2
    exit 1
  fi
  echo "install-postgres: installing Debian's postgresql package (once)..." >&2
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends postgresql >/dev/null
fi
bin_dir
