# wavecheck as an Argo CD Config Management Plugin sidecar.
#
#   docker build -t REGISTRY/wavecheck:TAG --build-arg VERSION=TAG .
#
# The image holds only the static wavecheck binary and plugin.yaml. Argo CD's repo-server
# copies argocd-cmp-server into the shared /var/run/argocd volume (its copyutil init
# container), and the sidecar runs it as its entrypoint; the cmp-server then runs
# `wavecheck generate` (no shell) for each app.

FROM golang:1.26-bookworm AS build
# go.mod needs Go 1.27: the go command fetches this toolchain from the module proxy.
ENV GOTOOLCHAIN=go1.27.3 CGO_ENABLED=0 GOFLAGS=-buildvcs=false
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# -tags sidecar: the build without replay and plan (no gitops-engine, no kubectl), whose
# process start is what every manifest generation pays (ARCHITECTURE.md, "Two builds").
RUN go build -trimpath -tags sidecar \
      -ldflags "-s -w -X github.com/wavecheck/wavecheck/cmd/wavecheck/internal/cli.Version=${VERSION}" \
      -o /out/wavecheck ./cmd/wavecheck

# distroless static: no shell, no package manager, CA certificates, a world-writable /tmp.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/wavecheck /usr/local/bin/wavecheck
COPY plugin.yaml /home/argocd/cmp-server/config/plugin.yaml
# Argo CD runs its sidecars as the argocd user (uid 999) with runAsNonRoot.
USER 999:999
ENV HOME=/tmp
ENTRYPOINT ["/var/run/argocd/argocd-cmp-server"]
