#!/usr/bin/env bash
# Integration: `readyinstall check` (the webhook and dependency doctor)
# against the fake API server (tests/fakeapi) over TLS with a client
# certificate, written against its documented interface (docs/check.md:
# subjects, check ids in order, statuses, JSON version 1, exit codes).
# Fixtures go into the fake server with real kubectl (or Helm for
# --release); serving certificates are made at test time
# (tests/fakeapi/mkwebhookcerts.sh).
#   a  all good: every check pass/skip, exit 0, the JSON schema, only dry runs sent
#   b  configuration: the manifest ships a webhook configuration the cluster lacks
#   c  side-effects: sideEffects Some warns, its dry-run is skipped
#   d  ca-bundle: empty, not PEM, expired CA (fail), CA expiring in 10 days (warn)
#   e  cert-manager and external-secrets: ca-injection (inject-ca-from,
#      inject-ca-from-secret), certificate and externalsecret ready, crd subjects,
#      the serving Secret found through the Certificate's secretName
#   f  service: a stale webhook only the cluster has; --all-webhooks; no source
#   g  service-port (targetPort not a containerPort, port not in the Service)
#   h  endpoints and pods: pods never Ready, a Service selecting no pod
#   i  serving-certificate: valid, wrong SAN, other CA, expired, 7 days left
#   j  dry-run: connection refused (W3), x509, a denying webhook answers
#   k  self-deadlock (pods, deployments) and kube-system
#   l  APIService not Available, CRD not Established, stored versions,
#      conversion webhooks (a failing LIST, a working one, no Service)
#   m  --release with Helm 3 and Helm 4 (then the webhook goes down); CHART
#   n  --wait until /_fake/backend-up; --wait --timeout 3s stays broken
#   o  exit codes 2 (usage), 3 (invalid manifest), 4 (API server unreachable)
# Every scenario gets a fresh fake server; every JSON report is checked
# against the schema and every request log for writes other than dry runs.
# Needs RI_ROOT, RI_BIN, KUBECTL (default: beside HELM4 or HELM3), HELM3
# and/or HELM4 for m; python3, openssl, curl. TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}"
RI_BIN="${RI_BIN:-$RI_ROOT/bin/readyinstall}"
HELM3="${HELM3:-}" HELM4="${HELM4:-}"
KUBECTL="${KUBECTL:-}"
if [[ -z "$KUBECTL" ]]; then
  for h in "$HELM4" "$HELM3"; do
    if [[ -n "$h" && -x "$(dirname "$h")/kubectl" ]]; then KUBECTL="$(dirname "$h")/kubectl"; break; fi
  done
fi
[[ -n "$KUBECTL" ]] || KUBECTL="$(command -v kubectl || true)"
charts="$RI_ROOT/tests/fakeapi/charts"
# shellcheck source-path=SCRIPTDIR source=../fakeapi/lib.sh
. "$RI_ROOT/tests/fakeapi/lib.sh"

n=0 failed=0 finished=0
tmp="$(mktemp -d)"
exec 3>&1 # TAP goes here even from inside a redirected block
BG_PIDS=()
# shellcheck disable=SC2317  # run by the EXIT trap
on_exit() {
  local rc=$? p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  fakeapi_stop_all
  if [[ -n "${RI_KEEP_TMP:-}" ]]; then echo "# kept $tmp" >&2; else rm -rf "$tmp"; fi
  if [[ "$finished" -eq 0 ]]; then echo "not ok $((n + 1)) - ${0##*/} aborted (exit $rc)" >&3; exit 1; fi
}
trap on_exit EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # not_ok DESCRIPTION [DIAGNOSTIC-FILE...]
  local f
  n=$((n + 1)); failed=1; echo "not ok $n - $1"
  shift
  for f in "$@"; do
    if [[ -s "$f" ]]; then echo "# --- ${f##*/}"; sed -n '1,40s/^/# /p' "$f"; fi
  done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check DESCRIPTION DIAGNOSTIC-FILE COMMAND...
  local desc="$1" diag="$2"; shift 2
  if "$@" >"$diag" 2>&1; then ok "$desc"; else not_ok "$desc" "$diag"; fi
}

for tool in python3 openssl curl; do
  if ! command -v "$tool" >/dev/null; then
    skip "readyinstall check against the fake API server" "$tool not installed"
    echo "1..$n"; finished=1; exit 0
  fi
done
if [[ -z "$KUBECTL" || ! -x "$KUBECTL" ]]; then
  skip "readyinstall check against the fake API server" "no kubectl (KUBECTL, beside HELM4/HELM3, or on PATH)"
  echo "1..$n"; finished=1; exit 0
fi
if [[ ! -x "$RI_BIN" ]]; then
  not_ok "readyinstall binary at RI_BIN=$RI_BIN"
  echo "1..$n"; finished=1; exit 1
fi
if ! "$RI_BIN" check --help >"$tmp/help.out" 2>&1 || ! grep -q 'readyinstall check' "$tmp/help.out"; then
  skip "readyinstall check against the fake API server" "this readyinstall has no check command"
  echo "1..$n"; finished=1; exit 0
fi

# ---------------------------------------------------------------------------
# fx.py: fixture objects as block YAML documents on stdout (kubectl create -f
# takes them; so does `readyinstall check -f`).
cat >"$tmp/fx.py" <<'PY'
import argparse, base64, json, re, sys

PLAIN = re.compile(r"^[A-Za-z_][A-Za-z0-9_./-]*$")
RESERVED = {"true", "false", "null", "yes", "no", "on", "off", "y", "n", "~"}

def key(k):
    return k if PLAIN.match(k) and k.lower() not in RESERVED else json.dumps(k)

def flow(v):
    if isinstance(v, str) and PLAIN.match(v) and v.lower() not in RESERVED:
        return v
    if v is True: return "true"
    if v is False: return "false"
    if v is None: return "null"
    if isinstance(v, (int, float)): return json.dumps(v)
    if isinstance(v, (dict, list)): return json.dumps(v)  # empty or nested
    return json.dumps(v)

def emit(v, ind, out):
    pad = "  " * ind
    if isinstance(v, dict):
        for k, x in v.items():
            if isinstance(x, dict) and x:
                out.append("%s%s:" % (pad, key(k))); emit(x, ind + 1, out)
            elif isinstance(x, list) and x:
                out.append("%s%s:" % (pad, key(k))); emit(x, ind + 1, out)
            else:
                out.append("%s%s: %s" % (pad, key(k), flow(x)))
    else:
        for x in v:
            if isinstance(x, dict) and x:
                sub = []
                emit(x, ind + 1, sub)
                sub[0] = pad + "- " + sub[0][len(pad) + 2:]
                out.extend(sub)
            else:
                out.append("%s- %s" % (pad, flow(x)))

def doc(o):
    out = ["---"]
    emit(o, 0, out)
    sys.stdout.write("\n".join(out) + "\n")

def b64file(path):
    with open(path, "rb") as f:
        return base64.b64encode(f.read()).decode()

def kv(items):
    out = {}
    for it in items or []:
        k, _, v = it.partition("=")
        out[k] = v
    return out

def md(name, ns=None, labels=None, annotations=None):
    m = {"name": name}
    if ns: m["namespace"] = ns
    if labels: m["labels"] = labels
    if annotations: m["annotations"] = annotations
    return m

def ca_bundle(a):
    if a.ca: return b64file(a.ca)
    if a.ca_text is not None: return base64.b64encode(a.ca_text.encode()).decode()
    return None

def svc_ref(a, path):
    ns, _, name = a.svc.partition("/")
    ref = {"name": name, "namespace": ns, "path": path}
    if a.port is not None: ref["port"] = a.port
    return ref

def cmd_namespace(a):
    doc({"apiVersion": "v1", "kind": "Namespace", "metadata": md(a.name, labels=kv(a.label))})

def cmd_secret(a):
    doc({"apiVersion": "v1", "kind": "Secret", "metadata": md(a.name, a.ns), "type": a.type,
         "data": {k: b64file(v) for k, v in kv(a.data).items()}})

def cmd_configmap(a):
    doc({"apiVersion": "v1", "kind": "ConfigMap", "metadata": md(a.name, a.ns, kv(a.label)),
         "data": {"key": "value"}})

def cmd_serviceaccount(a):
    doc({"apiVersion": "v1", "kind": "ServiceAccount", "metadata": md(a.name, a.ns)})

def cmd_deployment(a):
    c = {"name": "webhook", "image": "example.invalid/ri-webhook:1.0",
         "ports": [{"name": "https", "containerPort": a.container_port}]}
    spec = {"containers": [c]}
    if a.secret:
        c["volumeMounts"] = [{"name": "tls", "mountPath": "/tls", "readOnly": True}]
        spec["volumes"] = [{"name": "tls", "secret": {"secretName": a.secret}}]
    app = a.app or a.name
    labels = {"app": app, "deployment": a.name}
    doc({"apiVersion": "apps/v1", "kind": "Deployment", "metadata": md(a.name, a.ns, {"app": app}),
         "spec": {"replicas": 1, "selector": {"matchLabels": labels},
                  "template": {"metadata": {"labels": labels}, "spec": spec}}})

def cmd_service(a):
    tp = int(a.target_port) if a.target_port.isdigit() else a.target_port
    doc({"apiVersion": "v1", "kind": "Service", "metadata": md(a.name, a.ns),
         "spec": {"selector": {"app": a.app},
                  "ports": [{"name": "https", "port": a.port, "targetPort": tp}]}})

def cmd_webhook(a):
    cc = {}
    cab = ca_bundle(a)
    if cab is not None: cc["caBundle"] = cab
    if a.url: cc["url"] = a.url
    else: cc["service"] = svc_ref(a, "/validate")
    group, _, res = a.resource.rpartition("/")
    w = {"name": a.webhook, "admissionReviewVersions": ["v1"], "sideEffects": a.side_effects,
         "failurePolicy": a.policy, "timeoutSeconds": 5}
    if a.ns_selector == "exclude-kube-system":
        w["namespaceSelector"] = {"matchExpressions": [{"key": "kubernetes.io/metadata.name",
                                                        "operator": "NotIn", "values": ["kube-system"]}]}
    elif a.ns_selector != "none":
        w["namespaceSelector"] = json.loads(a.ns_selector)
    w["rules"] = [{"apiGroups": [group], "apiVersions": ["v1"], "operations": ["CREATE", "UPDATE"],
                   "resources": [res], "scope": "Namespaced"}]
    w["clientConfig"] = cc
    kind = "MutatingWebhookConfiguration" if a.mutating else "ValidatingWebhookConfiguration"
    doc({"apiVersion": "admissionregistration.k8s.io/v1", "kind": kind,
         "metadata": md(a.name, annotations=kv(a.annotation)), "webhooks": [w]})

