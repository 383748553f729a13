package sim

import (
	"context"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
)

func podSpec(policy string, extra map[string]any) map[string]any {
	spec := map[string]any{"restartPolicy": policy, "containers": []any{map[string]any{"name": "c", "image": "busybox"}}}
	for k, v := range extra {
		if k == "container" {
			for ck, cv := range v.(map[string]any) {
				spec["containers"].([]any)[0].(map[string]any)[ck] = cv
			}
			continue
		}
		spec[k] = v
	}
	return spec
}

func podWith(policy string, extra map[string]any) *unstructured.Unstructured {
	return obj("v1", "Pod", "default", "p", map[string]any{"spec": podSpec(policy, extra)})
}

func jobWith(deadline int64, extra map[string]any) *unstructured.Unstructured {
	spec := map[string]any{"template": map[string]any{"spec": podSpec("Never", extra)}}
	if deadline > 0 {
		spec["activeDeadlineSeconds"] = deadline
	}
	return obj("batch/v1", "Job", "default", "j", map[string]any{"spec": spec})
}

var (
	envSecret   = map[string]any{"container": map[string]any{"env": []any{map[string]any{"name": "P", "valueFrom": map[string]any{"secretKeyRef": map[string]any{"name": "creds", "key": "p"}}}}}}
	envFromCM   = map[string]any{"container": map[string]any{"envFrom": []any{map[string]any{"configMapRef": map[string]any{"name": "cfg"}}}}}
	optionalCM  = map[string]any{"container": map[string]any{"envFrom": []any{map[string]any{"configMapRef": map[string]any{"name": "cfg", "optional": true}}}}}
	volumeClaim = map[string]any{"volumes": []any{map[string]any{"name": "data", "persistentVolumeClaim": map[string]any{"claimName": "data"}}}}
	projected   = map[string]any{"volumes": []any{map[string]any{"name": "all", "projected": map[string]any{"sources": []any{map[string]any{"configMap": map[string]any{"name": "cfg"}}}}}}}
	withSA      = map[string]any{"serviceAccountName": "runner"}
)

// TestPodsNeedTheirObjects: pods that need a missing ServiceAccount, Secret, ConfigMap or PVC
// are refused or never start, as in a real cluster, until their deadline; optional references
// and the default ServiceAccount do not matter.
func TestPodsNeedTheirObjects(t *testing.T) {
	tests := []struct {
		name    string
		obj     *unstructured.Unstructured
		health  string // while blocked
		blocked string // substring of Blocked
		next    time.Duration
		final   string // after an hour
	}{
		{name: "job without its ServiceAccount fails at its deadline", obj: jobWith(60, withSA), health: "Progressing",
			blocked: `FailedCreate: error looking up service account default/runner: serviceaccount "runner" not found`, next: time.Minute, final: "Degraded"},
		{name: "job without its ServiceAccount and no deadline waits", obj: jobWith(0, withSA), health: "Progressing", blocked: `serviceaccount "runner"`, final: "Progressing"},
		{name: "job without its env Secret", obj: jobWith(30, envSecret), health: "Progressing", blocked: `CreateContainerConfigError: secret "creds" not found`, next: 30 * time.Second, final: "Degraded"},
		{name: "Never pod without its envFrom ConfigMap waits Pending", obj: podWith("Never", envFromCM), health: "Progressing", blocked: `configmap "cfg" not found`, final: "Progressing"},
		{name: "Always pod with CreateContainerConfigError is Degraded", obj: podWith("Always", envFromCM), health: "Degraded", blocked: "CreateContainerConfigError", final: "Degraded"},
		{name: "pod without its PVC stays unscheduled (no deadline)", obj: podWith("Never", map[string]any{"volumes": volumeClaim["volumes"], "activeDeadlineSeconds": int64(10)}), health: "Progressing", blocked: `persistentvolumeclaim "data" not found`, final: "Progressing"},
		{name: "projected ConfigMap volume", obj: podWith("Never", projected), health: "Progressing", blocked: `FailedMount: MountVolume.SetUp failed for volume "all" : configmap "cfg" not found`, final: "Progressing"},
		{name: "optional ConfigMap", obj: podWith("Never", optionalCM), health: "Progressing", next: 10 * time.Second, final: "Healthy"},
		{name: "default ServiceAccount", obj: podWith("Never", map[string]any{"serviceAccountName": "default"}), health: "Progressing", next: 10 * time.Second, final: "Healthy"},
		{name: "deployment fails at its progress deadline", obj: obj("apps/v1", "Deployment", "default", "d", map[string]any{"spec": map[string]any{"template": map[string]any{"spec": podSpec("Always", envSecret)}}}),
			health: "Progressing", blocked: `secret "creds"`, next: 600 * time.Second, final: "Degraded"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := New(Options{Namespaces: []string{"default"}})
			if _, err := c.write(tc.obj, false, modeApply); err != nil {
				t.Fatal(err)
			}
			key := kube.GetResourceKey(tc.obj)
			if got := healthOf(t, c, key); got != tc.health {
				t.Errorf("health while blocked = %s, want %s", got, tc.health)
			}
			if got := c.Blocked(key); (tc.blocked == "") != (got == "") || !strings.Contains(got, tc.blocked) {
				t.Errorf("Blocked = %q, want %q", got, tc.blocked)
			}
			next, ok := c.NextEvent()
			if ok != (tc.next > 0) || next != tc.next {
				t.Errorf("next event = %s, %v; want %s", next, ok, tc.next)
			}
			c.Advance(time.Hour)
			if got := healthOf(t, c, key); got != tc.final {
				t.Errorf("health after an hour = %s, want %s", got, tc.final)
			}
		})
	}
}

