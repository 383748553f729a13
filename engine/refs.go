package engine

import (
	"fmt"
	"strings"

	"github.com/wavecheck/wavecheck/engine/internal/sim"
)

// UnknownRefError is a --fail or --hang reference (SimOptions.Fail, Hang) that names no object
// of the app or of the live objects: a fault that would silently never happen.
type UnknownRefError struct {
	// Flag is "fail" or "hang"; Ref the reference as given.
	Flag, Ref string
	// Suggestion is the closest object reference, if any is close.
	Suggestion string
}

func (e *UnknownRefError) Error() string {
	msg := fmt.Sprintf("--%s %s: no object of the app is %s", e.Flag, e.Ref, e.Ref)
	if e.Suggestion != "" {
		return msg + fmt.Sprintf(" (did you mean %s?)", e.Suggestion)
	}
	return msg + " (want KIND/NAME of an object of the app, or a generateName prefix)"
}

// checkRefs returns an *UnknownRefError for the first reference that matches no object.
func checkRefs(flag string, refs []string, objs []object) error {
	for _, r := range refs {
		if _, _, err := ParseRef(r); err != nil {
			return err
		}
		refKind, refName, _ := strings.Cut(r, "/")
		found := false
		var names []string
		for _, o := range objs {
			kind, name, gen := o.u.GetKind(), o.u.GetName(), o.u.GetGenerateName()
			// the name, a generateName prefix, or a name generated from it
			if sim.Matches([]string{r}, kind, name) ||
				(gen != "" && (sim.Matches([]string{r}, kind, gen) || sim.Matches([]string{kind + "/" + gen}, refKind, refName))) {
				found = true
				break
			}
			if name == "" {
				name = gen
			}
			names = append(names, kind+"/"+name)
		}
		if !found {
			return &UnknownRefError{Flag: flag, Ref: r, Suggestion: closest(r, names)}
		}
	}
	return nil
}

// closest returns the candidate nearest to s (case-insensitive edit distance), when it is
// within a fifth of its length (at least 2 edits).
func closest(s string, candidates []string) string {
	best, bestD := "", -1
	for _, c := range candidates {
		d := distance(strings.ToLower(s), strings.ToLower(c))
		if bestD < 0 || d < bestD {
			best, bestD = c, d
		}
	}
	if bestD < 0 || bestD > max(2, len(s)/5) {
		return ""
	}
	return best
}

// distance is the Levenshtein distance of a and b (bytes).
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
