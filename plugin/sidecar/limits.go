package sidecar

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// Render budgets of the sidecar: set by the admin on the sidecar container only (an
// Application cannot raise them), each named in the error of the limit it sets.
var (
	EnvRenderTimeout = render.LimitTimeout.Env       // render deadline (Go duration, default 45s)
	EnvMaxFileSize   = render.LimitFile.Env          // largest input file in bytes
	EnvMaxTotalSize  = render.LimitTotal.Env         // largest total input in bytes
	EnvMaxObjects    = render.LimitObjects.Env       // most objects an app renders to
	EnvMaxRendered   = render.LimitRenderedBytes.Env // largest YAML output of Helm or Kustomize
	EnvMaxMemory     = render.LimitMemory.Env        // largest heap while rendering
)

// resolveLimits reads the render budgets from the sidecar's environment.
func resolveLimits(vars map[string]string, r *render.Options) error {
	if v := strings.TrimSpace(vars[EnvRenderTimeout]); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			return fmt.Errorf("read %s: want a positive duration such as 45s, got %q", EnvRenderTimeout, v)
		}
		r.Timeout = d
	}
	for _, l := range []struct {
		env string
		set func(int64)
	}{
		{EnvMaxFileSize, func(n int64) { r.MaxFileBytes = n }},
		{EnvMaxTotalSize, func(n int64) { r.MaxTotalBytes = n }},
		{EnvMaxObjects, func(n int64) { r.MaxObjects = int(n) }},
		{EnvMaxRendered, func(n int64) { r.MaxRenderedBytes = n }},
		{EnvMaxMemory, func(n int64) { r.MaxMemoryBytes = n }},
	} {
		v := strings.TrimSpace(vars[l.env])
		if v == "" {
			continue
		}
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 1 || n > math.MaxInt32 && l.env == EnvMaxObjects {
			return fmt.Errorf("read %s: want a positive integer, got %q", l.env, v)
		}
		l.set(n)
	}
	return nil
}
