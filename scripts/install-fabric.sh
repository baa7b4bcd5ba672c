#!/usr/bin/env bash
# Installs the Fabric and Fabric CA binaries this project runs natively, built from the Go module proxy,
# into a git-ignored cache keyed by version (.fabric/bin/<versions>). With the cache present it returns at
# once. Prints the binary folder on stdout; progress goes to stderr.
#
# Fabric's module path has no /v3 suffix, so Go refuses its v3 tags; a release is installed by its tag's
# commit, as the pseudo-version Go derives from it (v1.4.0-rc1.0.<commit time>-<commit>). The release
# wanted is FABRIC_VERSION (default 3.1.5). Where the module proxy refuses that version, the newest
# v3.1 patch release it does serve is used instead and a warning says so.
#
# FABRIC_PKCS11=1 builds with the `pkcs11` build tag into a cache of its own (suffix -pkcs11): the peer,
# orderer and fabric-ca-client can then keep their signing keys in a PKCS#11 token (decision 45). The
# default build leaves it out, as Fabric's release binaries do.
set -euo pipefail

declare -A FABRIC_PSEUDO=(
  [3.1.5]=v1.4.0-rc1.0.20260618074816-86c1172bec37
  [3.1.1]=v1.4.0-rc1.0.20250510200036-435a7f1a780a
  [3.1.0]=v1.4.0-rc1.0.20250318174348-8f08391d840c
)
FABRIC_FALLBACKS=(3.1.1 3.1.0)
FABRIC_VERSION=${FABRIC_VERSION:-3.1.5}
FABRIC_CA_VERSION=${FABRIC_CA_VERSION:-1.5.21}
GO_MIN=1.24

root=$(cd "$(dirname "$0")/.." && pwd)
cache=${FABRIC_CACHE_DIR:-$root/.fabric/bin}
fabric_tools=(peer orderer configtxgen osnadmin configtxlator)
ca_tools=(fabric-ca-server fabric-ca-client)
log() { echo "install-fabric: $*" >&2; }
variant=""
go_tags=()
if [[ "${FABRIC_PKCS11:-}" == 1 ]]; then
  variant=-pkcs11
  go_tags=(-tags pkcs11)
fi

complete() {
  local dir=$1 t
  for t in "${fabric_tools[@]}" "${ca_tools[@]}"; do [[ -x "$dir/$t" ]] || return 1; done
  [[ -f "$dir/config/core.yaml" && -f "$dir/config/orderer.yaml" ]]
}

# FABRIC_BIN: release binaries of those versions (a release tarball's bin/, with its config/ beside it).
if [[ -n "${FABRIC_BIN:-}" ]]; then
  for t in "${fabric_tools[@]}" "${ca_tools[@]}"; do
    [[ -x "$FABRIC_BIN/$t" ]] || { log "FABRIC_BIN=$FABRIC_BIN has no executable $t"; exit 1; }
  done
  [[ -f "$FABRIC_BIN/config/core.yaml" || -f "$FABRIC_BIN/../config/core.yaml" ]] ||
    { log "FABRIC_BIN=$FABRIC_BIN has no config/core.yaml beside or below it"; exit 1; }
  echo "$FABRIC_BIN"
  exit 0
fi

# A cached install of the wanted version, or of a fallback recorded by an earlier run, is used as it is.
for v in "$FABRIC_VERSION" "${FABRIC_FALLBACKS[@]}"; do
  dir="$cache/fabric-$v-ca-$FABRIC_CA_VERSION$variant"
  if complete "$dir"; then echo "$dir"; exit 0; fi
done
# A cached install made before a tool joined the list (configtxlator, for channel configuration updates)
# gets only the missing Fabric tools, built from the same module version.
upgrade_dir=""
for v in "$FABRIC_VERSION" "${FABRIC_FALLBACKS[@]}"; do
  dir="$cache/fabric-$v-ca-$FABRIC_CA_VERSION$variant"
  if [[ -f "$dir/VERSION" && -x "$dir/peer" ]]; then upgrade_dir=$dir; upgrade_version=$v; break; fi
done

if ! command -v go >/dev/null 2>&1; then
  log "Go is missing: install Go >= $GO_MIN (https://go.dev/dl/) so Fabric can be built from the Go module proxy."
  exit 1