def cmd_crd(a):
    vs = a.versions.split(",")
    storage = a.storage or vs[0]
    spec = {"group": a.group, "scope": "Namespaced",
            "names": {"plural": a.plural, "singular": a.kind.lower(), "kind": a.kind,
                      "listKind": a.kind + "List"},
            "versions": [{"name": v, "served": True, "storage": v == storage,
                          "schema": {"openAPIV3Schema": {"type": "object",
                                                         "x-kubernetes-preserve-unknown-fields": True}},
                          "subresources": {"status": {}}} for v in vs]}
    if a.conversion:
        ns, _, name = a.conversion.partition("/")
        cc = {"service": {"name": name, "namespace": ns, "path": "/convert", "port": 443}}
        if a.ca: cc["caBundle"] = b64file(a.ca)
        spec["conversion"] = {"strategy": "Webhook", "webhook": {
            "conversionReviewVersions": ["v1"], "clientConfig": cc}}
    doc({"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
         "metadata": md(a.plural + "." + a.group), "spec": spec})

def cmd_cr(a):
    o = {"apiVersion": a.api_version, "kind": a.kind, "metadata": md(a.name, a.ns)}
    o["spec"] = json.loads(a.spec) if a.spec else {"size": 1}
    doc(o)

def cmd_apiservice(a):
    spec = {"group": a.group, "version": a.version, "groupPriorityMinimum": 1000,
            "versionPriority": 15}
    if a.svc:
        ns, _, name = a.svc.partition("/")
        spec["service"] = {"name": name, "namespace": ns, "port": 443}
        if a.ca: spec["caBundle"] = b64file(a.ca)
    doc({"apiVersion": "apiregistration.k8s.io/v1", "kind": "APIService",
         "metadata": md(a.version + "." + a.group), "spec": spec})

def cmd_certificate(a):
    doc({"apiVersion": "cert-manager.io/v1", "kind": "Certificate", "metadata": md(a.name, a.ns),
         "spec": {"secretName": a.secret, "dnsNames": a.dns or ["ri-webhook.%s.svc" % a.ns],
                  "issuerRef": {"name": "ri-selfsigned", "kind": "Issuer"}}})

def cmd_externalsecret(a):
    doc({"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret",
         "metadata": md(a.name, a.ns),
         "spec": {"refreshInterval": "1h",
                  "secretStoreRef": {"name": "ri-store", "kind": "SecretStore"},
                  "target": {"name": a.name},
                  "data": [{"secretKey": "password",
                            "remoteRef": {"key": "ri/" + a.name, "property": "password"}}]}})

ap = argparse.ArgumentParser()
sp = ap.add_subparsers(dest="cmd", required=True)
p = sp.add_parser("namespace"); p.add_argument("name"); p.add_argument("--label", action="append")
p = sp.add_parser("secret"); p.add_argument("ns"); p.add_argument("name")
p.add_argument("--data", action="append", help="KEY=FILE"); p.add_argument("--type", default="Opaque")
p = sp.add_parser("configmap"); p.add_argument("ns"); p.add_argument("name")
p.add_argument("--label", action="append")
p = sp.add_parser("serviceaccount"); p.add_argument("ns"); p.add_argument("name")
p = sp.add_parser("deployment"); p.add_argument("ns"); p.add_argument("name")
p.add_argument("--secret"); p.add_argument("--container-port", type=int, default=9443)
p.add_argument("--app", help="the app label (default: the name)")
p = sp.add_parser("service"); p.add_argument("ns"); p.add_argument("name")
p.add_argument("--app", required=True); p.add_argument("--port", type=int, default=443)
p.add_argument("--target-port", default="https")
p = sp.add_parser("webhook"); p.add_argument("name"); p.add_argument("webhook")
p.add_argument("--svc"); p.add_argument("--url"); p.add_argument("--port", type=int)
p.add_argument("--ca"); p.add_argument("--ca-text")
p.add_argument("--side-effects", default="None"); p.add_argument("--policy", default="Fail")
p.add_argument("--resource", default="/configmaps", help="GROUP/PLURAL")
p.add_argument("--ns-selector", default="exclude-kube-system")
p.add_argument("--annotation", action="append"); p.add_argument("--mutating", action="store_true")
p = sp.add_parser("crd"); p.add_argument("plural"); p.add_argument("group"); p.add_argument("kind")
p.add_argument("--versions", default="v1"); p.add_argument("--storage")
p.add_argument("--conversion", help="NS/SVC"); p.add_argument("--ca")
p = sp.add_parser("cr"); p.add_argument("api_version"); p.add_argument("kind")
p.add_argument("ns"); p.add_argument("name"); p.add_argument("--spec")
p = sp.add_parser("apiservice"); p.add_argument("version"); p.add_argument("group")
p.add_argument("--svc"); p.add_argument("--ca")
p = sp.add_parser("certificate"); p.add_argument("ns"); p.add_argument("name")
p.add_argument("--secret", required=True); p.add_argument("--dns", action="append")
p = sp.add_parser("externalsecret"); p.add_argument("ns"); p.add_argument("name")
a = ap.parse_args()
globals()["cmd_" + a.cmd](a)
PY
fx() { python3 "$tmp/fx.py" "$@"; }

# ---------------------------------------------------------------------------
# q.py: assertions on check reports (JSON), the store and the request log.
# Each prints what it saw; exit 0 = holds.
cat >"$tmp/q.py" <<'PY'
import json, re, sys

STATUSES = ("pass", "warn", "fail", "skip")
IDS = {
    "webhook": ["configuration", "side-effects", "ca-bundle", "ca-injection", "service",
                "service-port", "endpoints", "pods", "serving-certificate", "dry-run",
                "self-deadlock", "kube-system"],
    "conversion": ["configuration", "ca-bundle", "ca-injection", "service", "service-port",
                   "endpoints", "pods", "serving-certificate", "conversion"],
    "apiservice": ["configuration", "available", "ca-bundle", "ca-injection", "service", "service-port",
                   "endpoints", "pods", "serving-certificate"],
    "crd": ["established", "storage-versions"],
    "certificate": ["ready"],
    "externalsecret": ["ready"],
}
RANK = {"pass": 0, "skip": 0, "warn": 1, "fail": 2}

def load(path):
    with open(path) as f:
        return json.load(f)

def subjects(r):
    return r.get("subjects") or []

def find(r, kind, name):
    for s in subjects(r):
        if s.get("kind") == kind and s.get("name") == name:
            return s
    return None

def listing(r):
    return ["%s %s (%s)" % (s.get("kind"), s.get("name"), s.get("origin")) for s in subjects(r)]

def show(s):
    print("%s %s origin=%s result=%s" % (s.get("kind"), s.get("name"), s.get("origin"), s.get("result")))
    for c in s.get("checks") or []:
        print("  %-20s %-5s %s%s" % (c.get("id"), c.get("status"), c.get("evidence"),
                                     " | fix: %s" % c["fix"] if c.get("fix") else ""))

def chk(path, kind, name, cid, want, evre="", fixre=""):
    """Subject KIND NAME's check CID has a status in WANT (a|b), evidence
    matching EVRE and a fix matching FIXRE (regexes, case-insensitive)."""
    r = load(path)
    s = find(r, kind, name)
    if s is None:
        print("no subject %s %s; subjects: %s" % (kind, name, listing(r)))
        return 1
    show(s)
    c = [c for c in s.get("checks") or [] if c.get("id") == cid]
    if not c:
        print("no check %s" % cid)
        return 1
    c = c[0]
    good = c.get("status") in want.split("|")
    if evre and not re.search(evre, c.get("evidence") or "", re.I):
        print("evidence does not match /%s/" % evre); good = False
    if fixre and not re.search(fixre, c.get("fix") or "", re.I):
        print("fix does not match /%s/" % fixre); good = False
    print("=> %s: %s (want %s)" % (cid, c.get("status"), want))
    return 0 if good else 1

def days(path, kind, name, cid, lo, hi):
    """The evidence of CID gives a number of days in [lo, hi]."""
    s = find(load(path), kind, name)
    if s is None:
        print("no subject %s %s" % (kind, name)); return 1
    c = [c for c in s.get("checks") or [] if c.get("id") == cid]
    ev = c[0].get("evidence", "") if c else ""
    print("evidence: %s" % ev)
    nums = [int(m) for m in re.findall(r"(-?\d+)\s*(?:days?|d\b)", ev, re.I)]
    nums += [int(m) for m in re.findall(r"days?(?:\s+left)?[^0-9-]{0,3}(-?\d+)", ev, re.I)]
    print("day counts: %s (want one in [%s, %s])" % (nums, lo, hi))
    return 0 if any(int(lo) <= x <= int(hi) for x in nums) else 1

def subject(path, kind, name, origin=""):
    r = load(path)
    s = find(r, kind, name)
    print("subjects: %s" % listing(r))
    if s is None:
        return 1
    if origin and s.get("origin") != origin:
        print("origin %s, want %s" % (s.get("origin"), origin)); return 1
    return 0

def object(path, kind, name, api_version, okind, ns, oname):
    s = find(load(path), kind, name)
    o = (s or {}).get("object")
    print("object: %r" % o)
    return 0 if o and (o.get("apiVersion"), o.get("kind"), o.get("namespace"), o.get("name")) == \
        (api_version, okind, ns, oname) else 1

def nosubject(path, kind, name):
    r = load(path)
    print("subjects: %s" % listing(r))
    return 0 if find(r, kind, name) is None else 1

