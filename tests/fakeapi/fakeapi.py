#!/usr/bin/env python3
"""A fake Kubernetes API server for tests (Python 3 standard library only).

Enough of the apiserver for real `helm install/upgrade/history/uninstall`
(Helm 3.18 and 4.1), kubectl and readyinstall's client: discovery (legacy
and aggregated), an OpenAPI v3 stub, an in-memory store with CRUD, LIST with
selectors and pagination, WATCH, patches (merge, strategic, JSON, apply),
dry-run, finalizers, owner-reference garbage collection, protobuf Secrets
and ConfigMaps, fake controllers (CRDs, Deployments -> ReplicaSets -> Pods,
Jobs, Services -> EndpointSlices, APIServices) and scripted admission
webhooks that fail with the real apiserver messages (error-catalogue.md).

Usage:
  fakeapi.py [--tls-cert F --tls-key F] [--client-ca F] [--token T[=user]]...
             [--basic user:pass] [--port N] [--port-file F] [--log F]
             [--script F.json] [--no-aggregated-discovery]

Without --tls-cert it serves plain HTTP. Without any auth option every
request is allowed (as user "anonymous"). Control endpoints under /_fake/
need no authentication: GET log, store, healthz; POST backend-up?name=W,
backend-down?name=W, pods-ready?namespace=N&deployment=D&ready=true|false,
script (merge a JSON script), faults (append JSON faults), reset-log.

Script (JSON, all keys optional):
  {"crd_established_after": 0, "crds": {"<crd>": {"established_after": 2,
                                                    "never": false,
                                                    "stored_versions": []}},
   "pods": {"ready_after": 0.2,
            "<ns>/<deployment>": {"ready_after": 1, "ready": true}},
   "jobs": {"complete_after": 0.2, "<ns>/<job>": {"complete_after": 1,
                                                  "fail": false}},
   "apiservices": {"<name>": {"available_after": 1, "never": false}},
   "conditions": {"<group>/<Kind>/<ns>/<name>": {"Ready": "False",
                  "reason": "...", "message": "..."}},
   "webhooks": {"<webhook name>": {
        "cause": "connection-refused" | "no-endpoints" | "service-not-found"
                 | "x509-unknown-authority" | "deadline-exceeded"
                 | "io-timeout" | "auto" | {"text": "<cause>"},
        "up": false, "up_after": 5,
        "up_when": "endpoints" | {"deployment": "<ns>/<name>", "for": 2},
        "deny": "<message>" | true, "deny_prefix": true}},
   "openapi_v2": false,
   "faults": [{"method": "GET", "path": "<regex>", "status": 503,
               "reason": "ServiceUnavailable", "message": "...",
               "times": 1, "retry_after": 1, "delay": 0}]}
"""

import argparse
import base64
import copy
import datetime
import hashlib
import json
import os
import random
import re
import socket
import ssl
import sys
import threading
import time
import urllib.parse
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kpb  # noqa: E402
import miniyaml  # noqa: E402
import patch as patchmod  # noqa: E402
import kselectors as sel  # noqa: E402
from resources import Registry  # noqa: E402

KUBE_VERSION = {"major": "1", "minor": "33", "gitVersion": "v1.33.0",
                "gitCommit": "fake", "gitTreeState": "clean",
                "buildDate": "2026-01-01T00:00:00Z", "goVersion": "go1.24.0",
                "compiler": "gc", "platform": "linux/amd64"}

