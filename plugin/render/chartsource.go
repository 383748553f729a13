package render

import (
	"net/url"
	"os"
	"strings"
)

// ChartSource is an Application source whose chart comes from a Helm repository, not from
// Git: Argo CD's ApplicationSource.IsHelm (chart is set).
type ChartSource struct {
	// RepoURL is an HTTP(S) chart repository, or an OCI registry path without a scheme
	// (util/helm.IsHelmOciRepo: "registry.example.com/charts").
	RepoURL string
	Chart   string
	// TargetRevision is a version or a semver constraint (ResolveChartVersion).
	TargetRevision string
	// PassCredentials sends an HTTP repository's credentials to chart URLs on other hosts
	// (helm.passCredentials, `helm pull --pass-credentials`).
	PassCredentials bool
}

// IsOCI reports whether the chart is in an OCI registry (util/helm.IsHelmOciRepo).
func (s ChartSource) IsOCI() bool {
	if s.RepoURL == "" || strings.Contains(s.RepoURL, "://") {
		return false
	}
	u, err := url.ParseRequestURI("dummy://" + s.RepoURL)
	return err == nil && u.Host != ""
}

// PulledChart is a chart fetched from its repository and extracted.
type PulledChart struct {
	// Dir is the extracted chart directory (a temporary directory under the cache: Close
	// removes it).
	Dir string
	// Version is the version resolved from the targetRevision.
	Version string
	// Cached says the archive came from the cache.
	Cached bool
	tmp    string
}

// Close removes the extracted chart.
func (p *PulledChart) Close() error { return os.RemoveAll(p.tmp) }