def clean(path, *kinds_names):
    """Every check of the report (or of the named KIND NAME subjects) is pass or skip."""
    r = load(path)
    ss = subjects(r)
    if kinds_names:
        want = set(zip(kinds_names[0::2], kinds_names[1::2]))
        ss = [s for s in ss if (s.get("kind"), s.get("name")) in want]
        if len(ss) != len(want):
            print("subjects: %s, want %s" % (listing(r), sorted(want))); return 1
    bad = 0
    for s in ss:
        show(s)
        bad += sum(1 for c in s.get("checks") or [] if c.get("status") not in ("pass", "skip"))
    print("checks not pass/skip: %d; report result %s" % (bad, r.get("result")))
    return 0 if bad == 0 and ss and (kinds_names or r.get("result") == "pass") else 1

def field(path, expr, want):
    """A top-level field (dotted path) equals WANT (compared as strings)."""
    v = load(path)
    for k in expr.split("."):
        v = v.get(k) if isinstance(v, dict) else None
    print("%s = %r (want %s)" % (expr, v, want))
    return 0 if str(v) == want else 1

def rounds_over(path, n):
    r = load(path).get("rounds")
    print("rounds %r (want > %s)" % (r, n))
    return 0 if isinstance(r, int) and r > int(n) else 1

def schema(path):
    """docs/check.md, JSON version 1: prints every violation."""
    try:
        r = load(path)
    except (OSError, ValueError) as e:
        print("not JSON: %s" % e); return 1
    bad = []
    def need(cond, msg):
        if not cond: bad.append(msg)
    need(r.get("version") == 1, "version %r != 1" % r.get("version"))
    src = r.get("source")
    need(isinstance(src, dict) and src.get("type") in ("release", "file", "chart", "cluster"),
         "source %r" % src)
    if isinstance(src, dict):
        for k in ("name", "namespace"):
            need(isinstance(src.get(k), str), "source.%s %r not a string" % (k, src.get(k)))
    need(r.get("result") in ("pass", "warn", "fail"), "result %r" % r.get("result"))
    need(isinstance(r.get("rounds"), int) and r.get("rounds") >= 1, "rounds %r" % r.get("rounds"))
    need(isinstance(r.get("subjects"), list), "subjects not a list")
    counts = dict.fromkeys(STATUSES, 0)
    worst = 0
    for s in subjects(r):
        sid = "%s %s" % (s.get("kind"), s.get("name"))
        kind = s.get("kind")
        need(kind in IDS, "%s: kind %r" % (sid, kind))
        need(isinstance(s.get("name"), str) and s.get("name"), "%s: name" % sid)
        if kind in ("certificate", "externalsecret"):
            need("/" in (s.get("name") or ""), "%s: name is not namespace/name" % sid)
        o = s.get("object")
        need(isinstance(o, dict) and all(isinstance(o.get(k), str) for k in
                                         ("apiVersion", "kind", "namespace", "name"))
             and o.get("apiVersion") and o.get("kind") and o.get("name"),
             "%s: object %r" % (sid, o))
        need(s.get("origin") in ("release", "cluster"), "%s: origin %r" % (sid, s.get("origin")))
        checks = s.get("checks") or []
        ids = [c.get("id") for c in checks]
        need(ids == IDS.get(kind), "%s: check ids %s, want %s" % (sid, ids, IDS.get(kind)))
        sw = 0
        for c in checks:
            st = c.get("status")
            cid = "%s/%s" % (sid, c.get("id"))
            need(st in STATUSES, "%s: status %r" % (cid, st))
            ev = c.get("evidence")
            need(isinstance(ev, str) and ev.strip() and "\n" not in ev, "%s: evidence %r" % (cid, ev))
            if st in ("fail", "warn"):
                fx = c.get("fix")
                need(isinstance(fx, str) and fx.strip() and "\n" not in fx, "%s (%s): fix %r" % (cid, st, fx))
            if st in counts:
                counts[st] += 1
                sw = max(sw, RANK[st])
        want_res = {0: "pass", 1: "warn", 2: "fail"}[sw]
        need(s.get("result") == want_res, "%s: result %r, worst check %s" % (sid, s.get("result"), want_res))
        worst = max(worst, sw)
    want_res = {0: "pass", 1: "warn", 2: "fail"}[worst]
    need(r.get("result") == want_res, "result %r, worst subject %s" % (r.get("result"), want_res))
    sm = r.get("summary")
    need(isinstance(sm, dict) and all(sm.get(k) == counts[k] for k in STATUSES),
         "summary %r, statuses counted %r" % (sm, counts))
    for b in bad:
        print(b)
    return 1 if bad else 0

def text(jpath, tpath, kind, name, cid):
    """The text report shows CID of KIND NAME as a FAIL line with its
    evidence (as in the JSON report) and a `fix:` (on the line or the next
    three)."""
    s = find(load(jpath), kind, name)
    if s is None:
        print("no subject %s %s in the JSON report" % (kind, name)); return 1
    c = [c for c in s.get("checks") or [] if c.get("id") == cid]
    if not c or c[0].get("status") != "fail":
        print("%s is not fail in the JSON report: %s" % (cid, c)); return 1
    ev = (c[0].get("evidence") or "")[:40]
    lines = open(tpath, errors="replace").read().splitlines()
    for i, line in enumerate(lines):
        if re.search(r"\bfail\b", line, re.I) and re.search(r"(^|[^a-z-])%s([^a-z-]|$)" % re.escape(cid), line):
            near = "\n".join(lines[i:i + 3])
            if ev in near and re.search(r"fix:\s*\S", "\n".join(lines[i:i + 4]), re.I):
                print("\n".join(lines[i:i + 4])); return 0
            print("candidate FAIL line %d: %s" % (i + 1, "\n".join(lines[i:i + 4])))
    print("no FAIL line for %s showing evidence %r and a fix:; text report:" % (cid, ev))
    print("\n".join(lines[:30]))
    return 1

def writes(path):
    """Only server-side dry-run creates (POST with dryRun=All) were sent."""
    bad = [(e.get("method"), e.get("path"), e.get("query")) for e in load(path)
           if e.get("method") in ("POST", "PUT", "PATCH", "DELETE")
           and not (e.get("method") == "POST" and "dryRun=All" in (e.get("query") or ""))]
    print("writes other than dry-run creates: %s" % bad[:10])
    return 0 if not bad else 1

def eps(path, ns, svc):
    """The Service has an EndpointSlice with a ready endpoint."""
    for o in load(path)["items"]:
        md = o["metadata"]
        if o["kind"] == "EndpointSlice" and md.get("namespace") == ns and \
                md.get("labels", {}).get("kubernetes.io/service-name") == svc:
            if any((e.get("conditions") or {}).get("ready") for e in o.get("endpoints") or []):
                return 0
    return 1

def eps_any(path, ns, svc):
    """The Service has an EndpointSlice with an endpoint, ready or not."""
    for o in load(path)["items"]:
        md = o["metadata"]
        if o["kind"] == "EndpointSlice" and md.get("namespace") == ns and \
                md.get("labels", {}).get("kubernetes.io/service-name") == svc and o.get("endpoints"):
            return 0
    return 1

def established(path, name):
    for o in load(path)["items"]:
        if o["kind"] == "CustomResourceDefinition" and o["metadata"]["name"] == name:
            return 0 if any(c.get("type") == "Established" and c.get("status") == "True"
                            for c in (o.get("status") or {}).get("conditions") or []) else 1
    return 1

try:
    sys.exit(globals()[sys.argv[1]](*sys.argv[2:]))
except (OSError, ValueError) as e:  # no report, or not JSON
    print("cannot read %s: %s" % (sys.argv[2:3], e))
    sys.exit(1)
PY
q() { python3 "$tmp/q.py" "$@"; }

# ---------------------------------------------------------------------------
pki="$tmp/pki" wpki="$tmp/wpki"
if ! bash "$RI_ROOT/tests/fakeapi/mkcerts.sh" "$pki" >"$tmp/mkcerts.log" 2>&1; then
  not_ok "mkcerts.sh makes the API server's PKI" "$tmp/mkcerts.log"
  echo "1..$n"; finished=1; exit 1
fi
if bash "$RI_ROOT/tests/fakeapi/mkwebhookcerts.sh" "$wpki" ri-webhook ns >"$tmp/mkwh.log" 2>&1 &&
  openssl verify -CAfile "$wpki/ca.crt" "$wpki/serving.crt" >>"$tmp/mkwh.log" 2>&1 &&
  ! openssl verify -CAfile "$wpki/ca.crt" "$wpki/otherca.crt" >>"$tmp/mkwh.log" 2>&1 &&
  ! openssl verify -CAfile "$wpki/ca.crt" "$wpki/expired.crt" >>"$tmp/mkwh.log" 2>&1 &&
  ! openssl x509 -in "$wpki/wrongsan.crt" -noout -ext subjectAltName | grep -q 'ri-webhook\.ns\.svc' &&
  openssl x509 -in "$wpki/serving.crt" -noout -ext subjectAltName | grep -q 'DNS:ri-webhook\.ns\.svc,'; then
  ok "mkwebhookcerts.sh: CA, serving cert for ri-webhook.ns.svc; other-CA, expired and wrong-SAN variants are what they claim"
else
  not_ok "mkwebhookcerts.sh makes the webhook PKI" "$tmp/mkwh.log"
  echo "1..$n"; finished=1; exit 1
fi
export FAKEAPI_CA="$pki/ca.crt" # read by fakeapi_ctl
client_user="client-certificate: $pki/client.crt
client-key: $pki/client.key"
hook=validate.configmaps.ri.readyinstall.test # the good webhook's name
: >"$tmp/schema.bad"
printf 'not a certificate\n' >"$tmp/notpem.txt"
: >"$tmp/writes.bad"

