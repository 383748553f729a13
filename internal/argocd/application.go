package argocd

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"github.com/wavecheck/wavecheck/internal/manifest"
)

// Application is the part of an Argo CD Application (argoproj.io/v1alpha1) that decides what
// Argo CD renders and how it syncs: its sources with their Helm, Kustomize and directory
// settings, the destination namespace and the sync options. Field names and JSON tags are
// those of Argo CD's pkg/apis/application/v1alpha1 types (v3.6.1); wavecheck keeps its own
// copy so that the product does not import Argo CD.
type Application struct {
	Name      string
	Namespace string
	Spec      ApplicationSpec
}

// ApplicationSpec is spec of an Application.
type ApplicationSpec struct {
	Project     string              `json:"project,omitempty"`
	Source      *ApplicationSource  `json:"source,omitempty"`
	Sources     []ApplicationSource `json:"sources,omitempty"`
	Destination struct {
		Server    string `json:"server,omitempty"`
		Name      string `json:"name,omitempty"`
		Namespace string `json:"namespace,omitempty"`
	} `json:"destination"`
	SyncPolicy *SyncPolicy `json:"syncPolicy,omitempty"`
}

// SyncPolicy is spec.syncPolicy.
type SyncPolicy struct {
	SyncOptions              []string `json:"syncOptions,omitempty"`
	ManagedNamespaceMetadata *struct {
		Labels      map[string]string `json:"labels,omitempty"`
		Annotations map[string]string `json:"annotations,omitempty"`
	} `json:"managedNamespaceMetadata,omitempty"`
}

// ApplicationSource is one source of an Application.
type ApplicationSource struct {
	RepoURL        string                      `json:"repoURL"`
	Path           string                      `json:"path,omitempty"`
	TargetRevision string                      `json:"targetRevision,omitempty"`
	Chart          string                      `json:"chart,omitempty"`
	Ref            string                      `json:"ref,omitempty"`
	Name           string                      `json:"name,omitempty"`
	Helm           *ApplicationSourceHelm      `json:"helm,omitempty"`
	Kustomize      *ApplicationSourceKustomize `json:"kustomize,omitempty"`
	Directory      *ApplicationSourceDirectory `json:"directory,omitempty"`
	Plugin         *json.RawMessage            `json:"plugin,omitempty"`
}

// HelmParameter is an item of spec.source.helm.parameters.
type HelmParameter struct {
	Name        string `json:"name,omitempty"`
	Value       string `json:"value,omitempty"`
	ForceString bool   `json:"forceString,omitempty"`
}

// HelmFileParameter is an item of spec.source.helm.fileParameters.
type HelmFileParameter struct {
	Name string `json:"name,omitempty"`
	Path string `json:"path,omitempty"`
}

// ApplicationSourceHelm is spec.source.helm.
type ApplicationSourceHelm struct {
	ValueFiles              []string            `json:"valueFiles,omitempty"`
	Parameters              []HelmParameter     `json:"parameters,omitempty"`
	ReleaseName             string              `json:"releaseName,omitempty"`
	Values                  string              `json:"values,omitempty"`
	FileParameters          []HelmFileParameter `json:"fileParameters,omitempty"`
	Version                 string              `json:"version,omitempty"`
	PassCredentials         bool                `json:"passCredentials,omitempty"`
	IgnoreMissingValueFiles bool                `json:"ignoreMissingValueFiles,omitempty"`
	SkipCrds                bool                `json:"skipCrds,omitempty"`
	ValuesObject            json.RawMessage     `json:"valuesObject,omitempty"`
	Namespace               string              `json:"namespace,omitempty"`
	KubeVersion             string              `json:"kubeVersion,omitempty"`
	APIVersions             []string            `json:"apiVersions,omitempty"`
	SkipTests               bool                `json:"skipTests,omitempty"`
	SkipSchemaValidation    bool                `json:"skipSchemaValidation,omitempty"`
}

