package manifest

import (
	"fmt"
	"reflect"
	"slices"
	"strings"
)

// MaxUnstablePaths bounds the fields MarkUnstable records per object: a chart that generates
// a whole certificate bundle differs in many fields, and naming the first few is enough.
const MaxUnstablePaths = 8

// MarkUnstable compares two renders of the same input and sets Unstable on each object of
// first whose value differs in second: the differing leaf fields, or metadata.name when no
// object of second has the same apiVersion, kind, namespace and name (a generated name).
// Objects are matched by identity, not position, so a template that reorders its output is
// not reported. It returns how many objects it marked.
func MarkUnstable(first, second []Object) int {
	byKey := make(map[string][]int, len(second))
	for i, o := range second {
		k := identity(o)
		byKey[k] = append(byKey[k], i)
	}
	seen := make(map[string]int, len(first))
	marked := 0
	for i := range first {
		o := &first[i]
		k := identity(*o)
		n := seen[k]
		seen[k] = n + 1
		idx := byKey[k]
		if n >= len(idx) {
			o.Unstable = []string{"metadata.name"}
			marked++
			continue
		}
		var paths []string
		diffPaths(o.Object, second[idx[n]].Object, "", &paths)
		if len(paths) > 0 {
			slices.Sort(paths)
			if len(paths) > MaxUnstablePaths {
				paths = paths[:MaxUnstablePaths]
			}
			o.Unstable = paths
			marked++
		}
	}
	return marked
}

func identity(o Object) string {
	return o.APIVersion() + "\x00" + o.Kind() + "\x00" + o.Namespace() + "\x00" + o.Name() + "\x00" + o.GenerateName()
}

// diffPaths appends the dotted paths of the leaves where a and b differ (list items as
// path[i]); a subtree present on one side only is one path.
func diffPaths(a, b any, path string, out *[]string) {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			*out = append(*out, orRoot(path))
			return
		}
		keys := make([]string, 0, len(av)+len(bv))
		for k := range av {
			keys = append(keys, k)
		}
		for k := range bv {
			if _, ok := av[k]; !ok {
				keys = append(keys, k)
			}
		}
		slices.Sort(keys)
		for _, k := range keys {
			x, okA := av[k]
			y, okB := bv[k]
			p := join(path, k)
			if !okA || !okB {
				*out = append(*out, p)
				continue
			}
			diffPaths(x, y, p, out)
		}
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			*out = append(*out, orRoot(path))
			return
		}
		for i := range av {
			diffPaths(av[i], bv[i], fmt.Sprintf("%s[%d]", path, i), out)
		}
	default:
		if !reflect.DeepEqual(a, b) {
			*out = append(*out, orRoot(path))
		}
	}
}

// join adds a key to a dotted path, quoting keys that contain a dot (annotation keys).
func join(path, k string) string {
	if strings.ContainsAny(k, ".[]") {
		k = `"` + k + `"`
	}
	if path == "" {
		return k
	}
	return path + "." + k
}

func orRoot(p string) string {
	if p == "" {
		return "."
	}
	return p
}