// TestPodAdmissionRefusesMissingServiceAccount: a bare Pod naming a missing ServiceAccount is
// refused at creation (the ServiceAccount admission plugin), not at dry run.
func TestPodAdmissionRefusesMissingServiceAccount(t *testing.T) {
	c := New(Options{Namespaces: []string{"default"}})
	ops, _, _ := c.Kubectl().ManageResources(nil)
	ctx := context.Background()
	if _, err := ops.ApplyResource(ctx, podWith("Never", withSA), cmdutil.DryRunClient, false, true, false, ""); err != nil {
		t.Fatalf("client dry run: %v", err)
	}
	_, err := ops.ApplyResource(ctx, podWith("Never", withSA), cmdutil.DryRunNone, false, true, false, "")
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), `pods "p" is forbidden: error looking up service account default/runner: serviceaccount "runner" not found`) {
		t.Fatalf("err = %v, want the ServiceAccount admission refusal", err)
	}
	if _, err := ops.ApplyResource(ctx, obj("v1", "ServiceAccount", "default", "runner", nil), cmdutil.DryRunNone, false, true, false, ""); err != nil {
		t.Fatal(err)
	}
	if _, err := ops.ApplyResource(ctx, podWith("Never", withSA), cmdutil.DryRunNone, false, true, false, ""); err != nil {
		t.Fatalf("pod refused once its ServiceAccount exists: %v", err)
	}
}

// TestBlockedPodsStartOnceTheObjectExists: the pod retries; created later, the object lets it
// start, and it takes its usual time from then.
func TestBlockedPodsStartOnceTheObjectExists(t *testing.T) {
	c := New(Options{Namespaces: []string{"default"}})
	j := jobWith(300, envSecret)
	if _, err := c.write(j, false, modeApply); err != nil {
		t.Fatal(err)
	}
	c.Advance(20 * time.Second)
	key := kube.GetResourceKey(j)
	if c.Blocked(key) == "" {
		t.Fatal("job not blocked by its missing Secret")
	}
	if _, err := c.write(obj("v1", "Secret", "default", "creds", nil), false, modeApply); err != nil {
		t.Fatal(err)
	}
	if got := c.Blocked(key); got != "" {
		t.Errorf("still blocked after the Secret was created: %q", got)
	}
	if next, ok := c.NextEvent(); !ok || next != 30*time.Second {
		t.Errorf("next event = %s, %v; want 30s (created at 20s + 10s)", next, ok)
	}
	c.Advance(time.Hour)
	if got := healthOf(t, c, key); got != "Healthy" {
		t.Errorf("health = %s, want Healthy", got)
	}
}
