#!/usr/bin/env bash
# build.sh builds a Kubernetes control plane for the real-cluster replay
# tests from the Go module proxy: etcd, kube-apiserver,
# kube-controller-manager, kube-scheduler and kwok, plus kwok's
# stage files. The binaries land in a cache folder keyed on a hash of this
# script and the tools module next to it; the folder is printed on stdout
# and is usable as envtest's KUBEBUILDER_ASSETS:
#
#   export WAVECHECK_K8S_BIN="$(test/k8s-tools/build.sh)"
#
# It is idempotent: when the folder is complete it returns at once. Cold, it
# takes ~10 minutes on 2 cores and ~3 GB of memory. Progress and go's output
# go to stderr. With --cached it builds nothing: it prints the folder when
# it is complete and exits 1 otherwise (the tests use it to find a build).
set -euo pipefail

# The tools module needs Go 1.26; the product needs 1.27.3. Pin one
# toolchain so the cache key (this file) says exactly what built it, and a
# machine whose own Go is older downloads it from the module proxy.
export GOTOOLCHAIN=go1.27.3
# Build with the pinned module files only, whatever the caller's settings.
export GOFLAGS=-buildvcs=false GOWORK=off
# etcd reads every ETCD_* variable as a flag; none belong to this build.
unset "${!ETCD_@}" 2>/dev/null || true

K8S_VERSION=v1.37.2
K8S_MAJOR=1
K8S_MINOR=37
KWOK_VERSION=v0.8.0

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

hash="$(
	{
		cat "$here/build.sh" "$here/go.mod" "$here/go.sum"
		go env GOOS GOARCH
	} | sha256sum | cut -c1-16
)"
out="${XDG_CACHE_HOME:-$HOME/.cache}/wavecheck/k8s/$hash"
bins=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

complete() {
	[[ -f "$out/.done" ]] || return 1
	local b
	for b in "${bins[@]}"; do
		[[ -x "$out/$b" ]] || return 1
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
# Build into a temporary folder and move everything in once all succeeded,
# so an interrupted build never leaves a half-filled cache behind.
tmp="$(mktemp -d "$out/tmp.XXXXXX")"
trap 'rm -rf "$tmp"' EXIT
start=$SECONDS

log "downloading modules (tools module $here)"
(cd "$here" && go mod download) >&2

log "building etcd"
(cd "$here" && go build -ldflags="-s -w" -o "$tmp/etcd" go.etcd.io/etcd/server/v3) >&2

# Stamp the version the way Kubernetes' own build does, so the apiserver
# reports v1.37.2 (clients and gitops-engine read it from /version).
x=""
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
	x+=" -X $pkg.gitVersion=$K8S_VERSION"
	x+=" -X $pkg.gitMajor=$K8S_MAJOR"
	x+=" -X $pkg.gitMinor=$K8S_MINOR"
	x+=" -X $pkg.gitTreeState=clean"
done
log "building kube-apiserver, kube-controller-manager, kube-scheduler $K8S_VERSION"
(cd "$here" && go build -ldflags="-s -w$x" -o "$tmp/" \
	k8s.io/kubernetes/cmd/kube-apiserver \
	k8s.io/kubernetes/cmd/kube-controller-manager \
	k8s.io/kubernetes/cmd/kube-scheduler) >&2

log "building kwok $KWOK_VERSION"
# Outside the tools module: kwok pins its own Kubernetes libraries.
(cd "$tmp" && GOBIN="$tmp" go install -ldflags="-s -w" "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION") >&2

# kwok ships no built-in stages: take the ones its release publishes from
# the module source (node readiness, node leases, pods running/completing).
kwok_src="$(go env GOMODCACHE)/sigs.k8s.io/kwok@$KWOK_VERSION/kustomize/stage"
mkdir -p "$tmp/stages"
for s in node/fast node/heartbeat-with-lease pod/fast; do
	for f in "$kwok_src/$s"/*.yaml; do
		[[ "$(basename "$f")" == kustomization.yaml ]] && continue
		cp "$f" "$tmp/stages/${s//\//-}-$(basename "$f")"
	done
done
chmod -R u+w "$tmp/stages"

for b in "${bins[@]}"; do
	if [[ ! -x "$tmp/$b" ]]; then
		log "missing $b after build"
		exit 1
	fi
done
rm -rf "$out/stages"
for b in "${bins[@]}"; do
	mv -f "$tmp/$b" "$out/$b"
done
mv "$tmp/stages" "$out/stages"
touch "$out/.done"
log "control plane ready in $out ($((SECONDS - start)) s)"
echo "$out"
