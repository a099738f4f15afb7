#!/usr/bin/env bash
# Integration: real Helm 3.18 and 4.1 install, list, upgrade, get manifest,
# uninstall against the fake API server (tests/fakeapi) over TLS with a
# client certificate; a webhook whose backend is down gives the exact
# apiserver error through Helm, and admits once /_fake/backend-up is called.
# Needs HELM3, HELM4, RI_ROOT; python3 and openssl. Prints TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}"
HELM3="${HELM3:-}" HELM4="${HELM4:-}"
simple="$RI_ROOT/testdata/charts/simple"
charts="$RI_ROOT/tests/fakeapi/charts"
# shellcheck source-path=SCRIPTDIR source=../fakeapi/lib.sh
. "$RI_ROOT/tests/fakeapi/lib.sh"

n=0 failed=0 finished=0
tmp="$(mktemp -d)"
# shellcheck disable=SC2317  # run by the EXIT trap
on_exit() {
  local rc=$?
  fakeapi_stop_all
  rm -rf "$tmp"
  if [[ "$finished" -eq 0 ]]; then echo "not ok $((n + 1)) - ${0##*/} aborted (exit $rc)"; exit 1; fi
}
trap on_exit EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # not_ok DESCRIPTION [DIAGNOSTIC-FILE]
  n=$((n + 1)); failed=1; echo "not ok $n - $1"
  if [[ $# -gt 1 && -s "$2" ]]; then sed 's/^/# /' "$2" | head -40; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check DESCRIPTION DIAGNOSTIC-FILE COMMAND...
  local desc="$1" diag="$2"; shift 2
  if "$@" >"$diag" 2>&1; then ok "$desc"; else not_ok "$desc" "$diag"; fi
}

for tool in python3 openssl curl; do
  if ! command -v "$tool" >/dev/null; then
    skip "fake API server tests" "$tool not installed"
    echo "1..$n"; finished=1; exit 0
  fi
done

# Assertions on the store and the request log, read through /_fake/.
cat >"$tmp/q.py" <<'PY'
import json, sys

def load(path):
    with open(path) as f:
        return json.load(f)

def objs(path):
    return load(path)["items"]

def has(path, kind, ns, name):
    """The store holds kind ns/name."""
    for o in objs(path):
        md = o["metadata"]
        if o["kind"] == kind and md.get("namespace", "") == ns and md["name"] == name:
            return 0
    print("missing %s %s/%s; store has:" % (kind, ns, name))
    for o in objs(path):
        print("  %s %s/%s" % (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    return 1

def hasnot(path, kind, ns, name):
    return 0 if has(path, kind, ns, name) else 1

def release(path, ns, rel, rev, status):
    """The release Secret of rev carries the owner/status labels Helm sets."""
    name = "sh.helm.release.v1.%s.v%s" % (rel, rev)
    for o in objs(path):
        md = o["metadata"]
        if o["kind"] == "Secret" and md.get("namespace") == ns and md["name"] == name:
            lb = md.get("labels", {})
            want = {"owner": "helm", "name": rel, "status": status, "version": str(rev)}
            bad = {k: lb.get(k) for k in want if lb.get(k) != want[k]}
            if o.get("type") != "helm.sh/release.v1" or "release" not in o.get("data", {}) or bad:
                print("secret %s: type %s labels %s" % (name, o.get("type"), lb))
                return 1
            return 0
    print("no secret %s" % name)
    return 1

def image(path, ns, name, want):
    for o in objs(path):
        if o["kind"] == "Deployment" and o["metadata"]["name"] == name:
            got = o["spec"]["template"]["spec"]["containers"][0]["image"]
            print("image %s" % got)
            return 0 if got == want else 1
    print("no deployment %s" % name)
    return 1

def count(path, kind, ns, want):
    c = sum(1 for o in objs(path) if o["kind"] == kind and o["metadata"].get("namespace", "") == ns)
    print("%s in %s: %d" % (kind, ns, c))
    return 0 if c == int(want) else 1

def logged(path, method, path_part, ctype):
    """Some request METHOD on a path containing path_part had content type ctype."""
    seen = []
    for e in load(path):
        if e.get("method") == method and path_part in e.get("path", ""):
            seen.append(e.get("content_type"))
            if e.get("content_type", "").startswith(ctype):
                return 0
    print("%s %s content types: %s" % (method, path_part, seen))
    return 1

def requested(path, method, exact, want="yes"):
    """A request METHOD on exactly this path was (want=yes) or was not made."""
    hit = any(e.get("method") == method and e.get("path") == exact for e in load(path))
    print("%s %s requested: %s" % (method, exact, hit))
    return 0 if hit == (want == "yes") else 1

def user(path, want):
    users = set(e.get("user") for e in load(path) if "method" in e)
    print("users: %s" % sorted(users))
    return 0 if users == {want} else 1

def clusterip(path, ns, name):
    for o in objs(path):
        if o["kind"] == "Service" and o["metadata"]["name"] == name:
            print(o["spec"]["clusterIP"])
            return 0
    return 1

sys.exit(globals()[sys.argv[1]](*sys.argv[2:]))
PY
q() { python3 "$tmp/q.py" "$@"; }
store() { fakeapi_ctl GET store >"$tmp/store.json"; }
reqlog() { fakeapi_ctl GET log >"$tmp/log.json"; }

pki="$tmp/pki"
if ! bash "$RI_ROOT/tests/fakeapi/mkcerts.sh" "$pki" >"$tmp/mkcerts.log" 2>&1; then
  not_ok "mkcerts.sh makes the throwaway PKI" "$tmp/mkcerts.log"
  echo "1..$n"; finished=1; exit 1
fi
ok "mkcerts.sh makes the throwaway PKI"
export FAKEAPI_CA="$pki/ca.crt" # read by fakeapi_ctl

check "fake API server self-test (protobuf, patches, YAML subset, selectors)" "$tmp/self.log" \
  python3 "$RI_ROOT/tests/fakeapi/selftest.py"

# The webhook of charts/guard-backend is down until /_fake/backend-up.
cat >"$tmp/script.json" <<'JSON'
{"webhooks": {"check.guard.readyinstall.test": {"cause": "connection-refused"}},
 "pods": {"ready_after": 0.2}}
JSON

client_user="client-certificate: $pki/client.crt
client-key: $pki/client.key"

run_helm() { # run_helm LABEL HELM [discovery-flag]
  local label="$1" helm="$2" extra="${3:-}" d="$tmp/$1" out err rc
  mkdir -p "$d"
  export HELM_DATA_HOME="$d/data" HELM_CONFIG_HOME="$d/config" HELM_CACHE_HOME="$d/cache"
  # shellcheck disable=SC2086  # extra is one optional flag
  if ! fakeapi_start "$d" api --tls-cert "$pki/server.crt" --tls-key "$pki/server.key" \
      --client-ca "$pki/ca.crt" --script "$tmp/script.json" $extra 2>"$d/start.err"; then
    not_ok "$label: fake API server starts" "$d/start.err"
    return
  fi
  local pid="$FAKEAPI_PID"
  export KUBECONFIG="$d/kubeconfig"
  fakeapi_kubeconfig "$KUBECONFIG" "$FAKEAPI_URL" "$pki/ca.crt" "$client_user"
  out="$d/out" err="$d/err"

  if "$helm" install rel "$simple" >"$out" 2>"$err"; then
    ok "$label: helm install simple exits 0"
  else
    not_ok "$label: helm install simple exits 0" "$err"
  fi
  store
  check "$label: store holds the chart's ConfigMap, Service, ServiceAccount, Deployment" "$d/diag" \
    bash -c "python3 '$tmp/q.py' has '$tmp/store.json' ConfigMap default rel-config &&
             python3 '$tmp/q.py' has '$tmp/store.json' Service default rel &&
             python3 '$tmp/q.py' has '$tmp/store.json' ServiceAccount default rel &&
             python3 '$tmp/q.py' has '$tmp/store.json' Deployment default rel"
  check "$label: release Secret v1 decoded from protobuf, status deployed" "$d/diag" \
    q release "$tmp/store.json" default rel 1 deployed
  reqlog
  check "$label: release Secret arrived as protobuf" "$d/diag" \
    q logged "$tmp/log.json" POST /secrets application/vnd.kubernetes.protobuf
  check "$label: every request authenticated by the client certificate (CN=admin)" "$d/diag" \
    q user "$tmp/log.json" admin
  if [[ -n "$extra" ]]; then
    check "$label: legacy discovery documents read (/api/v1, /apis/apps/v1)" "$d/diag" \
      bash -c "python3 '$tmp/q.py' requested '$tmp/log.json' GET /api/v1 &&
               python3 '$tmp/q.py' requested '$tmp/log.json' GET /apis/apps/v1"
  else
    check "$label: aggregated discovery used (no GET /api/v1)" "$d/diag" \
      q requested "$tmp/log.json" GET /api/v1 no
  fi
  if [[ "$label" == "helm 4"* ]]; then
    check "$label: chart objects sent by server-side apply" "$d/diag" \
      q logged "$tmp/log.json" PATCH /configmaps/rel-config application/apply-patch+yaml
  else
    check "$label: chart objects sent by POST (JSON)" "$d/diag" \
      q logged "$tmp/log.json" POST /configmaps application/json
  fi

  if "$helm" list >"$out" 2>"$err" && grep -qE '^rel[[:space:]]+default[[:space:]]+1[[:space:]].*deployed' "$out"; then
    ok "$label: helm list shows rel revision 1 deployed"
  else
    cat "$err" >>"$out"; not_ok "$label: helm list shows rel revision 1 deployed" "$out"
  fi

  if "$helm" upgrade rel "$simple" --set image=registry.example.com/simple/app:2.0.0 >"$out" 2>"$err"; then
    ok "$label: helm upgrade with a changed value exits 0"
  else
    not_ok "$label: helm upgrade with a changed value exits 0" "$err"
  fi
  store
  check "$label: Deployment image updated in the store" "$d/diag" \
    q image "$tmp/store.json" default rel registry.example.com/simple/app:2.0.0
  check "$label: release v1 superseded, v2 deployed" "$d/diag" \
    bash -c "python3 '$tmp/q.py' release '$tmp/store.json' default rel 1 superseded &&
             python3 '$tmp/q.py' release '$tmp/store.json' default rel 2 deployed"
  if "$helm" history rel >"$out" 2>"$err" && grep -qE '^1[[:space:]].*superseded' "$out" \
      && grep -qE '^2[[:space:]].*deployed.*Upgrade complete' "$out"; then
    ok "$label: helm history lists both revisions"
  else
    cat "$err" >>"$out"; not_ok "$label: helm history lists both revisions" "$out"
  fi
  if "$helm" get manifest rel >"$out" 2>"$err" \
      && grep -qF 'image: "registry.example.com/simple/app:2.0.0"' "$out"; then
    ok "$label: helm get manifest shows the upgraded manifest"
  else
    cat "$err" >>"$out"; not_ok "$label: helm get manifest shows the upgraded manifest" "$out"
  fi

  if "$helm" uninstall rel >"$out" 2>"$err"; then
    ok "$label: helm uninstall exits 0"
  else
    not_ok "$label: helm uninstall exits 0" "$err"
  fi
  store
  check "$label: uninstall removed the objects, release Secrets and pods" "$d/diag" \
    bash -c "python3 '$tmp/q.py' hasnot '$tmp/store.json' Deployment default rel &&
             python3 '$tmp/q.py' hasnot '$tmp/store.json' ConfigMap default rel-config &&
             python3 '$tmp/q.py' count '$tmp/store.json' Secret default 0 &&
             python3 '$tmp/q.py' count '$tmp/store.json' Pod default 0"

  # ---- webhook whose backend is down
  if [[ -n "$extra" ]]; then fakeapi_stop "$pid"; return; fi
  if "$helm" install guard "$charts/guard-backend" --wait --timeout 30s >"$out" 2>"$err"; then
    ok "$label: install the webhook backend chart (--wait)"
  else
    not_ok "$label: install the webhook backend chart (--wait)" "$err"
  fi
  store
  local ip
  ip="$(q clusterip "$tmp/store.json" default guard-webhook || true)"
  local inner="Internal error occurred: failed calling webhook \"check.guard.readyinstall.test\": failed to call webhook: Post \"https://guard-webhook.default.svc:443/validate?timeout=10s\": dial tcp $ip:443: connect: connection refused"
  local want
  if [[ "$label" == "helm 4"* ]]; then
    want="Error: INSTALLATION FAILED: $inner"
  else
    want="$(printf 'Error: INSTALLATION FAILED: 1 error occurred:\n\t* %s\n\n' "$inner")"
  fi
  if "$helm" install guarded "$charts/guarded" >"$out" 2>"$err"; then
    not_ok "$label: webhook down: install of a guarded ConfigMap fails" "$out"
  elif [[ "$(cat "$err")" == "$want" ]]; then
    ok "$label: webhook down: exact 'failed calling webhook ... connection refused' error"
  else
    { echo "expected:"; printf '%s\n' "$want"; echo "got:"; cat -A "$err"; } >"$d/diag"
    not_ok "$label: webhook down: exact 'failed calling webhook ... connection refused' error" "$d/diag"
  fi
  store
  check "$label: nothing guarded was stored; release rev 1 failed" "$d/diag" \
    bash -c "python3 '$tmp/q.py' hasnot '$tmp/store.json' ConfigMap default guarded-settings &&
             python3 '$tmp/q.py' release '$tmp/store.json' default guarded 1 failed"

  fakeapi_ctl POST "backend-up?name=check.guard.readyinstall.test" >"$d/ctl" 2>&1 || true
  if "$helm" upgrade --install guarded "$charts/guarded" >"$out" 2>"$err"; then
    ok "$label: after /_fake/backend-up, upgrade --install succeeds"
  else
    not_ok "$label: after /_fake/backend-up, upgrade --install succeeds" "$err"
  fi
  store
  check "$label: guarded ConfigMap stored, release rev 2 deployed" "$d/diag" \
    bash -c "python3 '$tmp/q.py' has '$tmp/store.json' ConfigMap default guarded-settings &&
             python3 '$tmp/q.py' release '$tmp/store.json' default guarded 2 deployed"
  fakeapi_stop "$pid"
}

# --wait against Deployments whose pods never become Ready (script "pods").
run_wait() { # run_wait LABEL HELM WAIT-FLAG EXPECTED-STDERR
  local label="$1" helm="$2" flag="$3" want="$4" d="$tmp/$1-wait"
  mkdir -p "$d/chart/templates"
  export HELM_DATA_HOME="$d/data" HELM_CONFIG_HOME="$d/config" HELM_CACHE_HOME="$d/cache"
  printf 'apiVersion: v2\nname: stuck\nversion: 0.1.0\n' >"$d/chart/Chart.yaml"
  cat >"$d/chart/templates/deploy.yaml" <<'YAML'
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ .Release.Name }}
spec:
  selector: {matchLabels: {app: {{ .Release.Name }}}}
  template:
    metadata: {labels: {app: {{ .Release.Name }}}}
    spec:
      containers: [{name: app, image: registry.example.com/app:1}]
YAML
  echo '{"pods": {"default/stuck": {"ready": false}}}' >"$d/script.json"
  if ! fakeapi_start "$d" api --script "$d/script.json" 2>"$d/start.err"; then
    not_ok "$label: fake API server starts" "$d/start.err"; return
  fi
  export KUBECONFIG="$d/kubeconfig"
  fakeapi_kubeconfig "$KUBECONFIG" "$FAKEAPI_URL" "" ""
  if "$helm" install stuck "$d/chart" "$flag" --timeout 3s >"$d/out" 2>"$d/err"; then
    not_ok "$label: $flag times out on pods that never become Ready" "$d/out"
  elif [[ "$(cat "$d/err")" == "$want" ]]; then
    ok "$label: $flag times out on pods that never become Ready, exact error"
  else
    { echo "expected:"; printf '%s\n' "$want"; echo "got:"; cat "$d/err"; } >"$d/diag"
    not_ok "$label: $flag times out on pods that never become Ready, exact error" "$d/diag"
  fi
  fakeapi_ctl POST "pods-ready?namespace=default&deployment=stuck&ready=true" >/dev/null
  if "$helm" upgrade stuck "$d/chart" "$flag" --timeout 20s >"$d/out" 2>"$d/err"; then
    ok "$label: after /_fake/pods-ready, upgrade $flag succeeds"
  else
    not_ok "$label: after /_fake/pods-ready, upgrade $flag succeeds" "$d/err"
  fi
  fakeapi_stop "$FAKEAPI_PID"
}

# The fake API server itself, through kubectl: patch types, apply, dry run,
# finalizers, watch, and webhook causes that follow the cluster's state.
run_kubectl() {
  local kubectl="$1" d="$tmp/kubectl"
  mkdir -p "$d"
  cat >"$d/script.json" <<'JSON'
{"webhooks": {"auto.readyinstall.test": {"cause": "auto", "up_when": "endpoints"},
              "x509.readyinstall.test": {"cause": "x509-unknown-authority"},
              "slow.readyinstall.test": {"cause": "deadline-exceeded"}}}
JSON
  if ! fakeapi_start "$d" api --tls-cert "$pki/server.crt" --tls-key "$pki/server.key" \
      --client-ca "$pki/ca.crt" --script "$d/script.json" 2>"$d/start.err"; then
    not_ok "kubectl: fake API server starts" "$d/start.err"; return
  fi
  export KUBECONFIG="$d/kubeconfig"
  fakeapi_kubeconfig "$KUBECONFIG" "$FAKEAPI_URL" "$pki/ca.crt" "$client_user"
  local k="$kubectl"
  kc_check() { # kc_check DESCRIPTION EXPECTED COMMAND...
    local desc="$1" want="$2" got; shift 2
    got="$("$@" 2>&1)" || true
    if [[ "$got" == "$want" ]]; then ok "kubectl: $desc"
    else printf 'expected: %s\ngot: %s\n' "$want" "$got" >"$d/diag"; not_ok "kubectl: $desc" "$d/diag"; fi
  }
  "$k" create configmap p1 --from-literal=a=1 >/dev/null 2>&1 || true
  "$k" patch configmap p1 --type merge -p '{"data":{"b":"2"}}' >/dev/null 2>&1 || true
  "$k" patch configmap p1 --type json -p '[{"op":"remove","path":"/data/a"}]' >/dev/null 2>&1 || true
  kc_check "merge patch then JSON patch" '{"b":"2"}' "$k" get configmap p1 -o 'jsonpath={.data}'
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p2\ndata:\n  x: "1"\n  z: "3"\n' \
    | "$k" apply --server-side -f - >/dev/null 2>&1 || true
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: p2\ndata:\n  k: "2"\n  z: "3"\n' \
    | "$k" apply --server-side -f - >/dev/null 2>&1 || true
  kc_check "server-side apply drops the field the manager stopped applying" '{"k":"2","z":"3"}' \
    "$k" get configmap p2 -o 'jsonpath={.data}'
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: sm\nspec:\n  selector: {matchLabels: {app: sm}}\n  template:\n    metadata: {labels: {app: sm}}\n    spec:\n      containers: [{name: a, image: "a:1"}, {name: b, image: "b:1"}]\n' \
    | "$k" apply -f - >/dev/null 2>&1 || true
  "$k" set image deployment/sm b=b:2 >/dev/null 2>&1 || true
  kc_check "strategic merge patch merges containers by name" 'a:1 b:2' \
    "$k" get deployment sm -o 'jsonpath={.spec.template.spec.containers[0].image} {.spec.template.spec.containers[1].image}'
  "$k" create configmap dry --dry-run=server >/dev/null 2>&1 || true
  kc_check "--dry-run=server stores nothing" 'Error from server (NotFound): configmaps "dry" not found' \
    "$k" get configmap dry
  kc_check "create in a missing namespace" 'error: failed to create configmap: namespaces "ghost" not found' \
    "$k" create configmap x -n ghost
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: fin\n  finalizers: [example.com/hold]\n' \
    | "$k" create -f - >/dev/null 2>&1 || true
  "$k" delete configmap fin --wait=false >/dev/null 2>&1 || true
  kc_check "delete with a finalizer keeps the object, deletionTimestamp set" 'example.com/hold set' \
    bash -c "'$k' get configmap fin -o 'jsonpath={.metadata.finalizers[0]} {.metadata.deletionTimestamp}' | sed 's/ 20.*/ set/'"
  "$k" patch configmap fin --type merge -p '{"metadata":{"finalizers":null}}' >/dev/null 2>&1 || true
  kc_check "removing the last finalizer deletes it" 'Error from server (NotFound): configmaps "fin" not found' \
    "$k" get configmap fin
  (timeout 4 "$k" get configmaps -w -o name >"$d/watch.out" 2>&1 || true) &
  local wpid=$!
  sleep 1.5
  "$k" create configmap watched >/dev/null 2>&1 || true
  wait "$wpid" || true
  if grep -qx 'configmap/watched' "$d/watch.out" && grep -qx 'configmap/p1' "$d/watch.out"; then
    ok "kubectl: get -w lists, then streams a new object (WATCH)"
  else
    not_ok "kubectl: get -w lists, then streams a new object (WATCH)" "$d/watch.out"
  fi

  "$k" create -f - >/dev/null 2>"$d/vwc.err" <<'YAML' || true
apiVersion: admissionregistration.k8s.io/v1
kind: ValidatingWebhookConfiguration
metadata: {name: causes}
webhooks:
- name: auto.readyinstall.test
  sideEffects: None
  admissionReviewVersions: [v1]
  objectSelector: {matchLabels: {hook: auto}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  clientConfig: {service: {name: auto-svc, namespace: default, path: /v}}
- name: x509.readyinstall.test
  sideEffects: None
  admissionReviewVersions: [v1]
  objectSelector: {matchLabels: {hook: x509}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  clientConfig: {service: {name: tls-svc, namespace: kube-system, port: 9443, path: /check}}
- name: slow.readyinstall.test
  sideEffects: None
  timeoutSeconds: 5
  admissionReviewVersions: [v1]
  objectSelector: {matchLabels: {hook: slow}}
  rules: [{apiGroups: [""], apiVersions: [v1], operations: [CREATE], resources: [configmaps]}]
  clientConfig: {url: "https://hooks.example.com/slow"}
YAML
  local pre='Error from server (InternalError): error when creating "STDIN": Internal error occurred: failed calling webhook'
  # shellcheck disable=SC2317  # called through declare -f
  mk() { printf 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: %s\n  labels: {hook: %s}\n' "$1" "$2"; }
  kc_check "webhook x509 cause" "$pre \"x509.readyinstall.test\": failed to call webhook: Post \"https://tls-svc.kube-system.svc:9443/check?timeout=10s\": tls: failed to verify certificate: x509: certificate signed by unknown authority" \
    bash -c "$(declare -f mk); mk c1 x509 | '$k' create -f -"
  kc_check "webhook deadline cause, URL webhook with timeoutSeconds" "$pre \"slow.readyinstall.test\": failed to call webhook: Post \"https://hooks.example.com/slow?timeout=5s\": context deadline exceeded" \
    bash -c "$(declare -f mk); mk c2 slow | '$k' create -f -"
  kc_check "webhook auto cause: Service missing" "$pre \"auto.readyinstall.test\": failed to call webhook: Post \"https://auto-svc.default.svc:443/v?timeout=10s\": service \"auto-svc\" not found" \
    bash -c "$(declare -f mk); mk c3 auto | '$k' create -f -"
  printf 'apiVersion: v1\nkind: Service\nmetadata: {name: auto-svc}\nspec:\n  selector: {app: auto}\n  ports: [{port: 443, targetPort: 8443}]\n' \
    | "$k" create -f - >/dev/null 2>&1 || true
  kc_check "webhook auto cause: Service without ready endpoints" "$pre \"auto.readyinstall.test\": failed to call webhook: Post \"https://auto-svc.default.svc:443/v?timeout=10s\": no endpoints available for service \"auto-svc\"" \
    bash -c "$(declare -f mk); mk c3 auto | '$k' create -f -"
  # (not `kubectl create deployment`: that sends protobuf, which the fake
  # decodes only for Secrets and ConfigMaps)
  printf 'apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: auto}\nspec:\n  selector: {matchLabels: {app: auto}}\n  template:\n    metadata: {labels: {app: auto}}\n    spec:\n      containers: [{name: c, image: registry.example.com/auto:1}]\n' \
    | "$k" create -f - >/dev/null 2>&1 || true

  for _ in $(seq 1 40); do
    "$k" get endpointslices -l kubernetes.io/service-name=auto-svc -o 'jsonpath={.items[0].endpoints[0].conditions.ready}' 2>/dev/null | grep -q true && break
    sleep 0.1
  done
  kc_check "webhook auto cause: admits once the backend pod is a ready endpoint" 'configmap/c3 created' \
    bash -c "$(declare -f mk); mk c3 auto | '$k' create -f -"
  fakeapi_stop "$FAKEAPI_PID"
}

kubectl_bin=""
for cand in "$(dirname "${HELM4:-/nonexistent}")/kubectl" "$(dirname "${HELM3:-/nonexistent}")/kubectl"; do
  if [[ -x "$cand" ]]; then kubectl_bin="$cand"; break; fi
done
if [[ -n "$kubectl_bin" ]]; then
  run_kubectl "$kubectl_bin"
else
  skip "fake API server through kubectl" "no kubectl beside HELM3/HELM4"
fi

if [[ -x "$HELM3" ]]; then
  run_wait "helm 3" "$HELM3" --wait "Error: INSTALLATION FAILED: context deadline exceeded"
  run_helm "helm 3" "$HELM3"
  run_helm "helm 3 legacy discovery" "$HELM3" --no-aggregated-discovery
else
  skip "helm 3 against the fake API server" "HELM3 not set or not executable"
fi
if [[ -x "$HELM4" ]]; then
  run_wait "helm 4" "$HELM4" --wait=watcher "$(printf 'Error: INSTALLATION FAILED: resource Deployment/default/stuck not ready. status: InProgress, message: Available: 0/1\ncontext deadline exceeded')"
  run_helm "helm 4" "$HELM4"
  run_helm "helm 4 legacy discovery" "$HELM4" --no-aggregated-discovery
else
  skip "helm 4 against the fake API server" "HELM4 not set or not executable"
fi

echo "1..$n"
finished=1
exit "$failed"