# fresh DIR SCRIPT-JSON: stop the previous fake server, start a new one
# (empty store, new log) with this script, kubeconfig, private Helm homes.
d=""
fresh() {
  d="$1"
  fakeapi_stop_all
  mkdir -p "$d"
  printf '%s\n' "$2" >"$d/script.json"
  if ! fakeapi_start "$d" api --tls-cert "$pki/server.crt" --tls-key "$pki/server.key" \
      --client-ca "$pki/ca.crt" --script "$d/script.json" 2>"$d/start.err"; then
    return 1
  fi
  export KUBECONFIG="$d/kubeconfig"
  fakeapi_kubeconfig "$KUBECONFIG" "$FAKEAPI_URL" "$pki/ca.crt" "$client_user"
  export HELM_DATA_HOME="$d/helm/data" HELM_CONFIG_HOME="$d/helm/config" \
    HELM_CACHE_HOME="$d/helm/cache"
  unset HELM_NAMESPACE HELM_PLUGINS HELM_BIN
}
kc() { timeout -k 5 60 "$KUBECTL" --cache-dir "$d/kcache" "$@"; }
# kcreate FILE: create the fixture (CRDs first, waiting until they are
# Established, then the rest); on error the output is in $d/kc.out.
kcreate() {
  local name
  python3 - "$1" "$d/crds.yaml" "$d/rest.yaml" "$d/crd.names" <<'PY'
import re, sys
docs = [x for x in open(sys.argv[1]).read().split("---\n") if x.strip()]
crd = [x for x in docs if re.search(r"^kind: CustomResourceDefinition$", x, re.M)]
rest = [x for x in docs if x not in crd]
open(sys.argv[2], "w").write("".join("---\n" + x for x in crd))
open(sys.argv[3], "w").write("".join("---\n" + x for x in rest))
open(sys.argv[4], "w").write("".join(re.search(r"^  name: (\S+)$", x, re.M).group(1) + "\n" for x in crd))
PY
  if [[ -s "$d/crds.yaml" ]]; then
    kc create -f "$d/crds.yaml" >>"$d/kc.out" 2>&1 || return 1
    while read -r name; do
      wait_for 10 established "$d/store.json" "$name" || echo "CRD $name not Established" >>"$d/kc.out"
    done <"$d/crd.names"
    rm -rf "$d/kcache" # kubectl's discovery cache predates the CRDs
  fi
  [[ -s "$d/rest.yaml" ]] || return 0
  kc create -f "$d/rest.yaml" >>"$d/kc.out" 2>&1
}
# wait_for SECONDS q-FUNCTION STORE ARGS...: poll the store until it holds.
wait_for() {
  local secs="$1" i; shift
  for i in $(seq 1 $((secs * 10))); do
    fakeapi_ctl GET store >"$d/store.json" 2>/dev/null || true
    if python3 "$tmp/q.py" "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.1
  done
  return 1
}
wait_eps() { wait_for 15 eps "$d/store.json" "$1" "$2"; }

# ck NAME ARGS...: readyinstall check --format json ARGS, bounded; report
# in $d/NAME.json, stderr in $d/NAME.err, exit status in $rc. Checks the
# report against the schema and the requests of the run for writes other
# than dry runs (collected, reported at the end).
rc=0 last=""
ck() {
  local name="$1"; shift
  last="$d/$name"
  fakeapi_ctl POST reset-log >/dev/null 2>&1 || true
  rc=0
  timeout -k 5 120 "$RI_BIN" check --format json "$@" >"$d/$name.json" 2>"$d/$name.err" || rc=$?
  echo "exit $rc: readyinstall check --format json $*" >>"$d/$name.err"
  if ! q schema "$d/$name.json" >"$d/$name.schema" 2>&1; then
    { echo "${d##*/}/$name (exit $rc):"; sed 's/^/  /' "$d/$name.schema"; } >>"$tmp/schema.bad"
  fi
  audit "$name"
}
# ckt NAME ARGS...: the same in text; $d/NAME.txt (stdout and stderr).
ckt() {
  local name="$1"; shift
  fakeapi_ctl POST reset-log >/dev/null 2>&1 || true
  rc=0
  timeout -k 5 120 "$RI_BIN" check "$@" >"$d/$name.txt" 2>&1 || rc=$?
  audit "$name.txt"
}
audit() {
  fakeapi_ctl GET log >"$d/$1.log.json" 2>/dev/null || return 0
  if ! q writes "$d/$1.log.json" >"$d/$1.writes" 2>&1; then
    { echo "${d##*/}/$1:"; sed 's/^/  /' "$d/$1.writes"; } >>"$tmp/writes.bad"
  fi
}
# exits DESC WANT: the last ck's exit status is WANT.
exits() {
  if [[ "$rc" == "$2" ]]; then ok "$1"; else
    not_ok "$1 (exit $rc, want $2)" "$last.err" "$last.json"
  fi
}
# want DESC REPORT KIND NAME ID STATUS [EVIDENCE-RE] [FIX-RE]
want() {
  local desc="$1" rep="$2"; shift 2
  check "$desc" "$d/diag" q chk "$rep" "$@"
}
# text_spot DESC REPORT TEXT KIND NAME ID
text_spot() {
  local desc="$1"; shift
  check "$desc" "$d/diag" q text "$@"
}

# The good webhook, its backend and the ConfigMap it admits (manifest only).
# bundle [--no-config] [--cert NAME] [webhook options...]
bundle() {
  local cfg=1 cert=serving
  while [[ $# -gt 0 ]]; do
    case "$1" in
      --no-config) cfg=0; shift ;;
      --cert) cert="$2"; shift 2 ;;
      *) break ;;
    esac
  done
  fx namespace ns
  fx secret ns ri-webhook-tls --type kubernetes.io/tls --data "tls.crt=$wpki/$cert.crt" --data "tls.key=$wpki/serving.key"
  fx deployment ns ri-check-backend --secret ri-webhook-tls
  fx service ns ri-webhook --app ri-check-backend
  if [[ "$cfg" -eq 1 ]]; then
    fx webhook ri-check-webhook "$hook" --svc ns/ri-webhook --port 443 --ca "$wpki/ca.crt" "$@"
  fi
}
app_config() { fx configmap ns ri-app-config; }
# setup NAME SCRIPT CLUSTER-FILE: a fresh server with the fixture created
# and the good backend's endpoint ready.
setup() {
  local label="$1" script="$2" file="$3"
  if ! fresh "$tmp/$label" "$script"; then not_ok "$label: fake API server starts" "$tmp/$label/start.err"; return 1; fi
  cp "$file" "$d/cluster.yaml"
  if ! kcreate "$d/cluster.yaml"; then not_ok "$label: kubectl creates the fixture" "$d/kc.out"; return 1; fi
  if grep -q '^  name: ri-webhook$' "$d/cluster.yaml" && ! wait_eps ns ri-webhook; then
    not_ok "$label: the backend of ri-webhook gets a ready endpoint" "$d/store.json"; return 1
  fi
}

# ---------------------------------------------------------------------------
# a. all good
sc_a() {
  { bundle; } >"$tmp/a.cluster.yaml"
  { bundle; app_config; } >"$tmp/a.manifest.yaml"
  setup a '{}' "$tmp/a.cluster.yaml" || return 0
  local m="$tmp/a.manifest.yaml" r
  ck all -f "$m" -n ns
  r="$d/all.json"
  exits "a: all good: exit 0" 0
  check "a: JSON follows docs/check.md (version, source, result, subjects[].checks[], summary = statuses)" "$d/diag" q schema "$r"
  check "a: source is file, namespace ns" "$d/diag" \
    bash -c "python3 '$tmp/q.py' field '$r' source.type file && python3 '$tmp/q.py' field '$r' source.namespace ns"
  check "a: webhook subject $hook from the manifest (origin release) with object ValidatingWebhookConfiguration ri-check-webhook" "$d/diag" \
    bash -c "python3 '$tmp/q.py' subject '$r' webhook '$hook' release &&
             python3 '$tmp/q.py' object '$r' webhook '$hook' admissionregistration.k8s.io/v1 ValidatingWebhookConfiguration '' ri-check-webhook"
  check "a: every check pass or skip, result pass" "$d/diag" q clean "$r"
  want "a: configuration pass, evidence names failurePolicy Fail, sideEffects None, timeoutSeconds 5" "$r" webhook "$hook" configuration pass '(?=.*\bFail\b)(?=.*\bNone\b)(?=.*\b5s?\b)'
  want "a: side-effects pass (None)" "$r" webhook "$hook" side-effects pass
  want "a: ca-bundle pass, evidence: 1 certificate, days left" "$r" webhook "$hook" ca-bundle pass '\b1\b'
  check "a: ca-bundle evidence gives the CA's days left (~3650)" "$d/diag" q days "$r" webhook "$hook" ca-bundle 3640 3651
  want "a: ca-injection skip without the annotations" "$r" webhook "$hook" ca-injection skip
  want "a: service pass" "$r" webhook "$hook" service pass
  want "a: service-port pass (443 -> named targetPort https = containerPort 9443)" "$r" webhook "$hook" service-port pass
  want "a: endpoints pass" "$r" webhook "$hook" endpoints pass
  want "a: pods pass" "$r" webhook "$hook" pods pass
  want "a: serving-certificate pass" "$r" webhook "$hook" serving-certificate pass
  check "a: serving-certificate evidence gives the days to expiry (~365)" "$d/diag" q days "$r" webhook "$hook" serving-certificate 360 366
  want "a: dry-run pass (the manifest's ConfigMap goes through the webhook)" "$r" webhook "$hook" dry-run pass
  want "a: self-deadlock pass (ConfigMaps only)" "$r" webhook "$hook" self-deadlock pass
  want "a: kube-system pass (namespaceSelector excludes kube-system)" "$r" webhook "$hook" kube-system pass
  fakeapi_ctl GET log >"$d/log.json"
  check "a: the check sent no write but server-side dry-run creates" "$d/diag" q writes "$d/log.json"
  ck stdin -f - -n ns <"$m"
  exits "a: -f - (stdin): exit 0" 0
  check "a: -f - (stdin): the same webhook subject, every check pass or skip" "$d/diag" \
    bash -c "python3 '$tmp/q.py' subject '$d/stdin.json' webhook '$hook' release && python3 '$tmp/q.py' clean '$d/stdin.json'"
  ckt all -f "$m" -n ns
  local id missing=""
  for id in configuration side-effects ca-bundle ca-injection service service-port endpoints pods \
      serving-certificate dry-run self-deadlock kube-system; do
    grep -qE "(^|[^a-z-])$id([^a-z-]|\$)" "$d/all.txt" || missing+=" $id"
  done
  if [[ "$rc" -eq 0 ]] && grep -qF "$hook" "$d/all.txt" && [[ -z "$missing" ]]; then
    ok "a: text output: exit 0, names the webhook and every check id"
  else
    echo "exit $rc; ids missing:$missing" >>"$d/all.txt"
    not_ok "a: text output: exit 0, names the webhook and every check id" "$d/all.txt"
  fi
}

