# wavecheck developer targets. Every target uses the Go 1.27 toolchain (fetched by the go command
# from the module proxy on first use); the machine's own Go may be older.
export GOTOOLCHAIN := go1.27.3

BIN     ?= bin/wavecheck
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/wavecheck/wavecheck/cmd/wavecheck/internal/cli.Version=$(VERSION)

.PHONY: build build-sidecar dist image test unit fuzz lint e2e e2e-cmp e2e-conformance e2e-helmoci e2e-cluster e2e-argocd e2e-release tools bench bench-argocd example clean

build:
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wavecheck

# build-sidecar builds what the image runs (Dockerfile, release.yaml's image.binaries), two builds
# of the same tree into one directory: bin/sidecar/wavecheck (-tags sidecar,nohelm), the entry
# plugin.yaml runs, without replay and plan (no gitops-engine, no kubectl) and without the Helm
# SDK, so that their package initialisers do not run on every manifest generation; and
# bin/sidecar/wavecheck-helm (-tags sidecar, Helm linked), which wavecheck execs from its own
# directory when an app needs Helm (ARCHITECTURE.md, "Three builds").
SIDECAR_DIR ?= bin/sidecar
build-sidecar:
	CGO_ENABLED=0 go build -trimpath -tags sidecar,nohelm -ldflags '$(LDFLAGS)' -o $(SIDECAR_DIR)/wavecheck ./cmd/wavecheck
	CGO_ENABLED=0 go build -trimpath -tags sidecar -ldflags '$(LDFLAGS)' -o $(SIDECAR_DIR)/wavecheck-helm ./cmd/wavecheck

# dist cross-builds the release (deploy/release/release.yaml: linux and darwin, amd64 and arm64;
# static, -trimpath) into dist/: one tar.gz per platform (binary, LICENSE, NOTICE, README),
# its CycloneDX SBOM (every linked module with version and go.sum hash) and SHA256SUMS.
# Reproducible: SOURCE_DATE_EPOCH or the commit time stamps every file.
dist:
	cd deploy/release && go run . dist -version $(VERSION)

# image builds the sidecar image without a Docker daemon (go-containerregistry) as an OCI layout
# in dist/image, linux/amd64 and linux/arm64: scratch, the two static sidecar builds of
# build-sidecar in /usr/local/bin (wavecheck and wavecheck-helm), uid 999, the cmp-server
# entrypoint, plugin.yaml at /home/argocd/cmp-server/config/, the host's CA roots.
# The same inputs give the same digest. Push it with `crane push --index dist/image REF`.
CA_BUNDLE ?= /etc/ssl/certs/ca-certificates.crt
image:
	cd deploy/release && go run . image -version $(VERSION) -ca-bundle $(CA_BUNDLE)

# test is the command the README gives and .ci/run calls: lint, then every test suite. It builds
# the reference CLIs (helm, kustomize, conftest) and the real control plane (etcd, kube-apiserver,
# controller-manager, scheduler, kwok) once per machine into $$HOME/.cache/wavecheck.
# Fuzzing is not part of it: `go test -fuzz` recompiles every dependency of a fuzzed package
# with coverage instrumentation (helm, kustomize, client-go, gitops-engine: measured 14.5 min of
# a cold .ci/run on 2 cores, which then took 85 min against a 75-minute budget). The unit tests
# still replay every fuzz target's seeds and its testdata/fuzz corpus, so each crasher found
# by `make fuzz` stays a regression test of `make test`.
test: lint unit e2e

# fuzz runs every native Go fuzz target of the parsers of untrusted input for FUZZTIME each
# (go test takes one -fuzz per invocation); new inputs that fail are written to the package's
# testdata/fuzz corpus, which `go test` then replays as regression cases. Add a target as
# "package:FuzzName".
FUZZTIME ?= 10s
FUZZ_TARGETS := \
	./plugin/render:FuzzFastYAML \
	./plugin/render:FuzzDecodeStream \
	./plugin/render:FuzzAliasExpansion \
	./plugin/render:FuzzKustomization \
	./plugin/sidecar:FuzzResolveParameters \
	./plugin/sidecar:FuzzParseEnv \
	./internal/argocd:FuzzAnalyze \
	./engine:FuzzParseExpectation

