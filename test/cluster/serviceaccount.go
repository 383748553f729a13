package cluster

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/wait"
	"k8s.io/client-go/kubernetes"
)

// WaitServiceAccount waits until the ServiceAccount ns/name exists. The
// ServiceAccount admission plugin refuses a pod naming a ServiceAccount that
// does not exist, and a new namespace gets its `default` ServiceAccount from
// the serviceaccount controller a moment after it is created, as in any real
// cluster: a test that creates bare pods right after the namespace waits
// for it (controllers such as the Job controller retry on their own).
func WaitServiceAccount(ctx context.Context, client kubernetes.Interface, ns, name string) error {
	err := wait.PollUntilContextTimeout(ctx, 50*time.Millisecond, time.Minute, true, func(ctx context.Context) (bool, error) {
		_, err := client.CoreV1().ServiceAccounts(ns).Get(ctx, name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			return false, nil
		}
		return err == nil, err
	})
	if err != nil {
		return fmt.Errorf("wait for ServiceAccount %s/%s: %w", ns, name, err)
	}
	return nil
}
