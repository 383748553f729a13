# wavecheck as an Argo CD Config Management Plugin sidecar, for those who build with Docker.
# Releases build the same image without Docker (`make image`, deploy/release) and publish it as
# ghcr.io/wavecheck/wavecheck:<tag>.
#
#   docker build -t REGISTRY/wavecheck:TAG --build-arg VERSION=TAG .
#
# The image holds only the two static builds of wavecheck (below), plugin.yaml, an /etc/passwd
# naming uid 999 and CA roots. Argo CD's repo-server copies argocd-cmp-server into the shared
# /var/run/argocd volume (its copyutil init container), and the sidecar runs it as its
# entrypoint; the cmp-server then runs `wavecheck generate` (no shell) for each app.

# Go 1.27 (go.mod: go 1.27.0), pinned by digest: the multi-arch index of golang:1.27.1-bookworm.
# Update both together (e.g. `crane digest golang:1.27-bookworm`).
FROM golang:1.27.1-bookworm@sha256:69a7b9788769bec032d238959b61854e9ae87f57be9029ec04e9885fabf99195 AS build
# The base's own toolchain: no download at build time.
ENV GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-buildvcs=false
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
# Two builds of the sidecar (ARCHITECTURE.md, "Three builds"; deploy/release/release.yaml's
# image.binaries, which `make image` builds the same way):
# - wavecheck, -tags sidecar,nohelm: what plugin.yaml runs. Without replay and plan (no
#   gitops-engine, no kubectl) and without the Helm SDK, whose package initialisers every
#   manifest generation would otherwise pay at process start.
# - wavecheck-helm, -tags sidecar: the same with Helm linked. When an app needs Helm (a chart, a
#   kustomization with helmCharts, a chart from a Helm repository) wavecheck execs it, with the
#   same arguments and environment, from its own executable's directory: both must stay side
#   by side in /usr/local/bin.
RUN go build -trimpath -tags sidecar,nohelm \
      -ldflags "-s -w -X github.com/wavecheck/wavecheck/cmd/wavecheck/internal/cli.Version=${VERSION}" \
      -o /out/wavecheck ./cmd/wavecheck && \
    go build -trimpath -tags sidecar \
      -ldflags "-s -w -X github.com/wavecheck/wavecheck/cmd/wavecheck/internal/cli.Version=${VERSION}" \
      -o /out/wavecheck-helm ./cmd/wavecheck
# The final stage's file system, as deploy/release writes it.
RUN mkdir -p /root-fs/etc/ssl/certs /root-fs/tmp /root-fs/home/argocd/cmp-server/config && \
    printf 'root:x:0:0:root:/root:/sbin/nologin\nargocd:x:999:999:argocd:/home/argocd:/sbin/nologin\n' > /root-fs/etc/passwd && \
    printf 'root:x:0:\nargocd:x:999:\n' > /root-fs/etc/group && \
    cp /etc/ssl/certs/ca-certificates.crt /root-fs/etc/ssl/certs/ && \
    chmod 1777 /root-fs/tmp && chown -R 999:999 /root-fs/home/argocd

FROM scratch
COPY --from=build /root-fs/ /
COPY --from=build /out/wavecheck /out/wavecheck-helm /usr/local/bin/
COPY plugin.yaml /home/argocd/cmp-server/config/plugin.yaml
# Argo CD runs its sidecars as the argocd user (uid 999) with runAsNonRoot.
USER 999:999
ENV PATH=/usr/local/bin HOME=/tmp
WORKDIR /home/argocd
ENTRYPOINT ["/var/run/argocd/argocd-cmp-server"]
