package sim

import (
	"regexp"
	"strings"
)

// generatedSuffix matches what gitops-engine appends to a generateName hook
// ("<rev[0:7]>-<phase>-<unix>") and what the API server appends (5 characters).
var generatedSuffix = regexp.MustCompile(`^([0-9a-z]{0,7}-(presync|sync|postsync|syncfail)-[0-9]+|[0-9a-z]{5})$`)

// FaultMatcher returns a Fault function for --fail and --hang references ("Kind/name",
// case-insensitive kind; a generateName prefix also matches the names generated from it).
func FaultMatcher(fail, hang []string) func(kind, name string) Fault {
	return func(kind, name string) Fault {
		switch {
		case Matches(hang, kind, name):
			return FaultHang
		case Matches(fail, kind, name):
			return FaultFail
		}
		return FaultNone
	}
}

// Matches reports whether one of refs ("Kind/name") names the object kind/name: the kind is
// compared case-insensitively, and a generateName prefix matches the names generated from it.
func Matches(refs []string, kind, name string) bool {
	for _, r := range refs {
		k, n, ok := strings.Cut(r, "/")
		if !ok || !strings.EqualFold(k, kind) {
			continue
		}
		if n == name || (strings.HasPrefix(name, n) && generatedSuffix.MatchString(name[len(n):])) {
			return true
		}
	}
	return false
}
