package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// unit is one group of related objects; every unit has unitSize objects.
const unitSize = 10

// Generate writes the three app variants of n objects under out.
func Generate(out string, n int) error {
	units := n / unitSize
	waves := 10 + units%21 // 10-30 waves depending on size
	if waves > units {
		waves = units
	}
	var docs []doc
	crds := units/10 + 1
	for c := 0; c < crds; c++ {
		docs = append(docs, crd(c))
	}
	for u := 0; len(docs) < n; u++ {
		w := u%waves - waves/4 // some negative waves
		for _, d := range unit(u, w, crds) {
			if len(docs) == n {
				break
			}
			docs = append(docs, d)
		}
	}
	if err := writeDir(filepath.Join(out, "dir"), docs); err != nil {
		return err
	}
	if err := writeKustomize(filepath.Join(out, "kustomize"), docs); err != nil {
		return err
	}
	return writeHelm(filepath.Join(out, "helm"), docs)
}

// doc is one manifest; group names the file (or template) it is written to.
type doc struct {
	group string
	yaml  string
}

func crd(c int) doc {
	return doc{group: "crds", yaml: fmt.Sprintf(`apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets%d.bench.example.com
  annotations:
    argocd.argoproj.io/sync-wave: "-10"
spec:
  group: bench.example.com
  names:
    kind: Widget%d
    plural: widgets%d
    singular: widget%d
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        x-kubernetes-preserve-unknown-fields: true
`, c, c, c, c)}
}

// unit returns ten objects: 2 hooks (20 %) and 8 regular resources.
func unit(u, wave, crds int) []doc {
	g := fmt.Sprintf("unit-%04d", u/10)
	name := fmt.Sprintf("svc%04d", u)
	w := fmt.Sprintf("%q", fmt.Sprint(wave))
	return []doc{
		{g, fmt.Sprintf(`apiVersion: v1
kind: ServiceAccount
metadata:
  name: %[1]s
  annotations:
    argocd.argoproj.io/sync-wave: %[2]s
`, name, w)},
		{g, fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s-config
  annotations:
    argocd.argoproj.io/sync-wave: %[2]s
data:
  LOG_LEVEL: info
  FEATURE_FLAGS: "a,b,c"
  config.yaml: |
    server:
      port: 8080
      name: %[1]s
`, name, w)},
		{g, fmt.Sprintf(`apiVersion: v1
kind: Secret
metadata:
  name: %[1]s-creds
  annotations:
    argocd.argoproj.io/sync-wave: %[2]s
type: Opaque
stringData:
  password: not-a-secret
`, name, w)},
		{g, fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata:
  name: %[1]s
  annotations:
    argocd.argoproj.io/sync-wave: %[2]s
spec:
  replicas: 2
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
  template:
    metadata:
      labels:
        app.kubernetes.io/name: %[1]s
    spec:
      serviceAccountName: %[1]s
      containers:
      - name: app
        image: registry.example.com/%[1]s:1.0.0
        ports:
        - containerPort: 8080
        envFrom:
        - configMapRef:
            name: %[1]s-config
        - secretRef:
            name: %[1]s-creds
        resources:
          requests:
            cpu: 100m
            memory: 128Mi
        readinessProbe:
          httpGet:
            path: /healthz
            port: 8080
`, name, w)},
		{g, fmt.Sprintf(`apiVersion: v1
kind: Service
metadata:
  name: %[1]s
  annotations:
    argocd.argoproj.io/sync-wave: %[2]s
spec:
  selector:
    app.kubernetes.io/name: %[1]s
  ports:
  - port: 80
    targetPort: 8080
`, name, w)},
		{g, fmt.Sprintf(`apiVersion: policy/v1
kind: PodDisruptionBudget
metadata:
  name: %[1]s
  annotations:
    argocd.argoproj.io/sync-wave: %[2]s
spec:
  minAvailable: 1
  selector:
    matchLabels:
      app.kubernetes.io/name: %[1]s
`, name, w)},
		{g, fmt.Sprintf(`apiVersion: bench.example.com/v1
kind: Widget%[3]d
metadata:
  name: %[1]s
  annotations:
    argocd.argoproj.io/sync-wave: %[2]s
spec:
  size: 3
`, name, w, u%crds)},
		{g, fmt.Sprintf(`apiVersion: v1
kind: ConfigMap
metadata:
  name: %[1]s-extra
  annotations:
    argocd.argoproj.io/sync-wave: %[2]s
data:
  key: value
`, name, w)},
		{g, hookJob(name+"-migrate", "PreSync", "BeforeHookCreation,HookSucceeded")},
		{g, hookJob(name+"-smoke", "PostSync", "HookSucceeded")},
	}
}

func hookJob(name, phase, policy string) string {
	return fmt.Sprintf(`apiVersion: batch/v1
kind: Job
metadata:
  name: %[1]s
  annotations:
    argocd.argoproj.io/hook: %[2]s
    argocd.argoproj.io/hook-delete-policy: %[3]s
spec:
  backoffLimit: 1
  activeDeadlineSeconds: 300
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: job
        image: registry.example.com/tools:1.0.0
        command: ["sh", "-c", "echo %[1]s"]
`, name, phase, policy)
}

// groups returns the group names in first-seen order and the documents of each.
func groups(docs []doc) ([]string, map[string][]string) {
	var order []string
	by := map[string][]string{}
	for _, d := range docs {
		if _, ok := by[d.group]; !ok {
			order = append(order, d.group)
		}
		by[d.group] = append(by[d.group], d.yaml)
	}
	return order, by
}

func writeDir(dir string, docs []doc) error {
	order, by := groups(docs)
	for _, g := range order {
		if err := write(filepath.Join(dir, g+".yaml"), strings.Join(by[g], "---\n")); err != nil {
			return err
		}
	}
	return nil
}

func writeKustomize(dir string, docs []doc) error {
	order, by := groups(docs)
	var res []string
	for _, g := range order {
		if err := write(filepath.Join(dir, "base", g+".yaml"), strings.Join(by[g], "---\n")); err != nil {
			return err
		}
		res = append(res, "- "+g+".yaml")
	}
	base := "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n" + strings.Join(res, "\n") + "\n"
	if err := write(filepath.Join(dir, "base", "kustomization.yaml"), base); err != nil {
		return err
	}
	overlay := `apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: bench
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
`
	return write(filepath.Join(dir, "overlay", "kustomization.yaml"), overlay)
}

func writeHelm(dir string, docs []doc) error {
	order, by := groups(docs)
	chart := "apiVersion: v2\nname: bench\nversion: 0.1.0\n"
	if err := write(filepath.Join(dir, "Chart.yaml"), chart); err != nil {
		return err
	}
	if err := write(filepath.Join(dir, "values.yaml"), "replicas: 3\npartOf: bench\n"); err != nil {
		return err
	}
	for _, g := range order {
		t := strings.Join(by[g], "---\n")
		// Make the templates do a little templating work, like real charts.
		t = strings.ReplaceAll(t, "replicas: 2", "replicas: {{ .Values.replicas }}")
		t = strings.ReplaceAll(t, "metadata:\n  name:", "metadata:\n  labels:\n    app.kubernetes.io/part-of: {{ .Values.partOf | quote }}\n    app.kubernetes.io/instance: {{ .Release.Name }}\n  name:")
		if err := write(filepath.Join(dir, "templates", g+".yaml"), t); err != nil {
			return err
		}
	}
	return nil
}

func write(path, content string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}
