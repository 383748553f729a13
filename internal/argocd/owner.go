package argocd

import "strings"

// Tracking metadata Argo CD writes on the objects it manages (common.AnnotationKeyAppInstance
// and the default application.instanceLabelKey).
const (
	AnnotationTrackingID = "argocd.argoproj.io/tracking-id"
	LabelAppInstance     = "app.kubernetes.io/instance"
)

// LiveOwner returns the application a live object belongs to under tracking method m, as
// Argo CD's cluster cache reads it (util/argo/resource_tracking.go GetAppName): under label
// tracking the app.kubernetes.io/instance label; under annotation and annotation+label
// tracking the application name of a well-formed tracking-id annotation
// ("app:group/kind:namespace/name", ParseAppInstanceValue; a malformed one names no app).
// It returns "" when the object names no application. m "" is the latest default.
func LiveOwner(obj map[string]any, m TrackingMethod) string {
	if m == "" {
		m = DefaultTrackingMethod(Latest)
	}
	md, _ := obj["metadata"].(map[string]any)
	if m == TrackingLabel {
		labels, _ := md["labels"].(map[string]any)
		v, _ := labels[LabelAppInstance].(string)
		return v
	}
	anns, _ := md["annotations"].(map[string]any)
	v, _ := anns[AnnotationTrackingID].(string)
	return trackingIDApp(v)
}

// trackingIDApp is ParseAppInstanceValue's application name, "" when the value is malformed.
func trackingIDApp(v string) string {
	parts := strings.SplitN(v, ":", 3)
	if len(parts) != 3 || len(strings.Split(parts[1], "/")) != 2 || len(strings.Split(parts[2], "/")) != 2 {
		return ""
	}
	return parts[0]
}
