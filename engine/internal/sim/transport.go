package sim

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sort"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/argoproj/argo-cd/gitops-engine/v3/pkg/utils/kube"
)

// Host is the fake server address of every simulated cluster.
const Host = "http://wavecheck.simulated"

// RESTConfig returns a client configuration whose requests are served in-process by c.
func (c *Cluster) RESTConfig() *rest.Config {
	return &rest.Config{Host: Host, Transport: c, QPS: 1e6, Burst: 1e6, UserAgent: "wavecheck"}
}

// RoundTrip implements http.RoundTripper: the simulated API server.
func (c *Cluster) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Body != nil {
		// RoundTrip must close the request body (http.RoundTripper); serve has read all it
		// needs, so a close error cannot change the response.
		defer func() { _ = req.Body.Close() }()
	}
	code, body := c.serve(req)
	data, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encode response: %w", err)
	}
	return &http.Response{
		StatusCode: code,
		Status:     fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Header:     http.Header{"Content-Type": []string{"application/json"}},
		Body:       io.NopCloser(bytes.NewReader(data)),
		Request:    req,
		ProtoMajor: 1, ProtoMinor: 1,
	}, nil
}

func statusOf(err error) (int, any) {
	if se, ok := err.(apierrors.APIStatus); ok {
		st := se.Status()
		st.Kind, st.APIVersion = "Status", "v1"
		return int(st.Code), st
	}
	st := apierrors.NewInternalError(err).Status()
	st.Kind, st.APIVersion = "Status", "v1"
	return int(st.Code), st
}

func (c *Cluster) serve(req *http.Request) (int, any) {
	path := strings.TrimSuffix(req.URL.Path, "/")
	switch path {
	case "/version":
		return 200, map[string]string{"major": "1", "minor": "37", "gitVersion": "v1.37.0-wavecheck-simulated"}
	case "/api":
		return 200, &metav1.APIVersions{TypeMeta: metav1.TypeMeta{Kind: "APIVersions"}, Versions: []string{"v1"}}
	case "/apis":
		return 200, c.groupList()
	}
	var gv schema.GroupVersion
	var rest []string
	parts := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case len(parts) >= 2 && parts[0] == "api":
		gv = schema.GroupVersion{Version: parts[1]}
		rest = parts[2:]
	case len(parts) >= 3 && parts[0] == "apis":
		gv = schema.GroupVersion{Group: parts[1], Version: parts[2]}
		rest = parts[3:]
	default:
		return statusOf(apierrors.NewNotFound(schema.GroupResource{}, path))
	}
	if len(rest) == 0 {
		c.mu.Lock()
		list, ok := c.reg.resourceList(gv, c.served)
		c.mu.Unlock()
		if !ok {
			return notServed()
		}
		return 200, list
	}
	var ns, plural, name string
	switch {
	case rest[0] == "namespaces" && len(rest) >= 3:
		ns, plural = rest[1], rest[2]
		if len(rest) >= 4 {
			name = rest[3]
		}
	default:
		plural = rest[0]
		if len(rest) >= 2 {
			name = rest[1]
		}
	}
	if (len(rest) > 4 && rest[0] == "namespaces") || (len(rest) > 2 && rest[0] != "namespaces") {
		return statusOf(apierrors.NewMethodNotSupported(gv.WithResource(plural).GroupResource(), "subresource"))
	}
	c.mu.Lock()
	res, ok := c.reg.byPlural[gv.WithResource(plural)]
	if ok && !c.served(res) {
		ok = false
	}
	c.mu.Unlock()
	if !ok {
		return notServed()
	}
	key := c.key(res, ns, name)
	dry := isDryRun(req.URL.Query())
	switch req.Method {
	case http.MethodGet:
		if name == "" {
			return 200, c.list(res, ns)
		}
		obj, ok := c.get(key)
		if !ok {
			return statusOf(apierrors.NewNotFound(schema.GroupResource{Group: gv.Group, Resource: plural}, name))
		}
		return 200, obj.Object
	case http.MethodPut:
		obj, err := decode(req)
		if err != nil {
			return statusOf(apierrors.NewBadRequest(err.Error()))
		}
		out, err := c.update(key, obj, dry)
		if err != nil {
			return statusOf(err)
		}
		return 200, out.Object
	case http.MethodPost:
		obj, err := decode(req)
		if err != nil {
			return statusOf(apierrors.NewBadRequest(err.Error()))
		}
		if ns != "" && obj.GetNamespace() == "" {
			obj.SetNamespace(ns)
		}
		out, err := c.Create(obj, dry)
		if err != nil {
			return statusOf(err)
		}
		return 201, out.Object
	case http.MethodDelete:
		if req.Body != nil {
			var opts metav1.DeleteOptions
			if data, _ := io.ReadAll(req.Body); len(data) > 0 && json.Unmarshal(data, &opts) == nil && len(opts.DryRun) > 0 {
				dry = true
			}
		}
		if err := c.remove(key, dry); err != nil {
			return statusOf(err)
		}
		st := metav1.Status{TypeMeta: metav1.TypeMeta{Kind: "Status", APIVersion: "v1"}, Status: metav1.StatusSuccess}
		return 200, st
	}
	return statusOf(apierrors.NewMethodNotSupported(schema.GroupResource{Group: gv.Group, Resource: plural}, req.Method))
}

