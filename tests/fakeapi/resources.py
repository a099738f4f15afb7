"""Built-in resource types of the fake API server, discovery and OpenAPI.

A resource type is (group, version, kind, plural, namespaced, singular,
short names, subresources). CRDs add types once they are Established.
Discovery documents follow k8s.io/apimachinery/pkg/apis/meta/v1 APIResourceList
and apidiscovery.k8s.io/v2 APIGroupDiscoveryList; the OpenAPI v3 stub carries
only what client-go's query-parameter verifier reads: PATCH/POST operations with
x-kubernetes-group-version-kind and a fieldValidation query parameter.
"""

import hashlib
import json

VERBS = ["create", "delete", "deletecollection", "get", "list", "patch",
         "update", "watch"]

# group, version, kind, plural, namespaced, short names, subresources
BUILTIN = [
    ("", "v1", "Binding", "bindings", True, [], []),
    ("", "v1", "ComponentStatus", "componentstatuses", False, ["cs"], []),
    ("", "v1", "ConfigMap", "configmaps", True, ["cm"], []),
    ("", "v1", "Endpoints", "endpoints", True, ["ep"], []),
    ("", "v1", "Event", "events", True, ["ev"], []),
    ("", "v1", "LimitRange", "limitranges", True, ["limits"], []),
    ("", "v1", "Namespace", "namespaces", False, ["ns"], ["status"]),
    ("", "v1", "Node", "nodes", False, ["no"], ["status"]),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", True,
     ["pvc"], ["status"]),
    ("", "v1", "PersistentVolume", "persistentvolumes", False, ["pv"],
     ["status"]),
    ("", "v1", "Pod", "pods", True, ["po"], ["status", "log"]),
    ("", "v1", "PodTemplate", "podtemplates", True, [], []),
    ("", "v1", "ReplicationController", "replicationcontrollers", True,
     ["rc"], ["status", "scale"]),
    ("", "v1", "ResourceQuota", "resourcequotas", True, ["quota"],
     ["status"]),
    ("", "v1", "Secret", "secrets", True, [], []),
    ("", "v1", "ServiceAccount", "serviceaccounts", True, ["sa"], []),
    ("", "v1", "Service", "services", True, ["svc"], ["status"]),
    ("apps", "v1", "ControllerRevision", "controllerrevisions", True, [], []),
    ("apps", "v1", "DaemonSet", "daemonsets", True, ["ds"], ["status"]),
    ("apps", "v1", "Deployment", "deployments", True, ["deploy"],
     ["status", "scale"]),
    ("apps", "v1", "ReplicaSet", "replicasets", True, ["rs"],
     ["status", "scale"]),
    ("apps", "v1", "StatefulSet", "statefulsets", True, ["sts"],
     ["status", "scale"]),
    ("batch", "v1", "CronJob", "cronjobs", True, ["cj"], ["status"]),
    ("batch", "v1", "Job", "jobs", True, [], ["status"]),
    ("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding",
     "clusterrolebindings", False, [], []),
    ("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", False,
     [], []),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", True,
     [], []),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles", True, [], []),
    ("apiextensions.k8s.io", "v1", "CustomResourceDefinition",
     "customresourcedefinitions", False, ["crd", "crds"], ["status"]),
    ("admissionregistration.k8s.io", "v1", "MutatingWebhookConfiguration",
     "mutatingwebhookconfigurations", False, [], []),
    ("admissionregistration.k8s.io", "v1", "ValidatingWebhookConfiguration",
     "validatingwebhookconfigurations", False, [], []),
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicy",
     "validatingadmissionpolicies", False, [], ["status"]),
    ("admissionregistration.k8s.io", "v1", "ValidatingAdmissionPolicyBinding",
     "validatingadmissionpolicybindings", False, [], []),
    ("apiregistration.k8s.io", "v1", "APIService", "apiservices", False, [],
     ["status"]),
    ("networking.k8s.io", "v1", "IngressClass", "ingressclasses", False, [],
     []),
    ("networking.k8s.io", "v1", "Ingress", "ingresses", True, ["ing"],
     ["status"]),
    ("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", True,
     ["netpol"], []),
    ("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", True,
     ["pdb"], ["status"]),
    ("coordination.k8s.io", "v1", "Lease", "leases", True, [], []),
    ("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", True, [],
     []),
    ("events.k8s.io", "v1", "Event", "events", True, ["ev"], []),
    ("scheduling.k8s.io", "v1", "PriorityClass", "priorityclasses", False,
     ["pc"], []),
    ("storage.k8s.io", "v1", "CSIDriver", "csidrivers", False, [], []),
    ("storage.k8s.io", "v1", "CSINode", "csinodes", False, [], []),
    ("storage.k8s.io", "v1", "StorageClass", "storageclasses", False, ["sc"],
     []),
    ("storage.k8s.io", "v1", "VolumeAttachment", "volumeattachments", False,
     [], ["status"]),
]

