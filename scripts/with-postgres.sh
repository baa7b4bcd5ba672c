#!/usr/bin/env bash
# Runs a command with ECF_CAPTABLE_DATABASE_URL pointing at a throwaway PostgreSQL cluster: a new data
# folder in a temporary directory, on a free loopback port, owned by an unprivileged user (the server
# refuses to run as root), removed afterwards whatever the command's outcome.
#   bash scripts/with-postgres.sh npx mocha gateway-api/dist/captable/captable.test.js
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
bin=$(bash "$root/scripts/install-postgres.sh")
dir=$(mktemp -d /tmp/ecf-pg-XXXXXX)
run_as=()
if [[ $(id -u) -eq 0 ]]; then
  # Debian's package creates the 'postgres' system user; the cluster is private to it.
  user=postgres
  chown "$user" "$dir"
  run_as=(runuser -u "$user" --)
fi
port=$(node -e "const s=require('net').createServer().listen(0,'127.0.0.1',()=>{console.log(s.address().port);s.close()})")
stop() {
  "${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$dir"
}
trap stop EXIT
"${run_as[@]}" "$bin/initdb" -D "$dir/data" -U ecf --auth=trust --encoding=UTF8 --no-sync >/dev/null
"${run_as[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w \
  -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
export ECF_CAPTABLE_DATABASE_URL="postgres://ecf@127.0.0.1:$port/postgres"
# The unit suite empties its database, so it reads only this variable, never a deployment's.
export ECF_CAPTABLE_TEST_DATABASE_URL=$ECF_CAPTABLE_DATABASE_URL
echo "with-postgres: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port" >&2
"$@"
