package sidecar

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/wavecheck/wavecheck/plugin/render"
)

func TestResolveLimits(t *testing.T) {
	tests := []struct {
		name    string
		environ []string
		want    render.Options
		wantErr string
	}{
		{name: "defaults", want: render.Options{}},
		{name: "every limit", environ: []string{
			"WAVECHECK_RENDER_TIMEOUT=5s", "WAVECHECK_MAX_FILE_SIZE=100", "WAVECHECK_MAX_TOTAL_SIZE=200",
			"WAVECHECK_MAX_OBJECTS=30", "WAVECHECK_MAX_RENDERED_SIZE=400",
		}, want: render.Options{Timeout: 5 * time.Second, MaxFileBytes: 100, MaxTotalBytes: 200, MaxObjects: 30, MaxRenderedBytes: 400}},
		{name: "negative timeout", environ: []string{"WAVECHECK_RENDER_TIMEOUT=-1s"}, wantErr: "WAVECHECK_RENDER_TIMEOUT: want a positive duration"},
		{name: "zero objects", environ: []string{"WAVECHECK_MAX_OBJECTS=0"}, wantErr: "WAVECHECK_MAX_OBJECTS: want a positive integer"},
		{name: "objects overflow", environ: []string{"WAVECHECK_MAX_OBJECTS=99999999999"}, wantErr: "WAVECHECK_MAX_OBJECTS"},
		{name: "size not a number", environ: []string{"WAVECHECK_MAX_FILE_SIZE=8Mi"}, wantErr: `WAVECHECK_MAX_FILE_SIZE: want a positive integer, got "8Mi"`},
		// The Application's env cannot raise a limit: the variables are read from the sidecar only.
		{name: "app env ignored", environ: []string{"ARGOCD_ENV_WAVECHECK_MAX_OBJECTS=99"}, want: render.Options{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := Resolve(ParseEnv(tc.environ))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("Resolve error = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := render.Options{Timeout: c.Render.Timeout, MaxFileBytes: c.Render.MaxFileBytes, MaxTotalBytes: c.Render.MaxTotalBytes,
				MaxObjects: c.Render.MaxObjects, MaxRenderedBytes: c.Render.MaxRenderedBytes}
			if d := cmp.Diff(tc.want, got); d != "" {
				t.Errorf("limits (-want +got):\n%s", d)
			}
		})
	}
}

// TestLintCacheDir: WAVECHECK_LINT_CACHE_DIR names the lint cache folder, "off" disables it,
// and unset means wavecheck's folder in the user cache (the sidecar's HOME=/tmp emptyDir).
func TestLintCacheDir(t *testing.T) {
	t.Setenv("XDG_CACHE_HOME", "/cache")
	for _, tc := range []struct{ env, want string }{
		{"", filepath.Join("/cache", "wavecheck", "findings")},
		{"off", ""},
		{" /var/cache/wc ", "/var/cache/wc"},
	} {
		cfg, err := Resolve(ParseEnv([]string{EnvLintCache + "=" + tc.env}))
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Pipeline(context.Background(), t.TempDir()).LintCacheDir; got != tc.want {
			t.Errorf("%s=%q: LintCacheDir %q, want %q", EnvLintCache, tc.env, got, tc.want)
		}
	}
}
