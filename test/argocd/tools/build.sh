#!/usr/bin/env bash
# build.sh builds Argo CD for the end-to-end suite (test/argocd) from the Go module proxy: one
# `argocd` binary from github.com/argoproj/argo-cd/v3/cmd at the version go.mod pins (its
# cmd/main.go picks the component from ARGOCD_BINARY_NAME: application-controller,
# repo-server, cmp-server), plus what a local Argo CD needs next to it, taken from the same
# module: hack/git-verify-wrapper.sh (the repo-server execs it on every generation) and
# manifests/crds/*.yaml. Everything lands in a cache folder keyed on a hash of this script and
# the module files next to it; the folder is printed on stdout:
#
#   export WAVECHECK_ARGOCD_BIN="$(test/argocd/tools/build.sh)"
#
# Idempotent: a complete folder returns at once. Cold it takes ~5 min on 2 cores when the
# module cache is warm (test/cmp shares it), more on a fresh machine. Progress and go's output
# go to stderr. With --cached it builds nothing: it prints the folder when complete and exits
# 1 otherwise (the tests use it to find a build).
set -euo pipefail

export GOTOOLCHAIN=go1.27.3
export GOFLAGS=-buildvcs=false GOWORK=off

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

hash="$(
	{
		cat "$here/build.sh" "$here/go.mod" "$here/go.sum"
		go env GOOS GOARCH
	} | sha256sum | cut -c1-16
)"
out="${XDG_CACHE_HOME:-$HOME/.cache}/wavecheck/argocd/$hash"
files=(argocd git-verify-wrapper.sh crds/application-crd.yaml crds/applicationset-crd.yaml crds/appproject-crd.yaml)

complete() {
	[[ -f "$out/.done" ]] || return 1
	local f
	for f in "${files[@]}"; do
		[[ -s "$out/$f" ]] || return 1
	done
}

if complete; then
	echo "$out"
	exit 0
fi
if [[ "${1:-}" == --cached ]]; then
	exit 1
fi

log() { echo "build.sh: $*" >&2; }

mkdir -p "$out"
# Build into a temporary folder and move everything in once all succeeded, so an interrupted
# build never leaves a half-filled cache behind.
tmp="$(mktemp -d "$out/tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS

log "downloading modules (tools module $here)"
(cd "$here" && go mod download github.com/argoproj/argo-cd/v3) >&2
src="$(cd "$here" && go list -m -f '{{.Dir}}' github.com/argoproj/argo-cd/v3)"
version="$(cd "$here" && go list -m -f '{{.Version}}' github.com/argoproj/argo-cd/v3)"

log "building argocd $version (one binary for every component)"
# No -trimpath: without it the compiled packages are shared with `go vet` and the tests of
# test/cmp and test/conformance (1,672 of the 2,325 packages, measured with `go list -deps -f
# {{.Stale}}`), which a cold `make test` has compiled already.
# Stamp the version as Argo CD's Makefile does, so the components log the release they are.
ldflags="-s -w -X github.com/argoproj/argo-cd/v3/common.version=${version#v}"
(cd "$here" && go build -ldflags="$ldflags" -o "$tmp/argocd" github.com/argoproj/argo-cd/v3/cmd) >&2

cp "$src/hack/git-verify-wrapper.sh" "$tmp/git-verify-wrapper.sh"
mkdir -p "$tmp/crds"
cp "$src"/manifests/crds/{application,applicationset,appproject}-crd.yaml "$tmp/crds/"
chmod -R u+w "$tmp"
chmod 0755 "$tmp/git-verify-wrapper.sh"

for f in "${files[@]}"; do
	if [[ ! -s "$tmp/$f" ]]; then
		log "missing $f after build"
		exit 1
	fi
done
rm -rf "$out/crds"
mv -f "$tmp/argocd" "$tmp/git-verify-wrapper.sh" "$out/"
mv "$tmp/crds" "$out/crds"
touch "$out/.done"
log "argocd ready in $out ($((SECONDS - start)) s)"
echo "$out"
