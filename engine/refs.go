package engine

import (
	"fmt"
	"strings"

	"github.com/wavecheck/wavecheck/engine/internal/sim"
	"github.com/wavecheck/wavecheck/internal/suggest"
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
			return &UnknownRefError{Flag: flag, Ref: r, Suggestion: suggest.Closest(r, names)}
		}
	}
	return nil
}
