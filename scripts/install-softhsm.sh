#!/usr/bin/env bash
# SoftHSM2 (PKCS#11) from Debian's packages, for networks whose topology keeps keys in an HSM (`keys: hsm`,
# decision 45), and the C/C++ tool chain node-gyp needs to build pkcs11js. Installed once when missing and
# root can install; prints the PKCS#11 module's path; exits 1, saying why, when it is missing and cannot
# be installed. SOFTHSM2_LIB names another module (a real HSM's) and skips the install.
set -euo pipefail
log() { echo "install-softhsm: $*" >&2; }

if [[ -n "${SOFTHSM2_LIB:-}" ]]; then
  [[ -f "$SOFTHSM2_LIB" ]] || { log "SOFTHSM2_LIB=$SOFTHSM2_LIB does not exist"; exit 1; }
  echo "$SOFTHSM2_LIB"
  exit 0
fi

find_module() {
  local m
  for m in /usr/lib/softhsm/libsofthsm2.so /usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so \
    /usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so; do
    [[ -f "$m" ]] && { echo "$m"; return 0; }
  done
  return 1
}

missing=()
find_module >/dev/null && command -v softhsm2-util >/dev/null || missing+=(softhsm2)
command -v make >/dev/null && command -v g++ >/dev/null || missing+=(build-essential)
command -v python3 >/dev/null || missing+=(python3)
if ((${#missing[@]})); then
  if ! command -v apt-get >/dev/null || [[ $(id -u) -ne 0 ]]; then
    log "missing: ${missing[*]}; install these Debian packages as root"
    exit 1
  fi
  log "installing Debian's ${missing[*]} (once)..."
  apt-get update -qq >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
find_module || { log "softhsm2 is installed but its PKCS#11 module was not found"; exit 1; }