fuzz:
	@set -e; for t in $(FUZZ_TARGETS); do \
		pkg=$${t%%:*}; name=$${t##*:}; \
		echo "fuzz $$pkg $$name ($(FUZZTIME))"; \
		go test -run '^$$' -fuzz "^$$name\$$" -fuzztime $(FUZZTIME) $$pkg; \
	done

# tools builds the reference CLIs, the control plane binaries and Argo CD (cached; seconds when
# built).
tools:
	test/tools/build.sh >/dev/null
	test/k8s-tools/build.sh >/dev/null
	test/argocd/tools/build.sh >/dev/null

# unit runs every package of the root module: unit tests, CLI end-to-end tests, parity tests
# against helm/kustomize/conftest and the real control plane replay tests (test/cluster); then
# the packages the sidecar build (-tags sidecar) changes, built with that tag; then the image's
# entry binary (-tags sidecar,nohelm): the renderer and the sidecar whole, and the CLI's tests of
# what that build refuses (its hand-over to wavecheck-helm runs on real binaries in
# cmd/wavecheck's TestHandOverToHelm, and every test/cmp case runs through it).
unit: tools
	WAVECHECK_TOOLS_BIN="$$(test/tools/build.sh)" WAVECHECK_K8S_BIN="$$(test/k8s-tools/build.sh)" \
		go test -count=1 -timeout 45m ./...
	go test -count=1 -tags sidecar ./cmd/...
	WAVECHECK_TOOLS_BIN="$$(test/tools/build.sh)" go test -count=1 -tags sidecar,nohelm ./plugin/...
	go test -count=1 -tags sidecar,nohelm -run 'NoHelm|SidecarImports|EngineCommands|VersionFlag' ./cmd/wavecheck/internal/cli

# lint: gofmt, go vet, then golangci-lint (.golangci.yml: staticcheck, revive, errorlint, unparam,
# gosec, and depguard rules for the package arrows), built once per machine from the module
# proxy by test/lint-tools/build.sh (cached; ~30 min cold on a loaded 2-core machine, ~400 CPU
# seconds). deploy/release also checks release.yaml against the repository (`go run . lint`: the
# goreleaser-equivalent config, and that every install snippet names the released image). The
# nested test modules test/cmp and test/conformance get go vet only: golangci-lint would have to
# type-check all of Argo CD for a few hundred lines of test code.
lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...
	go vet -tags sidecar ./...
	go vet -tags sidecar,nohelm ./...
	cd test/cmp && go vet ./...
	cd test/conformance && go vet ./...
	cd test/helmoci && go vet ./...
	cd test/argocd && go vet ./...
	cd deploy/release && go vet ./... && go run . lint
	gl="$$(test/lint-tools/build.sh)" && "$$gl" run ./... && "$$gl" run --build-tags sidecar ./cmd/... && "$$gl" run --build-tags sidecar,nohelm ./cmd/... ./plugin/...

# e2e runs the nested end-to-end modules: the real Argo CD cmp-server driving the plugin, the
# differential tests of wavecheck's Argo CD semantics against Argo CD's own code, and a whole
# Argo CD (controller, repo-server, wavecheck sidecar) syncing the test apps.
e2e: e2e-cmp e2e-conformance e2e-helmoci e2e-release e2e-argocd

e2e-cmp:
	cd test/cmp && go test -count=1 -timeout 30m ./...

# e2e-conformance also renders Applications with Argo CD's repo-server code in-process
# (GenerateManifests), which execs the helm and kustomize that test/tools/build.sh builds.
e2e-conformance: tools
	cd test/conformance && WAVECHECK_TOOLS_BIN="$$(../tools/build.sh)" go test -count=1 -timeout 30m ./...

# e2e-helmoci builds Helm dependencies from a real OCI registry (distribution/distribution) on
# 127.0.0.1; a nested module so that the registry's dependencies stay out of the product.
e2e-helmoci:
	cd test/helmoci && go test -count=1 -timeout 10m ./...

# e2e-release tests deploy/release on the host platform only, from the host builds of the image's
# binaries (no cross-compiling): the archives, SBOM and checksums, the image layout (its config,
# and each binary taken out of it runs), reproducibility, the GitHub Action's script against a
# local HTTP server, and the pre-commit hooks with the real pre-commit.
e2e-release:
	cd deploy/release && go test -count=1 -timeout 20m ./...

e2e-cluster: tools
	WAVECHECK_K8S_BIN="$$(test/k8s-tools/build.sh)" go test -count=1 -timeout 30m ./test/cluster/...

# e2e-argocd syncs every test app with a real Argo CD v3.6.1 on the real control plane and
# compares each sync with `wavecheck replay` (test/argocd).
e2e-argocd: tools
	cd test/argocd && WAVECHECK_TOOLS_BIN="$$(../tools/build.sh)" WAVECHECK_K8S_BIN="$$(../k8s-tools/build.sh)" WAVECHECK_ARGOCD_BIN="$$(tools/build.sh)" \
		go test -count=1 -timeout 30m ./...

# bench also times Helm dependency builds from a local chart repository: cold (empty cache,
# helm dependency build) and cached (by Chart.lock digest, no network), and `validate
# --applications` over a directory of 20 Argo CD Applications.
bench:
	test/bench/run.sh
	go test -count=1 -run '^$$' -bench HelmDependencies -benchtime 10x ./plugin/render
	go test -count=1 -run '^$$' -bench ValidateApplications -benchtime 5x ./cmd/wavecheck/internal/cli

# bench-argocd measures manifest generation inside Argo CD: native source vs the wavecheck
# plugin, 10 and 500 objects of each source type, hard refresh, the controller's timings; once
# with the repo-server's defaults, once with the plugin settings docs/install.md recommends.
bench-argocd: tools
	cd test/argocd && for tuning in default recommended; do \
		echo "== repo-server plugin settings: $$tuning"; \
		WAVECHECK_ARGOCD_PLUGIN_TUNING=$$tuning WAVECHECK_TOOLS_BIN="$$(../tools/build.sh)" WAVECHECK_K8S_BIN="$$(../k8s-tools/build.sh)" WAVECHECK_ARGOCD_BIN="$$(tools/build.sh)" \
			go test -count=1 -timeout 30m -run '^$$' -bench Generate -benchtime 9x ./... || exit 1; \
	done

example:
	go run ./cmd/wavecheck validate examples/waves-and-hooks

clean:
	rm -rf bin