// notServed is the API server's answer for a group, version or resource it does not serve (a
// plain 404, which client-go reports as "the server could not find the requested resource").
func notServed() (int, any) {
	return statusOf(&apierrors.StatusError{ErrStatus: metav1.Status{
		Status: metav1.StatusFailure, Code: 404, Reason: metav1.StatusReasonNotFound,
		Message: "the server could not find the requested resource",
	}})
}

func isDryRun(q url.Values) bool {
	return len(q["dryRun"]) > 0
}

func decode(req *http.Request) (*unstructured.Unstructured, error) {
	if req.Body == nil {
		return nil, fmt.Errorf("empty request body")
	}
	data, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	obj := &unstructured.Unstructured{}
	if err := obj.UnmarshalJSON(data); err != nil {
		return nil, fmt.Errorf("decode request body: %w", err)
	}
	return obj, nil
}

func (c *Cluster) list(res *apiResource, ns string) map[string]any {
	c.mu.Lock()
	defer c.mu.Unlock()
	var items []any
	var keys []kube.ResourceKey
	for k := range c.objs {
		if k.Group == res.gvk.Group && k.Kind == res.gvk.Kind && (ns == "" || k.Namespace == ns) {
			keys = append(keys, k)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return keys[i].String() < keys[j].String() })
	for _, k := range keys {
		items = append(items, c.objs[k].obj.Object)
	}
	return map[string]any{
		"apiVersion": res.gvk.GroupVersion().String(), "kind": res.gvk.Kind + "List",
		"metadata": map[string]any{"resourceVersion": fmt.Sprint(c.rv)}, "items": items,
	}
}

func (c *Cluster) groupList() *metav1.APIGroupList {
	c.mu.Lock()
	defer c.mu.Unlock()
	versions := map[string][]string{}
	for gv, rs := range c.reg.byGV {
		if gv.Group == "" {
			continue
		}
		for _, r := range rs {
			if c.served(r) {
				versions[gv.Group] = append(versions[gv.Group], gv.Version)
				break
			}
		}
	}
	var groups []string
	for g := range versions {
		groups = append(groups, g)
	}
	sort.Strings(groups)
	list := &metav1.APIGroupList{TypeMeta: metav1.TypeMeta{Kind: "APIGroupList", APIVersion: "v1"}}
	for _, g := range groups {
		vs := versions[g]
		sort.Strings(vs)
		grp := metav1.APIGroup{Name: g}
		for _, v := range vs {
			grp.Versions = append(grp.Versions, metav1.GroupVersionForDiscovery{GroupVersion: g + "/" + v, Version: v})
		}
		grp.PreferredVersion = grp.Versions[len(grp.Versions)-1]
		list.Groups = append(list.Groups, grp)
	}
	return list
}

// Create stores a new object (POST), generating its name from generateName when needed.
func (c *Cluster) Create(obj *unstructured.Unstructured, dry bool) (*unstructured.Unstructured, error) {
	o := obj.DeepCopy()
	if o.GetName() == "" && o.GetGenerateName() != "" {
		c.mu.Lock()
		c.uid++
		o.SetName(fmt.Sprintf("%s%05x", o.GetGenerateName(), c.uid))
		c.mu.Unlock()
	}
	if _, err := c.write(o, dry, modeCreate); err != nil {
		return nil, err
	}
	return o, nil
}
