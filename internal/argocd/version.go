package argocd

import (
	"fmt"
	"strconv"
	"strings"
)

// Version is an Argo CD release (major.minor.patch).
type Version struct {
	Major, Minor, Patch int
}

// Latest is the newest Argo CD version whose semantics wavecheck models.
var Latest = Version{Major: 3, Minor: 6}

// Version thresholds of version-dependent behaviour.
var (
	// PostDeleteSince is the first release running PostDelete hooks.
	PostDeleteSince = Version{Major: 2, Minor: 10}
	// HookFinalizerSince is the first release putting a finalizer on hooks (which makes
	// ttlSecondsAfterFinished safe on Job hooks).
	HookFinalizerSince = Version{Major: 3}
	// PreDeleteSince is the first release running PreDelete hooks.
	PreDeleteSince = Version{Major: 3, Minor: 3}
	// DeleteHooksOutOfSyncSince is the first release whose controller removes deletion hooks
	// from the objects it gives gitops-engine to sync (v3.3.0 controller/state.go
	// CompareAppState: "Filter out PreDelete and PostDelete hooks from targetObjs"). Before, a
	// deletion hook that also has a Helm sync hook type ran in that sync phase too.
	DeleteHooksOutOfSyncSince = Version{Major: 3, Minor: 3}
	// DeleteHookListSince is the first release whose controller finds a deletion hook type in a
	// comma-separated hook annotation. Up to v3.3.2, controller/hook.go isHookOfType compares
	// the whole value (`ok && val == v`); from v3.3.3 it splits on commas and trims each item
	// (`slices.ContainsFunc(strings.Split(val, ","), ... strings.TrimSpace(item) == v)`).
	DeleteHookListSince = Version{Major: 3, Minor: 3, Patch: 3}
	// DeleteHookSyncKeptSince is the first release that keeps a deletion hook in syncs when
	// gitops-engine also runs it in a sync phase ("PostSync,PostDelete"): v3.3.5
	// controller/state.go partitionTargetObjsForSync checks hasGitOpsEngineSyncPhaseHook; v3.3.3
	// and v3.3.4 CompareAppState drop every isPreDeleteHook/isPostDeleteHook object from the
	// sync targets.
	DeleteHookSyncKeptSince = Version{Major: 3, Minor: 3, Patch: 5}
)

// ParseVersion accepts "3", "2.10", "3.0", "v3.3.1" (and a pre-release or build suffix,
// which is ignored).
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	if i := strings.IndexAny(t, "-+"); i >= 0 {
		t = t[:i]
	}
	parts := strings.Split(t, ".")
	if t == "" || len(parts) > 3 {
		return Version{}, fmt.Errorf("parse argo cd version: %q is not a version like 3.6 or v3.3.1", s)
	}
	var n [3]int
	for i, p := range parts {
		v, err := strconv.Atoi(p)
		if err != nil || v < 0 || p == "" || strings.HasPrefix(p, "+") {
			return Version{}, fmt.Errorf("parse argo cd version: %q is not a version like 3.6 or v3.3.1", s)
		}
		n[i] = v
	}
	return Version{Major: n[0], Minor: n[1], Patch: n[2]}, nil
}

// Compare returns -1, 0 or 1.
func (v Version) Compare(o Version) int {
	for _, d := range [3]int{v.Major - o.Major, v.Minor - o.Minor, v.Patch - o.Patch} {
		if d < 0 {
			return -1
		}
		if d > 0 {
			return 1
		}
	}
	return 0
}

// AtLeast reports whether v >= o.
func (v Version) AtLeast(o Version) bool { return v.Compare(o) >= 0 }

// String is "major.minor" or "major.minor.patch" when patch is set.
func (v Version) String() string {
	if v.Patch != 0 {
		return fmt.Sprintf("%d.%d.%d", v.Major, v.Minor, v.Patch)
	}
	return fmt.Sprintf("%d.%d", v.Major, v.Minor)
}