# b. configuration: the manifest ships a webhook configuration the cluster lacks
sc_b() {
  bundle --no-config >"$tmp/b.cluster.yaml"
  { bundle; app_config; } >"$tmp/b.manifest.yaml"
  setup b '{}' "$tmp/b.cluster.yaml" || return 0
  ck r -f "$tmp/b.manifest.yaml" -n ns
  exits "b: configuration missing from the cluster: exit 1" 1
  want "b: configuration fail with a fix" "$d/r.json" webhook "$hook" configuration fail
  check "b: result fail" "$d/diag" q field "$d/r.json" result fail
  ckt r -f "$tmp/b.manifest.yaml" -n ns
  text_spot "b: text: the configuration FAIL line shows evidence and a fix:" "$d/r.json" "$d/r.txt" webhook "$hook" configuration
}

# c. side-effects Some: warn; no dry-run through it
sc_c() {
  bundle --side-effects Some >"$tmp/c.cluster.yaml"
  { cat "$tmp/c.cluster.yaml"; app_config; } >"$tmp/c.manifest.yaml"
  setup c '{}' "$tmp/c.cluster.yaml" || return 0
  ck r -f "$tmp/c.manifest.yaml" -n ns
  exits "c: sideEffects Some: exit 0 (warn does not fail)" 0
  want "c: side-effects warn with a fix" "$d/r.json" webhook "$hook" side-effects warn
  want "c: dry-run skip (sideEffects forbids dry runs)" "$d/r.json" webhook "$hook" dry-run skip
  check "c: result warn" "$d/diag" q field "$d/r.json" result warn
}

# d. ca-bundle: four webhooks on the good backend
sc_d() {
  {
    bundle
    fx webhook ri-ca-empty empty.ri.readyinstall.test --svc ns/ri-webhook
    fx webhook ri-ca-notpem notpem.ri.readyinstall.test --svc ns/ri-webhook --ca "$tmp/notpem.txt"
    fx webhook ri-ca-expired expired.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/expired-ca.crt"
    fx webhook ri-ca-soon soon.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/soon-ca.crt"
  } >"$tmp/d.cluster.yaml"
  { cat "$tmp/d.cluster.yaml"; app_config; } >"$tmp/d.manifest.yaml"
  setup d '{}' "$tmp/d.cluster.yaml" || return 0
  ck r -f "$tmp/d.manifest.yaml" -n ns
  exits "d: ca-bundle failures: exit 1" 1
  want "d: ca-bundle empty: fail" "$d/r.json" webhook empty.ri.readyinstall.test ca-bundle fail
  want "d: ca-bundle not PEM: fail" "$d/r.json" webhook notpem.ri.readyinstall.test ca-bundle fail
  want "d: ca-bundle with only an expired CA: fail" "$d/r.json" webhook expired.ri.readyinstall.test ca-bundle fail
  want "d: ca-bundle with a CA expiring in 10 days: warn" "$d/r.json" webhook soon.ri.readyinstall.test ca-bundle warn
  check "d: ca-bundle warn evidence gives the days left (9-10)" "$d/diag" q days "$d/r.json" webhook soon.ri.readyinstall.test ca-bundle 9 10
  want "d: the good webhook's ca-bundle still passes" "$d/r.json" webhook "$hook" ca-bundle pass
  ckt r -f "$tmp/d.manifest.yaml" -n ns
  text_spot "d: text: the empty ca-bundle FAIL line shows evidence and a fix:" "$d/r.json" "$d/r.txt" webhook empty.ri.readyinstall.test ca-bundle
}

# e. cert-manager and external-secrets
sc_e() {
  local script
  script='{"conditions": {
    "cert-manager.io/Certificate/ns/ri-webhook-cert": {"Ready": "False", "reason": "Issuing", "message": "Issuing certificate as Secret does not exist"},
    "cert-manager.io/Certificate/ns/ri-ready-cert": {"Ready": "True", "reason": "Ready", "message": "Certificate is up to date and has not expired"},
    "external-secrets.io/ExternalSecret/ns/ri-es-bad": {"Ready": "False", "reason": "SecretSyncedError", "message": "could not get secret data from provider"},
    "external-secrets.io/ExternalSecret/ns/ri-es-good": {"Ready": "True", "reason": "SecretSynced", "message": "Secret was synced"}}}'
  {
    fx crd certificates cert-manager.io Certificate
    fx crd externalsecrets external-secrets.io ExternalSecret --versions v1beta1
    fx crd sprockets ri.readyinstall.test Sprocket
    fx namespace ns
    fx secret ns ri-webhook-tls --type kubernetes.io/tls --data "tls.crt=$wpki/serving.crt" --data "tls.key=$wpki/serving.key"
    fx secret ns ri-ca-secret --data "ca.crt=$wpki/ca.crt"
    fx deployment ns ri-check-backend # no secret volume: the Secret is found through the Certificate
    fx service ns ri-webhook --app ri-check-backend
    fx certificate ns ri-webhook-cert --secret ri-webhook-tls
    fx certificate ns ri-ready-cert --secret ri-webhook-tls
    fx externalsecret ns ri-es-bad
    fx externalsecret ns ri-es-good
    fx cr ri.readyinstall.test/v1 Sprocket ns s1
    fx webhook ri-inj-notready inj-notready.ri.readyinstall.test --svc ns/ri-webhook \
      --annotation cert-manager.io/inject-ca-from=ns/ri-webhook-cert
    fx webhook ri-inj-ready inj-ready.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" \
      --annotation cert-manager.io/inject-ca-from=ns/ri-ready-cert
    fx webhook ri-inj-secret inj-secret.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" \
      --annotation cert-manager.io/inject-ca-from-secret=ns/ri-ca-secret
    fx webhook ri-inj-nosecret inj-nosecret.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" \
      --annotation cert-manager.io/inject-ca-from-secret=ns/ri-gone-secret
  } >"$tmp/e.cluster.yaml"
  # the manifest ships no CRD: the crd subjects come from the cluster
  { grep -v '^$' "$tmp/e.cluster.yaml" | python3 -c '
import sys
docs = sys.stdin.read().split("---\n")
print("---\n".join(x for x in docs if "kind: CustomResourceDefinition" not in x), end="")'
    app_config; } >"$tmp/e.manifest.yaml"
  setup e "$script" "$tmp/e.cluster.yaml" || return 0
  ck r -f "$tmp/e.manifest.yaml" -n ns
  exits "e: a Certificate and an ExternalSecret not Ready: exit 1" 1
  want "e: ca-injection: inject-ca-from names a Certificate that is not Ready: fail" "$d/r.json" webhook inj-notready.ri.readyinstall.test ca-injection fail
  want "e: ca-bundle empty but inject-ca-from annotated: not fail" "$d/r.json" webhook inj-notready.ri.readyinstall.test ca-bundle 'pass|warn|skip'
  want "e: ca-injection: inject-ca-from names a Ready Certificate: pass" "$d/r.json" webhook inj-ready.ri.readyinstall.test ca-injection pass
  want "e: ca-injection: inject-ca-from-secret names a Secret with ca.crt: pass" "$d/r.json" webhook inj-secret.ri.readyinstall.test ca-injection pass
  want "e: ca-injection: inject-ca-from-secret names a missing Secret: fail" "$d/r.json" webhook inj-nosecret.ri.readyinstall.test ca-injection fail
  want "e: serving-certificate found through the Certificate's secretName (no secret volume): pass" "$d/r.json" webhook inj-ready.ri.readyinstall.test serving-certificate pass
  want "e: serving-certificate skip without a secret volume or Certificate" "$d/r.json" webhook inj-secret.ri.readyinstall.test serving-certificate skip
  want "e: certificate ns/ri-webhook-cert ready fail, evidence: reason and message" "$d/r.json" certificate ns/ri-webhook-cert ready fail 'Issuing'
  want "e: certificate ns/ri-ready-cert ready pass" "$d/r.json" certificate ns/ri-ready-cert ready pass
  want "e: externalsecret ns/ri-es-bad ready fail, evidence: reason" "$d/r.json" externalsecret ns/ri-es-bad ready fail 'SecretSyncedError'
  want "e: externalsecret ns/ri-es-good ready pass" "$d/r.json" externalsecret ns/ri-es-good ready pass
  check "e: crd subject for the CRD a custom resource of the manifest needs (origin cluster), Established" "$d/diag" \
    bash -c "python3 '$tmp/q.py' subject '$d/r.json' crd sprockets.ri.readyinstall.test cluster &&
             python3 '$tmp/q.py' chk '$d/r.json' crd sprockets.ri.readyinstall.test established pass"
  check "e: crd subjects for the CRDs of the manifest's Certificates and ExternalSecrets (custom resources too), Established" "$d/diag" \
    bash -c "python3 '$tmp/q.py' chk '$d/r.json' crd certificates.cert-manager.io established pass &&
             python3 '$tmp/q.py' chk '$d/r.json' crd externalsecrets.external-secrets.io established pass"
  ckt r -f "$tmp/e.manifest.yaml" -n ns
  text_spot "e: text: the certificate ready FAIL line shows evidence and a fix:" "$d/r.json" "$d/r.txt" certificate ns/ri-webhook-cert ready
}

