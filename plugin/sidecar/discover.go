package sidecar

import (
	"context"
	"fmt"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// Discovery is the answer to "should this sidecar render this app?".
type Discovery struct {
	Match bool
	// Type is the detected source type (also set when the app does not match).
	Type render.SourceType
	// Reason explains a non-match.
	Reason string
}

// Discover decides whether wavecheck should claim the app in dir. It decides from file names,
// as Argo CD's own discovery does (util/app/discovery AppType, render.Detect), and never renders
// or parses the app: a Helm chart, a kustomization and a directory of manifests are claimed,
// and a render error (a YAML syntax error, a dependency that cannot be built) then surfaces in
// generate, where Argo CD's own tooling would fail too. Discover declines only an app that
// Argo CD would render differently from wavecheck:
//   - a Directory app holding a selected *.jsonnet file, which Argo CD evaluates natively
//     (reposerver/repository findManifests) and wavecheck cannot; with
//     WAVECHECK_DISCOVER_STRICT=true such an app is claimed and generate fails naming the file,
//     so an app cannot leave enforce mode by adding a jsonnet file;
//   - a Directory app without any .yaml/.yml/.json file, which Argo CD renders to nothing and
//     generate would refuse as empty (unless allow-empty is set, in which case it is claimed).
//
// Policy findings play no part: an app with policy errors matches, so that generation can block
// it.
func Discover(ctx context.Context, dir string, cfg Config) Discovery {
	opts := cfg.renderOptions(ctx, dir)
	d := Discovery{Type: opts.SourceType, Match: true}
	if d.Type == "" {
		d.Type = render.Detect(dir)
	}
	if d.Type != render.Directory {
		return d
	}
	s, err := render.ScanDirectory(ctx, dir, opts)
	if err != nil {
		// A bad include/exclude glob or an unreadable directory: generate reports it.
		return d
	}
	switch {
	case s.Jsonnet != "" && !cfg.DiscoverStrict:
		d.Match = false
		d.Reason = fmt.Sprintf("%s is jsonnet, which Argo CD renders natively and wavecheck cannot (set %s=true on the sidecar to claim such apps and fail them instead)", s.Jsonnet, EnvDiscoverStrict)
	case s.Manifests == 0 && s.Jsonnet == "" && !cfg.AllowEmpty:
		d.Match = false
		d.Reason = "the Directory app holds no .yaml, .yml or .json file: Argo CD renders it to nothing, which generate would refuse (set the plugin parameter allow-empty=true to claim it)"
	}
	return d
}
