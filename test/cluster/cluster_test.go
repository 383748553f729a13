package cluster_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	"github.com/wavecheck/wavecheck/test/cluster"
)

// settle bounds every wait on the real control plane. kwok moves pods in
// about a second; the margin is for a loaded CI machine.
const settle = 90 * time.Second

// TestControlPlane checks that the harness gives the replays what they rely
// on: Jobs complete, Deployments become available, and a pod carrying
// cluster.FailAnnotation makes its Job fail.
func TestControlPlane(t *testing.T) {
	c := startCluster(t)
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}

	t.Run("server version", func(t *testing.T) {
		v, err := client.Discovery().ServerVersion()
		if err != nil {
			t.Fatal(err)
		}
		if v.GitVersion != "v1.37.2" {
			t.Errorf("server version = %q, want v1.37.2 (build.sh stamps it with -X)", v.GitVersion)
		}
	})

	t.Run("job completes", func(t *testing.T) {
		t.Parallel()
		ns := newNamespace(t, client)
		job := newJob(ns, "complete", false)
		if _, err := client.BatchV1().Jobs(ns).Create(t.Context(), job, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		got := waitJobFinished(t, client, ns, job.Name)
		if got != batchv1.JobComplete {
			t.Errorf("job %s/%s finished with %s, want %s", ns, job.Name, got, batchv1.JobComplete)
		}
	})

	t.Run("job with failing pod fails", func(t *testing.T) {
		t.Parallel()
		ns := newNamespace(t, client)
		job := newJob(ns, "fail", true)
		if _, err := client.BatchV1().Jobs(ns).Create(t.Context(), job, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		got := waitJobFinished(t, client, ns, job.Name)
		if got != batchv1.JobFailed {
			t.Errorf("job %s/%s finished with %s, want %s", ns, job.Name, got, batchv1.JobFailed)
		}
	})

	t.Run("deployment becomes available", func(t *testing.T) {
		t.Parallel()
		ns := newNamespace(t, client)
		dep := newDeployment(ns, "web", 2)
		if _, err := client.AppsV1().Deployments(ns).Create(t.Context(), dep, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		var last *appsv1.Deployment
		err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, settle, true, func(ctx context.Context) (bool, error) {
			d, err := client.AppsV1().Deployments(ns).Get(ctx, dep.Name, metav1.GetOptions{})
			if err != nil {
				return false, err
			}
			last = d
			return d.Status.ObservedGeneration >= d.Generation &&
				d.Status.AvailableReplicas == *dep.Spec.Replicas &&
				deploymentCondition(d, appsv1.DeploymentAvailable) == corev1.ConditionTrue, nil
		})
		if err != nil {
			t.Fatalf("deployment %s/%s not available: %v; last status: %+v", ns, dep.Name, err, last.Status)
		}
	})
}

// TestServiceAccountAdmission checks that the control plane behaves like a
// real cluster where envtest does not by default: the serviceaccount
// controller gives each namespace its `default` ServiceAccount, and the
// ServiceAccount admission plugin refuses a pod that names a missing one
// (the reason a PreSync hook needing a later ServiceAccount hangs).
func TestServiceAccountAdmission(t *testing.T) {
	c := startCluster(t)
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	ns := newNamespace(t, client) // waits for the default ServiceAccount

	pod := func(name, sa string) *corev1.Pod {
		return &corev1.Pod{
			ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
			Spec: corev1.PodSpec{
				ServiceAccountName: sa,
				RestartPolicy:      corev1.RestartPolicyNever,
				Containers:         []corev1.Container{{Name: "main", Image: "alpine:3", Command: []string{"true"}}},
			},
		}
	}
	tests := []struct {
		name, sa string
		create   string // a ServiceAccount created before the pod
		refused  bool
	}{
		{name: "default", sa: ""},
		{name: "missing", sa: "migrator", refused: true},
		{name: "created first", sa: "runner", create: "runner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.create != "" {
				sa := &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: tt.create}}
				if _, err := client.CoreV1().ServiceAccounts(ns).Create(t.Context(), sa, metav1.CreateOptions{}); err != nil {
					t.Fatal(err)
				}
			}
			name := strings.ReplaceAll(tt.name, " ", "-")
			got, err := client.CoreV1().Pods(ns).Create(t.Context(), pod(name, tt.sa), metav1.CreateOptions{})
			if tt.refused {
				// The plugin's message (plugin/pkg/admission/serviceaccount/admission.go):
				// error looking up service account NS/NAME: serviceaccount "NAME" not found
				want := fmt.Sprintf("error looking up service account %s/%s", ns, tt.sa)
				if err == nil || !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), want) {
					t.Fatalf("create pod with ServiceAccount %q: err = %v, want Forbidden containing %q", tt.sa, err, want)
				}
				return
			}
			if err != nil {
				t.Fatalf("create pod with ServiceAccount %q: %v", tt.sa, err)
			}
			wantSA := tt.sa
			if wantSA == "" {
				wantSA = "default"
			}
			if got.Spec.ServiceAccountName != wantSA {
				t.Errorf("pod ServiceAccountName = %q, want %q (set by the admission plugin)", got.Spec.ServiceAccountName, wantSA)
			}
			// The plugin also projects the ServiceAccount token; the
			// volume names the kube-root-ca.crt ConfigMap.
			if !hasProjectedToken(got) {
				t.Errorf("pod has no projected service account token volume: %+v", got.Spec.Volumes)
			}
		})
	}

	t.Run("root CA published", func(t *testing.T) {
		err := wait.PollUntilContextTimeout(t.Context(), 100*time.Millisecond, settle, true, func(ctx context.Context) (bool, error) {
			_, err := client.CoreV1().ConfigMaps(ns).Get(ctx, "kube-root-ca.crt", metav1.GetOptions{})
			return err == nil, nil
		})
		if err != nil {
			t.Errorf("ConfigMap %s/kube-root-ca.crt never appeared (root-ca-cert-publisher): %v", ns, err)
		}
	})
}

