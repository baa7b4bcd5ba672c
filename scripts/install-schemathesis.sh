#!/usr/bin/env bash
# schemathesis (from PyPI), for the property-based contract test of the gateways' OpenAPI documents.
# Installed once into .fabric/tools/schemathesis (a Python virtual environment of the project's own);
# prints the path of its `st` command. The version is pinned so a run is reproducible.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
version=4.32.5
venv="$root/.fabric/tools/schemathesis-$version"
if [[ ! -x "$venv/bin/st" ]]; then
  python=${PYTHON:-python3}
  if ! "$python" -c 'import venv' 2>/dev/null; then
    echo "install-schemathesis: $python has no venv module" >&2
    exit 1
  fi
  echo "install-schemathesis: installing schemathesis $version (once)..." >&2
  rm -rf "$venv"
  "$python" -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$version" >&2
fi
echo "$venv/bin/st"
