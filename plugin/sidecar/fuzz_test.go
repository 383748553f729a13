package sidecar

import (
	"strings"
	"testing"
)

// Fuzz targets for the plugin parameters and environment an Application controls (make fuzz
// runs each for a bounded time; the corpus is kept in testdata/fuzz).

// FuzzResolveParameters: any ARGOCD_APP_PARAMETERS value resolves or fails with an error
// naming what is wrong, never a panic; a resolved configuration keeps the sidecar's limits
// and never relaxes the mode the sidecar forbids relaxing.
func FuzzResolveParameters(f *testing.F) {
	for _, s := range []string{
		`[{"name":"mode","string":"warn"}]`,
		`[{"name":"values","string":"a: &a [1]\nb: *a\n"}]`,
		`[{"name":"set","map":{"image.tag":"$ARGOCD_APP_REVISION","x":"$$y"}}]`,
		`[{"name":"values-files","array":["../../etc/passwd","v.yaml"]}]`,
		`[{"name":"ignore","array":["*"]},{"name":"recurse","string":"yes"}]`,
		`[{"name":"mode"}]`, `{}`, `[null]`, `[{"name":"x","string":"y"}]`,
		`[{"name":"include","string":"{a,b}*.yaml"},{"name":"exclude","string":"[!x]"}]`,
	} {
		f.Add(s, "enforce")
	}
	f.Fuzz(func(t *testing.T, params, sidecarMode string) {
		env := ParseEnv([]string{
			"ARGOCD_APP_NAME=shop", "ARGOCD_APP_REVISION=abc",
			EnvMode + "=" + sidecarMode, EnvAppOverrides + "=false", EnvMaxObjects + "=7",
			"ARGOCD_APP_PARAMETERS=" + params,
		})
		c, err := Resolve(env)
		if err != nil {
			if strings.TrimSpace(err.Error()) == "" {
				t.Fatal("empty error")
			}
			return
		}
		if c.Render.MaxObjects != 7 {
			t.Fatalf("the parameters changed the sidecar's object limit to %d", c.Render.MaxObjects)
		}
		if sm, err := ParseMode(sidecarMode); err == nil && c.Mode.rank() < sm.rank() {
			t.Fatalf("mode %s weaker than the sidecar's %s with overrides forbidden", c.Mode, sm)
		}
	})
}

// FuzzParseEnv: any environment parses, and Envsubst expands only the build variables.
func FuzzParseEnv(f *testing.F) {
	f.Add("ARGOCD_APP_NAME=a\x00KUBE_API_VERSIONS=v1,apps/v1,,\x00ARGOCD_ENV_X=y", "$ARGOCD_APP_NAME-${HOME}-$$-${")
	f.Add("=x\x00PARAM_SET_0=1\x00A", "${ARGOCD_APP_SOURCE_PATH}/values.yaml")
	f.Fuzz(func(t *testing.T, environ, s string) {
		env := ParseEnv(strings.Split(environ, "\x00"))
		for k := range env.App {
			if k == "" {
				t.Fatal("empty app variable name")
			}
		}
		out := env.Envsubst(s)
		if strings.Contains(s, "$") {
			return
		}
		if out != s {
			t.Fatalf("Envsubst changed %q without a $ into %q", s, out)
		}
	})
}
