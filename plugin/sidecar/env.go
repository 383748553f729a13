// Package sidecar implements wavecheck's side of the Argo CD Config Management Plugin (v2, sidecar)
// contract: it reads the environment the cmp-server gives plugin commands, resolves the plugin
// parameters and settings, discovers apps wavecheck can render, announces parameters and runs
// generation (render, lint, print only the manifests).
package sidecar

import (
	"os"
	"strings"
)

// Env is the environment Argo CD's cmp-server gives a plugin command: its own environment (the
// sidecar's settings), the Application's build environment, the Application's plugin env
// (ARGOCD_ENV_<name>) and its plugin parameters.
type Env struct {
	AppName        string // ARGOCD_APP_NAME
	AppNamespace   string // ARGOCD_APP_NAMESPACE (the destination namespace)
	ProjectName    string // ARGOCD_APP_PROJECT_NAME
	Revision       string // ARGOCD_APP_REVISION
	RevisionShort  string // ARGOCD_APP_REVISION_SHORT
	RevisionShort8 string // ARGOCD_APP_REVISION_SHORT_8
	SourceRepoURL  string // ARGOCD_APP_SOURCE_REPO_URL
	SourcePath     string // ARGOCD_APP_SOURCE_PATH
	TargetRevision string // ARGOCD_APP_SOURCE_TARGET_REVISION
	KubeVersion    string // KUBE_VERSION, e.g. "1.37.0"
	APIVersions    []string
	// App holds the Application's plugin env, ARGOCD_ENV_<name>, keyed by <name>.
	App map[string]string
	// Vars holds every variable, for sidecar-wide settings (WAVECHECK_*) and PARAM_* lookups.
	Vars map[string]string
}

// appEnvPrefix prefixes the Application's plugin env variables.
const appEnvPrefix = "ARGOCD_ENV_"

// ParseEnv reads an environment given as "NAME=value" entries (os.Environ()). Later entries win,
// as with the cmp-server, which appends the request's variables to its own.
func ParseEnv(environ []string) Env {
	vars := make(map[string]string, len(environ))
	for _, kv := range environ {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || k == "" {
			continue
		}
		vars[k] = v
	}
	e := Env{
		AppName:        vars["ARGOCD_APP_NAME"],
		AppNamespace:   vars["ARGOCD_APP_NAMESPACE"],
		ProjectName:    vars["ARGOCD_APP_PROJECT_NAME"],
		Revision:       vars["ARGOCD_APP_REVISION"],
		RevisionShort:  vars["ARGOCD_APP_REVISION_SHORT"],
		RevisionShort8: vars["ARGOCD_APP_REVISION_SHORT_8"],
		SourceRepoURL:  vars["ARGOCD_APP_SOURCE_REPO_URL"],
		SourcePath:     vars["ARGOCD_APP_SOURCE_PATH"],
		TargetRevision: vars["ARGOCD_APP_SOURCE_TARGET_REVISION"],
		KubeVersion:    strings.TrimSpace(vars["KUBE_VERSION"]),
		APIVersions:    splitList(vars["KUBE_API_VERSIONS"], ","),
		App:            map[string]string{},
		Vars:           vars,
	}
	for k, v := range vars {
		if name, ok := strings.CutPrefix(k, appEnvPrefix); ok && name != "" {
			e.App[name] = v
		}
	}
	return e
}

// splitList splits s on sep, trimming spaces and dropping empty items.
func splitList(s, sep string) []string {
	var out []string
	for _, p := range strings.Split(s, sep) {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

// Envsubst expands $VAR and ${VAR} with the Argo CD build environment (ARGOCD_APP_NAME,
// ARGOCD_APP_NAMESPACE, ARGOCD_APP_PROJECT_NAME, ARGOCD_APP_REVISION, ARGOCD_APP_REVISION_SHORT,
// ARGOCD_APP_REVISION_SHORT_8, ARGOCD_APP_SOURCE_REPO_URL, ARGOCD_APP_SOURCE_PATH,
// ARGOCD_APP_SOURCE_TARGET_REVISION) as Argo CD does for Helm values files and parameters:
// other variables expand to "", and $$ is a literal $.
func (e Env) Envsubst(s string) string {
	build := map[string]string{
		"ARGOCD_APP_NAME":                   e.AppName,
		"ARGOCD_APP_NAMESPACE":              e.AppNamespace,
		"ARGOCD_APP_PROJECT_NAME":           e.ProjectName,
		"ARGOCD_APP_REVISION":               e.Revision,
		"ARGOCD_APP_REVISION_SHORT":         e.RevisionShort,
		"ARGOCD_APP_REVISION_SHORT_8":       e.RevisionShort8,
		"ARGOCD_APP_SOURCE_REPO_URL":        e.SourceRepoURL,
		"ARGOCD_APP_SOURCE_PATH":            e.SourcePath,
		"ARGOCD_APP_SOURCE_TARGET_REVISION": e.TargetRevision,
	}
	return os.Expand(s, func(name string) string {
		if name == "$" {
			return "$"
		}
		return build[name]
	})
}
