# wavecheck developer targets. Every target uses the Go 1.27 toolchain (fetched by the go command
# from the module proxy on first use); the machine's own Go may be older.
export GOTOOLCHAIN := go1.27.3

BIN     ?= bin/wavecheck
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS := -s -w -X github.com/wavecheck/wavecheck/cmd/wavecheck/internal/cli.Version=$(VERSION)

.PHONY: build test unit lint e2e bench example clean

build:
	CGO_ENABLED=0 go build -trimpath -ldflags '$(LDFLAGS)' -o $(BIN) ./cmd/wavecheck

# test is the command the README gives and .ci/run calls: lint, unit tests, end-to-end tests.
test: lint unit e2e

unit:
	go test ./...

lint:
	@unformatted=$$(gofmt -l $$(git ls-files '*.go')); \
	if [ -n "$$unformatted" ]; then echo "gofmt needed:"; echo "$$unformatted"; exit 1; fi
	go vet ./...

e2e:
	@echo "no end-to-end suites yet"

example:
	go run ./cmd/wavecheck render examples/waves-and-hooks

clean:
	rm -rf bin
