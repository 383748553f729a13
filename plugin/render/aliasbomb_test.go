package render

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// stringBomb is a YAML mapping (indented by indent spaces, without a leading key) whose
// aliases all repeat one size-byte string: levels levels of 10 aliases each, 10^levels
// copies, with few aliases (10*levels) and a small file.
func stringBomb(size, levels int, indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sl0: &l0 %q\n", indent, strings.Repeat("x", size))
	for l := 1; l <= levels; l++ {
		prev := fmt.Sprintf("*l%d", l-1)
		fmt.Fprintf(&b, "%sl%d: &l%d [%s]\n", indent, l, l, strings.TrimSuffix(strings.Repeat(prev+",", 10), ","))
	}
	return b.String()
}

// laughs is the classic billion laughs: 9 levels of 9 aliases to a short string.
func laughs(indent string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "%sa0: &a0 \"lol\"\n", indent)
	for l := 1; l <= 9; l++ {
		prev := fmt.Sprintf("*a%d", l-1)
		fmt.Fprintf(&b, "%sa%d: &a%d [%s]\n", indent, l, l, strings.TrimSuffix(strings.Repeat(prev+",", 9), ","))
	}
	return b.String()
}

func TestAliasExpansionMeasure(t *testing.T) {
	tests := []struct {
		name    string
		doc     string
		limit   int64
		wantErr bool
	}{
		{"no aliases", "a: 1\nb: [x, y]\n", 100, false},
		{"star and ampersand in strings only", "cmd: 'ls *.txt && echo'\n", 100, false},
		{"small anchors reused", "base: &b {a: 1, b: 2}\nx: *b\ny: *b\n", 1 << 20, false},
		{"merge keys", "base: &b {a: 1}\nx:\n  <<: *b\n  c: 2\n", 1 << 20, false},
		{"one level of a large string", stringBomb(100_000, 1, ""), 2 << 20, false},
		{"two levels of a large string", stringBomb(100_000, 2, ""), 8 << 20, true},
		{"three levels of a large string", stringBomb(100_000, 3, ""), 8 << 20, true},
		{"billion laughs", laughs(""), 8 << 20, true},
		{"bomb in the second document", "a: 1\n---\n" + laughs(""), 8 << 20, true},
		{"bomb in an inline patch string", "patches:\n- patch: |\n" + laughs("    "), 8 << 20, true},
		{"not YAML to the 1.2 parser", "a: &a [\n*a *a", 100, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			start := time.Now()
			err := checkAliasExpansion([]byte(tc.doc), tc.limit)
			if (err != nil) != tc.wantErr {
				t.Fatalf("checkAliasExpansion = %v, want error %v", err, tc.wantErr)
			}
			if err != nil && !errors.Is(err, ErrAliasBomb) {
				t.Errorf("error %v is not ErrAliasBomb", err)
			}
			if d := time.Since(start); d > 2*time.Second {
				t.Errorf("took %v", d)
			}
		})
	}
}

// TestAliasBombsRefusedEverywhere feeds a string bomb (few aliases, a large string: it passes
// the alias count) and a billion laughs through every YAML entry point of every source type.
func TestAliasBombsRefusedEverywhere(t *testing.T) {
	const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: cm\n"
	strBomb := stringBomb(100_000, 3, "  ")
	bombObj := func(body string) string { return cm + "bomb:\n" + body }
	chart := "apiVersion: v2\nname: c\nversion: 0.1.0\n"
	tmpl := "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\ndata:\n  n: {{ len .Values | quote }}\n"
	tests := []struct {
		name  string
		files map[string]string
		opts  Options
		file  string
	}{
		{"directory file", map[string]string{"app/cm.yaml": bombObj(strBomb)}, Options{}, "app/cm.yaml"},
		{"directory billion laughs", map[string]string{"app/cm.yaml": bombObj(laughs("  "))}, Options{}, "app/cm.yaml"},
		{"kustomization.yaml", map[string]string{"app/kustomization.yaml": "resources: []\nx:\n" + strBomb}, Options{}, "app/kustomization.yaml"},
		{"kustomize resource", map[string]string{
			"app/kustomization.yaml": "resources:\n- cm.yaml\n",
			"app/cm.yaml":            bombObj(strBomb),
		}, Options{}, "app/cm.yaml"},
		{"kustomize resource in a base", map[string]string{
			"app/kustomization.yaml":  "resources:\n- ../base\n",
			"base/kustomization.yaml": "resources:\n- cm.yaml\n",
			"base/cm.yaml":            bombObj(laughs("  ")),
		}, Options{}, "base/cm.yaml"},
		{"kustomize patch file", map[string]string{
			"app/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- path: p.yaml\n",
			"app/cm.yaml":            cm,
			"app/p.yaml":             bombObj(strBomb),
		}, Options{}, "app/p.yaml"},
		{"kustomize inline patch", map[string]string{
			"app/kustomization.yaml": "resources:\n- cm.yaml\npatches:\n- patch: |\n    apiVersion: v1\n    kind: ConfigMap\n    metadata:\n      name: cm\n    bomb:\n" + stringBomb(100_000, 3, "      "),
			"app/cm.yaml":            cm,
		}, Options{}, "app/kustomization.yaml"},
		{"kustomize generator file", map[string]string{
			"app/kustomization.yaml": "configMapGenerator:\n- name: g\n  files:\n  - f.yaml\n",
			"app/f.yaml":             strBomb,
		}, Options{}, "app/f.yaml"},
		{"chart values.yaml", map[string]string{
			"app/Chart.yaml": chart, "app/templates/cm.yaml": tmpl, "app/values.yaml": strBomb,
		}, Options{}, "app/values.yaml"},
		{"chart Chart.yaml", map[string]string{
			"app/Chart.yaml": chart + "annotations:\n  x: y\nbomb:\n" + strBomb, "app/templates/cm.yaml": tmpl,
		}, Options{}, "app/Chart.yaml"},
		{"chart file read by a template", map[string]string{
			"app/Chart.yaml": chart, "app/templates/cm.yaml": tmpl, "app/files/data.yaml": laughs(""),
		}, Options{}, "app/files/data.yaml"},
		{"helm values file", map[string]string{
			"app/Chart.yaml": chart, "app/templates/cm.yaml": tmpl, "vals/bomb.yaml": strBomb,
		}, Options{ValueFiles: []string{"../vals/bomb.yaml"}}, "vals/bomb.yaml"},
		{"helm inline values parameter", map[string]string{
			"app/Chart.yaml": chart, "app/templates/cm.yaml": tmpl,
		}, Options{Values: strBomb}, "inline values"},
		{"helm template output", map[string]string{
			// The template is not YAML before rendering (the braces): its output is.
			"app/Chart.yaml":        chart,
			"app/templates/cm.yaml": "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: c\nbomb:\n{{- /* a comment */}}\n" + stringBomb(100_000, 2, "  "),
		}, Options{}, "templates/cm.yaml"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			withoutHelm(t, tc.files)
			root := t.TempDir()
			for p, c := range tc.files {
				writeFile(t, filepath.Join(root, p), c)
			}
			opts := tc.opts
			opts.RepoRoot = root
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			start := time.Now()
			_, err := Render(ctx, filepath.Join(root, "app"), opts)
			if !errors.Is(err, ErrAliasBomb) {
				t.Fatalf("Render error = %v, want an alias bomb refusal", err)
			}
			if !strings.Contains(err.Error(), tc.file) {
				t.Errorf("error %q does not name %s", err, tc.file)
			}
			if d := time.Since(start); d > 5*time.Second {
				t.Errorf("refusal took %v", d)
			}
		})
	}
}
