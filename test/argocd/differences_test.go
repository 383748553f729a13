package argocd_test

// expectedDifferences lists the cases where `wavecheck replay` and the real Argo CD disagree
// today, with the reason: each is a wavecheck bug still to fix.
// A listed case whose difference disappears fails, so the table stays honest: remove the
// entry when the fix lands.
var expectedDifferences = map[string]string{
	// Issue 11 item 9. The ConfigMap's unquoted sync-wave: Argo CD 3.6's default annotation
	// tracking refuses the whole app (ComparisonError "failed to set app instance tracking
	// info on manifest: ... non-string value"), nothing syncs; warn mode lets the manifests
	// through and the replay says Succeeded.
	"broken-hooks-warn": "replay syncs an app Argo CD refuses (non-string annotation, annotation tracking)",
}
