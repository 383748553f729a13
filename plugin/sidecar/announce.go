package sidecar

import (
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/wavecheck/wavecheck/plugin/render"
)

// Announcement is one parameter announcement, in the JSON shape Argo CD reads from a plugin's
// dynamic parameters command (reposerver/apiclient.ParameterAnnouncement).
type Announcement struct {
	Name           string            `json:"name"`
	Title          string            `json:"title,omitempty"`
	Tooltip        string            `json:"tooltip,omitempty"`
	Required       bool              `json:"required,omitempty"`
	ItemType       string            `json:"itemType,omitempty"`
	CollectionType string            `json:"collectionType,omitempty"`
	String         string            `json:"string,omitempty"`
	Array          []string          `json:"array,omitempty"`
	Map            map[string]string `json:"map,omitempty"`
}

// Announce returns the dynamic parameter announcements for the app in dir: the mode and target
// Argo CD version with the sidecar's defaults, then the parameters of the app's source type
// (Helm: release name, values files found in the chart, inline values, values object, set;
// directory: recurse,
// include, exclude). The parameters that never depend on the app or the sidecar (ignore,
// allow-empty) are static announcements in plugin.yaml; Argo CD lists dynamic ones first.
func Announce(dir string, env Env) []Announcement {
	mode := string(Enforce)
	if m, err := ParseMode(env.Vars[EnvMode]); err == nil {
		mode = string(m)
	}
	anns := []Announcement{
		{
			Name:    ParamMode,
			Title:   "wavecheck mode",
			Tooltip: "enforce: policy errors block manifest generation; warn: report only; off: render only. Default from the sidecar (" + EnvMode + ").",
			String:  mode,
		},
		{
			Name:    ParamArgoCDVersion,
			Title:   "Target Argo CD version",
			Tooltip: "Argo CD version the rules check against, e.g. 3.6 (hook types and options differ between versions). Empty: the sidecar's " + EnvArgoCDVersion + ", else the newest supported.",
			String:  strings.TrimSpace(env.Vars[EnvArgoCDVersion]),
		},
	}
	switch render.Detect(dir) {
	case render.Helm:
		release := env.AppName
		anns = append(anns,
			Announcement{
				Name:    ParamReleaseName,
				Title:   "Helm release name",
				Tooltip: "Release name for the chart. Default: the Application name, as Argo CD uses.",
				String:  release,
			},
			Announcement{
				Name:           ParamValuesFiles,
				Title:          "Helm values files",
				Tooltip:        valuesTooltip(dir),
				CollectionType: CollectionArray,
			},
			Announcement{
				Name:    ParamValues,
				Title:   "Helm inline values",
				Tooltip: "Values YAML applied after the values files.",
			},
			Announcement{
				Name:    ParamValuesObject,
				Title:   "Helm values object",
				Tooltip: "Values as a YAML or JSON object. When set, it is used instead of the inline values, as Argo CD's helm.valuesObject wins over helm.values.",
			},
			Announcement{
				Name:           ParamSet,
				Title:          "Helm parameters",
				Tooltip:        "Values set by key, like helm --set (applied last).",
				CollectionType: CollectionMap,
			},
		)
	case render.Kustomize:
		anns = append(anns,
			Announcement{Name: ParamNamePrefix, Title: "Kustomize name prefix", Tooltip: "Prefix added to every resource name (kustomize edit set nameprefix, as Argo CD's kustomize.namePrefix)."},
			Announcement{Name: ParamNameSuffix, Title: "Kustomize name suffix", Tooltip: "Suffix added to every resource name (kustomize.nameSuffix)."},
			Announcement{Name: ParamNamespace, Title: "Kustomize namespace", Tooltip: "Namespace set on every resource (kustomize edit set namespace, kustomize.namespace)."},
			Announcement{Name: ParamImages, Title: "Kustomize images", Tooltip: "Image overrides, [name=]newName[:tag][@digest] (kustomize edit set image, kustomize.images).", CollectionType: CollectionArray},
			Announcement{Name: ParamCommonLabels, Title: "Kustomize common labels", Tooltip: "Labels added to every resource and selector (kustomize.commonLabels).", CollectionType: CollectionMap},
			Announcement{Name: ParamCommonAnnotations, Title: "Kustomize common annotations", Tooltip: "Annotations added to every resource (kustomize.commonAnnotations).", CollectionType: CollectionMap},
		)
	case render.Directory:
		anns = append(anns,
			Announcement{
				Name:     ParamRecurse,
				Title:    "Recurse into subdirectories",
				ItemType: "boolean",
				String:   "false",
			},
			Announcement{
				Name:    ParamInclude,
				Title:   "Include",
				Tooltip: "Glob of files to include, relative to the app path, e.g. {deploy.yaml,svc/*.yaml}.",
			},
			Announcement{
				Name:    ParamExclude,
				Title:   "Exclude",
				Tooltip: "Glob of files to exclude, relative to the app path.",
			},
		)
	}
	return anns
}

// valuesTooltip describes the values-files parameter, listing the values files found at the
// chart root besides values.yaml (which Helm always applies).
func valuesTooltip(dir string) string {
	const base = "Values files, relative to the chart, applied in order after values.yaml."
	found := FindValuesFiles(dir)
	if len(found) == 0 {
		return base
	}
	return fmt.Sprintf("%s Found in the chart: %s.", base, strings.Join(found, ", "))
}

// FindValuesFiles lists the YAML files at the chart root that can serve as values files: every
// .yaml/.yml file but Chart.yaml, values.yaml, Chart.lock and the Helm 2 requirements files.
func FindValuesFiles(dir string) []string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return nil
	}
	skip := map[string]bool{"Chart.yaml": true, "values.yaml": true, "Chart.lock": true, "requirements.yaml": true, "requirements.lock": true}
	var out []string
	for _, e := range entries {
		n := e.Name()
		if e.IsDir() || skip[n] || strings.HasPrefix(n, ".") {
			continue
		}
		if strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml") {
			out = append(out, n)
		}
	}
	sort.Strings(out)
	return out
}
