//go:build !nohelm

package render

import (
	"errors"
	"fmt"
	"slices"

	"github.com/Masterminds/semver/v3"
)

// ResolveChartVersion is the version Argo CD's repo-server fetches for targetRevision
// revision of a chart whose repository offers versions (the index entries of an HTTP
// repository, the tags of an OCI one): reposerver/repository.newHelmClientResolveRevision
// returns an exact version as written (versions.IsVersion: "1.2.3", "v1.2", not looked up),
// else util/versions.MaxVersion(revision, versions, ""): the highest version satisfying the
// semver constraint ("1.2.*", ">=1.0 <2", "*"), versions that are not semver skipped; a
// revision that is neither (e.g. "latest") must equal one of versions. test/conformance pins
// this function to upstream's over generated revisions and versions.
//
// The error is a *VersionError when no version satisfies the constraint.
func ResolveChartVersion(revision string, versions []string) (string, error) {
	if v, err := semver.NewVersion(revision); err == nil {
		return v.Original(), nil
	}
	c, err := semver.NewConstraint(revision)
	if err != nil {
		if slices.Contains(versions, revision) {
			return revision, nil
		}
		return "", fmt.Errorf("targetRevision %q is neither a version nor a semver constraint (%w)", revision, err)
	}
	var maxV *semver.Version
	for _, tag := range versions {
		v, err := semver.NewVersion(tag)
		if errors.Is(err, semver.ErrInvalidSemVer) {
			continue
		}
		if err != nil {
			// MaxVersion gives up on such a version (a number too large, ...).
			return "", fmt.Errorf("invalid semver version %q in the repository: %w", tag, err)
		}
		if c.Check(v) && (maxV == nil || v.GreaterThan(maxV)) {
			maxV = v
		}
	}
	if maxV == nil {
		return "", &VersionError{Constraint: revision, Newest: newestVersion(versions), Count: len(versions)}
	}
	return maxV.Original(), nil
}

// VersionError is a constraint no offered version satisfies.
type VersionError struct {
	Constraint string
	// Newest is the highest semver version offered ("" when none is semver).
	Newest string
	Count  int
}

func (e *VersionError) Error() string {
	if e.Newest == "" {
		return fmt.Sprintf("no version matches targetRevision %q (%d versions, none of them semver)", e.Constraint, e.Count)
	}
	return fmt.Sprintf("no version matches targetRevision %q (the newest of %d versions is %s)", e.Constraint, e.Count, e.Newest)
}

// newestVersion is the highest semver version of versions, "" when none is.
func newestVersion(versions []string) string {
	var maxV *semver.Version
	for _, tag := range versions {
		if v, err := semver.NewVersion(tag); err == nil && (maxV == nil || v.GreaterThan(maxV)) {
			maxV = v
		}
	}
	if maxV == nil {
		return ""
	}
	return maxV.Original()
}