// ValuesJSON is the inline values Argo CD passes as an extra values file, as JSON (a YAML
// subset) or YAML text: valuesObject when set, else values (ApplicationSourceHelm.ValuesYAML,
// pkg/apis/application/v1alpha1/values.go). Empty when neither is set.
func (h *ApplicationSourceHelm) ValuesJSON() string {
	if h == nil {
		return ""
	}
	if len(h.ValuesObject) > 0 && string(h.ValuesObject) != "null" {
		return string(h.ValuesObject)
	}
	return h.Values
}

func (h *ApplicationSourceHelm) isZero() bool {
	return h == nil || h.Version == "" && h.ReleaseName == "" && len(h.ValueFiles) == 0 &&
		len(h.Parameters) == 0 && len(h.FileParameters) == 0 && h.ValuesJSON() == "" &&
		!h.PassCredentials && !h.IgnoreMissingValueFiles && !h.SkipCrds && !h.SkipTests &&
		!h.SkipSchemaValidation && h.KubeVersion == "" && len(h.APIVersions) == 0 && h.Namespace == ""
}

// KustomizeReplica is an item of spec.source.kustomize.replicas; Count is an integer or a
// string holding one (intstr in Argo CD).
type KustomizeReplica struct {
	Name  string          `json:"name"`
	Count json.RawMessage `json:"count"`
}

// IntCount is the replica count (KustomizeReplica.GetIntCount).
func (r KustomizeReplica) IntCount() (int, error) {
	var n int
	if err := json.Unmarshal(r.Count, &n); err == nil {
		return n, nil
	}
	var s string
	if err := json.Unmarshal(r.Count, &s); err != nil {
		return 0, fmt.Errorf("replicas %s: count %s is neither a number nor a string", r.Name, r.Count)
	}
	var v int
	if _, err := fmt.Sscanf(s, "%d", &v); err != nil || fmt.Sprint(v) != s {
		return 0, fmt.Errorf("replicas %s: expected integer value for count, received: %s", r.Name, s)
	}
	return v, nil
}

// ApplicationSourceKustomize is spec.source.kustomize. Patches are kept as JSON values: Argo
// CD appends them to the kustomization's patches as they are.
type ApplicationSourceKustomize struct {
	NamePrefix                string             `json:"namePrefix,omitempty"`
	NameSuffix                string             `json:"nameSuffix,omitempty"`
	Images                    []string           `json:"images,omitempty"`
	CommonLabels              map[string]string  `json:"commonLabels,omitempty"`
	Version                   string             `json:"version,omitempty"`
	CommonAnnotations         map[string]string  `json:"commonAnnotations,omitempty"`
	ForceCommonLabels         bool               `json:"forceCommonLabels,omitempty"`
	ForceCommonAnnotations    bool               `json:"forceCommonAnnotations,omitempty"`
	Namespace                 string             `json:"namespace,omitempty"`
	CommonAnnotationsEnvsubst bool               `json:"commonAnnotationsEnvsubst,omitempty"`
	Replicas                  []KustomizeReplica `json:"replicas,omitempty"`
	Patches                   []json.RawMessage  `json:"patches,omitempty"`
	Components                []string           `json:"components,omitempty"`
	LabelWithoutSelector      bool               `json:"labelWithoutSelector,omitempty"`
	KubeVersion               string             `json:"kubeVersion,omitempty"`
	APIVersions               []string           `json:"apiVersions,omitempty"`
	IgnoreMissingComponents   bool               `json:"ignoreMissingComponents,omitempty"`
	LabelIncludeTemplates     bool               `json:"labelIncludeTemplates,omitempty"`
}

func (k *ApplicationSourceKustomize) isZero() bool {
	return k == nil || k.NamePrefix == "" && k.NameSuffix == "" && k.Version == "" && k.Namespace == "" &&
		len(k.Images) == 0 && len(k.Replicas) == 0 && len(k.CommonLabels) == 0 &&
		len(k.CommonAnnotations) == 0 && len(k.Patches) == 0 && len(k.Components) == 0 &&
		k.KubeVersion == "" && len(k.APIVersions) == 0 && !k.IgnoreMissingComponents
}

