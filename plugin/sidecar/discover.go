package sidecar

import (
	"context"
	"fmt"

	"github.com/wavecheck/wavecheck/internal/pipeline"
	"github.com/wavecheck/wavecheck/plugin/render"
)

// Discovery is the answer to "should this sidecar render this app?".
type Discovery struct {
	Match bool
	// Type is the detected source type (also set when the app does not match).
	Type render.SourceType
	// Objects is how many objects the app renders to.
	Objects int
	// Reason explains a non-match.
	Reason string
}

// Discover decides whether wavecheck should claim the app in dir: it matches exactly the apps
// wavecheck can render to at least one object with the same settings generation would use
// (plugin parameters included, when the Application sets them). An app that fails to render (a
// jsonnet directory, a chart whose dependencies are not vendored, a YAML syntax error) or renders
// to nothing (an empty directory, a directory without manifests) is left to Argo CD's own
// tooling or another plugin. Policy findings play no part: an app with policy errors matches,
// so that generation can block it.
func Discover(ctx context.Context, dir string, cfg Config) Discovery {
	opts := cfg.renderOptions(ctx, dir)
	d := Discovery{Type: opts.SourceType}
	if d.Type == "" {
		d.Type = render.Detect(dir)
	}
	res, err := pipeline.Render(ctx, dir, opts)
	if err != nil {
		d.Reason = fmt.Sprintf("cannot render the app: %v", err)
		return d
	}
	d.Type, d.Objects = res.Type, len(res.Objects)
	if d.Objects == 0 {
		d.Reason = fmt.Sprintf("the %s app renders no objects", res.Type)
		return d
	}
	d.Match = true
	return d
}
