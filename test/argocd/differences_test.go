package argocd_test

// expectedDifferences lists the cases where `wavecheck replay` and the real Argo CD disagree
// today, with the reason: each is a wavecheck bug still to fix.
// A listed case whose difference disappears fails, so the table stays honest: remove the
// entry when the fix lands.
var expectedDifferences = map[string]string{}
