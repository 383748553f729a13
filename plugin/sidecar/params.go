package sidecar

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
)

// Plugin parameter names, as set on an Application's spec.source.plugin.parameters.
const (
	ParamMode          = "mode"
	ParamIgnore        = "ignore"
	ParamArgoCDVersion = "argocd-version"
	ParamTracking      = "tracking-method"
	ParamAllowEmpty    = "allow-empty"
	ParamReleaseName   = "release-name"
	ParamValuesFiles   = "values-files"
	ParamValues        = "values"
	// ParamValuesObject is Argo CD's helm.valuesObject: a YAML (or JSON) object that, when
	// set, replaces the values parameter (ApplicationSourceHelm.ValuesYAML).
	ParamValuesObject = "values-object"
	ParamSet          = "set"
	ParamRecurse      = "recurse"
	ParamInclude      = "include"
	ParamExclude      = "exclude"
	// Kustomize parameters: Argo CD's spec.source.kustomize fields of the same names.
	ParamNamePrefix        = "name-prefix"
	ParamNameSuffix        = "name-suffix"
	ParamNamespace         = "namespace"
	ParamImages            = "images"
	ParamCommonLabels      = "common-labels"
	ParamCommonAnnotations = "common-annotations"
)

// Collection types of a parameter, as in Argo CD's parameter announcements.
const (
	CollectionString = "string"
	CollectionArray  = "array"
	CollectionMap    = "map"
)

// paramTypes lists every parameter wavecheck understands with its collection type.
var paramTypes = map[string]string{
	ParamMode:              CollectionString,
	ParamIgnore:            CollectionArray,
	ParamArgoCDVersion:     CollectionString,
	ParamTracking:          CollectionString,
	ParamAllowEmpty:        CollectionString,
	ParamReleaseName:       CollectionString,
	ParamValuesFiles:       CollectionArray,
	ParamValues:            CollectionString,
	ParamValuesObject:      CollectionString,
	ParamSet:               CollectionMap,
	ParamRecurse:           CollectionString,
	ParamInclude:           CollectionString,
	ParamExclude:           CollectionString,
	ParamNamePrefix:        CollectionString,
	ParamNameSuffix:        CollectionString,
	ParamNamespace:         CollectionString,
	ParamImages:            CollectionArray,
	ParamCommonLabels:      CollectionMap,
	ParamCommonAnnotations: CollectionMap,
}

// Param is one plugin parameter set on the Application, in the ARGOCD_APP_PARAMETERS shape.
// Exactly the fields that were set are non-nil.
type Param struct {
	Name   string            `json:"name"`
	String *string           `json:"string,omitempty"`
	Array  []string          `json:"array,omitempty"`
	Map    map[string]string `json:"map,omitempty"`

	hasArray, hasMap bool
}

// UnmarshalJSON records whether "array" and "map" were present, so an empty array set on purpose
// is told apart from an absent one.
func (p *Param) UnmarshalJSON(b []byte) error {
	var raw struct {
		Name   string             `json:"name"`
		String *string            `json:"string"`
		Array  *[]string          `json:"array"`
		Map    *map[string]string `json:"map"`
	}
	if err := json.Unmarshal(b, &raw); err != nil {
		return err
	}
	*p = Param{Name: raw.Name, String: raw.String}
	if raw.Array != nil {
		p.Array, p.hasArray = *raw.Array, true
	}
	if raw.Map != nil {
		p.Map, p.hasMap = *raw.Map, true
	}
	return nil
}

// Params are the plugin parameters set on the Application, by name.
type Params map[string]Param

// ParseParams reads the parameters from ARGOCD_APP_PARAMETERS (a JSON array) when it is set,
// otherwise from the PARAM_<NAME> and PARAM_<NAME>_<i> variables (string and array parameters
// only: map keys are upper-cased and mangled by Argo CD, so they cannot be recovered). An unknown
// parameter name or a value of the wrong collection type is an error: a typo must not be ignored
// silently.
func ParseParams(vars map[string]string) (Params, error) {
	ps := Params{}
	if raw, ok := vars["ARGOCD_APP_PARAMETERS"]; ok && strings.TrimSpace(raw) != "" {
		var list []Param
		if err := json.Unmarshal([]byte(raw), &list); err != nil {
			return nil, fmt.Errorf("parse ARGOCD_APP_PARAMETERS: %w", err)
		}
		for _, p := range list {
			set, err := checkParam(p)
			if err != nil {
				return nil, err
			}
			if set {
				ps[p.Name] = p
			}
		}
		return ps, nil
	}
	for name, typ := range paramTypes {
		base := "PARAM_" + escapeParamName(name)
		switch typ {
		case CollectionString:
			if v, ok := vars[base]; ok {
				ps[name] = Param{Name: name, String: &v}
			}
		case CollectionArray:
			var arr []string
			for i := 0; ; i++ {
				v, ok := vars[base+"_"+strconv.Itoa(i)]
				if !ok {
					break
				}
				arr = append(arr, v)
			}
			if arr != nil {
				ps[name] = Param{Name: name, Array: arr, hasArray: true}
			}
		}
	}
	return ps, nil
}

// checkParam validates a parameter's name and collection type. A parameter listed with no value
// at all is reported as not set.
func checkParam(p Param) (set bool, err error) {
	typ, ok := paramTypes[p.Name]
	if !ok {
		return false, fmt.Errorf("parse plugin parameters: unknown parameter %q (known: %s)", p.Name, strings.Join(knownParams(), ", "))
	}
	var got []string
	if p.String != nil {
		got = append(got, CollectionString)
	}
	if p.hasArray || p.Array != nil {
		got = append(got, CollectionArray)
	}
	if p.hasMap || p.Map != nil {
		got = append(got, CollectionMap)
	}
	switch {
	case len(got) == 0:
		return false, nil
	case len(got) != 1 || got[0] != typ:
		return false, fmt.Errorf("parse plugin parameters: parameter %q must be set as a %s, got %s", p.Name, typ, strings.Join(got, " and "))
	}
	return true, nil
}

func knownParams() []string {
	names := make([]string, 0, len(paramTypes))
	for n := range paramTypes {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

var invalidParamChar = regexp.MustCompile(`[^A-Z0-9_]`)

// escapeParamName turns a parameter name into its PARAM_ variable suffix as Argo CD does.
func escapeParamName(name string) string {
	return invalidParamChar.ReplaceAllString(strings.ToUpper(name), "_")
}

// String returns a string parameter's value.
func (ps Params) String(name string) (string, bool) {
	p, ok := ps[name]
	if !ok || p.String == nil {
		return "", false
	}
	return *p.String, true
}

// Array returns an array parameter's value.
func (ps Params) Array(name string) ([]string, bool) {
	p, ok := ps[name]
	if !ok || (!p.hasArray && p.Array == nil) {
		return nil, false
	}
	return slices.Clone(p.Array), true
}

// Map returns a map parameter's value.
func (ps Params) Map(name string) (map[string]string, bool) {
	p, ok := ps[name]
	if !ok || (!p.hasMap && p.Map == nil) {
		return nil, false
	}
	return p.Map, true
}