func hasProjectedToken(p *corev1.Pod) bool {
	for _, v := range p.Spec.Volumes {
		if v.Projected == nil {
			continue
		}
		for _, s := range v.Projected.Sources {
			if s.ServiceAccountToken != nil {
				return true
			}
		}
	}
	return false
}

func newJob(ns, name string, fail bool) *batchv1.Job {
	tmpl := corev1.PodTemplateSpec{
		Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "main", Image: "alpine:3", Command: []string{"true"}}},
		},
	}
	if fail {
		tmpl.Annotations = map[string]string{cluster.FailAnnotation: "true"}
	}
	return &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec:       batchv1.JobSpec{BackoffLimit: ptr.To[int32](0), Template: tmpl},
	}
}

func newDeployment(ns, name string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To(replicas),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{
					Containers: []corev1.Container{{Name: "web", Image: "nginx:1"}},
				},
			},
		},
	}
}

// waitJobFinished waits for the Job's Complete or Failed condition and
// returns which one it got.
func waitJobFinished(t *testing.T, client kubernetes.Interface, ns, name string) batchv1.JobConditionType {
	t.Helper()
	var (
		finished batchv1.JobConditionType
		last     *batchv1.Job
	)
	err := wait.PollUntilContextTimeout(t.Context(), 200*time.Millisecond, settle, true, func(ctx context.Context) (bool, error) {
		j, err := client.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		last = j
		for _, c := range j.Status.Conditions {
			if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
				finished = c.Type
				return true, nil
			}
		}
		return false, nil
	})
	if err != nil {
		t.Fatalf("job %s/%s did not finish: %v; last status: %s", ns, name, err, jobStatus(last))
	}
	return finished
}

func jobStatus(j *batchv1.Job) string {
	if j == nil {
		return "none"
	}
	s := fmt.Sprintf("active=%d succeeded=%d failed=%d", j.Status.Active, j.Status.Succeeded, j.Status.Failed)
	for _, c := range j.Status.Conditions {
		s += fmt.Sprintf(" %s=%s(%s)", c.Type, c.Status, c.Reason)
	}
	return s
}

func deploymentCondition(d *appsv1.Deployment, typ appsv1.DeploymentConditionType) corev1.ConditionStatus {
	for _, c := range d.Status.Conditions {
		if c.Type == typ {
			return c.Status
		}
	}
	return corev1.ConditionUnknown
}