# Discovery order of the groups, as a real apiserver lists them.
GROUP_ORDER = ["", "apiregistration.k8s.io", "apps", "events.k8s.io",
               "authentication.k8s.io", "authorization.k8s.io", "autoscaling",
               "batch", "certificates.k8s.io", "networking.k8s.io", "policy",
               "rbac.authorization.k8s.io", "storage.k8s.io",
               "admissionregistration.k8s.io", "apiextensions.k8s.io",
               "scheduling.k8s.io", "coordination.k8s.io", "node.k8s.io",
               "discovery.k8s.io", "flowcontrol.apiserver.k8s.io"]


class ResType:
    """One served resource type."""

    def __init__(self, group, version, kind, plural, namespaced,
                 short=(), subresources=(), singular=None, crd=None,
                 categories=()):
        self.group = group
        self.version = version
        self.kind = kind
        self.plural = plural
        self.namespaced = namespaced
        self.short = list(short)
        self.subresources = list(subresources)
        self.singular = singular or kind.lower()
        self.crd = crd  # name of the defining CRD, or None
        self.categories = list(categories)

    @property
    def gv(self):
        return self.group + "/" + self.version if self.group else self.version

    def group_resource(self):
        """`deployments.apps`, or `configmaps` for the core group."""
        return self.plural + "." + self.group if self.group else self.plural


