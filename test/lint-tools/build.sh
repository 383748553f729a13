#!/usr/bin/env bash
# build.sh builds golangci-lint (v2, pinned in go.mod next to this script)
# from the Go module proxy into a cache folder keyed on a hash of this
# script, the tools module and the toolchain, and prints the binary's path on
# stdout. It is idempotent: when the binary is cached it returns at once.
#
#   "$(test/lint-tools/build.sh)" run ./...
#
# golangci-lint is built with the project's toolchain (go1.27.3) on purpose:
# a golangci-lint built by an older Go cannot type-check code that declares
# `go 1.27`. It lives in its own module, not in test/tools, so its ~200
# dependencies never change the versions the reference CLIs (kustomize) are
# built with. Progress and go's output go to stderr.
set -euo pipefail

export GOTOOLCHAIN="${GOTOOLCHAIN:-go1.27.3}"
# Build with the pinned module files only, whatever the caller's settings.
export GOFLAGS=-buildvcs=false GOWORK=off

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

sha256() { if command -v sha256sum >/dev/null; then sha256sum; else shasum -a 256; fi; }
hash="$(
	{
		cat "$here/build.sh" "$here/go.mod" "$here/go.sum"
		echo "$GOTOOLCHAIN $(go env GOOS GOARCH)"
	} | sha256 | cut -c1-16
)"
cache="${XDG_CACHE_HOME:-$HOME/.cache}/wavecheck/lint/$hash"
bin="$cache/bin/golangci-lint"

if [[ -x "$bin" && -f "$cache/.done" ]]; then
	echo "$bin"
	exit 0
fi

log() { echo "build.sh: $*" >&2; }

mkdir -p "$cache/bin"
# Build into a temporary folder and move the binary in when it succeeded, so
# an interrupted build never leaves a half-filled cache behind.
tmp="$(mktemp -d "$cache/tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS

log "building golangci-lint (tools module $here)"
(cd "$here" && GOBIN="$tmp" go install tool) >&2

if [[ ! -x "$tmp/golangci-lint" ]]; then
	log "missing golangci-lint after build"
	exit 1
fi
mv -f "$tmp/golangci-lint" "$bin"
touch "$cache/.done"
log "golangci-lint ready in $bin ($((SECONDS - start)) s)"
echo "$bin"
