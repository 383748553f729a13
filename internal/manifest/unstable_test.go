package manifest

import (
	"slices"
	"testing"
)

func obj(kind, name string, extra map[string]any) Object {
	m := map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{"name": name}}
	for k, v := range extra {
		m[k] = v
	}
	return Object{Object: m}
}

func TestMarkUnstable(t *testing.T) {
	tests := []struct {
		name          string
		first, second []Object
		want          [][]string
	}{
		{
			name:   "identical renders",
			first:  []Object{obj("ConfigMap", "a", map[string]any{"data": map[string]any{"k": "v"}})},
			second: []Object{obj("ConfigMap", "a", map[string]any{"data": map[string]any{"k": "v"}})},
			want:   [][]string{nil},
		},
		{
			name:   "random password",
			first:  []Object{obj("Secret", "s", map[string]any{"data": map[string]any{"password": "abc", "user": "u"}})},
			second: []Object{obj("Secret", "s", map[string]any{"data": map[string]any{"password": "xyz", "user": "u"}})},
			want:   [][]string{{"data.password"}},
		},
		{
			name: "annotation key with dots and a list item",
			first: []Object{obj("Deployment", "d", map[string]any{"spec": map[string]any{"template": map[string]any{
				"metadata": map[string]any{"annotations": map[string]any{"checksum/rollme": "1"}},
				"spec":     map[string]any{"containers": []any{map[string]any{"env": []any{map[string]any{"value": "t1"}}}}},
			}}})},
			second: []Object{obj("Deployment", "d", map[string]any{"spec": map[string]any{"template": map[string]any{
				"metadata": map[string]any{"annotations": map[string]any{"checksum/rollme": "2"}},
				"spec":     map[string]any{"containers": []any{map[string]any{"env": []any{map[string]any{"value": "t2"}}}}},
			}}})},
			want: [][]string{{"spec.template.metadata.annotations.checksum/rollme", "spec.template.spec.containers[0].env[0].value"}},
		},
		{
			name:   "generated name",
			first:  []Object{obj("Job", "migrate-abc12", nil), obj("ConfigMap", "c", nil)},
			second: []Object{obj("Job", "migrate-zzz99", nil), obj("ConfigMap", "c", nil)},
			want:   [][]string{{"metadata.name"}, nil},
		},
		{
			name:   "reordered output is stable",
			first:  []Object{obj("ConfigMap", "a", nil), obj("ConfigMap", "b", nil)},
			second: []Object{obj("ConfigMap", "b", nil), obj("ConfigMap", "a", nil)},
			want:   [][]string{nil, nil},
		},
		{
			name:   "field only in one render and a list that changes length",
			first:  []Object{obj("ConfigMap", "a", map[string]any{"data": map[string]any{"x": "1"}, "list": []any{"a"}})},
			second: []Object{obj("ConfigMap", "a", map[string]any{"data": map[string]any{"y": "1"}, "list": []any{"a", "b"}})},
			want:   [][]string{{"data.x", "data.y", "list"}},
		},
		{
			name:   "duplicates matched in order",
			first:  []Object{obj("ConfigMap", "a", map[string]any{"v": "1"}), obj("ConfigMap", "a", map[string]any{"v": "2"})},
			second: []Object{obj("ConfigMap", "a", map[string]any{"v": "1"}), obj("ConfigMap", "a", map[string]any{"v": "3"})},
			want:   [][]string{nil, {"v"}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			marked := MarkUnstable(tt.first, tt.second)
			wantMarked := 0
			for i, w := range tt.want {
				if w != nil {
					wantMarked++
				}
				if !slices.Equal(tt.first[i].Unstable, w) {
					t.Errorf("object %d: unstable %q, want %q", i, tt.first[i].Unstable, w)
				}
			}
			if marked != wantMarked {
				t.Errorf("marked %d, want %d", marked, wantMarked)
			}
		})
	}
}

func TestMarkUnstableCapsPaths(t *testing.T) {
	a, b := map[string]any{}, map[string]any{}
	for i := range 20 {
		k := string(rune('a' + i))
		a[k], b[k] = "1", "2"
	}
	first := []Object{obj("ConfigMap", "c", map[string]any{"data": a})}
	MarkUnstable(first, []Object{obj("ConfigMap", "c", map[string]any{"data": b})})
	if len(first[0].Unstable) != MaxUnstablePaths || first[0].Unstable[0] != "data.a" {
		t.Errorf("unstable = %q, want the first %d paths", first[0].Unstable, MaxUnstablePaths)
	}
}