AGG_CT = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
OPENAPI_V2_PB = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"
INITIAL_EVENTS_END = "k8s.io/initial-events-end"
DNS1123_SUBDOMAIN = re.compile(
    r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_MSG = ("a lowercase RFC 1123 subdomain must consist of lower case "
               "alphanumeric characters, '-' or '.', and must start and end "
               "with an alphanumeric character (e.g. 'example.com', regex "
               "used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z"
               "0-9]([-a-z0-9]*[a-z0-9])?)*')")

# Causes of a failed webhook call (error-catalogue.md 2.1, W1-W6).
CAUSES = {
    "connection-refused": "dial tcp {ip}:{port}: connect: connection refused",
    "no-endpoints": "no endpoints available for service \"{svc}\"",
    "service-not-found": "service \"{svc}\" not found",
    "x509-unknown-authority": "tls: failed to verify certificate: x509: "
                              "certificate signed by unknown authority",
    "deadline-exceeded": "context deadline exceeded",
    "io-timeout": "dial tcp {ip}:{port}: i/o timeout",
}


def now_ts():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def status(code, reason, message, details=None):
    s = {"kind": "Status", "apiVersion": "v1", "metadata": {},
         "status": "Failure", "message": message, "reason": reason,
         "code": code}
    if details is not None:
        s["details"] = details
    return s


class ApiError(Exception):
    def __init__(self, st, headers=None):
        super().__init__(st["message"])
        self.st = st
        self.headers = headers or {}


def not_found(rt, name):
    return ApiError(status(404, "NotFound", '%s "%s" not found'
                           % (rt.group_resource(), name),
                           _details(rt, name)))


def _details(rt, name):
    d = {"name": name, "kind": rt.plural}
    if rt.group:
        d["group"] = rt.group
    return d


def no_resource():
    return ApiError(status(404, "NotFound",
                           "the server could not find the requested resource",
                           {}))


def bad_request(msg):
    return ApiError(status(400, "BadRequest", msg))


def invalid(rt, name, field, value, detail):
    cause = "%s: Invalid value: %s: %s" % (field, json.dumps(value), detail)
    d = {"name": name, "kind": rt.kind,
         "causes": [{"reason": "FieldValueInvalid", "message":
                     "Invalid value: %s: %s" % (json.dumps(value), detail),
                     "field": field}]}
    if rt.group:
        d["group"] = rt.group
    return ApiError(status(422, "Invalid", '%s "%s" is invalid: %s'
                           % (rt.kind + ("." + rt.group if rt.group else ""),
                              name, cause), d))


class Store:
    """Objects by (group, plural, namespace, name), a global resourceVersion
    and the event history watches read."""

    def __init__(self, registry):
        self.reg = registry
        self.lock = threading.RLock()
        self.cond = threading.Condition(self.lock)
        self.objs = {}
        self.rv = 100
        self.events = []  # (rv, type, key, obj)
        self.applied = {}  # (key, manager) -> last applied configuration
        self.first_rv = self.rv

    def next_rv(self):
        self.rv += 1
        return self.rv

    def put_event(self, etype, key, obj):
        self.events.append((int(obj["metadata"]["resourceVersion"]), etype,
                            key, copy.deepcopy(obj)))
        if len(self.events) > 100000:
            drop = len(self.events) - 90000
            self.first_rv = self.events[drop][0]
            del self.events[:drop]
        self.cond.notify_all()

    def get(self, key):
        return self.objs.get(key)

    def items(self, group, plural, ns=None):
        out = []
        for k, o in self.objs.items():
            if k[0] == group and k[1] == plural and (ns is None or
                                                     k[2] == ns):
                out.append((k, o))
        out.sort(key=lambda kv: (kv[0][2], kv[0][3]))
        return out

    def save(self, key, obj, etype):
        obj["metadata"]["resourceVersion"] = str(self.next_rv())
        self.objs[key] = obj
        self.put_event(etype, key, obj)
        return obj

    def remove(self, key):
        obj = self.objs.pop(key, None)
        if obj is None:
            return None
        obj = copy.deepcopy(obj)
        obj["metadata"]["resourceVersion"] = str(self.next_rv())
        self.put_event("DELETED", key, obj)
        for mk in [mk for mk in self.applied if mk[0] == key]:
            del self.applied[mk]
        return obj


def key_of(rt, ns, name):
    return (rt.group, rt.plural, ns if rt.namespaced else "", name)


def api_version_of(rt):
    return rt.gv


class Server:
    """State shared by the request handlers and the controllers."""

    def __init__(self, args):
        self.args = args
        self.reg = Registry()
        self.store = Store(self.reg)
        self.started = time.time()
        self.script = {}
        self.faults = []
        self.backend_override = {}  # webhook name -> True/False
        self.pods_override = {}  # "ns/deploy" -> bool
        self.log_lock = threading.Lock()
        self.log_entries = []
        self.log_file = open(args.log, "a", buffering=1) if args.log else None
        self.tokens = {}
        for t in args.token or []:
            tok, _, user = t.partition("=")
            self.tokens[tok] = user or "token-user"
        if args.token_file:
            with open(args.token_file) as f:
                for line in f:
                    tok, _, user = line.strip().partition("=")
                    if tok:
                        self.tokens[tok] = user or "token-user"
        self.basic = {}
        for b in args.basic or []:
            u, _, p = b.partition(":")
            self.basic[u] = p
        self.ip_seq = 10
        self.first_seen = {}  # deployment key -> time it became available
        self.last_apply_format = ""
        if args.script:
            with open(args.script) as f:
                self.merge_script(json.load(f))
        for ns in ("default", "kube-system", "kube-public",
                   "kube-node-lease"):
            self.create_builtin_namespace(ns)

    def auth_enabled(self):
        return bool(self.args.client_ca or self.tokens or self.basic)

    def merge_script(self, s):
        with self.store.lock:
            for k, v in s.items():
                if k == "faults":
                    self.faults.extend(copy.deepcopy(v))
                elif isinstance(v, dict) and isinstance(
                        self.script.get(k), dict):
                    self.script[k].update(v)
                else:
                    self.script[k] = v

    def create_builtin_namespace(self, name):
        rt = self.reg.find("", "v1", "namespaces")
        obj = {"apiVersion": "v1", "kind": "Namespace",
               "metadata": {"name": name}}
        with self.store.lock:
            self.prepare_new(rt, obj, "")
            self.store.save(key_of(rt, "", name), obj, "ADDED")

    def log(self, entry):
        with self.log_lock:
            self.log_entries.append(entry)
            if self.log_file:
                self.log_file.write(json.dumps(entry, sort_keys=True) + "\n")

    def new_ip(self):
        self.ip_seq += 1
        return "10.%d.%d.%d" % (96, (self.ip_seq >> 8) & 255,
                                self.ip_seq & 255)

    # ---- object defaults ------------------------------------------------

    def prepare_new(self, rt, obj, ns):
        md = obj.setdefault("metadata", {})
        if not md.get("name") and md.get("generateName"):
            md["name"] = md["generateName"] + "".join(
                random.choice("bcdfghjklmnpqrstvwxz2456789")
                for _ in range(5))
        md["uid"] = str(uuid.uuid4())
        md["creationTimestamp"] = now_ts()
        md["generation"] = 1
        md.pop("deletionTimestamp", None)
        md.pop("resourceVersion", None)
        if rt.namespaced:
            md["namespace"] = ns
        else:
            md.pop("namespace", None)
        obj["apiVersion"] = api_version_of(rt)
        obj["kind"] = rt.kind
        self.defaults(rt, obj)

    def defaults(self, rt, obj):
        k = (rt.group, rt.kind)
        md = obj["metadata"]
        if k == ("", "Namespace"):
            md.setdefault("labels", {})["kubernetes.io/metadata.name"] = \
                md["name"]
            obj.setdefault("spec", {"finalizers": ["kubernetes"]})
            obj["status"] = {"phase": "Active"}
        elif k == ("", "Secret"):
            obj.setdefault("type", "Opaque")
            sd = obj.pop("stringData", None)
            if sd:
                data = obj.setdefault("data", {})
                for kk, vv in sd.items():
                    data[kk] = base64.b64encode(
                        str(vv).encode()).decode("ascii")
        elif k == ("", "Service"):
            spec = obj.setdefault("spec", {})
            spec.setdefault("type", "ClusterIP")
            if spec.get("type") != "ExternalName":
                if not spec.get("clusterIP"):
                    spec["clusterIP"] = self.new_ip()
                spec["clusterIPs"] = [spec["clusterIP"]]
            spec.setdefault("sessionAffinity", "None")
            for p in spec.get("ports") or []:
                p.setdefault("protocol", "TCP")
                p.setdefault("targetPort", p.get("port"))
            obj.setdefault("status", {"loadBalancer": {}})
        elif k == ("apps", "Deployment") or k == ("apps", "StatefulSet") or \
                k == ("apps", "ReplicaSet"):
            obj.setdefault("spec", {}).setdefault("replicas", 1)
        elif k == ("", "ServiceAccount"):
            pass
        elif k == ("apiextensions.k8s.io", "CustomResourceDefinition"):
            obj.setdefault("status", {})

    # ---- admission ------------------------------------------------------

    def namespace_labels(self, ns):
        rt = self.reg.find("", "v1", "namespaces")
        o = self.store.get(key_of(rt, "", ns))
        return (o or {}).get("metadata", {}).get("labels", {})

    def webhook_configs(self):
        out = []
        for plural, kind in (("mutatingwebhookconfigurations", "mutating"),
                             ("validatingwebhookconfigurations",
                              "validating")):
            for _, cfg in self.store.items("admissionregistration.k8s.io",
                                           plural):
                if cfg["metadata"].get("deletionTimestamp"):
                    continue
                for wh in cfg.get("webhooks") or []:
                    out.append((kind, cfg, wh))
        return out

    def rule_matches(self, wh, op, rt, sub, ns_scoped):
        for rule in wh.get("rules") or []:
            ops = rule.get("operations") or []
            if "*" not in ops and op not in ops:
                continue
            groups = rule.get("apiGroups") or []
            if "*" not in groups and rt.group not in groups:
                continue
            vers = rule.get("apiVersions") or []
            if "*" not in vers and rt.version not in vers:
                continue
            want = rt.plural + ("/" + sub if sub else "")
            res_ok = False
            for r in rule.get("resources") or []:
                if r == "*/*" or r == want or (r == "*" and not sub) or \
                        (r == rt.plural + "/*" and sub) or \
                        (r.startswith("*/") and sub and r[2:] == sub):
                    res_ok = True
            if not res_ok:
                continue
            scope = rule.get("scope", "*")
            if scope == "Namespaced" and not ns_scoped:
                continue
            if scope == "Cluster" and ns_scoped:
                continue
            return True
        return False

    def webhook_up(self, wh):
        name = wh.get("name", "")
        spec = (self.script.get("webhooks") or {}).get(name)
        if name in self.backend_override:
            return self.backend_override[name], spec
        if spec is None:
            return True, None
        if spec.get("up_after") is not None and \
                time.time() - self.started >= float(spec["up_after"]):
            return True, spec
        uw = spec.get("up_when")
        if uw == "endpoints":
            return self.service_cause(wh) is None, spec
        if isinstance(uw, dict) and uw.get("deployment"):
            t = self.first_seen.get(uw["deployment"])
            return (t is not None and
                    time.time() - t >= float(uw.get("for", 0))), spec
        if spec.get("cause") == "auto" and "up" not in spec:
            return self.service_cause(wh) is None, spec
        # a scripted cause means down until told otherwise; else up
        return bool(spec.get("up", "cause" not in spec)), spec

    def service_cause(self, wh):
        """Why the apiserver cannot reach a service-backed webhook, judged
        from the store: no Service, or no ready endpoint."""
        svc = (wh.get("clientConfig") or {}).get("service")
        if not svc:
            return None
        rt = self.reg.find("", "v1", "services")
        s = self.store.get(key_of(rt, svc.get("namespace", ""),
                                  svc.get("name", "")))
        if s is None:
            return CAUSES["service-not-found"]
        if not self.ready_endpoints(svc.get("namespace", ""),
                                    svc.get("name", "")):
            return CAUSES["no-endpoints"]
        return None

    def ready_endpoints(self, ns, svc):
        for _, es in self.store.items("discovery.k8s.io", "endpointslices",
                                      ns):
            if es["metadata"].get("labels", {}).get(
                    "kubernetes.io/service-name") != svc:
                continue
            for ep in es.get("endpoints") or []:
                if (ep.get("conditions") or {}).get("ready"):
                    return True
        return False

    def webhook_url(self, wh):
        cc = wh.get("clientConfig") or {}
        timeout = wh.get("timeoutSeconds", 10)
        if cc.get("url"):
            u = cc["url"]
            sep = "&" if "?" in u else "?"
            return "%s%stimeout=%ds" % (u, sep, timeout), None
        svc = cc.get("service") or {}
        port = svc.get("port", 443)
        path = svc.get("path", "")
        return ("https://%s.%s.svc:%d%s?timeout=%ds"
                % (svc.get("name", ""), svc.get("namespace", ""), port, path,
                   timeout), svc)

    def call_failure(self, wh, spec):
        url, svc = self.webhook_url(wh)
        cause = (spec or {}).get("cause", "connection-refused")
        ip, port, name = "10.96.0.1", 443, ""
        if svc:
            name = svc.get("name", "")
            port = svc.get("port", 443)
            rt = self.reg.find("", "v1", "services")
            s = self.store.get(key_of(rt, svc.get("namespace", ""), name))
            if s:
                ip = s.get("spec", {}).get("clusterIP", ip)
        if isinstance(cause, dict):
            text = cause.get("text", "")
        elif cause == "auto":
            text = self.service_cause(wh) or CAUSES["connection-refused"]
        else:
            text = CAUSES.get(cause, CAUSES["connection-refused"])
        text = text.format(ip=ip, port=port, svc=name)
        inner = 'failed calling webhook "%s": failed to call webhook: ' \
                'Post "%s": %s' % (wh.get("name", ""), url, text)
        return ApiError(status(500, "InternalError",
                               "Internal error occurred: " + inner,
                               {"causes": [{"message": inner}]}))

    def admit(self, op, rt, sub, obj, old, ns, dry_run):
        """Run the webhooks matching this request; raise ApiError when one
        rejects it. Webhook configurations are never admitted by webhooks."""
        if rt.group == "admissionregistration.k8s.io":
            return
        target = obj if obj is not None else old
        labels = (target or {}).get("metadata", {}).get("labels", {})
        name = (target or {}).get("metadata", {}).get("name", "")
        old_labels = (old or {}).get("metadata", {}).get("labels", {})
        for _, cfg, wh in self.webhook_configs():
            if not self.rule_matches(wh, op, rt, sub, rt.namespaced):
                continue
            if rt.namespaced:
                nsl = self.namespace_labels(ns)
            elif rt.kind == "Namespace":
                nsl = labels
            else:
                nsl = None
            if nsl is not None and not sel.label_selector_obj(
                    wh.get("namespaceSelector"), nsl):
                continue
            if not (sel.label_selector_obj(wh.get("objectSelector"), labels)
                    or (old is not None and sel.label_selector_obj(
                        wh.get("objectSelector"), old_labels))):
                continue
            if dry_run and wh.get("sideEffects") not in ("None",
                                                          "NoneOnDryRun"):
                raise ApiError(status(
                    400, "BadRequest",
                    'admission webhook "%s" does not support dry run'
                    % wh.get("name", "")))
            up, spec = self.webhook_up(wh)
            if not up:
                if wh.get("failurePolicy", "Fail") == "Ignore":
                    continue
                raise self.call_failure(wh, spec)
            deny = (spec or {}).get("deny")
            if deny:
                msg = 'admission webhook "%s" denied the request' \
                    % wh.get("name", "")
                msg += ": " + deny if isinstance(deny, str) \
                    else " without explanation"
                if (spec or {}).get("deny_prefix", True):
                    msg = '%s "%s" is forbidden: %s' % (
                        rt.group_resource(), name or "Unknown", msg)
                raise ApiError(status(403, "Forbidden", msg,
                                      _details(rt, name)))

    # ---- store operations ----------------------------------------------

    def check_namespace(self, rt, ns):
        if not rt.namespaced:
            return
        nrt = self.reg.find("", "v1", "namespaces")
        nso = self.store.get(key_of(nrt, "", ns))
        if nso is None:
            raise ApiError(status(404, "NotFound",
                                  'namespaces "%s" not found' % ns,
                                  {"name": ns, "kind": "namespaces"}))
        if nso["metadata"].get("deletionTimestamp"):
            raise ApiError(status(
                403, "Forbidden",
                '%s "%s" is forbidden: unable to create new content in '
                'namespace %s because it is being terminated'
                % (rt.group_resource(), "", ns)))

    def validate(self, rt, obj):
        name = obj.get("metadata", {}).get("name", "")
        if not name:
            raise invalid(rt, "", "metadata.name", "",
                          "name or generateName is required")
        if rt.kind != "Event" and not DNS1123_SUBDOMAIN.match(name) and \
                ":" not in name:
            raise invalid(rt, name, "metadata.name", name, DNS1123_MSG)
        if rt.kind == "CustomResourceDefinition":
            spec = obj.get("spec", {})
            want = "%s.%s" % (spec.get("names", {}).get("plural", ""),
                              spec.get("group", ""))
            if name != want:
                raise invalid(rt, name, "metadata.name", name,
                              'must be spec.names.plural+"."+spec.group')

    def create(self, rt, ns, obj, dry_run, sub=None):
        with self.store.lock:
            if not isinstance(obj, dict):
                raise bad_request("the body of the request was in an "
                                  "unknown format")
            body_ns = obj.get("metadata", {}).get("namespace")
            if rt.namespaced and body_ns and body_ns != ns:
                raise bad_request("the namespace of the provided object does "
                                  "not match the namespace sent on the "
                                  "request")
            obj = copy.deepcopy(obj)
            self.prepare_new(rt, obj, ns)
            self.validate(rt, obj)
            self.check_namespace(rt, ns)
            key = key_of(rt, ns, obj["metadata"]["name"])
            # As the apiserver: admission webhooks run before storage finds
            # the name taken, so a dry-run create of an existing object
            # still goes through them (and then gets AlreadyExists).
            self.admit("CREATE", rt, sub, obj, None, ns, dry_run)
            if key in self.store.objs:
                raise ApiError(status(409, "AlreadyExists",
                                      '%s "%s" already exists'
                                      % (rt.group_resource(), key[3]),
                                      _details(rt, key[3])))
            if dry_run:
                obj["metadata"]["resourceVersion"] = ""
                return obj
            self.store.save(key, obj, "ADDED")
            return copy.deepcopy(obj)

    def update(self, rt, ns, name, obj, dry_run, sub=None):
        with self.store.lock:
            key = key_of(rt, ns, name)
            old = self.store.get(key)
            if old is None:
                raise not_found(rt, name)
            if not isinstance(obj, dict):
                raise bad_request("the body of the request was in an "
                                  "unknown format")
            rv = obj.get("metadata", {}).get("resourceVersion")
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise ApiError(status(
                    409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": the object '
                    'has been modified; please apply your changes to the '
                    'latest version and try again'
                    % (rt.group_resource(), name), _details(rt, name)))
            if obj.get("metadata", {}).get("name", name) != name:
                raise bad_request("the name of the object (%s) does not match "
                                  "the name on the URL (%s)"
                                  % (obj["metadata"]["name"], name))
            return self.replace(rt, key, old, copy.deepcopy(obj), dry_run,
                                sub)

    def replace(self, rt, key, old, new, dry_run, sub=None, op="UPDATE"):
        """Store new in place of old, keeping what the server owns."""
        omd = old["metadata"]
        md = new.setdefault("metadata", {})
        for f in ("uid", "creationTimestamp", "deletionTimestamp", "name"):
            if f in omd:
                md[f] = omd[f]
            else:
                md.pop(f, None)
        if rt.namespaced:
            md["namespace"] = key[2]
        new["apiVersion"] = api_version_of(rt)
        new["kind"] = rt.kind
        if sub == "status":
            keep = copy.deepcopy(old)
            keep["status"] = new.get("status")
            new = keep
        elif "status" in rt.subresources:
            if "status" in old:
                new["status"] = old["status"]
            else:
                new.pop("status", None)
        self.defaults(rt, new)
        md = new["metadata"]
        strip = lambda o: {k: v for k, v in o.items()  # noqa: E731
                           if k not in ("metadata", "status")}
        gen = omd.get("generation", 1)
        if strip(new) != strip(old):
            gen += 1
        md["generation"] = gen
        self.validate(rt, new)
        self.admit(op, rt, sub, new, old, key[2], dry_run)
        if dry_run:
            md["resourceVersion"] = omd["resourceVersion"]
            return new
        if omd.get("deletionTimestamp") and not md.get("finalizers"):
            self.store.objs[key] = new
            self.finalize_delete(rt, key)
            return new
        self.store.save(key, new, "MODIFIED")
        return copy.deepcopy(new)

    def patch(self, rt, ns, name, ctype, body, params, sub=None):
        dry_run = params.get("dryRun") == "All"
        with self.store.lock:
            key = key_of(rt, ns, name)
            old = self.store.get(key)
            if ctype.startswith("application/apply-patch"):
                try:
                    text = body.decode("utf-8")
                    self.last_apply_format = "json" if \
                        text.lstrip().startswith("{") else "yaml"
                    applied = miniyaml.loads(text)
                except (ValueError, UnicodeDecodeError) as e:
                    raise bad_request("error decoding YAML: %s" % e)
                if not isinstance(applied, dict):
                    raise bad_request("apply patch must be an object")
                manager = params.get("fieldManager", "")
                if not manager:
                    raise bad_request("PATCH, application/apply-patch+yaml "
                                      "requires fieldManager to be set")
                amd = applied.get("metadata") or {}
                if amd.get("name") not in (None, name):
                    raise bad_request("the name of the object (%s) does not "
                                      "match the name on the URL (%s)"
                                      % (amd.get("name"), name))
                if old is None:
                    applied.setdefault("metadata", {})["name"] = name
                    obj = self.create(rt, ns, applied, dry_run, sub)
                else:
                    prev = self.store.applied.get((key, manager))
                    merged = patchmod.apply(copy.deepcopy(old), prev,
                                            applied)
                    merged["metadata"]["resourceVersion"] = \
                        old["metadata"]["resourceVersion"]
                    obj = self.replace(rt, key, old, merged, dry_run, sub)
                if not dry_run:
                    self.store.applied[(key, manager)] = applied
                return obj
            if old is None:
                raise not_found(rt, name)
            try:
                p = json.loads(body.decode("utf-8") or "null")
            except (ValueError, UnicodeDecodeError) as e:
                raise bad_request("error decoding patch: %s" % e)
            try:
                if ctype.startswith("application/json-patch+json"):
                    merged = patchmod.json_patch(old, p)
                elif ctype.startswith("application/merge-patch+json"):
                    merged = patchmod.merge_patch(copy.deepcopy(old), p)
                elif ctype.startswith("application/strategic-merge-patch"):
                    if rt.crd:
                        raise ApiError(status(
                            415, "UnsupportedMediaType",
                            "strategic merge patch is not supported for "
                            "custom resources"))
                    merged = patchmod.strategic_merge(copy.deepcopy(old), p)
                else:
                    raise ApiError(status(415, "UnsupportedMediaType",
                                          "the server does not support "
                                          "content type %s" % ctype))
            except patchmod.PatchError as e:
                raise ApiError(status(422, "Invalid", str(e)))
            if not isinstance(merged, dict):
                raise bad_request("patch result is not an object")
            rv = (p.get("metadata") or {}).get("resourceVersion") \
                if isinstance(p, dict) else None
            if rv and rv != old["metadata"]["resourceVersion"]:
                raise ApiError(status(
                    409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": the object '
                    'has been modified; please apply your changes to the '
                    'latest version and try again'
                    % (rt.group_resource(), name), _details(rt, name)))
            return self.replace(rt, key, old, merged, dry_run, sub)

    def delete(self, rt, ns, name, dry_run):
        with self.store.lock:
            key = key_of(rt, ns, name)
            old = self.store.get(key)
            if old is None:
                raise not_found(rt, name)
            self.admit("DELETE", rt, None, None, old, ns, dry_run)
            if dry_run:
                return old
            md = old["metadata"]
            if md.get("finalizers"):
                if not md.get("deletionTimestamp"):
                    new = copy.deepcopy(old)
                    new["metadata"]["deletionTimestamp"] = now_ts()
                    self.store.save(key, new, "MODIFIED")
                    return copy.deepcopy(new)
                return copy.deepcopy(old)
            return self.finalize_delete(rt, key)

    def finalize_delete(self, rt, key):
        obj = self.store.remove(key)
        if obj is None:
            return None
        uid = obj["metadata"].get("uid")
        # Garbage collection: dependents whose owner is gone.
        for k, o in list(self.store.objs.items()):
            refs = o.get("metadata", {}).get("ownerReferences") or []
            if any(r.get("uid") == uid for r in refs):
                drt = self.reg.find(k[0], self.version_of(k), k[1])
                if drt:
                    self.finalize_delete(drt, k)
                else:
                    self.store.remove(k)
        if rt.kind == "Namespace":
            for k in [k for k in self.store.objs if k[2] == key[3]]:
                self.store.remove(k)
        if rt.kind == "CustomResourceDefinition":
            spec = obj.get("spec", {})
            group, plural = spec.get("group"), spec.get("names", {}).get(
                "plural")
            for k in [k for k in self.store.objs
                      if k[0] == group and k[1] == plural]:
                self.store.remove(k)
            self.reg.remove_crd(key[3])
        return obj

    def version_of(self, key):
        o = self.store.objs.get(key)
        if o:
            av = o.get("apiVersion", "v1")
            return av.split("/")[-1]
        for t in self.reg.types:
            if t.group == key[0] and t.plural == key[1]:
                return t.version
        return "v1"

    def list(self, rt, ns, params):
        try:
            lreqs = sel.parse_labels(params.get("labelSelector", ""))
            freqs = sel.parse_fields(params.get("fieldSelector", ""))
        except sel.SelectorError as e:
            raise bad_request(str(e))
        limit = int(params.get("limit") or 0)
        cont = params.get("continue", "")
        start = None
        with self.store.lock:
            list_rv = self.store.rv
            if cont:
                try:
                    tok = json.loads(base64.b64decode(cont))
                    start = (tok["ns"], tok["name"])
                    list_rv = tok["rv"]
                except (ValueError, KeyError, TypeError):
                    raise bad_request("continue key is not valid: "
                                      "illegal base64 data")
            items = []
            for k, o in self.store.items(rt.group, rt.plural,
                                         ns if rt.namespaced and ns
                                         else None):
                if start is not None and (k[2], k[3]) <= start:
                    continue
                if not sel.match_labels(lreqs, o["metadata"].get("labels")):
                    continue
                if not sel.match_fields(freqs, o):
                    continue
                items.append(o)
            meta = {"resourceVersion": str(list_rv)}
            if limit and len(items) > limit:
                rest = len(items) - limit
                items = items[:limit]
                last = items[-1]["metadata"]
                meta["continue"] = base64.b64encode(json.dumps(
                    {"ns": last.get("namespace", ""), "name": last["name"],
                     "rv": list_rv}).encode()).decode("ascii")
                meta["remainingItemCount"] = rest
            return {"kind": rt.kind + "List", "apiVersion": rt.gv,
                    "metadata": meta,
                    "items": [self.as_version(rt, o) for o in items]}

    def as_version(self, rt, o):
        o = copy.deepcopy(o)
        o["apiVersion"] = rt.gv
        return o


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "fakeapi/1"
    srv = None  # Server, set in main

    def log_message(self, fmt, *args):
        pass

    def setup(self):
        super().setup()
        if isinstance(self.request, ssl.SSLSocket):
            try:
                self.request.settimeout(10)
                self.request.do_handshake()
                self.request.settimeout(None)
            except (ssl.SSLError, OSError) as e:
                self.srv.log({"time": time.time(), "tls_error": str(e)})
                self.close_connection = True
                raise

    def handle(self):
        try:
            super().handle()
        except (ssl.SSLError, ConnectionError, BrokenPipeError, OSError):
            pass

    # ---- plumbing -------------------------------------------------------

    def _body(self):
        n = int(self.headers.get("Content-Length") or 0)
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            out = b""
            while True:
                line = self.rfile.readline().strip()
                size = int(line.split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return out
                out += self.rfile.read(size)
                self.rfile.readline()
        return self.rfile.read(n) if n else b""

    def _send(self, code, obj, ctype="application/json", headers=None):
        data = obj if isinstance(obj, bytes) else \
            json.dumps(obj).encode("utf-8")
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Audit-Id", str(uuid.uuid4()))
        self.send_header("Cache-Control", "no-cache, private")
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(data)
        self._status = code

    def _user(self):
        """The authenticated user, or None."""
        srv = self.srv
        if not srv.auth_enabled():
            return "anonymous"
        if isinstance(self.request, ssl.SSLSocket) and srv.args.client_ca:
            cert = self.request.getpeercert()
            if cert:
                for rdn in cert.get("subject", ()):
                    for k, v in rdn:
                        if k == "commonName":
                            return v
        auth = self.headers.get("Authorization", "")
        if auth.startswith("Bearer "):
            return srv.tokens.get(auth[7:].strip())
        if auth.startswith("Basic "):
            try:
                u, _, p = base64.b64decode(auth[6:]).decode().partition(":")
            except ValueError:
                return None
            if u in srv.basic and srv.basic[u] == p:
                return u
        return None

    def _do(self):
        self._status = 0
        self._user_name = ""
        self._extra = {}
        t0 = time.time()
        url = urllib.parse.urlsplit(self.path)
        params = dict(urllib.parse.parse_qsl(url.query,
                                             keep_blank_values=True))
        try:
            if url.path.startswith("/_fake/"):
                self._control(url.path[len("/_fake/"):], params)
            else:
                user = self._user()
                if user is None:
                    self._body()
                    raise ApiError(status(401, "Unauthorized",
                                          "Unauthorized"))
                self._user_name = user
                self._fault(url.path)
                self._route(url.path, params)
        except ApiError as e:
            self._send(e.st["code"], e.st, headers=e.headers)
        except (BrokenPipeError, ConnectionError):
            self.close_connection = True
        except Exception as e:  # a bug in the fake: say so, keep serving
            import traceback
            traceback.print_exc()
            try:
                self._send(500, status(500, "InternalError",
                                       "Internal error occurred: fakeapi: "
                                       "%s" % e))
            except OSError:
                pass
        if not url.path.startswith("/_fake/"):
            self.srv.log({"time": round(t0, 4), "method": self.command,
                          "path": url.path, "query": url.query,
                          "content_type": self.headers.get("Content-Type",
                                                           ""),
                          "accept": self.headers.get("Accept", ""),
                          "user_agent": self.headers.get("User-Agent", ""),
                          "user": self._user_name, "status": self._status,
                          **self._extra})

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = _do

    def _fault(self, path):
        srv = self.srv
        with srv.store.lock:
            for f in srv.faults:
                if f.get("times", 1) <= 0:
                    continue
                if f.get("method", "*") not in ("*", self.command):
                    continue
                if not re.search(f.get("path", ""), path):
                    continue
                f["times"] = f.get("times", 1) - 1
                break
            else:
                return
        if f.get("delay"):
            time.sleep(float(f["delay"]))
        self._body()
        if not f.get("status"):
            return
        hdr = {}
        if f.get("retry_after") is not None:
            hdr["Retry-After"] = str(f["retry_after"])
        st = status(f["status"], f.get("reason", "InternalError"),
                    f.get("message", ""))
        raise ApiError(st, hdr)

    # ---- control endpoints ----------------------------------------------

    def _control(self, what, params):
        srv = self.srv
        body = self._body()
        if what == "healthz":
            return self._send(200, {"ok": True, "port":
                                    self.server.server_address[1]})
        if what == "log":
            with srv.log_lock:
                return self._send(200, list(srv.log_entries))
        if what == "reset-log":
            with srv.log_lock:
                srv.log_entries.clear()
            return self._send(200, {"ok": True})
        if what == "store":
            out = []
            with srv.store.lock:
                for k, o in sorted(srv.store.objs.items()):
                    if params.get("group") is not None and \
                            k[0] != params["group"]:
                        continue
                    if params.get("plural") and k[1] != params["plural"]:
                        continue
                    if params.get("kind") and o.get("kind") != \
                            params["kind"]:
                        continue
                    if params.get("namespace") is not None and \
                            k[2] != params["namespace"]:
                        continue
                    if params.get("name") and k[3] != params["name"]:
                        continue
                    out.append(o)
            return self._send(200, {"items": out})
        if what in ("backend-up", "backend-down"):
            srv.backend_override[params.get("name", "")] = \
                what == "backend-up"
            return self._send(200, {"ok": True})
        if what == "pods-ready":
            k = "%s/%s" % (params.get("namespace", ""),
                           params.get("deployment", ""))
            srv.pods_override[k] = params.get("ready", "true") == "true"
            return self._send(200, {"ok": True})
        if what == "script":
            srv.merge_script(json.loads(body or b"{}"))
            return self._send(200, {"ok": True})
        if what == "faults":
            with srv.store.lock:
                srv.faults.extend(json.loads(body or b"[]"))
            return self._send(200, {"ok": True})
        raise ApiError(status(404, "NotFound", "no such control endpoint"))

    # ---- API routing ----------------------------------------------------

    def _accepts_aggregated(self):
        acc = self.headers.get("Accept", "")
        return "as=APIGroupDiscoveryList" in acc and \
            "v=v2;" in acc.replace(" ", "") + ";" and \
            not self.srv.args.no_aggregated_discovery

    def _route(self, path, params):
        srv = self.srv
        reg = srv.reg
        parts = [urllib.parse.unquote(p) for p in path.strip("/").split("/")
                 if p]
        body = self._body() if self.command in ("POST", "PUT", "PATCH",
                                                "DELETE") else b""
        if self.command == "GET" or self.command == "HEAD":
            if parts == ["version"]:
                return self._send(200, KUBE_VERSION)
            if parts == ["healthz"] or parts == ["readyz"] or \
                    parts == ["livez"]:
                return self._send(200, b"ok", "text/plain")
            if parts == ["api"]:
                with srv.store.lock:
                    if self._accepts_aggregated():
                        return self._send(200, reg.aggregated(True), AGG_CT)
                    host = "%s:%d" % self.server.server_address[:2]
                    return self._send(200, reg.api_versions(host))
            if parts == ["apis"]:
                with srv.store.lock:
                    if self._accepts_aggregated():
                        return self._send(200, reg.aggregated(False), AGG_CT)
                    return self._send(200, reg.api_group_list())
            if parts == ["openapi", "v3"]:
                with srv.store.lock:
                    return self._send(200, reg.openapi_root())
            if len(parts) > 2 and parts[:2] == ["openapi", "v3"]:
                with srv.store.lock:
                    doc = reg.openapi_doc("/".join(parts[2:]))
                if doc is None:
                    raise no_resource()
                return self._send(200, doc)
            if parts == ["openapi", "v2"]:
                # 404 unless the script asks for "openapi_v2": true; then a
                # minimal swagger 2.0 document without paths or definitions
                # (client-side validators then skip kinds they do not know,
                # as against a real apiserver, whose document never lists a
                # CRD that does not exist yet).
                if not srv.script.get("openapi_v2"):
                    raise no_resource()
                if "protobuf" in self.headers.get("Accept", ""):
                    # gnostic openapi_v2.Document{swagger: "2.0"}
                    return self._send(200, b"\x0a\x032.0", OPENAPI_V2_PB)
                return self._send(200, {"swagger": "2.0", "info": {
                    "title": "Kubernetes", "version": KUBE_VERSION.get(
                        "gitVersion", "")}, "paths": {}, "definitions": {}})
        if parts[:1] == ["api"] and len(parts) >= 2:
            group, version, rest = "", parts[1], parts[2:]
        elif parts[:1] == ["apis"] and len(parts) >= 3:
            group, version, rest = parts[1], parts[2], parts[3:]
        elif parts[:1] == ["apis"] and len(parts) == 2:
            with srv.store.lock:
                for g, vs in reg.groups():
                    if g == parts[1]:
                        gvs = [{"groupVersion": g + "/" + v, "version": v}
                               for v in vs]
                        return self._send(200, {
                            "kind": "APIGroup", "apiVersion": "v1",
                            "name": g, "versions": gvs,
                            "preferredVersion": gvs[0]})
            raise no_resource()
        else:
            raise no_resource()
        if not rest:
            if self.command != "GET":
                raise ApiError(status(405, "MethodNotAllowed",
                                      "the server does not allow this method "
                                      "on the requested resource"))
            with srv.store.lock:
                rl = reg.resource_list(group, version)
            if rl is None:
                raise no_resource()
            return self._send(200, rl)
        watch = params.get("watch") in ("true", "1")
        if rest[0] == "watch":
            watch = True
            rest = rest[1:]
        ns = ""
        if rest and rest[0] == "namespaces" and len(rest) >= 3 and \
                rest[2] not in ("status", "finalize"):
            ns, rest = rest[1], rest[2:]
        if not rest or len(rest) > 3:
            raise no_resource()
        with srv.store.lock:
            rt = reg.find(group, version, rest[0])
        if rt is None:
            raise no_resource()
        name = rest[1] if len(rest) > 1 else None
        sub = rest[2] if len(rest) > 2 else None
        if sub and sub not in rt.subresources:
            raise no_resource()
        if rt.namespaced is False and ns:
            raise no_resource()
        dry_run = params.get("dryRun") == "All"
        m = self.command
        if m in ("GET", "HEAD") and name is None:
            if watch:
                return self._watch(rt, ns, params)
            return self._send(200, srv.list(rt, ns, params))
        if m in ("GET", "HEAD"):
            with srv.store.lock:
                o = srv.store.get(key_of(rt, ns, name))
                if o is None:
                    raise not_found(rt, name)
                return self._send(200, srv.as_version(rt, o))
        if m == "POST" and name is None:
            if rt.namespaced and not ns:
                raise ApiError(status(405, "MethodNotAllowed",
                                      "the server does not allow this method "
                                      "on the requested resource"))
            obj = self._decode(body)
            out = srv.create(rt, ns, obj, dry_run)
            return self._send(201, srv.as_version(rt, out))
        if m == "PUT" and name is not None:
            obj = self._decode(body)
            out = srv.update(rt, ns, name, obj, dry_run, sub)
            return self._send(200, srv.as_version(rt, out))
        if m == "PATCH" and name is not None:
            ctype = self.headers.get("Content-Type", "")
            with srv.store.lock:
                existed = srv.store.get(key_of(rt, ns, name)) is not None
            out = srv.patch(rt, ns, name, ctype, body, params, sub)
            if ctype.startswith("application/apply-patch"):
                self._extra["apply_body"] = srv.last_apply_format
            code = 200 if existed or not ctype.startswith(
                "application/apply-patch") else 201
            return self._send(code, srv.as_version(rt, out))
        if m == "DELETE" and name is not None:
            opts = self._decode(body) if body else {}
            dry_run = dry_run or "All" in (opts or {}).get("dryRun", [])
            out = srv.delete(rt, ns, name, dry_run)
            return self._send(200, srv.as_version(rt, out))
        if m == "DELETE" and name is None:
            listing = srv.list(rt, ns, params)
            for o in listing["items"]:
                try:
                    srv.delete(rt, ns or o["metadata"].get("namespace", ""),
                               o["metadata"]["name"], dry_run)
                except ApiError:
                    pass
            return self._send(200, listing)
        raise ApiError(status(405, "MethodNotAllowed",
                              "the server does not allow this method on the "
                              "requested resource"))

    def _decode(self, body):
        ctype = self.headers.get("Content-Type", "application/json")
        if ctype.startswith("application/vnd.kubernetes.protobuf"):
            try:
                return kpb.decode(body)
            except ValueError as e:
                raise ApiError(status(415, "UnsupportedMediaType",
                                      "fakeapi cannot decode this protobuf "
                                      "body: %s" % e))
        if ctype.startswith("application/yaml"):
            try:
                return miniyaml.loads(body.decode("utf-8"))
            except ValueError as e:
                raise bad_request(str(e))
        try:
            return json.loads(body.decode("utf-8"))
        except (ValueError, UnicodeDecodeError) as e:
            raise bad_request("error decoding the request body: %s" % e)

    # ---- watch ----------------------------------------------------------

    def _chunk(self, obj):
        data = json.dumps(obj).encode() + b"\n"
        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
        self.wfile.flush()

    def _watch(self, rt, ns, params):
        srv = self.srv
        store = srv.store
        try:
            lreqs = sel.parse_labels(params.get("labelSelector", ""))
            freqs = sel.parse_fields(params.get("fieldSelector", ""))
        except sel.SelectorError as e:
            raise bad_request(str(e))
        rv_param = params.get("resourceVersion", "")
        initial = params.get("sendInitialEvents") == "true"
        bookmarks = params.get("allowWatchBookmarks") == "true"
        timeout = float(params.get("timeoutSeconds") or 1800)
        deadline = time.time() + min(timeout, 3600)

        def matches(k, o):
            if k[0] != rt.group or k[1] != rt.plural:
                return False
            if rt.namespaced and ns and k[2] != ns:
                return False
            return sel.match_labels(lreqs, o["metadata"].get("labels")) and \
                sel.match_fields(freqs, o)

        with store.lock:
            if rv_param not in ("", "0") and not initial:
                try:
                    since = int(rv_param)
                except ValueError:
                    raise bad_request("invalid resource version %r"
                                      % rv_param)
                if since < store.first_rv - 1:
                    raise ApiError(status(410, "Expired",
                                          "too old resource version: %s (%d)"
                                          % (rv_param, store.first_rv)))
                pending = []
            else:
                since = store.rv
                pending = [{"type": "ADDED", "object": srv.as_version(rt, o)}
                           for k, o in store.items(rt.group, rt.plural,
                                                   ns or None)
                           if matches(k, o)]
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache, private")
        self.end_headers()
        self._status = 200
        try:
            for ev in pending:
                self._chunk(ev)
            if initial:
                self._chunk({"type": "BOOKMARK", "object": {
                    "kind": rt.kind, "apiVersion": rt.gv,
                    "metadata": {"resourceVersion": str(since),
                                 "annotations": {INITIAL_EVENTS_END:
                                                 "true"}}}})
            last_bm = time.time()
            while time.time() < deadline:
                with store.lock:
                    evs = [e for e in store.events if e[0] > since]
                    if not evs:
                        store.cond.wait(0.5)
                        evs = [e for e in store.events if e[0] > since]
                    cur = store.rv
                for rv, etype, k, o in evs:
                    since = max(since, rv)
                    if matches(k, o):
                        self._chunk({"type": etype,
                                     "object": srv.as_version(rt, o)})
                if not evs:
                    since = max(since, cur)
                if bookmarks and time.time() - last_bm > 1:
                    last_bm = time.time()
                    self._chunk({"type": "BOOKMARK", "object": {
                        "kind": rt.kind, "apiVersion": rt.gv,
                        "metadata": {"resourceVersion": str(since)}}})
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionError, OSError):
            pass
        self.close_connection = True


# ---- controllers ----------------------------------------------------------

class Controllers(threading.Thread):
    """Background loop playing the kube-controller-manager's part."""

    def __init__(self, srv):
        super().__init__(daemon=True)
        self.srv = srv

    def run(self):
        while True:
            time.sleep(0.1)
            try:
                with self.srv.store.lock:
                    self.tick()
            except Exception:  # keep the loop alive; print for debugging
                import traceback
                traceback.print_exc()

    def set_status(self, rt, key, obj, st):
        if obj.get("status") == st:
            return
        new = copy.deepcopy(obj)
        new["status"] = st
        self.srv.store.save(key, new, "MODIFIED")

    def tick(self):
        srv = self.srv
        store = srv.store
        reg = srv.reg
        now = time.time()
        script = srv.script
        created = getattr(self, "created", None)
        if created is None:
            created = self.created = {}
        for k in list(store.objs):
            uid = store.objs[k]["metadata"].get("uid")
            created.setdefault(uid, now)

        def age(o):
            return now - created.get(o["metadata"].get("uid"), now)

        # CRDs: NamesAccepted at once, Established after the scripted delay.
        crt = reg.find("apiextensions.k8s.io", "v1",
                       "customresourcedefinitions")
        for k, crd in store.items(crt.group, crt.plural):
            name = crd["metadata"]["name"]
            cs = (script.get("crds") or {}).get(name, {})
            delay = float(cs.get("established_after",
                                 script.get("crd_established_after", 0)))
            est = not cs.get("never") and age(crd) >= delay and \
                not crd["metadata"].get("deletionTimestamp")
            st = copy.deepcopy(crd.get("status") or {})
            st["acceptedNames"] = crd.get("spec", {}).get("names", {})
            conds = [{"type": "NamesAccepted", "status": "True",
                      "reason": "NoConflicts",
                      "message": "no conflicts found",
                      "lastTransitionTime": crd["metadata"][
                          "creationTimestamp"]}]
            conds.append({"type": "Established",
                          "status": "True" if est else "False",
                          "reason": "InitialNamesAccepted" if est
                          else "Installing",
                          "message": "the initial names have been accepted"
                          if est else "the API is being installed",
                          "lastTransitionTime": crd["metadata"][
                              "creationTimestamp"]})
            st["conditions"] = conds
            st["storedVersions"] = list(cs.get("stored_versions") or [
                v["name"] for v in crd.get("spec", {}).get("versions", [])
                if v.get("storage")])
            if est and not any(t.crd == name for t in reg.types):
                reg.add_crd(crd)
            self.set_status(crt, k, crd, st)

        # APIServices: Available after the scripted delay.
        art = reg.find("apiregistration.k8s.io", "v1", "apiservices")
        for k, a in store.items(art.group, art.plural):
            s = (script.get("apiservices") or {}).get(
                a["metadata"]["name"], {})
            ok = not s.get("never") and \
                age(a) >= float(s.get("available_after", 0))
            cond = {"type": "Available", "status": "True" if ok else "False",
                    "reason": "Passed" if ok else "MissingEndpoints",
                    "message": "all checks passed" if ok else
                    "endpoints for service are not available",
                    "lastTransitionTime": a["metadata"]["creationTimestamp"]}
            self.set_status(art, k, a, {"conditions": [cond]})

        self.workloads(now, age)
        self.jobs(age)
        self.endpoints()
        self.scripted_conditions()
        self.finalizers()

        # Webhook backends waiting on a Deployment being available.
        for name, spec in (script.get("webhooks") or {}).items():
            uw = spec.get("up_when")
            if isinstance(uw, dict) and uw.get("deployment"):
                ns, _, dn = uw["deployment"].partition("/")
                drt = reg.find("apps", "v1", "deployments")
                d = store.get(key_of(drt, ns, dn))
                ready = d is not None and \
                    (d.get("status") or {}).get("readyReplicas", 0) >= 1
                if ready:
                    srv.first_seen.setdefault(uw["deployment"], now)
                else:
                    srv.first_seen.pop(uw["deployment"], None)

    def finalizers(self):
        """Operators that hold finalizers on their custom resources, from
        the script's "finalizers": {"<group>/<plural>": {"finalizer":
        "<name>", "deployment": "<ns>/<name>", "never": false}}. While the
        Deployment has a ready replica, the finalizer is added to every
        object and, once an object is being deleted, removed (so it goes);
        with no ready replica nothing happens and deleted objects stay
        Terminating. "never": true keeps them Terminating for good."""
        srv = self.srv
        drt = srv.reg.find("apps", "v1", "deployments")
        for gp, spec in (srv.script.get("finalizers") or {}).items():
            group, _, plural = gp.partition("/")
            fin = spec.get("finalizer") or (group + "/cleanup")
            ns, _, dn = (spec.get("deployment") or "").partition("/")
            d = srv.store.get(key_of(drt, ns, dn))
            if d is None or d["metadata"].get("deletionTimestamp") or \
                    (d.get("status") or {}).get("readyReplicas", 0) < 1:
                continue
            for k, o in list(srv.store.items(group, plural)):
                md = o["metadata"]
                fins = md.get("finalizers") or []
                if not md.get("deletionTimestamp"):
                    if fin not in fins:
                        new = copy.deepcopy(o)
                        new["metadata"]["finalizers"] = fins + [fin]
                        srv.store.save(k, new, "MODIFIED")
                    continue
                if fin not in fins or spec.get("never"):
                    continue
                rest = [f for f in fins if f != fin]
                if rest:
                    new = copy.deepcopy(o)
                    new["metadata"]["finalizers"] = rest
                    srv.store.save(k, new, "MODIFIED")
                else:
                    rt = srv.reg.find(k[0], srv.version_of(k), k[1])
                    srv.finalize_delete(rt, k)

    def scripted_conditions(self):
        """status.conditions of objects no controller here manages
        (cert-manager Certificates, ExternalSecrets, ...), from the script's
        "conditions": {"<group>/<Kind>/<ns>/<name>": {"Ready": "False",
        "reason": "...", "message": "..."}}; a type's value may also be
        {"status": ..., "reason": ..., "message": ...}."""
        store = self.srv.store
        for ck, spec in (self.srv.script.get("conditions") or {}).items():
            parts = ck.split("/")
            if len(parts) != 4 or not isinstance(spec, dict):
                continue
            group, kind, ns, name = parts
            for k, o in list(store.objs.items()):
                if k[0] != group or k[2] != ns or k[3] != name or \
                        o.get("kind") != kind:
                    continue
                conds = []
                for t, v in spec.items():
                    if t in ("reason", "message"):
                        continue
                    c = v if isinstance(v, dict) else {"status": v}
                    conds.append({
                        "type": t, "status": str(c.get("status", "Unknown")),
                        "reason": c.get("reason", spec.get("reason", "")),
                        "message": c.get("message", spec.get("message", "")),
                        "lastTransitionTime":
                            o["metadata"].get("creationTimestamp", ""),
                        "observedGeneration":
                            o["metadata"].get("generation", 1)})
                st = copy.deepcopy(o.get("status") or {})
                st["conditions"] = conds
                self.set_status(None, k, o, st)

    def pod_ready(self, ns, owner, age_s):
        srv = self.srv
        pods = srv.script.get("pods") or {}
        k = "%s/%s" % (ns, owner)
        if k in srv.pods_override:
            return srv.pods_override[k]
        spec = pods.get(k, {})
        if spec.get("ready") is False:
            return False
        return age_s >= float(spec.get("ready_after",
                                       pods.get("ready_after", 0.2)))

    def make_pod(self, ns, name, template, labels, owner_ref):
        srv = self.srv
        prt = srv.reg.find("", "v1", "pods")
        pod = {"apiVersion": "v1", "kind": "Pod",
               "metadata": {"name": name, "namespace": ns, "labels": labels,
                            "ownerReferences": [owner_ref]},
               "spec": copy.deepcopy(template.get("spec") or {})}
        srv.prepare_new(prt, pod, ns)
        pod["spec"].setdefault("nodeName", "fake-node")
        pod["status"] = {"phase": "Pending", "conditions": [
            {"type": "PodScheduled", "status": "True"}]}
        srv.store.save(key_of(prt, ns, name), pod, "ADDED")
        self.event(ns, pod, "Normal", "Scheduled",
                   "Successfully assigned %s/%s to fake-node" % (ns, name))
        return pod

    def event(self, ns, obj, etype, reason, message):
        srv = self.srv
        ert = srv.reg.find("", "v1", "events")
        name = "%s.%x" % (obj["metadata"]["name"],
                          random.getrandbits(48))
        ev = {"apiVersion": "v1", "kind": "Event",
              "metadata": {"name": name, "namespace": ns},
              "involvedObject": {"kind": obj["kind"],
                                 "apiVersion": obj["apiVersion"],
                                 "namespace": ns,
                                 "name": obj["metadata"]["name"],
                                 "uid": obj["metadata"]["uid"]},
              "reason": reason, "message": message, "type": etype,
              "count": 1, "firstTimestamp": now_ts(),
              "lastTimestamp": now_ts(),
              "source": {"component": "fakeapi"}}
        srv.prepare_new(ert, ev, ns)
        srv.store.save(key_of(ert, ns, name), ev, "ADDED")

    def update_pod_status(self, key, pod, ready):
        hook = (pod["metadata"].get("annotations") or {}).get("helm.sh/hook")
        st = copy.deepcopy(pod.get("status") or {})
        if hook:
            st["phase"] = "Succeeded"
            conds = [{"type": "Ready", "status": "False",
                      "reason": "PodCompleted"}]
        else:
            st["phase"] = "Running"
            r = "True" if ready else "False"
            conds = [{"type": "PodScheduled", "status": "True"},
                     {"type": "Initialized", "status": "True"},
                     {"type": "ContainersReady", "status": r},
                     {"type": "Ready", "status": r}]
            if not ready:
                for c in conds[2:]:
                    c["reason"] = "ContainersNotReady"
                    c["message"] = "containers with unready status: [%s]" % \
                        " ".join(c2.get("name", "")
                                 for c2 in pod["spec"].get("containers", []))
        st["conditions"] = conds
        if "podIP" not in st:
            st["podIP"] = "10.244.%d.%d" % (random.randint(0, 255),
                                            random.randint(1, 254))
            st["podIPs"] = [{"ip": st["podIP"]}]
            st["hostIP"] = "172.18.0.2"
            st["startTime"] = now_ts()
        st["containerStatuses"] = [
            {"name": c.get("name", ""), "image": c.get("image", ""),
             "ready": bool(ready), "restartCount": 0, "started": True,
             "state": {"running": {"startedAt": st["startTime"]}}}
            for c in pod["spec"].get("containers", [])]
        if st != pod.get("status"):
            if not ready and (pod.get("status") or {}).get("phase") == \
                    "Pending" and not hook:
                self.event(key[2], pod, "Warning", "Unhealthy",
                           "Readiness probe failed: connection refused")
            self.set_status(None, key, pod, st)

    def workloads(self, now, age):
        srv = self.srv
        store = srv.store
        reg = srv.reg
        drt = reg.find("apps", "v1", "deployments")
        rrt = reg.find("apps", "v1", "replicasets")
        prt = reg.find("", "v1", "pods")
        # Deployments own one ReplicaSet per template (pod-template-hash).
        for k, d in store.items(drt.group, drt.plural):
            if d["metadata"].get("deletionTimestamp"):
                continue
            tmpl = copy.deepcopy(d.get("spec", {}).get("template") or {})
            h = hashlib.sha1(json.dumps(tmpl, sort_keys=True).encode()
                             ).hexdigest()[:10]
            rsname = "%s-%s" % (d["metadata"]["name"], h)
            rskey = key_of(rrt, k[2], rsname)
            for rk, rs in store.items(rrt.group, rrt.plural, k[2]):
                refs = rs["metadata"].get("ownerReferences") or []
                if any(r.get("uid") == d["metadata"]["uid"] for r in refs) \
                        and rk != rskey:
                    srv.finalize_delete(rrt, rk)
            rs = store.get(rskey)
            want = d.get("spec", {}).get("replicas", 1)
            if rs is None:
                labels = dict((tmpl.get("metadata") or {}).get("labels")
                              or {})
                labels["pod-template-hash"] = h
                t2 = copy.deepcopy(tmpl)
                t2.setdefault("metadata", {})["labels"] = labels
                rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
                      "metadata": {"name": rsname, "namespace": k[2],
                                   "labels": labels,
                                   "ownerReferences": [self.ref(d)]},
                      "spec": {"replicas": want,
                               "selector": {"matchLabels": labels},
                               "template": t2}}
                srv.prepare_new(rrt, rs, k[2])
                store.save(rskey, rs, "ADDED")
            elif rs["spec"].get("replicas") != want:
                rs = copy.deepcopy(rs)
                rs["spec"]["replicas"] = want
                store.save(rskey, rs, "MODIFIED")
            ready = self.replicas(rrt, rskey, rs, d["metadata"]["name"], age)
            st = {"observedGeneration": d["metadata"].get("generation", 1),
                  "replicas": want, "updatedReplicas": want,
                  "readyReplicas": ready, "availableReplicas": ready}
            if ready < want:
                st["unavailableReplicas"] = want - ready
            ok = ready >= want
            ts = d["metadata"]["creationTimestamp"]
            st["conditions"] = [
                {"type": "Available", "status": "True" if ok else "False",
                 "reason": "MinimumReplicasAvailable" if ok
                 else "MinimumReplicasUnavailable",
                 "message": "Deployment has minimum availability." if ok
                 else "Deployment does not have minimum availability.",
                 "lastUpdateTime": ts, "lastTransitionTime": ts},
                {"type": "Progressing", "status": "True",
                 "reason": "NewReplicaSetAvailable" if ok
                 else "ReplicaSetUpdated",
                 "message": 'ReplicaSet "%s" has %s progressing.'
                 % (rsname, "successfully" if ok else "is"),
                 "lastUpdateTime": ts, "lastTransitionTime": ts}]
            if not ok:
                st["conditions"][1]["message"] = \
                    'ReplicaSet "%s" is progressing.' % rsname
            else:
                st["conditions"][1]["message"] = \
                    'ReplicaSet "%s" has successfully progressed.' % rsname
            self.set_status(drt, k, d, st)
        # StatefulSets and DaemonSets own their pods directly.
        for plural in ("statefulsets", "daemonsets"):
            rt = reg.find("apps", "v1", plural)
            for k, o in store.items(rt.group, rt.plural):
                if o["metadata"].get("deletionTimestamp"):
                    continue
                want = o.get("spec", {}).get("replicas", 1) \
                    if plural == "statefulsets" else 1
                ready = self.replicas(rt, k, o, o["metadata"]["name"], age,
                                      want)
                gen = o["metadata"].get("generation", 1)
                if plural == "statefulsets":
                    rev = "%s-%s" % (o["metadata"]["name"], "7d8f9c")
                    st = {"observedGeneration": gen, "replicas": want,
                          "readyReplicas": ready, "currentReplicas": want,
                          "updatedReplicas": want,
                          "availableReplicas": ready,
                          "currentRevision": rev, "updateRevision": rev}
                else:
                    st = {"observedGeneration": gen,
                          "desiredNumberScheduled": 1,
                          "currentNumberScheduled": 1,
                          "updatedNumberScheduled": 1,
                          "numberReady": ready, "numberAvailable": ready,
                          "numberMisscheduled": 0}
                self.set_status(rt, k, o, st)
        # Bare pods (and hook pods).
        for k, p in store.items(prt.group, prt.plural):
            if p["metadata"].get("ownerReferences"):
                continue
            self.update_pod_status(
                k, p, self.pod_ready(k[2], p["metadata"]["name"], age(p)))

    def ref(self, owner):
        return {"apiVersion": owner["apiVersion"], "kind": owner["kind"],
                "name": owner["metadata"]["name"],
                "uid": owner["metadata"]["uid"], "controller": True,
                "blockOwnerDeletion": True}

    def replicas(self, rt, key, owner, script_name, age, want=None):
        """Keep `want` pods owned by owner; return how many are Ready."""
        srv = self.srv
        store = srv.store
        prt = srv.reg.find("", "v1", "pods")
        if want is None:
            want = owner.get("spec", {}).get("replicas", 1)
        tmpl = owner.get("spec", {}).get("template") or {}
        uid = owner["metadata"]["uid"]
        pods = [(pk, p) for pk, p in store.items("", "pods", key[2])
                if any(r.get("uid") == uid for r in
                       p["metadata"].get("ownerReferences") or [])]
        for pk, p in pods[want:]:
            srv.finalize_delete(prt, pk)
        pods = pods[:want]
        labels = dict((tmpl.get("metadata") or {}).get("labels") or {})
        while len(pods) < want:
            if rt.kind == "StatefulSet":
                name = "%s-%d" % (owner["metadata"]["name"], len(pods))
            else:
                name = "%s-%s" % (owner["metadata"]["name"], "".join(
                    random.choice("bcdfghjklmnpqrstvwxz2456789")
                    for _ in range(5)))
            p = self.make_pod(key[2], name, tmpl, labels, self.ref(owner))
            pods.append((key_of(prt, key[2], name), p))
        ready = 0
        for pk, p in pods:
            r = self.pod_ready(key[2], script_name, age(p))
            self.update_pod_status(pk, store.get(pk), r)
            if r:
                ready += 1
        st = dict(owner.get("status") or {})
        if rt.kind == "ReplicaSet":
            st = {"replicas": want, "fullyLabeledReplicas": want,
                  "readyReplicas": ready, "availableReplicas": ready,
                  "observedGeneration": owner["metadata"].get("generation",
                                                              1)}
            self.set_status(rt, key, store.get(key), st)
        return ready

    def jobs(self, age):
        srv = self.srv
        store = srv.store
        jrt = srv.reg.find("batch", "v1", "jobs")
        script = srv.script.get("jobs") or {}
        for k, j in store.items(jrt.group, jrt.plural):
            st = j.get("status") or {}
            if any(c.get("type") in ("Complete", "Failed") and
                   c.get("status") == "True"
                   for c in st.get("conditions") or []):
                continue
            js = script.get("%s/%s" % (k[2], k[3]), {})
            after = float(js.get("complete_after",
                                 script.get("complete_after", 0.2)))
            if age(j) < after:
                if not st:
                    self.set_status(jrt, k, j, {"active": 1,
                                                "startTime": now_ts()})
                continue
            ts = now_ts()
            if js.get("fail"):
                new = {"failed": 1, "startTime": st.get("startTime", ts),
                       "conditions": [
                           {"type": "FailureTarget", "status": "True",
                            "reason": "BackoffLimitExceeded",
                            "message": "Job has reached the specified "
                                       "backoff limit"},
                           {"type": "Failed", "status": "True",
                            "reason": "BackoffLimitExceeded",
                            "message": "Job has reached the specified "
                                       "backoff limit",
                            "lastTransitionTime": ts}]}
            else:
                new = {"succeeded": 1, "startTime": st.get("startTime", ts),
                       "completionTime": ts, "ready": 0, "terminating": 0,
                       "conditions": [
                           {"type": "SuccessCriteriaMet", "status": "True",
                            "reason": "CompletionsReached",
                            "message": "Reached expected number of "
                                       "succeeded pods",
                            "lastTransitionTime": ts},
                           {"type": "Complete", "status": "True",
                            "reason": "CompletionsReached",
                            "message": "Reached expected number of "
                                       "succeeded pods",
                            "lastTransitionTime": ts}]}
            self.set_status(jrt, k, j, new)

    def endpoints(self):
        """One EndpointSlice per Service with a selector, from its pods."""
        srv = self.srv
        store = srv.store
        reg = srv.reg
        srt = reg.find("", "v1", "services")
        ert = reg.find("discovery.k8s.io", "v1", "endpointslices")
        for k, svc in store.items(srt.group, srt.plural):
            selector = (svc.get("spec") or {}).get("selector")
            if not selector:
                continue
            name = "%s-%s" % (k[3], hashlib.sha1(
                k[3].encode()).hexdigest()[:5])
            ekey = key_of(ert, k[2], name)
            eps = []
            pods = [p for _, p in store.items("", "pods", k[2])
                    if sel.label_selector_obj({"matchLabels": selector},
                                              p["metadata"].get("labels"))
                    and (p.get("status") or {}).get("podIP")]
            for p in pods:
                ready = any(c.get("type") == "Ready" and
                            c.get("status") == "True"
                            for c in p["status"].get("conditions") or [])
                eps.append({"addresses": [p["status"]["podIP"]],
                            "conditions": {"ready": ready, "serving": ready,
                                           "terminating": False},
                            "nodeName": "fake-node",
                            "targetRef": {"kind": "Pod",
                                          "namespace": k[2],
                                          "name": p["metadata"]["name"],
                                          "uid": p["metadata"]["uid"]}})
            ports = []
            for sp in svc["spec"].get("ports") or []:
                tp = sp.get("targetPort", sp.get("port"))
                if isinstance(tp, str):
                    for p in pods:
                        for c in p["spec"].get("containers") or []:
                            for cp in c.get("ports") or []:
                                if cp.get("name") == tp:
                                    tp = cp.get("containerPort")
                if isinstance(tp, str):
                    continue
                pe = {"port": tp, "protocol": sp.get("protocol", "TCP")}
                pe["name"] = sp.get("name", "")
                ports.append(pe)
            old = store.get(ekey)
            body = {"addressType": "IPv4", "endpoints": eps,
                    "ports": ports}
            if old is not None and all(old.get(f) == body[f] for f in body):
                continue
            es = copy.deepcopy(old) if old else {
                "apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                "metadata": {"name": name, "namespace": k[2], "labels": {
                    "kubernetes.io/service-name": k[3],
                    "endpointslice.kubernetes.io/managed-by":
                        "endpointslice-controller.k8s.io"},
                    "ownerReferences": [self.ref(svc)]}}
            es.update(body)
            if old is None:
                srv.prepare_new(ert, es, k[2])
                store.save(ekey, es, "ADDED")
            else:
                store.save(ekey, es, "MODIFIED")


class TLSServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--host", default="127.0.0.1")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--port-file")
    ap.add_argument("--log")
    ap.add_argument("--script")
    ap.add_argument("--tls-cert")
    ap.add_argument("--tls-key")
    ap.add_argument("--client-ca")
    ap.add_argument("--token", action="append")
    ap.add_argument("--token-file")
    ap.add_argument("--basic", action="append")
    ap.add_argument("--no-aggregated-discovery", action="store_true")
    args = ap.parse_args(argv)

    srv = Server(args)
    Handler.srv = srv
    httpd = TLSServer((args.host, args.port), Handler)
    if args.tls_cert:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(args.tls_cert, args.tls_key)
        ctx.set_alpn_protocols(["http/1.1"])
        if args.client_ca:
            ctx.load_verify_locations(args.client_ca)
            ctx.verify_mode = ssl.CERT_OPTIONAL
        httpd.socket = ctx.wrap_socket(httpd.socket, server_side=True,
                                       do_handshake_on_connect=False)
    port = httpd.server_address[1]
    Controllers(srv).start()
    if args.port_file:
        tmp = args.port_file + ".tmp"
        with open(tmp, "w") as f:
            f.write("%d\n" % port)
        os.rename(tmp, args.port_file)
    print("fakeapi listening on %s://%s:%d" % (
        "https" if args.tls_cert else "http", args.host, port), flush=True)
    try:
        httpd.serve_forever(poll_interval=0.2)
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    socket.setdefaulttimeout(None)
    sys.exit(main())