// ApplicationSourceDirectory is spec.source.directory.
type ApplicationSourceDirectory struct {
	Recurse                bool            `json:"recurse,omitempty"`
	Jsonnet                json.RawMessage `json:"jsonnet,omitempty"`
	Exclude                string          `json:"exclude,omitempty"`
	Include                string          `json:"include,omitempty"`
	DisableExtensionFilter bool            `json:"disableExtensionFilter,omitempty"`
}

func (d *ApplicationSourceDirectory) jsonnetZero() bool {
	if len(d.Jsonnet) == 0 || string(d.Jsonnet) == "null" {
		return true
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(d.Jsonnet, &m); err != nil {
		return false
	}
	for _, v := range m {
		if s := string(v); s != "null" && s != "[]" && s != "{}" && s != `""` && s != "false" {
			return false
		}
	}
	return true
}

// IsApplication reports whether an object is an Argo CD Application.
func IsApplication(o manifest.Object) bool {
	group, _, _ := strings.Cut(o.APIVersion(), "/")
	return o.Kind() == "Application" && group == "argoproj.io"
}

// ErrNotApplication marks an input that is not an Argo CD Application.
var ErrNotApplication = errors.New("not an Argo CD Application (want apiVersion argoproj.io/v1alpha1, kind Application)")

// ParseApplication reads an Application object. It refuses anything else, an Application
// without a name or without a source, a source with settings of two types (Argo CD's
// ApplicationSource.ExplicitType), and a plugin source (wavecheck renders Argo CD's built-in
// source types). The sources are normalised as Argo CD's controller does before asking the
// repo-server (util/argo.NormalizeSource): empty helm, kustomize and directory settings are
// dropped.
func ParseApplication(o manifest.Object) (*Application, error) {
	if !IsApplication(o) {
		return nil, fmt.Errorf("%w: got %s %s", ErrNotApplication, orNone(o.APIVersion()), orNone(o.Kind()))
	}
	if o.APIVersion() != "argoproj.io/v1alpha1" {
		return nil, fmt.Errorf("application %s: apiVersion %s is not argoproj.io/v1alpha1", o.Name(), o.APIVersion())
	}
	app := &Application{Name: o.Name(), Namespace: o.Namespace()}
	if app.Name == "" {
		return nil, errors.New("application without metadata.name: Argo CD names the Helm release and the tracking after it")
	}
	spec, err := json.Marshal(o.Object["spec"])
	if err != nil {
		return nil, fmt.Errorf("application %s: read spec: %w", app.Name, err)
	}
	dec := json.NewDecoder(strings.NewReader(string(spec)))
	if err := dec.Decode(&app.Spec); err != nil {
		return nil, fmt.Errorf("application %s: read spec: %w", app.Name, err)
	}
	srcs := app.Sources()
	if len(srcs) == 0 {
		return nil, fmt.Errorf("application %s: no spec.source or spec.sources", app.Name)
	}
	for i := range srcs {
		s := &srcs[i]
		normalizeSource(s)
		if s.RepoURL == "" {
			return nil, fmt.Errorf("application %s: %s has no repoURL", app.Name, sourceName(app, i))
		}
		if s.Plugin != nil {
			return nil, fmt.Errorf("application %s: %s uses a config management plugin: render it with the plugin's own command (wavecheck renders Helm, Kustomize and directory sources)", app.Name, sourceName(app, i))
		}
		if _, err := s.ExplicitType(); err != nil {
			return nil, fmt.Errorf("application %s: %s: %w", app.Name, sourceName(app, i), err)
		}
		if s.Directory != nil && !s.Directory.jsonnetZero() {
			return nil, fmt.Errorf("application %s: %s sets directory.jsonnet: jsonnet is not supported", app.Name, sourceName(app, i))
		}
	}
	if app.Spec.Source != nil && len(app.Spec.Sources) == 0 {
		app.Spec.Source = &srcs[0]
	} else {
		app.Spec.Sources = srcs
	}
	return app, nil
}

func orNone(s string) string {
	if s == "" {
		return "(none)"
	}
	return s
}

// sourceName names source i in errors: spec.source, or spec.sources[i].
func sourceName(app *Application, i int) string {
	if app.HasMultipleSources() {
		return fmt.Sprintf("spec.sources[%d]", i)
	}
	return "spec.source"
}

// SourceName is sourceName for callers.
func (a *Application) SourceName(i int) string { return sourceName(a, i) }

// HasMultipleSources reports whether spec.sources is used (it wins over spec.source, as in
// ApplicationSpec.HasMultipleSources).
func (a *Application) HasMultipleSources() bool { return len(a.Spec.Sources) > 0 }

// Sources returns the sources: spec.sources when set, else spec.source
// (ApplicationSpec.GetSources).
func (a *Application) Sources() []ApplicationSource {
	if a.HasMultipleSources() {
		return a.Spec.Sources
	}
	if a.Spec.Source != nil {
		return []ApplicationSource{*a.Spec.Source}
	}
	return nil
}

// DestinationNamespace is spec.destination.namespace.
func (a *Application) DestinationNamespace() string { return a.Spec.Destination.Namespace }

// SyncOptions are spec.syncPolicy.syncOptions.
func (a *Application) SyncOptions() []string {
	if a.Spec.SyncPolicy == nil {
		return nil
	}
	return a.Spec.SyncPolicy.SyncOptions
}

// NormalizeSource drops empty settings (util/argo.NormalizeSource).
func NormalizeSource(s *ApplicationSource) { normalizeSource(s) }

func normalizeSource(s *ApplicationSource) {
	if s.Kustomize.isZero() {
		s.Kustomize = nil
	}
	if s.Helm.isZero() {
		s.Helm = nil
	}
	if d := s.Directory; d != nil && !d.Recurse && d.jsonnetZero() && !d.DisableExtensionFilter {
		if d.Include == "" && d.Exclude == "" {
			s.Directory = nil
		} else {
			s.Directory = &ApplicationSourceDirectory{Include: d.Include, Exclude: d.Exclude}
		}
	}
}

// ExplicitType is the source type the source's settings force: "" when none, an error when
// settings of more than one type are present (ApplicationSource.ExplicitType).
func (s *ApplicationSource) ExplicitType() (string, error) {
	var types []string
	if s.Kustomize != nil {
		types = append(types, SourceKustomize)
	}
	if s.Helm != nil {
		types = append(types, SourceHelm)
	}
	if s.Directory != nil {
		types = append(types, SourceDirectory)
	}
	if s.Plugin != nil {
		types = append(types, "Plugin")
	}
	switch len(types) {
	case 0:
		return "", nil
	case 1:
		return types[0], nil
	}
	return "", fmt.Errorf("multiple application sources defined: %s", strings.Join(types, ","))
}

// IsHelmRepo reports whether the source is a chart of a Helm repository (HTTP or OCI) rather
// than a path of a Git repository: a chart is set (v1alpha1.ApplicationSource.IsHelm; the
// repo-server then resolves targetRevision against the repository, not Git).
func (s *ApplicationSource) IsHelmRepo() bool { return s.Chart != "" }

// IsRefOnly reports whether a source of a multi-source app only provides files to the others
// ($ref/... value files): it has a ref and no path and no chart, so Argo CD renders nothing
// from it (the controller skips such sources).
func (s *ApplicationSource) IsRefOnly() bool {
	return s.Ref != "" && s.Path == "" && s.Chart == ""
}

// Env is the build environment Argo CD substitutes in value file paths, Helm parameters,
// Kustomize images and labels (reposerver/repository.newEnv).
type Env map[string]string

// NewEnv returns the environment of one source of app at revision.
func NewEnv(app *Application, src *ApplicationSource, revision string) Env {
	short, short8 := revision, revision
	if len(short) > 7 {
		short = short[:7]
	}
	if len(short8) > 8 {
		short8 = short8[:8]
	}
	project := app.Spec.Project
	if project == "" {
		project = "default"
	}
	return Env{
		"ARGOCD_APP_NAME":                   app.Name,
		"ARGOCD_APP_NAMESPACE":              app.DestinationNamespace(),
		"ARGOCD_APP_PROJECT_NAME":           project,
		"ARGOCD_APP_REVISION":               revision,
		"ARGOCD_APP_REVISION_SHORT":         short,
		"ARGOCD_APP_REVISION_SHORT_8":       short8,
		"ARGOCD_APP_SOURCE_REPO_URL":        src.RepoURL,
		"ARGOCD_APP_SOURCE_PATH":            src.Path,
		"ARGOCD_APP_SOURCE_TARGET_REVISION": src.TargetRevision,
	}
}

// Subst interpolates $VAR and ${VAR} from the environment, $$ being a literal $; unknown
// variables become empty (v1alpha1.Env.Envsubst, os.Expand).
func (e Env) Subst(s string) string {
	return os.Expand(s, func(v string) string {
		if v == "$" {
			return "$"
		}
		return e[v]
	})
}

// HelmReleaseName is the release name Argo CD gives a Helm source: helm.releaseName, else
// the application name (reposerver/repository.helmTemplate; the namespace part of a
// "ns_name" instance name is dropped by argo.ParseInstanceName).
func HelmReleaseName(app *Application, src *ApplicationSource) string {
	if src.Helm != nil && src.Helm.ReleaseName != "" {
		return src.Helm.ReleaseName
	}
	if _, name, ok := strings.Cut(app.Name, "_"); ok {
		return name
	}
	return app.Name
}

// HelmNamespace is the namespace Argo CD renders a Helm source into: helm.namespace, else
// the destination namespace (ApplicationSource.GetNamespaceOrDefault and helmTemplate).
func HelmNamespace(app *Application, src *ApplicationSource) string {
	if src.Helm != nil && src.Helm.Namespace != "" {
		return src.Helm.Namespace
	}
	return app.DestinationNamespace()
}

// RefName is the source ref a value file or file parameter path points to ("$values" in
// "$values/env/prod.yaml"), or "" (reposerver/repository.getReferencedSourceName).
func RefName(p string) string {
	if !strings.HasPrefix(p, "$") {
		return ""
	}
	name, _, _ := strings.Cut(p, "/")
	return name
}

// Refs maps "$ref" to the sources of a multi-source app that declare that ref.
func (a *Application) Refs() map[string]*ApplicationSource {
	out := map[string]*ApplicationSource{}
	if !a.HasMultipleSources() {
		return out
	}
	for i := range a.Spec.Sources {
		if r := a.Spec.Sources[i].Ref; r != "" {
			out["$"+r] = &a.Spec.Sources[i]
		}
	}
	return out
}

// HasAppSyncOption reports whether the Application's sync options hold opt exactly, as
// SyncOptions.HasOption compares.
func (a *Application) HasAppSyncOption(opt string) bool {
	return slices.Contains(a.SyncOptions(), opt)
}

// RepoKey is the form of a repository URL under which wavecheck matches it to a local
// checkout: lower-cased, without scheme, user, ".git" suffix and trailing slash, and with an
// scp-like "git@host:org/repo" read as "host/org/repo". It is looser than Argo CD's
// util/git.NormalizeGitURL (which keeps the scheme) on purpose: the https and ssh URLs of one
// repository are one checkout.
func RepoKey(u string) string {
	s := strings.ToLower(strings.TrimSpace(u))
	if i := strings.Index(s, "://"); i >= 0 {
		s = s[i+3:]
	} else if at := strings.Index(s, "@"); at >= 0 {
		if c := strings.Index(s[at:], ":"); c >= 0 {
			s = s[:at+c] + "/" + s[at+c+1:]
		}
	}
	if at := strings.Index(s, "@"); at >= 0 && at < strings.Index(s+"/", "/") {
		s = s[at+1:]
	}
	s = strings.TrimSuffix(s, "/")
	s = strings.TrimSuffix(s, ".git")
	return strings.TrimSuffix(s, "/")
}