class Registry:
    """The served types: the built-in ones and Established CRDs."""

    def __init__(self):
        self.types = []
        for g, v, k, p, ns, short, sub in BUILTIN:
            self.types.append(ResType(g, v, k, p, ns, short, sub))

    def add_crd(self, crd):
        """Serve every served version of an Established CRD."""
        name = crd["metadata"]["name"]
        self.remove_crd(name)
        spec = crd.get("spec", {})
        names = spec.get("names", {})
        for ver in spec.get("versions", []):
            if not ver.get("served", True):
                continue
            subs = list((ver.get("subresources") or {}).keys())
            self.types.append(ResType(
                spec.get("group", ""), ver["name"], names.get("kind", ""),
                names.get("plural", ""), spec.get("scope") == "Namespaced",
                names.get("shortNames", []), subs, names.get("singular"),
                crd=name, categories=names.get("categories", [])))

    def remove_crd(self, name):
        self.types = [t for t in self.types if t.crd != name]

    def find(self, group, version, plural):
        for t in self.types:
            if t.group == group and t.version == version and \
                    t.plural == plural:
                return t
        return None

    def by_kind(self, group, version, kind):
        for t in self.types:
            if t.group == group and t.version == version and t.kind == kind:
                return t
        return None

    def groups(self):
        """[(group, [versions])] in discovery order (core group excluded)."""
        seen = {}
        for t in self.types:
            if t.group == "":
                continue
            vs = seen.setdefault(t.group, [])
            if t.version not in vs:
                vs.append(t.version)
        order = [g for g in GROUP_ORDER if g in seen]
        order += sorted(g for g in seen if g not in GROUP_ORDER)
        return [(g, sorted(seen[g], key=version_key, reverse=True))
                for g in order]

    def in_gv(self, group, version):
        return [t for t in self.types
                if t.group == group and t.version == version]

    # ---- discovery documents ------------------------------------------

    def api_versions(self, server_addr):
        return {"kind": "APIVersions", "versions": ["v1"],
                "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": server_addr}]}

    def api_group_list(self):
        out = []
        for g, vs in self.groups():
            gvs = [{"groupVersion": g + "/" + v, "version": v} for v in vs]
            out.append({"name": g, "versions": gvs,
                        "preferredVersion": gvs[0]})
        return {"kind": "APIGroupList", "apiVersion": "v1", "groups": out}

    def resource_list(self, group, version):
        types = self.in_gv(group, version)
        if not types:
            return None
        res = []
        for t in types:
            r = {"name": t.plural, "singularName": t.singular,
                 "namespaced": t.namespaced, "kind": t.kind,
                 "verbs": list(VERBS)}
            if t.short:
                r["shortNames"] = t.short
            if t.categories:
                r["categories"] = t.categories
            res.append(r)
            for sub in t.subresources:
                res.append({"name": t.plural + "/" + sub, "singularName": "",
                            "namespaced": t.namespaced, "kind": t.kind,
                            "verbs": ["get", "patch", "update"]})
        gv = group + "/" + version if group else version
        return {"kind": "APIResourceList", "apiVersion": "v1",
                "groupVersion": gv, "resources": res}

    def aggregated(self, core):
        """apidiscovery.k8s.io/v2 APIGroupDiscoveryList for /api or /apis."""
        groups = [("", ["v1"])] if core else self.groups()
        items = []
        for g, vs in groups:
            versions = []
            for v in vs:
                resources = []
                for t in self.in_gv(g, v):
                    r = {"resource": t.plural,
                         "responseKind": {"group": t.group,
                                          "version": t.version,
                                          "kind": t.kind},
                         "scope": "Namespaced" if t.namespaced
                         else "Cluster",
                         "singularResource": t.singular,
                         "verbs": list(VERBS)}
                    if t.short:
                        r["shortNames"] = t.short
                    if t.categories:
                        r["categories"] = t.categories
                    if t.subresources:
                        r["subresources"] = [
                            {"subresource": s,
                             "responseKind": {"group": t.group,
                                              "version": t.version,
                                              "kind": t.kind},
                             "verbs": ["get", "patch", "update"]}
                            for s in t.subresources]
                    resources.append(r)
                versions.append({"version": v, "resources": resources,
                                 "freshness": "Current"})
            items.append({"metadata": {"name": g, "creationTimestamp": None},
                          "versions": versions})
        return {"kind": "APIGroupDiscoveryList",
                "apiVersion": "apidiscovery.k8s.io/v2",
                "metadata": {}, "items": items}

    # ---- OpenAPI v3 -----------------------------------------------------

    def openapi_gvs(self):
        out = ["api/v1"]
        for g, vs in self.groups():
            for v in vs:
                out.append("apis/%s/%s" % (g, v))
        return out

    def openapi_root(self):
        paths = {}
        for gv in self.openapi_gvs():
            doc = self.openapi_doc(gv)
            h = hashlib.sha512(json.dumps(doc, sort_keys=True)
                               .encode()).hexdigest()[:32].upper()
            paths[gv] = {"serverRelativeURL": "/openapi/v3/%s?hash=%s"
                         % (gv, h)}
        return {"paths": paths}

    def openapi_doc(self, gvpath):
        """gvpath is `api/v1` or `apis/<group>/<version>`; None if unknown."""
        parts = gvpath.strip("/").split("/")
        if parts == ["api", "v1"]:
            group, version = "", "v1"
        elif len(parts) == 3 and parts[0] == "apis":
            group, version = parts[1], parts[2]
        else:
            return None
        types = self.in_gv(group, version)
        if not types:
            return None
        params = [{"name": n, "in": "query", "schema": {"type": "string"},
                   "uniqueItems": True}
                  for n in ("dryRun", "fieldManager", "fieldValidation")]
        paths = {}
        prefix = "/api/v1" if not group else "/apis/%s/%s" % (group, version)
        for t in types:
            gvk = {"group": t.group, "version": t.version, "kind": t.kind}
            base = prefix + ("/namespaces/{namespace}/" if t.namespaced
                             else "/") + t.plural
            op = {"x-kubernetes-group-version-kind": gvk,
                  "parameters": params, "responses": {}}
            paths[base] = {"post": dict(op, operationId="create" + t.kind),
                           "get": {"x-kubernetes-group-version-kind": gvk,
                                   "responses": {}}}
            paths[base + "/{name}"] = {
                "put": dict(op, operationId="replace" + t.kind),
                "patch": dict(op, operationId="patch" + t.kind),
                "get": {"x-kubernetes-group-version-kind": gvk,
                        "responses": {}}}
        return {"openapi": "3.0.0",
                "info": {"title": "Kubernetes", "version": "v1.33.0"},
                "paths": paths, "components": {"schemas": {}}}


def version_key(v):
    """Kubernetes version priority: GA > beta > alpha, then by number."""
    import re
    m = re.match(r"^v(\d+)(?:(alpha|beta)(\d+))?$", v)
    if not m:
        return (-1, 0, 0, v)
    rank = {"alpha": 0, "beta": 1, None: 2}[m.group(2)]
    return (rank, int(m.group(1)), int(m.group(3) or 0), "")
