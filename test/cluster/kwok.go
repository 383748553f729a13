package cluster

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// failStage makes kwok fail running pods that carry FailAnnotation. Its
// weight beats kwok's pod-complete stage, which selects the same pods when
// a Job owns them.
const failStage = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: wavecheck-pod-fail
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.phase'
      operator: 'In'
      values:
      - 'Running'
    - key: '.metadata.annotations["` + FailAnnotation + `"]'
      operator: 'In'
      values:
      - 'true'
  weight: 100
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - lastProbeTime: null
        lastTransitionTime: {{ $now | Quote }}
        reason: PodFailed
        status: "False"
        type: Ready
      - lastProbeTime: null
        lastTransitionTime: {{ $now | Quote }}
        reason: PodFailed
        status: "False"
        type: ContainersReady
      containerStatuses:
      {{ range $index, $item := .spec.containers }}
      - image: {{ $item.image | Quote }}
        name: {{ $item.name | Quote }}
        ready: false
        restartCount: 0
        started: false
        state:
          terminated:
            exitCode: 1
            finishedAt: {{ $now | Quote }}
            reason: Error
            message: failed on purpose by the wavecheck test harness
            startedAt: {{ $now | Quote }}
      {{ end }}
      phase: Failed
`

// writeKwokConfig joins the stage files shipped by build.sh and failStage
// into one kwok configuration file.
func writeKwokConfig(binDir, tmp string) (string, error) {
	files, err := filepath.Glob(filepath.Join(binDir, "stages", "*.yaml"))
	if err != nil {
		return "", fmt.Errorf("list kwok stages: %w", err)
	}
	if len(files) == 0 {
		return "", fmt.Errorf("find kwok stages: no %s/stages/*.yaml (rerun test/k8s-tools/build.sh)", binDir)
	}
	sort.Strings(files)
	var buf bytes.Buffer
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			return "", fmt.Errorf("read kwok stage: %w", err)
		}
		buf.WriteString("---\n")
		buf.Write(bytes.TrimPrefix(b, []byte("---\n")))
		if !bytes.HasSuffix(b, []byte("\n")) {
			buf.WriteString("\n")
		}
	}
	buf.WriteString("---\n" + failStage)
	path := filepath.Join(tmp, "kwok.yaml")
	if err := os.WriteFile(path, buf.Bytes(), 0o644); err != nil {
		return "", fmt.Errorf("write kwok config: %w", err)
	}
	return path, nil
}
