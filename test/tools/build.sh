#!/usr/bin/env bash
# build.sh builds the reference CLIs used by the parity and end-to-end tests
# (helm, kustomize, conftest) from the Go module proxy into a cache folder
# keyed on a hash of this script and the tools module, and prints the bin
# directory on stdout. It is idempotent: when the binaries are cached it
# returns at once.
#
#   export WAVECHECK_TOOLS_BIN="$(test/tools/build.sh)"
#
# Progress and go's output go to stderr.
set -euo pipefail

export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
# Build with the pinned module files only, whatever the caller's settings.
export GOFLAGS=-buildvcs=false GOWORK=off

HELM_VERSION=v4.3.1
CONFTEST_VERSION=v0.71.1
# kustomize's version is pinned in go.mod next to this script: a plain
# `go install sigs.k8s.io/kustomize/kustomize/v5@v5.8.3` fails because the
# proxy refuses the zip of one of its kube-openapi versions, so the tools
# module requires the next served one.

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

sha256() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi; }
hash="$(
	{
		cat "$here/build.sh" "$here/go.mod" "$here/go.sum"
		echo "$GOTOOLCHAIN $(go env GOOS GOARCH)"
	} | sha256 | cut -c1-16
)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/wavecheck/tools/$hash"
bin="$cache/bin"

if [[ -x "$bin/helm" && -x "$bin/kustomize" && -x "$bin/conftest" && -f "$cache/.done" ]]; then
	echo "$bin"
	exit 0
fi

mkdir -p "$bin"
# Build into a temporary folder and move the binaries in when all succeed,
# so an interrupted build never leaves a half-filled cache behind.
tmp="$(mktemp -d "$cache/tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT

log() { echo "build.sh: $*" >&2; }

log "building helm $HELM_VERSION"
GOBIN="$tmp" go install "helm.sh/helm/v4/cmd/helm@$HELM_VERSION" >&2

log "building kustomize (tools module $here)"
(cd "$here" && GOBIN="$tmp" go install tool) >&2

log "building conftest $CONFTEST_VERSION"
GOBIN="$tmp" go install "github.com/open-policy-agent/conftest@$CONFTEST_VERSION" >&2

for b in helm kustomize conftest; do
	if [[ ! -x "$tmp/$b" ]]; then
		log "missing $b after build"
		exit 1
	fi
	mv -f "$tmp/$b" "$bin/$b"
done
touch "$cache/.done"
log "tools ready in $bin"
echo "$bin"
