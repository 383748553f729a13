package cli

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/wavecheck/wavecheck/internal/testfs"
)

// BenchmarkValidateApplications is `validate --applications DIR` over a directory of 20
// Applications (10 directory apps, 10 kustomize apps with namePrefix, images and labels), one
// report across them: the make bench row "validate over a directory of 20 Applications".
func BenchmarkValidateApplications(b *testing.B) {
	files := map[string]string{".git/config": "[core]\n"}
	for i := range 20 {
		app := fmt.Sprintf("apps/app%02d", i)
		files[app+"/deploy.yaml"] = fmt.Sprintf("apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web%d\n  annotations: {argocd.argoproj.io/sync-wave: \"1\"}\nspec:\n  selector: {matchLabels: {app: web}}\n  template:\n    metadata: {labels: {app: web}}\n    spec: {containers: [{name: web, image: nginx:1.0}]}\n", i)
		files[app+"/job.yaml"] = fmt.Sprintf("apiVersion: batch/v1\nkind: Job\nmetadata:\n  name: migrate%d\n  annotations: {argocd.argoproj.io/hook: PreSync}\nspec:\n  template:\n    spec: {restartPolicy: Never, containers: [{name: m, image: busybox}]}\n", i)
		src := "directory: {recurse: true}"
		if i%2 == 1 {
			files[app+"/kustomization.yaml"] = "resources: [deploy.yaml, job.yaml]\n"
			src = "kustomize: {namePrefix: p-, images: [nginx=nginx:2.0], commonLabels: {team: t}}"
		}
		files[fmt.Sprintf("argocd/app%02d.yaml", i)] = fmt.Sprintf("apiVersion: argoproj.io/v1alpha1\nkind: Application\nmetadata: {name: app%02d}\nspec:\n  source: {repoURL: https://example.com/r.git, path: %s, %s}\n  destination: {namespace: ns%d}\n  syncPolicy: {syncOptions: [CreateNamespace=true]}\n", i, app, src, i)
	}
	root := testfs.Tree(b, files)
	dir := filepath.Join(root, "argocd")
	b.ResetTimer()
	for b.Loop() {
		var out, errb bytes.Buffer
		code := RunIO(context.Background(), []string{"validate", "-o", "json", "--applications", dir}, os.Stdin, &out, &errb)
		if code != ExitFindings && code != ExitOK {
			b.Fatalf("exit %d\n%s", code, errb.String())
		}
	}
}
