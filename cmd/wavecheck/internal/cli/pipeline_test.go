package cli

import (
	"encoding/json"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/google/go-cmp/cmp"
)

// TestValidateAndGenerateAgree is the regression test of the two pipelines: for a finding in a
// chart under charts/ of a repository, validate named charts/shop/templates/job.yaml and generate
// (what the Argo CD UI shows) named shop/templates/job.yaml, Helm's chart-relative name. Both now
// run internal/pipeline and name the repository path.
func TestValidateAndGenerateAgree(t *testing.T) {
	repo := writeRepo(t, map[string]string{
		"charts/shop/Chart.yaml":         "apiVersion: v2\nname: shop\nversion: 0.1.0\n",
		"charts/shop/templates/job.yaml": cmpApps["broken"]["job.yaml"],
		"charts/shop/templates/cm.yaml":  cmpApps["broken"]["cm.yaml"],
	})
	chart := filepath.Join(repo, "charts", "shop")

	clearWavecheckEnv(t)
	code, stdout, stderr := runCLI(t, "validate", "-o", "json", "--app-name", "shop", chart)
	if code != ExitFindings {
		t.Fatalf("validate: exit %d, want %d; stderr:\n%s", code, ExitFindings, stderr)
	}
	var rep struct {
		Findings []struct {
			Rule, File string
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(stdout), &rep); err != nil {
		t.Fatalf("validate output: %v\n%s", err, stdout)
	}
	var fromValidate []string
	for _, f := range rep.Findings {
		fromValidate = append(fromValidate, f.Rule+" "+f.File)
	}

	t.Setenv("ARGOCD_APP_NAME", "shop")
	t.Chdir(chart)
	code, _, stderr = runCLI(t, "generate")
	if code != ExitFindings {
		t.Fatalf("generate: exit %d, want %d; stderr:\n%s", code, ExitFindings, stderr)
	}
	var fromGenerate []string
	for _, m := range regexp.MustCompile(`(?m)^([a-z-]+): \S+: .* \(([^()]+?)(?::\d+)?\)$`).FindAllStringSubmatch(stderr, -1) {
		fromGenerate = append(fromGenerate, m[1]+" "+m[2])
	}
	want := []string{"sync-wave-not-integer charts/shop/templates/cm.yaml", "hook-unknown-type charts/shop/templates/job.yaml"}
	if diff := cmp.Diff(want, fromValidate); diff != "" {
		t.Errorf("validate findings (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(fromValidate, fromGenerate); diff != "" {
		t.Errorf("generate names other locations than validate (-validate +generate):\n%s\nstderr:\n%s", diff, stderr)
	}
}
