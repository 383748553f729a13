package deploy_test

import (
	"io/fs"
	"path/filepath"
	"strings"
	"testing"
)

// exampleApps are the folders of github.com/argoproj/argocd-example-apps copied as test inputs.
var exampleApps = map[string]bool{
	"guestbook": true, "helm-guestbook": true, "helm-hooks": true,
	"kustomize-guestbook": true, "pre-post-sync": true, "sync-waves": true,
}

// TestLicenceAndNotice: the repository is Apache-2.0 (full text), and NOTICE names every folder
// that holds a copy of an Argo CD example app, so a new copy cannot go unattributed.
func TestLicenceAndNotice(t *testing.T) {
	licence := readFile(t, "../LICENSE")
	for _, want := range []string{"Apache License", "Version 2.0, January 2004", "TERMS AND CONDITIONS FOR USE, REPRODUCTION, AND DISTRIBUTION", "END OF TERMS AND CONDITIONS"} {
		if !strings.Contains(licence, want) {
			t.Errorf("LICENSE lacks %q: not the full Apache-2.0 text", want)
		}
	}
	notice := readFile(t, "../NOTICE")
	for _, want := range []string{"github.com/argoproj/argocd-example-apps", "0d521c6e049889134f3122eb32d7ed342f43ca0d", "Apache License, Version 2.0"} {
		if !strings.Contains(notice, want) {
			t.Errorf("NOTICE lacks %q", want)
		}
	}
	var copies int
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if !d.IsDir() {
			return nil
		}
		if d.Name() == ".git" || d.Name() == "bin" || d.Name() == "dist" {
			return filepath.SkipDir
		}
		if !exampleApps[d.Name()] || !strings.Contains(filepath.ToSlash(path), "testdata/") {
			return nil
		}
		copies++
		parent, err := filepath.Rel("..", filepath.Dir(path))
		if err != nil {
			return err
		}
		if !strings.Contains(notice, "  "+filepath.ToSlash(parent)+"/") {
			t.Errorf("NOTICE does not list %s/ (it holds a copy of the example app %s)", filepath.ToSlash(parent), d.Name())
		}
		return filepath.SkipDir
	})
	if err != nil {
		t.Fatal(err)
	}
	if copies < 20 {
		t.Errorf("found only %d example app copies; the walk is broken", copies)
	}
}
