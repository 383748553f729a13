package sim

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube/kubetest"
)

// Kubectl is gitops-engine's kubectl interface served by the simulated cluster. The methods a
// sync does not use for state (OpenAPI schema, server-side diff) come from kubetest's mock.
type Kubectl struct {
	kubetest.MockKubectlCmd
	c *Cluster
}

var _ kube.Kubectl = (*Kubectl)(nil)

// Kubectl returns the kubectl implementation backed by c.
func (c *Cluster) Kubectl() *Kubectl { return &Kubectl{c: c} }

// ManageResources returns resource operations (apply, create, replace, update) on the store.
func (k *Kubectl) ManageResources(_ *rest.Config) (kube.ResourceOperations, func(), error) {
	return &resourceOps{c: k.c}, func() {}, nil
}

// NewDynamicClient returns a dynamic client served by the simulated API.
func (k *Kubectl) NewDynamicClient(_ *rest.Config) (dynamic.Interface, error) {
	d, err := dynamic.NewForConfig(k.c.RESTConfig())
	if err != nil {
		return nil, fmt.Errorf("create dynamic client: %w", err)
	}
	return d, nil
}

// GetAPIResources lists the served resource types.
func (k *Kubectl) GetAPIResources(_ *rest.Config, _ bool, _ kube.ResourceFilter) ([]kube.APIResourceInfo, error) {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	var out []kube.APIResourceInfo
	for gvk, r := range k.c.reg.byGVK {
		if !k.c.served(r) {
			continue
		}
		out = append(out, kube.APIResourceInfo{
			GroupKind:            gvk.GroupKind(),
			Meta:                 metav1.APIResource{Name: r.plural, Kind: gvk.Kind, Namespaced: r.namespaced, Verbs: verbs},
			GroupVersionResource: gvk.GroupVersion().WithResource(r.plural),
		})
	}
	return out, nil
}

// GetServerVersion returns the simulated server version.
func (k *Kubectl) GetServerVersion(_ *rest.Config) (string, error) { return "v1.37.0", nil }

func (k *Kubectl) keyFor(gvk schema.GroupVersionKind, namespace, name string) (kube.ResourceKey, error) {
	k.c.mu.Lock()
	defer k.c.mu.Unlock()
	res, err := k.c.resourceFor(gvk)
	if err != nil {
		return kube.ResourceKey{}, err
	}
	return k.c.key(res, namespace, name), nil
}

// GetResource returns a stored object.
func (k *Kubectl) GetResource(_ context.Context, _ *rest.Config, gvk schema.GroupVersionKind, name, namespace string) (*unstructured.Unstructured, error) {
	key, err := k.keyFor(gvk, namespace, name)
	if err != nil {
		return nil, err
	}
	obj, ok := k.c.get(key)
	if !ok {
		return nil, notFound(gvk, name)
	}
	return obj, nil
}

// DeleteResource deletes a stored object (finalizers are honoured).
func (k *Kubectl) DeleteResource(_ context.Context, _ *rest.Config, gvk schema.GroupVersionKind, name, namespace string, opts metav1.DeleteOptions) error {
	key, err := k.keyFor(gvk, namespace, name)
	if err != nil {
		return err
	}
	return k.c.remove(key, len(opts.DryRun) > 0)
}

// CreateResource creates an object.
func (k *Kubectl) CreateResource(_ context.Context, _ *rest.Config, _ schema.GroupVersionKind, _, _ string, obj *unstructured.Unstructured, opts metav1.CreateOptions, _ ...string) (*unstructured.Unstructured, error) {
	return k.c.Create(obj, len(opts.DryRun) > 0)
}

type resourceOps struct{ c *Cluster }

func (r *resourceOps) ApplyResource(_ context.Context, obj *unstructured.Unstructured, dry cmdutil.DryRunStrategy, _, _, _ bool, _ string) (string, error) {
	return r.c.write(obj, dry != cmdutil.DryRunNone, modeApply)
}

func (r *resourceOps) ReplaceResource(_ context.Context, obj *unstructured.Unstructured, dry cmdutil.DryRunStrategy, _ bool) (string, error) {
	msg, err := r.c.write(obj, dry != cmdutil.DryRunNone, modeReplace)
	if err != nil {
		return "", err
	}
	return replaceWording(msg), nil
}

func (r *resourceOps) CreateResource(_ context.Context, obj *unstructured.Unstructured, dry cmdutil.DryRunStrategy, _ bool) (string, error) {
	return r.c.write(obj, dry != cmdutil.DryRunNone, modeCreate)
}

func (r *resourceOps) UpdateResource(_ context.Context, obj *unstructured.Unstructured, dry cmdutil.DryRunStrategy) (*unstructured.Unstructured, error) {
	key, err := (&Kubectl{c: r.c}).keyFor(obj.GroupVersionKind(), obj.GetNamespace(), obj.GetName())
	if err != nil {
		return nil, err
	}
	return r.c.update(key, obj, dry != cmdutil.DryRunNone)
}

func replaceWording(msg string) string {
	const configured = " configured"
	if len(msg) > len(configured) && msg[len(msg)-len(configured):] == configured {
		return msg[:len(msg)-len(configured)] + " replaced"
	}
	return msg
}

func notFound(gvk schema.GroupVersionKind, name string) error {
	return apierrorsNotFound(gvk, name)
}

func apierrorsNotFound(gvk schema.GroupVersionKind, name string) error {
	return apierrors.NewNotFound(schema.GroupResource{Group: gvk.Group, Resource: gvk.Kind}, name)
}