# f. stale webhook (cluster only), --all-webhooks, no source
sc_f() {
  bundle >"$tmp/f.good.yaml"
  {
    cat "$tmp/f.good.yaml"
    fx webhook ri-stale-hooks stale.ri.readyinstall.test --svc ns/ri-gone --ca "$wpki/ca.crt"
    fx webhook ri-stale-mutating stale-mutating.ri.readyinstall.test --svc ns/ri-gone --ca "$wpki/ca.crt" --mutating
    fx webhook ri-extra-hooks extra.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" \
      --resource coordination.k8s.io/leases
  } >"$tmp/f.cluster.yaml"
  { cat "$tmp/f.good.yaml"; app_config; } >"$tmp/f.manifest.yaml"
  setup f '{"webhooks": {"stale.ri.readyinstall.test": {"cause": "auto"}, "stale-mutating.ri.readyinstall.test": {"cause": "auto"}}}' "$tmp/f.cluster.yaml" || return 0
  ck r -f "$tmp/f.manifest.yaml" -n ns
  exits "f: a stale webhook admits the manifest's ConfigMap: exit 1" 1
  check "f: the stale webhook is a subject from the cluster (origin cluster)" "$d/diag" q subject "$d/r.json" webhook stale.ri.readyinstall.test cluster
  want "f: service fail: stale, fix names kubectl delete validatingwebhookconfiguration ri-stale-hooks" "$d/r.json" \
    webhook stale.ri.readyinstall.test service fail 'stale' 'kubectl delete validatingwebhookconfiguration ri-stale-hooks'
  want "f: stale mutating webhook: service fail, fix names kubectl delete mutatingwebhookconfiguration ri-stale-mutating" "$d/r.json" \
    webhook stale-mutating.ri.readyinstall.test service fail 'stale' 'kubectl delete mutatingwebhookconfiguration ri-stale-mutating'
  check "f: without --all-webhooks a webhook admitting nothing of the manifest is no subject" "$d/diag" q nosubject "$d/r.json" webhook extra.ri.readyinstall.test
  ckt r -f "$tmp/f.manifest.yaml" -n ns
  text_spot "f: text: the stale service FAIL line shows evidence and a fix:" "$d/r.json" "$d/r.txt" webhook stale.ri.readyinstall.test service
  ck all -f "$tmp/f.manifest.yaml" -n ns --all-webhooks
  check "f: --all-webhooks adds the webhook not in the manifest (origin cluster)" "$d/diag" q subject "$d/all.json" webhook extra.ri.readyinstall.test cluster
  check "f: --all-webhooks keeps the manifest's webhook (origin release)" "$d/diag" q subject "$d/all.json" webhook "$hook" release
  ck none
  check "f: no source: --all-webhooks implied, source type cluster, all three webhooks" "$d/diag" \
    bash -c "python3 '$tmp/q.py' field '$d/none.json' source.type cluster &&
             python3 '$tmp/q.py' subject '$d/none.json' webhook extra.ri.readyinstall.test &&
             python3 '$tmp/q.py' subject '$d/none.json' webhook stale.ri.readyinstall.test &&
             python3 '$tmp/q.py' subject '$d/none.json' webhook '$hook'"
  exits "f: no source: exit 1 (the stale webhook)" 1
}

# g. service-port
sc_g() {
  {
    bundle
    fx service ns ri-webhook-badtarget --app ri-check-backend --target-port 8443
    fx service ns ri-webhook-num --app ri-check-backend --target-port 9443
    fx service ns ri-webhook-badname --app ri-check-backend --target-port metrics
    fx deployment ns ri-check-backend-extra --app ri-check-backend --secret ri-webhook-tls
    fx webhook ri-port-target badtarget.ri.readyinstall.test --svc ns/ri-webhook-badtarget --port 443 --ca "$wpki/ca.crt"
    fx webhook ri-port-port badport.ri.readyinstall.test --svc ns/ri-webhook --port 8443 --ca "$wpki/ca.crt"
    fx webhook ri-port-num numport.ri.readyinstall.test --svc ns/ri-webhook-num --port 443 --ca "$wpki/ca.crt"
    fx webhook ri-port-name badname.ri.readyinstall.test --svc ns/ri-webhook-badname --port 443 --ca "$wpki/ca.crt"
    fx webhook ri-url url.ri.readyinstall.test --url https://hooks.ri.readyinstall.test/validate --ca "$wpki/ca.crt"
  } >"$tmp/g.cluster.yaml"
  { cat "$tmp/g.cluster.yaml"; app_config; } >"$tmp/g.manifest.yaml"
  setup g '{"pods": {"ns/ri-check-backend-extra": {"ready": false}}}' "$tmp/g.cluster.yaml" || return 0
  ck r -f "$tmp/g.manifest.yaml" -n ns
  exits "g: service-port failures: exit 1" 1
  want "g: service-port fail: targetPort 8443 is no containerPort (9443)" "$d/r.json" webhook badtarget.ri.readyinstall.test service-port fail
  want "g: service-port fail: named targetPort metrics is no containerPort name (https)" "$d/r.json" webhook badname.ri.readyinstall.test service-port fail
  want "g: service-port fail: the configuration's port 8443 is not a port of the Service" "$d/r.json" webhook badport.ri.readyinstall.test service-port fail
  want "g: service-port pass: numeric targetPort 9443" "$d/r.json" webhook numport.ri.readyinstall.test service-port pass
  want "g: pods warn: 1 of the 2 pods the Service selects is Ready" "$d/r.json" webhook "$hook" pods warn
  want "g: endpoints pass: one ready endpoint is enough" "$d/r.json" webhook "$hook" endpoints pass
  want "g: URL webhook: service skip" "$d/r.json" webhook url.ri.readyinstall.test service skip
  ckt r -f "$tmp/g.manifest.yaml" -n ns
  text_spot "g: text: the service-port FAIL line shows evidence and a fix:" "$d/r.json" "$d/r.txt" webhook badname.ri.readyinstall.test service-port
}

# h. endpoints and pods
sc_h() {
  {
    bundle
    fx service ns ri-webhook-nopods --app nothing-has-this-label
    fx webhook ri-nopods nopods.ri.readyinstall.test --svc ns/ri-webhook-nopods --port 443 --ca "$wpki/ca.crt" --resource /secrets
  } >"$tmp/h.cluster.yaml"
  { cat "$tmp/h.cluster.yaml"; app_config; } >"$tmp/h.manifest.yaml"
  if ! fresh "$tmp/h" "{\"pods\": {\"ns/ri-check-backend\": {\"ready\": false}},
      \"webhooks\": {\"$hook\": {\"cause\": \"auto\"}, \"nopods.ri.readyinstall.test\": {\"cause\": \"auto\"}}}"; then not_ok "h: fake API server starts" "$tmp/h/start.err"; return 0; fi
  if ! kcreate "$tmp/h.cluster.yaml"; then not_ok "h: kubectl creates the fixture" "$d/kc.out"; return 0; fi
  # the pod exists, Running, never Ready: its EndpointSlice endpoint is not ready
  wait_for 10 eps_any "$d/store.json" ns ri-webhook 2>/dev/null || sleep 1
  ck r -f "$tmp/h.manifest.yaml" -n ns
  exits "h: no ready pod: exit 1" 1
  want "h: endpoints fail (no ready endpoint)" "$d/r.json" webhook "$hook" endpoints fail
  want "h: pods fail (none Ready), evidence gives the reason" "$d/r.json" webhook "$hook" pods fail 'ready|ContainersNotReady'
  want "h: dry-run fail: no endpoints available (W-code)" "$d/r.json" webhook "$hook" dry-run fail 'W\d|no endpoints'
  want "h: a Service selecting no pod: endpoints fail" "$d/r.json" webhook nopods.ri.readyinstall.test endpoints fail
  want "h: a Service selecting no pod: pods fail" "$d/r.json" webhook nopods.ri.readyinstall.test pods fail
  ckt r -f "$tmp/h.manifest.yaml" -n ns
  text_spot "h: text: the pods FAIL line shows evidence and a fix:" "$d/r.json" "$d/r.txt" webhook "$hook" pods
  fakeapi_ctl POST "pods-ready?namespace=ns&deployment=ri-check-backend&ready=true" >/dev/null
  if wait_eps ns ri-webhook; then
    ck r2 -f "$tmp/h.manifest.yaml" -n ns
    check "h: once the pod is Ready: endpoints, pods and dry-run pass" "$d/diag" \
      bash -c "python3 '$tmp/q.py' chk '$d/r2.json' webhook '$hook' endpoints pass &&
               python3 '$tmp/q.py' chk '$d/r2.json' webhook '$hook' pods pass &&
               python3 '$tmp/q.py' chk '$d/r2.json' webhook '$hook' dry-run pass"
  else
    not_ok "h: /_fake/pods-ready makes the backend ready" "$d/store.json"
  fi
}

# i. serving-certificate: one backend, its Secret replaced per case
sc_i() {
  { bundle; } >"$tmp/i.cluster.yaml"
  { bundle; app_config; } >"$tmp/i.manifest.yaml"
  setup i '{}' "$tmp/i.cluster.yaml" || return 0
  local m="$tmp/i.manifest.yaml" c
  ck valid -f "$m" -n ns
  want "i: valid serving certificate: pass" "$d/valid.json" webhook "$hook" serving-certificate pass
  check "i: valid: evidence gives the days to expiry (~365)" "$d/diag" q days "$d/valid.json" webhook "$hook" serving-certificate 360 366
  for c in wrongsan otherca expired soon; do
    kc delete secret ri-webhook-tls -n ns >>"$d/kc.out" 2>&1 || true
    # typed create: protobuf, decoded by the fake server
    if ! kc create secret tls ri-webhook-tls -n ns --cert "$wpki/$c.crt" --key "$wpki/serving.key" >>"$d/kc.out" 2>&1; then
      not_ok "i: kubectl create secret tls ($c)" "$d/kc.out"; continue
    fi
    ck "$c" -f "$m" -n ns
    case "$c" in
      wrongsan)
        exits "i: wrong SAN: exit 1" 1
        want "i: wrong SAN (CN right, DNS SANs for other-svc): fail, evidence names ri-webhook.ns.svc" "$d/$c.json" webhook "$hook" serving-certificate fail 'ri-webhook\.ns\.svc'
        ckt "$c" -f "$m" -n ns
        text_spot "i: text: the serving-certificate FAIL line shows evidence and a fix:" "$d/$c.json" "$d/$c.txt" webhook "$hook" serving-certificate ;;
      otherca)
        want "i: signed by another CA: fail" "$d/$c.json" webhook "$hook" serving-certificate fail ;;
      expired)
        want "i: expired: fail" "$d/$c.json" webhook "$hook" serving-certificate fail ;;
      soon)
        want "i: expires in 7 days: warn" "$d/$c.json" webhook "$hook" serving-certificate warn
        check "i: 7 days: evidence gives the days to expiry (6-7)" "$d/diag" q days "$d/$c.json" webhook "$hook" serving-certificate 6 7 ;;
    esac
  done
}

