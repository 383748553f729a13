package conformance_test

import (
	_ "unsafe" // go:linkname

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	// The controller's deletion hook functions are unexported; they are pulled below by
	// go:linkname from the package compiled as Argo CD compiles it (not copied).
	_ "github.com/argoproj/argo-cd/v3/controller"
)

// controller/hook.go (v3.6.1).
//
//go:linkname isPreDeleteHook github.com/argoproj/argo-cd/v3/controller.isPreDeleteHook
func isPreDeleteHook(obj *unstructured.Unstructured) bool

//go:linkname isPostDeleteHook github.com/argoproj/argo-cd/v3/controller.isPostDeleteHook
func isPostDeleteHook(obj *unstructured.Unstructured) bool

//go:linkname controllerIsHook github.com/argoproj/argo-cd/v3/controller.isHook
func controllerIsHook(obj *unstructured.Unstructured) bool

//go:linkname hasGitOpsEngineSyncPhaseHook github.com/argoproj/argo-cd/v3/controller.hasGitOpsEngineSyncPhaseHook
func hasGitOpsEngineSyncPhaseHook(obj *unstructured.Unstructured) bool

// controller/state.go (v3.6.1): the objects the controller gives gitops-engine to sync.
//
//go:linkname partitionTargetObjsForSync github.com/argoproj/argo-cd/v3/controller.partitionTargetObjsForSync
func partitionTargetObjsForSync(targetObjs []*unstructured.Unstructured) (syncObjs []*unstructured.Unstructured, hasPreDeleteHooks, hasPostDeleteHooks bool)
