// Package manifest is wavecheck's object model: one rendered Kubernetes object as the renderer
// produced it, and where it came from. It is a leaf: the renderer (plugin/render), the linter
// (policy) and the replay (engine) all import it, and it imports only the standard library.
package manifest

import "fmt"

// Object is one rendered Kubernetes object, kept exactly as rendered (JSON-compatible values:
// map[string]any, []any, string, int64, float64, bool, nil), so that annotation values that are
// not strings stay visible to the linter.
type Object struct {
	Object map[string]any `json:"object"`
	Source Source         `json:"source"`
	// Unstable are the fields (dotted paths, e.g. data.password) whose values differ between
	// two renders of the same input, set by the pipeline's determinism check (MarkUnstable);
	// "metadata.name" when the object is missing from the second render. Empty otherwise.
	Unstable []string `json:"unstable,omitempty"`
}

// Source says where an object came from.
type Source struct {
	// File is relative to the repository root, slash-separated. For Helm it is the template
	// path inside the chart as Helm reports it (e.g. "mychart/templates/job.yaml").
	File string `json:"file,omitempty"`
	// Line is the 1-based line of the document in File (plain YAML only; 0 when unknown).
	Line int `json:"line,omitempty"`
	// Doc is the 0-based index of the document in File.
	Doc int `json:"doc"`
}

func (s Source) String() string {
	if s.Line > 0 {
		return fmt.Sprintf("%s:%d", s.File, s.Line)
	}
	return s.File
}

// APIVersion returns the object's apiVersion.
func (o Object) APIVersion() string { return str(o.Object["apiVersion"]) }

// Kind returns the object's kind.
func (o Object) Kind() string { return str(o.Object["kind"]) }

// Name returns metadata.name.
func (o Object) Name() string { return str(o.metadata()["name"]) }

// GenerateName returns metadata.generateName.
func (o Object) GenerateName() string { return str(o.metadata()["generateName"]) }

// Namespace returns metadata.namespace.
func (o Object) Namespace() string { return str(o.metadata()["namespace"]) }

// Annotations returns metadata.annotations with values exactly as rendered (a value may be a
// number or a boolean when the YAML left it unquoted).
func (o Object) Annotations() map[string]any {
	a, _ := o.metadata()["annotations"].(map[string]any)
	return a
}

// Labels returns metadata.labels as rendered.
func (o Object) Labels() map[string]any {
	l, _ := o.metadata()["labels"].(map[string]any)
	return l
}

// Location is where the object was rendered from, "file:line" (or "file" when the line is
// unknown), for messages.
func (o Object) Location() string { return o.Source.String() }

// Ref is "Kind/name" (or "Kind/generateName*" for generated names), for messages.
func (o Object) Ref() string {
	name := o.Name()
	if name == "" && o.GenerateName() != "" {
		name = o.GenerateName() + "*"
	}
	return o.Kind() + "/" + name
}

func (o Object) metadata() map[string]any {
	m, _ := o.Object["metadata"].(map[string]any)
	return m
}

func str(v any) string {
	s, _ := v.(string)
	return s
}
