# METADATA
# title: Rendering differs every time
# description: |-
#   Argo CD renders the app again on every refresh and compares the result with the live
#   objects. A chart that uses randAlphaNum, uuidv4, genCA/genSelfSignedCert or now renders a
#   different value each time, so the app is OutOfSync forever (and each sync rotates the
#   value: new passwords, new certificates, restarted pods). wavecheck renders Helm charts twice
#   and reports the fields that differ (--check-determinism, on by default in validate).
# related_resources:
# - ref: https://argo-cd.readthedocs.io/en/stable/user-guide/helm/#random-data
# custom:
#   id: render-not-deterministic
#   severity: warning
#   hint: Pass the value in through values (or reference a Secret created outside the chart), or make Argo CD ignore the field with the Application's ignoreDifferences.
package wavecheck.rules.render_not_deterministic

import data.wavecheck.lib

findings contains f if {
	some o in lib.unstable
	f := {"index": o.index, "msg": msg(o.unstable)}
}

msg(paths) := "its name differs on every render: Argo CD sees a new object (and prunes the old one) on every refresh" if {
	paths == ["metadata.name"]
} else := sprintf("renders differently every time (%s): Argo CD shows the app OutOfSync forever", [concat(", ", paths)])
