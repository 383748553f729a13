// Package chartrepo serves Helm chart repositories for tests: charts packaged by the Helm SDK
// and an index.yaml made by it (repo.IndexDirectory), on 127.0.0.1, optionally behind basic
// auth.
package chartrepo

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"helm.sh/helm/v4/pkg/chart/common"
	chartv2 "helm.sh/helm/v4/pkg/chart/v2"
	chartutil "helm.sh/helm/v4/pkg/chart/v2/util"
	"helm.sh/helm/v4/pkg/repo/v1"
)

// Chart is a chart of the given name and version with files (slash paths relative to the
// chart): values.yaml, templates/..., and any other file (values-prod.yaml, files/x.txt).
func Chart(name, version string, files map[string]string) *chartv2.Chart {
	c := &chartv2.Chart{
		Metadata: &chartv2.Metadata{APIVersion: chartv2.APIVersionV2, Name: name, Version: version, Type: "application"},
	}
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		f := &common.File{Name: n, Data: []byte(files[n])}
		switch {
		case n == "values.yaml":
			c.Raw = append(c.Raw, f)
		case strings.HasPrefix(n, "templates/"):
			c.Templates = append(c.Templates, f)
		default:
			c.Files = append(c.Files, f)
		}
	}
	return c
}

// Repo is a running chart repository.
type Repo struct {
	// URL is the repository URL (http://127.0.0.1:port).
	URL string
	// Dir holds the archives and index.yaml.
	Dir      string
	requests atomic.Int64
}

// Requests is the number of requests served so far.
func (r *Repo) Requests() int { return int(r.requests.Load()) }

// New serves charts; with user set, every request needs basic auth user:pass.
func New(t testing.TB, user, pass string, charts ...*chartv2.Chart) *Repo {
	t.Helper()
	r := &Repo{Dir: t.TempDir()}
	for _, c := range charts {
		if _, err := chartutil.Save(c, r.Dir); err != nil {
			t.Fatal(err)
		}
	}
	files := http.FileServer(http.Dir(r.Dir))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		r.requests.Add(1)
		if user != "" {
			if u, p, ok := req.BasicAuth(); !ok || u != user || p != pass {
				w.WriteHeader(http.StatusUnauthorized)
				return
			}
		}
		files.ServeHTTP(w, req)
	}))
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	idx, err := repo.IndexDirectory(r.Dir, r.URL)
	if err != nil {
		t.Fatal(err)
	}
	if err := idx.WriteFile(filepath.Join(r.Dir, "index.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	return r
}