# j. dry-run: down (connection refused), x509, denying
sc_j() {
  {
    bundle --no-config
    fx webhook ri-dr-down down.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt"
    fx webhook ri-dr-x509 x509.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" --resource /serviceaccounts
    fx webhook ri-dr-deny deny.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" --resource /secrets
  } >"$tmp/j.cluster.yaml"
  { cat "$tmp/j.cluster.yaml"; app_config; fx serviceaccount ns ri-app; fx secret ns ri-app-secret --data "password=$tmp/notpem.txt"; } >"$tmp/j.manifest.yaml"
  setup j '{"webhooks": {"down.ri.readyinstall.test": {"cause": "connection-refused"},
            "x509.ri.readyinstall.test": {"cause": "x509-unknown-authority"},
            "deny.ri.readyinstall.test": {"deny": "no new secrets today"}}}' "$tmp/j.cluster.yaml" || return 0
  ck r -f "$tmp/j.manifest.yaml" -n ns
  exits "j: a webhook that does not answer: exit 1" 1
  want "j: dry-run fail: connection refused (W3)" "$d/r.json" webhook down.ri.readyinstall.test dry-run fail 'W3|connection refused'
  want "j: dry-run fail: x509 unknown authority" "$d/r.json" webhook x509.ri.readyinstall.test dry-run fail 'W\d|x509'
  want "j: dry-run pass: the webhook answered with a denial" "$d/r.json" webhook deny.ri.readyinstall.test dry-run pass
  ckt r -f "$tmp/j.manifest.yaml" -n ns
  text_spot "j: text: the dry-run FAIL line shows evidence and a fix:" "$d/r.json" "$d/r.txt" webhook down.ri.readyinstall.test dry-run
}

# k. self-deadlock and kube-system
sc_k() {
  local excl='{"matchExpressions": [{"key": "kubernetes.io/metadata.name", "operator": "NotIn", "values": ["ns", "kube-system"]}]}'
  {
    bundle
    fx webhook ri-dl-pods dl-pods.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" --resource /pods --ns-selector none
    fx webhook ri-dl-deploy dl-deploy.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" --resource apps/deployments --ns-selector none
    fx webhook ri-dl-excl dl-excl.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" --resource /pods --ns-selector "$excl"
    fx webhook ri-dl-ignore dl-ignore.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" --resource /pods --ns-selector none --policy Ignore
    fx webhook ri-kubesys kubesys.ri.readyinstall.test --svc ns/ri-webhook --ca "$wpki/ca.crt" --resource /leases --ns-selector none
  } >"$tmp/k.cluster.yaml"
  { cat "$tmp/k.cluster.yaml"; app_config; } >"$tmp/k.manifest.yaml"
  setup k '{}' "$tmp/k.cluster.yaml" || return 0
  ck r -f "$tmp/k.manifest.yaml" -n ns
  exits "k: a self-deadlocking webhook: exit 1" 1
  want "k: self-deadlock fail: Fail webhook on pods matching its own backend's Pods, no selector" "$d/r.json" webhook dl-pods.ri.readyinstall.test self-deadlock fail
  want "k: self-deadlock fail: Fail webhook on deployments in its namespace" "$d/r.json" webhook dl-deploy.ri.readyinstall.test self-deadlock fail
  want "k: self-deadlock pass: namespaceSelector excludes its namespace" "$d/r.json" webhook dl-excl.ri.readyinstall.test self-deadlock pass
  want "k: self-deadlock pass: failurePolicy Ignore" "$d/r.json" webhook dl-ignore.ri.readyinstall.test self-deadlock pass
  want "k: kube-system warn: Fail webhook with no namespaceSelector" "$d/r.json" webhook kubesys.ri.readyinstall.test kube-system warn
  want "k: kube-system warn also for the pods webhook" "$d/r.json" webhook dl-pods.ri.readyinstall.test kube-system warn
  want "k: kube-system pass: Ignore webhook" "$d/r.json" webhook dl-ignore.ri.readyinstall.test kube-system pass
  want "k: kube-system pass: namespaceSelector excludes kube-system" "$d/r.json" webhook dl-excl.ri.readyinstall.test kube-system pass
  ckt r -f "$tmp/k.manifest.yaml" -n ns
  text_spot "k: text: the self-deadlock FAIL line shows evidence and a fix:" "$d/r.json" "$d/r.txt" webhook dl-pods.ri.readyinstall.test self-deadlock
}

# l. APIServices, CRDs, conversion webhooks
sc_l() {
  local g=ri.readyinstall.test script
  {
    bundle --no-config
    fx apiservice v1beta1 "metrics.$g" --svc ns/ri-webhook --ca "$wpki/ca.crt"
    fx apiservice v1 "local.$g"
    fx crd gadgets "$g" Gadget
    fx crd gizmos "$g" Gizmo
    fx crd sprockets "$g" Sprocket
    fx crd widgets "$g" Widget --versions v1,v1beta1 --storage v1 --conversion ns/ri-webhook --ca "$wpki/ca.crt"
    fx crd doohickeys "$g" Doohickey --versions v1,v1beta1 --storage v1 --conversion ns/ri-webhook --ca "$wpki/ca.crt"
    fx crd thingamajigs "$g" Thingamajig --versions v1,v1beta1 --storage v1 --conversion ns/ri-conv-gone --ca "$wpki/ca.crt"
    fx cr "$g/v1" Widget ns w1
    fx cr "$g/v1" Doohickey ns d1
  } >"$tmp/l.cluster.yaml"
  cp "$tmp/l.cluster.yaml" "$tmp/l.manifest.yaml"
  script='{"apiservices": {"v1beta1.metrics.'$g'": {"never": true}},
           "crds": {"gadgets.'$g'": {"never": true},
                    "gizmos.'$g'": {"stored_versions": ["v1alpha1", "v1"]}},
           "faults": [{"method": "GET", "path": "^/apis/'$g'/v1beta1/(namespaces/[^/]+/)?widgets$", "status": 500,
                       "reason": "InternalError", "times": 1000,
                       "message": "conversion webhook for '$g'/v1, Kind=Widget failed: Post \"https://ri-webhook.ns.svc:443/convert?timeout=30s\": dial tcp 10.96.0.20:443: connect: connection refused"}]}'
  if ! fresh "$tmp/l" "$script"; then not_ok "l: fake API server starts" "$tmp/l/start.err"; return 0; fi
  # gadgets never become Established: create them apart, the rest as usual
  python3 - "$tmp/l.cluster.yaml" "$d/gadgets.yaml" "$d/others.yaml" <<'PY'
import sys
docs = [x for x in open(sys.argv[1]).read().split("---\n") if x.strip()]
g = [x for x in docs if "name: gadgets." in x]
open(sys.argv[2], "w").write("".join("---\n" + x for x in g))
open(sys.argv[3], "w").write("".join("---\n" + x for x in docs if x not in g))
PY
  if ! kc create -f "$d/gadgets.yaml" >>"$d/kc.out" 2>&1 || ! kcreate "$d/others.yaml"; then
    not_ok "l: kubectl creates the fixture" "$d/kc.out"; return 0
  fi
  wait_eps ns ri-webhook || true
  ck r -f "$tmp/l.manifest.yaml" -n ns
  local r="$d/r.json"
  exits "l: APIService not Available, CRD not Established, conversion failing: exit 1" 1
  want "l: apiservice available fail, evidence: reason" "$r" apiservice "v1beta1.metrics.$g" available fail 'MissingEndpoints'
  want "l: apiservice configuration pass (in the cluster)" "$r" apiservice "v1beta1.metrics.$g" configuration pass
  want "l: apiservice service pass" "$r" apiservice "v1beta1.metrics.$g" service pass
  want "l: Local apiservice: available pass" "$r" apiservice "v1.local.$g" available pass
  want "l: Local apiservice: service skip" "$r" apiservice "v1.local.$g" service skip
  want "l: crd never Established: established fail" "$r" crd "gadgets.$g" established fail
  want "l: crd Established: established pass" "$r" crd "sprockets.$g" established pass
  want "l: crd storage-versions pass (only the storage version stored)" "$r" crd "sprockets.$g" storage-versions pass
  want "l: crd storedVersions has v1alpha1, not in spec.versions: storage-versions warn" "$r" crd "gizmos.$g" storage-versions warn
  want "l: conversion: a LIST in v1beta1 fails through the webhook: fail with the message" "$r" conversion "widgets.$g" conversion fail 'conversion webhook|connection refused'
  want "l: conversion: a LIST in v1beta1 works: pass" "$r" conversion "doohickeys.$g" conversion pass
  want "l: conversion: service fail (ri-conv-gone does not exist)" "$r" conversion "thingamajigs.$g" service fail
  want "l: conversion: no object: conversion skip" "$r" conversion "thingamajigs.$g" conversion skip
  want "l: conversion: configuration pass" "$r" conversion "doohickeys.$g" configuration pass
  want "l: conversion: serving-certificate pass (ri-webhook's Secret)" "$r" conversion "doohickeys.$g" serving-certificate pass
  ckt r -f "$tmp/l.manifest.yaml" -n ns
  text_spot "l: text: the available FAIL line shows evidence and a fix:" "$r" "$d/r.txt" apiservice "v1beta1.metrics.$g" available
}

