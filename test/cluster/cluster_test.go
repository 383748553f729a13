package cluster_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
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
