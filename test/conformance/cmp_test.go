package conformance_test

import (
	"os"
	"testing"

	"github.com/argoproj/argo-cd/v3/common"
	"github.com/argoproj/argo-cd/v3/pkg/apis/application/v1alpha1"
	"github.com/wavecheck/wavecheck/internal/argocd"
	"github.com/wavecheck/wavecheck/plugin/sidecar"
)

// TestCMPWorkDir pins argocd.CMPWorkDir, the folder the sidecar bounds a stream's reads by, to
// the cmp-server's own common.GetCMPWorkDir under each environment that decides it; the
// variables reach wavecheck as the cmp-server's environment (cmpserver/plugin.generateManifest
// appends the request's variables to os.Environ()).
func TestCMPWorkDir(t *testing.T) {
	tests := []struct {
		name         string
		workDir, tmp string // "" unsets the variable
	}{
		{name: "neither set"},
		{name: "TMPDIR", tmp: "/var/tmp/argo"},
		{name: "ARGOCD_CMP_WORKDIR", workDir: "/cmp"},
		{name: "both", workDir: "/cmp/work/", tmp: "/var/tmp/argo"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for k, v := range map[string]string{common.EnvCMPWorkDir: tt.workDir, "TMPDIR": tt.tmp} {
				t.Setenv(k, v)
				if v == "" {
					os.Unsetenv(k) // t.Setenv restores it after the test
				}
			}
			want := common.GetCMPWorkDir()
			if got := argocd.CMPWorkDir(sidecar.ParseEnv(os.Environ()).Vars); got != want {
				t.Errorf("argocd.CMPWorkDir = %q, Argo CD's common.GetCMPWorkDir = %q", got, want)
			}
		})
	}
	if argocd.EnvCMPWorkDir != common.EnvCMPWorkDir {
		t.Errorf("argocd.EnvCMPWorkDir = %q, Argo CD's = %q", argocd.EnvCMPWorkDir, common.EnvCMPWorkDir)
	}
	if argocd.AnnotationManifestGeneratePaths != v1alpha1.AnnotationKeyManifestGeneratePaths {
		t.Errorf("argocd.AnnotationManifestGeneratePaths = %q, Argo CD's = %q", argocd.AnnotationManifestGeneratePaths, v1alpha1.AnnotationKeyManifestGeneratePaths)
	}
}
