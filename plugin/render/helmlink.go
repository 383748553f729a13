package render

import (
	"os"
	"path/filepath"
	"sync"
)

// Helm in two builds. The Helm SDK is linked into the full CLI and into the image's
// wavecheck-helm; the image's entry binary is built with -tags nohelm (nohelm.go), which leaves
// Helm out so that the Kustomize and directory apps most users have do not pay Helm's package
// initialisers on every generate (ARCHITECTURE.md, "Three builds"). There, each entry point
// that needs Helm returns a *NeedsHelmError before doing anything, and the command hands the
// whole run over to the build with Helm (cmd/wavecheck/internal/cli, handover_nohelm.go).

// NeedsHelmError says that rendering What needs the Helm SDK, which this build does not link
// (-tags nohelm). It is returned before anything was read or written for What.
type NeedsHelmError struct {
	What string
}

func (e *NeedsHelmError) Error() string {
	return e.What + " needs Helm, which this wavecheck build (-tags nohelm) does not link: run it with wavecheck-helm, the build next to it in the image, or with the full wavecheck CLI"
}

// HelmShimEnv names the environment variable that, when set, makes the process behave as the
// `helm` kustomize runs; its value is the repository root.
const HelmShimEnv = "WAVECHECK_HELM_SHIM_ROOT"

// IsHelmShim reports whether this process was started by kustomize as its helm.
func IsHelmShim() bool { return os.Getenv(HelmShimEnv) != "" }

// Dependencies say how the dependencies of a Helm chart that are not vendored under charts/
// are built. Argo CD's repo-server runs `helm template`; when it fails because a dependency is
// missing from charts/ (util/helm.IsMissingDependencyErr), it runs `helm dependency build`
// once in the checkout and templates again (reposerver/repository.runHelmBuild, v3.6.1).
// wavecheck does the same through the Helm SDK (downloader.Manager.Build: Chart.lock honoured,
// refused when out of sync with Chart.yaml; no lock means `helm dependency update`), in a
// temporary copy of the chart, never writing into the repository; the downloaded archives of a
// locked chart are cached under CacheDir by the lock's digest.
//
// The zero value refuses the network: a missing dependency is an error naming it.
type Dependencies struct {
	// Fetch allows downloading dependencies from chart repositories and OCI registries.
	Fetch bool
	// CacheDir holds downloaded dependencies, repository indexes and Helm's content cache.
	// Empty means $XDG_CACHE_HOME/wavecheck/helm (os.UserCacheDir).
	CacheDir string
	// RepositoryConfig is Helm's repositories.yaml (names, URLs and credentials of chart
	// repositories). Empty means $HELM_REPOSITORY_CONFIG, else Helm's default path.
	RepositoryConfig string
	// RegistryConfig is Helm's registry credentials file (config.json of `helm registry
	// login`). Empty means $HELM_REGISTRY_CONFIG, else Helm's default path.
	RegistryConfig string
	// PlainHTTP talks to OCI registries over plain HTTP (Argo CD's insecureOCIForceHttp, which
	// passes --plain-http to helm dependency build).
	PlainHTTP bool
}

// HelmCompanion is the file name of the build with Helm that the build without it (-tags
// nohelm) runs for charts, looked up in the directory of the running executable (the image
// holds /usr/local/bin/wavecheck and /usr/local/bin/wavecheck-helm).
const HelmCompanion = "wavecheck-helm"

// CompanionPath is the path of HelmCompanion next to the running executable.
func CompanionPath() (string, error) {
	exe, err := os.Executable()
	if err != nil {
		return "", err
	}
	return filepath.Join(filepath.Dir(exe), HelmCompanion), nil
}

var shimEnvMu sync.Mutex

// helmCommand is the executable kustomize runs as helm: opts.HelmCommand, else
// shimExecutable (this process's own executable, or in the build without Helm the build with
// Helm next to it). It sets HelmShimEnv for the children (kustomize passes os.Environ()).
func helmCommand(opts Options, root string) (string, func(), error) {
	exe := opts.HelmCommand
	if exe == "" {
		var err error
		if exe, err = shimExecutable(); err != nil {
			return "", nil, err
		}
	}
	shimEnvMu.Lock()
	prev, had := os.LookupEnv(HelmShimEnv)
	if err := os.Setenv(HelmShimEnv, root); err != nil {
		shimEnvMu.Unlock()
		return "", nil, err
	}
	return exe, func() {
		if had {
			_ = os.Setenv(HelmShimEnv, prev)
		} else {
			_ = os.Unsetenv(HelmShimEnv)
		}
		shimEnvMu.Unlock()
	}, nil
}
