package engine

import (
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

func TestCheckRefs(t *testing.T) {
	mk := func(kind, name, gen string) object {
		u := &unstructured.Unstructured{Object: map[string]any{"apiVersion": "v1", "kind": kind, "metadata": map[string]any{}}}
		if name != "" {
			u.SetName(name)
		}
		if gen != "" {
			u.SetGenerateName(gen)
		}
		return object{u: u}
	}
	objs := []object{mk("Job", "db-migrate", ""), mk("Deployment", "web", ""), mk("Job", "", "notify-")}
	tests := []struct {
		ref, suggestion string
		ok              bool
	}{
		{ref: "Job/db-migrate", ok: true},
		{ref: "job/db-migrate", ok: true},
		{ref: "Job/notify-", ok: true},
		{ref: "Job/notify-0000000-syncfail-1767225600", ok: true},
		{ref: "Job/db-migrat", suggestion: "Job/db-migrate"},
		{ref: "Jobs/db-migrate", suggestion: "Job/db-migrate"},
		{ref: "Deployment/api"},
		{ref: "ConfigMap/web"},
	}
	for _, tc := range tests {
		err := checkRefs("fail", []string{tc.ref}, objs)
		var ue *UnknownRefError
		switch {
		case tc.ok && err != nil:
			t.Errorf("%s: %v", tc.ref, err)
		case !tc.ok && !errors.As(err, &ue):
			t.Errorf("%s: err = %v, want UnknownRefError", tc.ref, err)
		case !tc.ok && ue.Suggestion != tc.suggestion:
			t.Errorf("%s: suggestion %q, want %q (%v)", tc.ref, ue.Suggestion, tc.suggestion, err)
		}
	}
	if err := checkRefs("hang", []string{"Job"}, objs); err == nil || errors.As(err, new(*UnknownRefError)) {
		t.Errorf("malformed reference: err = %v, want a parse error", err)
	}
}