# m. --release with Helm 3 and Helm 4; CHART
chart_vals=(--set-file "caBundle=$wpki/ca.crt" --set-file "tlsCrt=$wpki/serving.crt" --set-file "tlsKey=$wpki/serving.key")
sc_m() { # sc_m LABEL HELM [chart]
  local L="$1" helm="$2" r
  if ! fresh "$tmp/m-$L" '{}'; then not_ok "m $L: fake API server starts" "$tmp/m-$L/start.err"; return 0; fi
  if ! timeout -k 5 120 "$helm" install rel "$charts/ri-check-webhook" -n ns --create-namespace "${chart_vals[@]}" \
      >"$d/helm.out" 2>&1; then
    not_ok "m $L: helm install rel ri-check-webhook" "$d/helm.out"; return 0
  fi
  wait_eps ns ri-webhook || true
  ck rel --release rel -n ns --helm "$helm"
  r="$d/rel.json"
  exits "m $L: --release rel: exit 0" 0
  check "m $L: --release: source release rel in ns" "$d/diag" \
    bash -c "python3 '$tmp/q.py' field '$r' source.type release && python3 '$tmp/q.py' field '$r' source.name rel &&
             python3 '$tmp/q.py' field '$r' source.namespace ns"
  check "m $L: --release: the release's webhook (origin release), every check pass or skip" "$d/diag" \
    bash -c "python3 '$tmp/q.py' subject '$r' webhook '$hook' release && python3 '$tmp/q.py' clean '$r'"
  want "m $L: --release: dry-run pass" "$r" webhook "$hook" dry-run pass
  fakeapi_ctl POST "backend-down?name=$hook" >/dev/null
  ck down --release rel -n ns --helm "$helm"
  exits "m $L: --release with the webhook down: exit 1" 1
  want "m $L: --release with the webhook down: dry-run fail (W3), though the ConfigMap exists" "$d/down.json" webhook "$hook" dry-run fail 'W3|connection refused'
  fakeapi_ctl POST "backend-up?name=$hook" >/dev/null
  [[ "${3:-}" == chart ]] || return 0
  ck chart "$charts/ri-check-webhook" -n ns --helm "$helm" "${chart_vals[@]}"
  exits "m $L: CHART source: exit 0" 0
  check "m $L: CHART: source chart, the chart's webhook, every check pass or skip" "$d/diag" \
    bash -c "python3 '$tmp/q.py' field '$d/chart.json' source.type chart &&
             python3 '$tmp/q.py' subject '$d/chart.json' webhook '$hook' &&
             python3 '$tmp/q.py' clean '$d/chart.json'"
}

# n. --wait
sc_n() {
  { bundle; } >"$tmp/n.cluster.yaml"
  { bundle; app_config; } >"$tmp/n.manifest.yaml"
  setup n "{\"webhooks\": {\"$hook\": {\"cause\": \"connection-refused\"}}}" "$tmp/n.cluster.yaml" || return 0
  local m="$tmp/n.manifest.yaml" t0 el up
  t0=$SECONDS
  ck stay -f "$m" -n ns --wait --timeout 3s --poll-interval 1s
  el=$((SECONDS - t0))
  if [[ "$rc" -eq 1 && "$el" -lt 40 ]]; then ok "n: --wait --timeout 3s, still broken: exit 1 (${el}s)"
  else not_ok "n: --wait --timeout 3s, still broken: exit 1 within 40s (exit $rc after ${el}s)" "$d/stay.err" "$d/stay.json"; fi
  want "n: --wait --timeout: the last round's dry-run fail" "$d/stay.json" webhook "$hook" dry-run fail
  (sleep 3; fakeapi_ctl POST "backend-up?name=$hook" >/dev/null) &
  up=$!
  BG_PIDS+=("$up")
  t0=$SECONDS
  ck wait -f "$m" -n ns --wait --timeout 60s --poll-interval 1s
  el=$((SECONDS - t0))
  wait "$up" 2>/dev/null || true
  if [[ "$rc" -eq 0 && "$el" -lt 60 ]]; then ok "n: --wait: exit 0 once /_fake/backend-up is called (${el}s)"
  else not_ok "n: --wait: exit 0 once /_fake/backend-up is called (exit $rc after ${el}s)" "$d/wait.err" "$d/wait.json"; fi
  check "n: --wait: rounds > 1, every check pass or skip in the last round" "$d/diag" \
    bash -c "python3 '$tmp/q.py' rounds_over '$d/wait.json' 1 && python3 '$tmp/q.py' clean '$d/wait.json'"

  # o. exit codes (on this live server, so that only the input is at fault)
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [broken\n  namespace: ns\ndata: {a: 1\n' >"$tmp/broken.yaml"
  rc=0; timeout -k 5 60 "$RI_BIN" check --no-such-flag >"$d/o2.out" 2>&1 || rc=$?
  if [[ "$rc" -eq 2 ]]; then ok "o: an unknown flag: exit 2"; else not_ok "o: an unknown flag: exit 2 (exit $rc)" "$d/o2.out"; fi
  rc=0; timeout -k 5 60 "$RI_BIN" check -f "$m" --format yaml >"$d/o2f.out" 2>&1 || rc=$?
  if [[ "$rc" -eq 2 ]]; then ok "o: --format yaml: exit 2"; else not_ok "o: --format yaml: exit 2 (exit $rc)" "$d/o2f.out"; fi
  rc=0; timeout -k 5 60 "$RI_BIN" check -f "$m" --wait --timeout soon >"$d/o2t.out" 2>&1 || rc=$?
  if [[ "$rc" -eq 2 ]]; then ok "o: --timeout soon: exit 2"; else not_ok "o: --timeout soon: exit 2 (exit $rc)" "$d/o2t.out"; fi
  rc=0; timeout -k 5 60 "$RI_BIN" check -f "$tmp/broken.yaml" -n ns --format json >"$d/o3.out" 2>"$d/o3.err" || rc=$?
  if [[ "$rc" -eq 3 ]]; then ok "o: -f a manifest with broken YAML: exit 3"; else not_ok "o: -f a manifest with broken YAML: exit 3 (exit $rc)" "$d/o3.err" "$d/o3.out"; fi
  rc=0; timeout -k 5 60 "$RI_BIN" check -f "$tmp/nonexistent.yaml" -n ns >"$d/o3n.out" 2>&1 || rc=$?
  if [[ "$rc" -eq 3 || "$rc" -eq 2 ]]; then ok "o: -f a file that does not exist: exit $rc (2 or 3)"; else not_ok "o: -f a file that does not exist: exit 2 or 3 (exit $rc)" "$d/o3n.out"; fi
}

sc_o4() {
  local dead="$tmp/dead" t0 el live="$KUBECONFIG"
  mkdir -p "$dead"
  # --kubeconfig and --kube-context choose the cluster (KUBECONFIG names a dead one)
  fakeapi_kubeconfig "$dead/kubeconfig" "https://127.0.0.1:1" "$pki/ca.crt" "$client_user"
  python3 - "$live" "$dead/two.kubeconfig" <<'PY'
import sys
src = open(sys.argv[1]).read()
server = [l.split("server: ", 1)[1] for l in src.splitlines() if "server: " in l][0]
two = src.replace("current-context: fake", "current-context: dead")
two = two.replace("clusters:\n", "clusters:\n- name: dead\n  cluster:\n    server: https://127.0.0.1:1\n", 1)
two = two.replace("contexts:\n", "contexts:\n- name: dead\n  context:\n    cluster: dead\n    user: fake-user\n", 1)
open(sys.argv[2], "w").write(two)
PY
  d="$tmp/n"
  rc=0
  KUBECONFIG="$dead/kubeconfig" timeout -k 5 60 "$RI_BIN" check --format json -f "$tmp/n.manifest.yaml" -n ns \
    --kubeconfig "$live" >"$dead/kcfg.json" 2>"$dead/kcfg.err" || rc=$?
  if [[ "$rc" -eq 0 ]]; then ok "o: --kubeconfig FILE wins over KUBECONFIG: exit 0"
  else not_ok "o: --kubeconfig FILE wins over KUBECONFIG: exit 0 (exit $rc)" "$dead/kcfg.err" "$dead/kcfg.json"; fi
  rc=0
  KUBECONFIG="$dead/two.kubeconfig" timeout -k 5 60 "$RI_BIN" check --format json -f "$tmp/n.manifest.yaml" -n ns \
    --kube-context fake >"$dead/ctx.json" 2>"$dead/ctx.err" || rc=$?
  if [[ "$rc" -eq 0 ]]; then ok "o: --kube-context picks the live context over the current (dead) one: exit 0"
  else not_ok "o: --kube-context picks the live context over the current (dead) one: exit 0 (exit $rc)" "$dead/ctx.err" "$dead/ctx.json" "$dead/two.kubeconfig"; fi
  # a kubeconfig naming a port nothing listens on (the last server, stopped)
  fakeapi_stop_all
  fakeapi_kubeconfig "$dead/kubeconfig" "$FAKEAPI_URL" "$pki/ca.crt" "$client_user"
  t0=$SECONDS rc=0
  KUBECONFIG="$dead/kubeconfig" timeout -k 5 120 "$RI_BIN" check -f "$tmp/n.manifest.yaml" -n ns --format json \
    >"$dead/o4.json" 2>"$dead/o4.err" || rc=$?
  el=$((SECONDS - t0))
  if [[ "$rc" -eq 4 ]]; then ok "o: API server unreachable: exit 4 (${el}s)"
  else not_ok "o: API server unreachable: exit 4 (exit $rc after ${el}s)" "$dead/o4.err" "$dead/o4.json"; fi
}

sc_a
sc_b
sc_c
sc_d
sc_e
sc_f
sc_g
sc_h
sc_i
sc_j
sc_k
sc_l
helms=()
[[ -x "$HELM3" ]] && helms+=(helm3)
[[ -x "$HELM4" ]] && helms+=(helm4)
if [[ ${#helms[@]} -eq 0 ]]; then
  skip "m: --release and CHART" "neither HELM3 nor HELM4 is an executable helm"
fi
for L in "${helms[@]}"; do
  if [[ "$L" == helm3 ]]; then h="$HELM3"; else h="$HELM4"; fi
  if [[ "$L" == "${helms[-1]}" ]]; then sc_m "$L" "$h" chart; else sc_m "$L" "$h"; fi
done
[[ ${#helms[@]} -eq 1 ]] && skip "m: --release with the other Helm major version" "only ${helms[0]} is available"
sc_n
sc_o4

if [[ -s "$tmp/schema.bad" ]]; then
  not_ok "every JSON report follows docs/check.md (ids in order, evidence, fix on fail/warn, results, summary)" "$tmp/schema.bad"
else
  ok "every JSON report follows docs/check.md (ids in order, evidence, fix on fail/warn, results, summary)"
fi
if [[ -s "$tmp/writes.bad" ]]; then
  not_ok "no check run sent a write other than a server-side dry-run create" "$tmp/writes.bad"
else
  ok "no check run sent a write other than a server-side dry-run create"
fi

echo "1..$n"
finished=1
exit "$failed"
