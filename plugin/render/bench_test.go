package render

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// benchStream returns a YAML stream of n realistic manifests: per group of five a ConfigMap, a
// Deployment, a Service, a custom resource and a PreSync hook Job, spread over ten waves.
func benchStream(n int) []byte {
	var b strings.Builder
	for i := 0; i < n; i++ {
		if i > 0 {
			b.WriteString("---\n")
		}
		name, wave := fmt.Sprintf("svc%05d", i/5), fmt.Sprint(i%10)
		switch i % 5 {
		case 0:
			fmt.Fprintf(&b, `apiVersion: v1
kind: ConfigMap
metadata:
  name: %s-config
  annotations:
    argocd.argoproj.io/sync-wave: %q
data:
  LOG_LEVEL: info
  config.yaml: |
    server:
      port: 8080
`, name, wave)
		case 1:
			fmt.Fprintf(&b, `apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  labels: {app.kubernetes.io/name: %[1]s}
  annotations:
    argocd.argoproj.io/sync-wave: %[2]q
spec:
  replicas: 2
  selector:
    matchLabels: {app.kubernetes.io/name: %[1]s}
  template:
    metadata:
      labels: {app.kubernetes.io/name: %[1]s}
    spec:
      containers:
      - name: app
        image: registry.example.com/%[1]s:1.0.0
        ports: [{containerPort: 8080}]
        envFrom: [{configMapRef: {name: %[1]s-config}}]
        resources:
          requests: {cpu: 100m, memory: 128Mi}
`, name, wave)
		case 2:
			fmt.Fprintf(&b, `apiVersion: v1
kind: Service
metadata:
  name: %s
  annotations:
    argocd.argoproj.io/sync-wave: %q
spec:
  ports:
  - port: 80
    targetPort: 8080
`, name, wave)
		case 3:
			fmt.Fprintf(&b, `apiVersion: bench.example.com/v1
kind: Widget
metadata:
  name: %s
  annotations:
    argocd.argoproj.io/sync-wave: %q
spec:
  size: 3
  ratio: 0.5
  enabled: true
`, name, wave)
		default:
			fmt.Fprintf(&b, `apiVersion: batch/v1
kind: Job
metadata:
  name: %s-migrate
  annotations:
    argocd.argoproj.io/hook: PreSync
    argocd.argoproj.io/hook-delete-policy: BeforeHookCreation
spec:
  backoffLimit: 1
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: job
        image: registry.example.com/tools:1.0.0
        command: ["sh", "-c", "echo migrate"]
`, name)
		}
	}
	return []byte(b.String())
}

// BenchmarkDecode measures the YAML decode every source type goes through: splitting a stream
// into documents and decoding each into an object (YAML to JSON to map, integers as int64).
func BenchmarkDecode(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		data := benchStream(n)
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				objs, err := decodeStream(data, "bench.yaml", true, DefaultMaxFileBytes)
				if err != nil {
					b.Fatal(err)
				}
				if len(objs) != n {
					b.Fatalf("decoded %d objects, want %d", len(objs), n)
				}
			}
		})
	}
}

// BenchmarkDecodeWritten decodes what render.Write prints for the same objects: block style
// only, the shape of Helm's and kustomize's output, which the YAML fast path decodes.
func BenchmarkDecodeWritten(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		objs, err := decodeStream(benchStream(n), "bench.yaml", true, DefaultMaxFileBytes)
		if err != nil {
			b.Fatal(err)
		}
		var buf bytes.Buffer
		if err := Write(&buf, objs); err != nil {
			b.Fatal(err)
		}
		data := buf.Bytes()
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			b.SetBytes(int64(len(data)))
			b.ReportAllocs()
			for b.Loop() {
				out, err := decodeStream(data, "bench.yaml", true, DefaultMaxFileBytes)
				if err != nil {
					b.Fatal(err)
				}
				if len(out) != n {
					b.Fatalf("decoded %d objects, want %d", len(out), n)
				}
			}
		})
	}
}

// BenchmarkRenderDirectory measures a whole directory render (walk, bounds, decode) of a
// plain-directory app of 20 files.
func BenchmarkRenderDirectory(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		dir := b.TempDir()
		if err := os.Mkdir(filepath.Join(dir, ".git"), 0o755); err != nil {
			b.Fatal(err)
		}
		docs := strings.Split(string(benchStream(n)), "---\n")
		const files = 20
		for f := 0; f < files; f++ {
			var part []string
			for i := f; i < len(docs); i += files {
				part = append(part, docs[i])
			}
			if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("f%02d.yaml", f)), []byte(strings.Join(part, "---\n")), 0o644); err != nil {
				b.Fatal(err)
			}
		}
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				res, err := Render(context.Background(), dir, Options{})
				if err != nil {
					b.Fatal(err)
				}
				if len(res.Objects) != n {
					b.Fatalf("rendered %d objects, want %d", len(res.Objects), n)
				}
			}
		})
	}
}

// BenchmarkWrite measures printing a rendered app as a YAML stream (what render and generate
// print on stdout).
func BenchmarkWrite(b *testing.B) {
	for _, n := range []int{50, 500, 5000} {
		objs, err := decodeStream(benchStream(n), "bench.yaml", true, DefaultMaxFileBytes)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(fmt.Sprintf("objects=%d", n), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if err := Write(io.Discard, objs); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkRenderKustomize measures a Kustomize render of an overlay (namespace, label and
// patch) over a base of 5 resource files, with sources found by replaying the build (what
// Render does) and, for comparison, from kustomize's origin annotations.
func BenchmarkRenderKustomize(b *testing.B) {
	const n = 500
	root := b.TempDir()
	if err := os.Mkdir(filepath.Join(root, ".git"), 0o755); err != nil {
		b.Fatal(err)
	}
	docs := strings.Split(string(benchStream(n)), "---\n")
	const files = 5
	kust := "resources:\n"
	for f := 0; f < files; f++ {
		name := fmt.Sprintf("unit-%d.yaml", f)
		part := docs[f*len(docs)/files : (f+1)*len(docs)/files]
		if err := os.MkdirAll(filepath.Join(root, "base"), 0o755); err != nil {
			b.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(root, "base", name), []byte(strings.Join(part, "---\n")), 0o644); err != nil {
			b.Fatal(err)
		}
		kust += "- " + name + "\n"
	}
	if err := os.WriteFile(filepath.Join(root, "base", "kustomization.yaml"), []byte(kust), 0o644); err != nil {
		b.Fatal(err)
	}
	overlay := filepath.Join(root, "overlay")
	if err := os.Mkdir(overlay, 0o755); err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(overlay, "kustomization.yaml"), []byte(`namespace: bench
resources:
- ../base
labels:
- pairs:
    app.kubernetes.io/part-of: bench
patches:
- target:
    kind: Deployment
  patch: |-
    - op: replace
      path: /spec/replicas
      value: 3
`), 0o644); err != nil {
		b.Fatal(err)
	}
	for _, tc := range []struct {
		sources string
		replay  bool
	}{{"replay", true}, {"origin", false}} {
		b.Run(fmt.Sprintf("objects=%d/sources=%s", n, tc.sources), func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				bnd := &bounds{root: root, maxFile: DefaultMaxFileBytes, maxTotal: DefaultMaxTotalBytes}
				objs, err := buildKustomize(context.Background(), bnd, overlay, Options{}, tc.replay)
				if err != nil {
					b.Fatal(err)
				}
				if len(objs) != n {
					b.Fatalf("rendered %d objects, want %d", len(objs), n)
				}
			}
		})
	}
}