fi
go_version=$(go env GOVERSION | sed 's/^go//')
if [[ "$(printf '%s\n%s\n' "$GO_MIN" "$go_version" | sort -V | head -1)" != "$GO_MIN" ]]; then
  log "Go $go_version is too old: install Go >= $GO_MIN (https://go.dev/dl/)."
  exit 1
fi

start=$(date +%s)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Each product is built in a throwaway module that requires only it, so the dependency versions are
# exactly those of its own go.mod (`go install pkg@version` would do the same, but it also asks the proxy
# for the module's version list, which this workplace's proxy refuses).
build() { # module version ldflags out_dir packages...
  local module=$1 version=$2 ldflags=$3 out=$4
  shift 4
  local mod="$work/$(basename "$module")"
  mkdir -p "$mod"
  printf 'module ecf.local/build\n\ngo %s\n' "$GO_MIN" >"$mod/go.mod"
  local pkgs=() p
  for p in "$@"; do pkgs+=("$module/$p@$version"); done
  (cd "$mod" && go get "${pkgs[@]}" >&2) || return 1
  pkgs=()
  for p in "$@"; do pkgs+=("$module/$p"); done
  (cd "$mod" && CGO_ENABLED=${CGO_ENABLED:-1} go build "${go_tags[@]}" -trimpath -ldflags "$ldflags" -o "$out/" "${pkgs[@]}" >&2)
}

if [[ -n "$upgrade_dir" ]]; then
  missing=()
  for t in "${fabric_tools[@]}"; do [[ -x "$upgrade_dir/$t" ]] || missing+=("cmd/$t"); done
  log "adding ${missing[*]} to the Fabric $upgrade_version install in $upgrade_dir"
  build github.com/hyperledger/fabric "${FABRIC_PSEUDO[$upgrade_version]}" \
    "-X github.com/hyperledger/fabric/common/metadata.Version=$upgrade_version" "$upgrade_dir" "${missing[@]}"
  complete "$upgrade_dir" || { log "$upgrade_dir is still incomplete"; exit 1; }
  echo "$upgrade_dir"
  exit 0
fi

chosen=""
for v in "$FABRIC_VERSION" "${FABRIC_FALLBACKS[@]}"; do
  pseudo=${FABRIC_PSEUDO[$v]:-}
  [[ -n "$pseudo" ]] || { log "unknown Fabric version $v (known: ${!FABRIC_PSEUDO[*]})"; exit 1; }
  if (cd "$work" && GOFLAGS=-mod=mod go mod download "github.com/hyperledger/fabric@$pseudo" >/dev/null 2>&1); then
    chosen=$v
    break
  fi
  log "WARNING: the Go module proxy does not serve Fabric $v ($pseudo); trying the next v3.1 release"
done
[[ -n "$chosen" ]] || { log "the Go module proxy serves none of Fabric ${FABRIC_VERSION} ${FABRIC_FALLBACKS[*]}"; exit 1; }

dir="$cache/fabric-$chosen-ca-$FABRIC_CA_VERSION$variant"
partial="$dir.partial"
rm -rf "$partial"
mkdir -p "$partial/config"
log "building Fabric $chosen (peer, orderer, configtxgen, osnadmin, configtxlator) and Fabric CA $FABRIC_CA_VERSION; first run only"
build github.com/hyperledger/fabric "${FABRIC_PSEUDO[$chosen]}" \
  "-X github.com/hyperledger/fabric/common/metadata.Version=$chosen" "$partial" \
  cmd/peer cmd/orderer cmd/configtxgen cmd/osnadmin cmd/configtxlator
build github.com/hyperledger/fabric-ca "v$FABRIC_CA_VERSION" \
  "-X github.com/hyperledger/fabric-ca/lib/metadata.Version=$FABRIC_CA_VERSION" "$partial" \
  cmd/fabric-ca-server cmd/fabric-ca-client
# The release tarball ships config/ beside bin/; the same default node configs come with the module source.
src=$(cd "$work/fabric" && go list -m -f '{{.Dir}}' github.com/hyperledger/fabric)
cp "$src/sampleconfig/core.yaml" "$src/sampleconfig/orderer.yaml" "$partial/config/"
chmod u+w "$partial/config/"*
echo "fabric=$chosen fabric-ca=$FABRIC_CA_VERSION${variant:+ tags=pkcs11}" >"$partial/VERSION"
rm -rf "$dir"
mv "$partial" "$dir"
log "installed into $dir in $(($(date +%s) - start))s"
echo "$dir"
