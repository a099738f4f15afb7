#!/usr/bin/env bash
# Integration: `readyinstall uninstall` against the fake API server with real
# Helm 3.18 (HELM3) and 4.1 (HELM4). The fake operator holds a finalizer on
# its Widgets and removes it only while its Deployment has a ready pod
# (tests/fakeapi README, "finalizers"):
#   a  the hazard is real: plain `helm uninstall` deletes the operator first
#      and leaves the Widgets stuck in Terminating
#   b  --plan prints the teardown order and sends nothing that changes state
#   c  readyinstall uninstall removes everything, Widgets first (before the
#      Deployment), nothing stuck, the release gone, the CRD kept
#   d  a finalizer nobody removes: the timeout report (object, finalizer, the
#      controller its RBAC names with its pods, the kubectl patch with its
#      warning), the release left
#   e  a webhook refusing DELETE: the report names it (classified), release
#      left
#   f  --keep-crs: the Widgets are left to helm uninstall (as plain helm)
#   g  SIGINT while waiting: exit 130, the release left
# Needs RI_ROOT, RI_BIN, HELM3 and/or HELM4; python3, openssl, curl. TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}"
RI_BIN="${RI_BIN:-$RI_ROOT/bin/readyinstall}"
HELM3="${HELM3:-}" HELM4="${HELM4:-}"
charts="$RI_ROOT/tests/fakeapi/charts"
# shellcheck source-path=SCRIPTDIR source=../fakeapi/lib.sh
. "$RI_ROOT/tests/fakeapi/lib.sh"

n=0 finished=0
tmp="$(mktemp -d)"
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$RI_ROOT/tests/integration/tap.sh"
trap tap_exit EXIT

tap_require "readyinstall uninstall against the fake API server" python3 openssl curl
if [[ ! -x "$HELM3" && ! -x "$HELM4" ]]; then
  skip "readyinstall uninstall against the fake API server" "neither HELM3 nor HELM4 is an executable helm"
  echo "1..$n"; finished=1; exit 0
fi

pki="$tmp/pki"
tap_pki "$pki"
client_user="client-certificate: $pki/client.crt
client-key: $pki/client.key"

cat >"$tmp/q.py" <<'PY'
import json, sys, time

def load(path):
    with open(path) as f:
        return json.load(f)

def find(path, kind, ns, name):
    for o in load(path)["items"]:
        md = o["metadata"]
        if o["kind"] == kind and md.get("namespace", "") == ns and md["name"] == name:
            return o
    return None

def terminating(path, ns, *names):
    """Each Widget is there, being deleted, still holding its finalizer."""
    bad = 0
    for name in names:
        o = find(path, "Widget", ns, name)
        md = (o or {}).get("metadata", {})
        if o is None or not md.get("deletionTimestamp") or not md.get("finalizers"):
            print("Widget %s/%s: %s" % (ns, name, md or "gone"))
            bad = 1
    return bad

def gone(path, ns, *specs):
    """KIND/NAME... are not in the store."""
    bad = 0
    for spec in specs:
        kind, name = spec.split("/", 1)
        if find(path, kind, "" if kind.endswith("Configuration") or kind ==
                "CustomResourceDefinition" else ns, name) is not None:
            print("still there: %s" % spec)
            bad = 1
    return bad

def present(path, kind, ns, name):
    if find(path, kind, ns, name) is None:
        print("missing %s %s/%s" % (kind, ns, name))
        return 1
    return 0

def releases(path, ns, rel):
    pre = "sh.helm.release.v1.%s.v" % rel
    return [o["metadata"]["name"] for o in load(path)["items"] if o["kind"] == "Secret"
            and o["metadata"].get("namespace") == ns and o["metadata"]["name"].startswith(pre)]

def release_gone(path, ns, rel):
    left = releases(path, ns, rel)
    print("release secrets: %s" % left)
    return 1 if left else 0

def release_kept(path, ns, rel):
    left = releases(path, ns, rel)
    print("release secrets: %s" % left)
    return 0 if left else 1

def deleted_before(path, first, second):
    """The first DELETE whose path ends with FIRST comes before the first
    ending with SECOND."""
    i = j = None
    for k, e in enumerate(load(path)):
        if e.get("method") != "DELETE":
            continue
        if i is None and e.get("path", "").endswith(first):
            i = k
        if j is None and e.get("path", "").endswith(second):
            j = k
    print("DELETE %s at #%s, %s at #%s" % (first, i, second, j))
    return 0 if i is not None and j is not None and i < j else 1

def no_writes(path):
    bad = [e for e in load(path) if e.get("method") in ("POST", "PUT", "PATCH", "DELETE")
           and "dryRun" not in e.get("query", "")]
    for e in bad:
        print("%s %s -> %s" % (e["method"], e["path"], e["status"]))
    return 1 if bad else 0

def has_finalizers(path, ns, *names):
    for name in names:
        o = find(path, "Widget", ns, name)
        if o is None or not o["metadata"].get("finalizers"):
            return 1
    return 0

sys.exit(globals()[sys.argv[1]](*sys.argv[2:]))
PY
q() { python3 "$tmp/q.py" "$@"; }

fresh() { # fresh DIR SCRIPT-JSON
  local d="$1"
  fakeapi_stop_all
  mkdir -p "$d"
  printf '%s\n' "$2" >"$d/script.json"
  fakeapi_start "$d" api --tls-cert "$pki/server.crt" --tls-key "$pki/server.key" \
    --client-ca "$pki/ca.crt" --script "$d/script.json" 2>"$d/start.err" || return 1
  export KUBECONFIG="$d/kubeconfig"
  fakeapi_kubeconfig "$KUBECONFIG" "$FAKEAPI_URL" "$pki/ca.crt" "$client_user"
  export HELM_DATA_HOME="$d/helm/data" HELM_CONFIG_HOME="$d/helm/config" \
    HELM_CACHE_HOME="$d/helm/cache"
  unset HELM_NAMESPACE HELM_PLUGINS HELM_BIN
}
snap() { fakeapi_ctl GET store >"$1/store.json"; fakeapi_ctl GET log >"$1/log.json"; }
fin='"finalizers": {"ri.readyinstall.test/widgets": {"deployment": "ns/rel-operator"%s}}'
# script [EXTRA-FINALIZER-JSON] [WEBHOOK-JSON]
script() {
  # shellcheck disable=SC2059  # fin is the format
  printf '{"pods": {"ready_after": 0.3}, %s%s}' "$(printf "$fin" "${1:-}")" "${2:-}"
}

# deployed HELM DIR [HELM-ARGS...]: rel installed by readyinstall, its
# Widgets holding the operator's finalizer
deployed() {
  local helm="$1" d="$2" i; shift 2
  timeout 180 "$RI_BIN" install rel "$charts/ri-operator" -n ns --create-namespace \
    --set-file "caBundle=$pki/ca.crt" --helm "$helm" --poll-interval 0.3s "$@" \
    >"$d/install.out" 2>&1 || return 1
  for i in $(seq 1 50); do
    snap "$d"
    q has_finalizers "$d/store.json" ns rel-a rel-b && return 0
    sleep 0.1
  done
  echo "the Widgets never got the operator's finalizer" >>"$d/install.out"
  return 1
}
un() { local helm="$1"; shift; timeout -k 5 120 "$RI_BIN" uninstall rel -n ns --helm "$helm" --poll-interval 0.3s "$@"; }

scenarios() {
  local L="$1" helm="$2" d rc
  # a: plain helm uninstall
  d="$tmp/$L-a"
  fresh "$d" "$(script)" || { not_ok "$L: fake API server starts" "$d/start.err"; return; }
  if ! deployed "$helm" "$d"; then not_ok "$L: readyinstall installs ri-operator" "$d/install.out"; return; fi
  rc_of rc timeout 120 "$helm" uninstall rel -n ns >"$d/plain.out" 2>&1
  sleep 1
  snap "$d"
  if q terminating "$d/store.json" ns rel-a rel-b >"$d/diag" 2>&1 &&
      q gone "$d/store.json" ns Deployment/rel-operator >>"$d/diag" 2>&1; then
    ok "$L a: plain helm uninstall (exit $rc) deletes the operator first and leaves the Widgets Terminating"
  else
    not_ok "$L a: plain helm uninstall leaves the Widgets Terminating" "$d/diag" "$d/plain.out"
  fi

  # b + c: --plan, then the ordered uninstall
  d="$tmp/$L-c"
  fresh "$d" "$(script)" || { not_ok "$L: fake API server starts" "$d/start.err"; return; }
  if ! deployed "$helm" "$d"; then not_ok "$L: readyinstall installs ri-operator" "$d/install.out"; return; fi
  fakeapi_ctl POST reset-log >/dev/null
  rc_of rc un "$helm" --plan >"$d/plan.out" 2>"$d/plan.err"
  snap "$d"
  if [[ "$rc" -eq 0 ]] && grep -q "step 1: delete custom resources" "$d/plan.out" &&
      grep -q "Widget/ns/rel-a" "$d/plan.out" && grep -q "ValidatingWebhookConfiguration/rel-widgets" "$d/plan.out" &&
      grep -q "helm uninstall rel" "$d/plan.out"; then
    ok "$L b: --plan prints the teardown order (Widgets, then the webhook configuration, then helm uninstall)"
  else
    echo "exit $rc" >>"$d/plan.err"; not_ok "$L b: --plan prints the teardown order" "$d/plan.out" "$d/plan.err"
  fi
  check "$L b: --plan sent nothing that changes state" "$d/diag" q no_writes "$d/log.json"
  rc_of rc un "$helm" >"$d/un.out" 2>"$d/un.err"
  snap "$d"
  if [[ "$rc" -eq 0 ]]; then ok "$L c: readyinstall uninstall exits 0"
  else echo "exit $rc" >>"$d/un.err"; not_ok "$L c: readyinstall uninstall exits 0" "$d/un.err"; fi
  check "$L c: everything is gone, nothing stuck; the CRD stays" "$d/diag" \
    bash -c "python3 '$tmp/q.py' gone '$d/store.json' ns Widget/rel-a Widget/rel-b Deployment/rel-operator \
               Service/ri-webhook ValidatingWebhookConfiguration/rel-widgets &&
             python3 '$tmp/q.py' present '$d/store.json' CustomResourceDefinition '' widgets.ri.readyinstall.test"
  check "$L c: the release record is gone (helm uninstall ran)" "$d/diag" q release_gone "$d/store.json" ns rel
  check "$L c: the Widgets were deleted before the operator's Deployment" "$d/diag" \
    q deleted_before "$d/log.json" /widgets/rel-a /deployments/rel-operator

  # d: a finalizer nobody removes
  d="$tmp/$L-d"
  fresh "$d" "$(script ', "never": true')" || { not_ok "$L: fake API server starts" "$d/start.err"; return; }
  if ! deployed "$helm" "$d" --set rbac=true; then not_ok "$L: readyinstall installs ri-operator" "$d/install.out"; return; fi
  rc_of rc un "$helm" --delete-timeout 2s >"$d/un.out" 2>"$d/un.err"
  snap "$d"
  if [[ "$rc" -eq 1 ]] && grep -q "Widget/ns/rel-a: finalizers ri.readyinstall.test/cleanup" "$d/un.err" &&
      grep -q "controller of Widget: Deployment/ns/rel-operator (ServiceAccount ns/rel-operator, ClusterRole/rel-operator may patch its finalizers): 1 of 1 pods Ready" "$d/un.err" &&
      grep -q "kubectl patch widgets rel-a -n ns --type=merge" "$d/un.err" && grep -q "WARNING" "$d/un.err"; then
    ok "$L d: a finalizer nobody removes: exit 1, the report names it, the controller and the forcing command with its warning"
  else
    echo "exit $rc" >>"$d/un.err"; not_ok "$L d: stuck finalizer report" "$d/un.err"
  fi
  check "$L d: the release and the operator are left in place" "$d/diag" \
    bash -c "python3 '$tmp/q.py' release_kept '$d/store.json' ns rel &&
             python3 '$tmp/q.py' present '$d/store.json' Deployment ns rel-operator"
  # g: SIGINT while waiting: prompt exit 130, the release left
  "$RI_BIN" uninstall rel -n ns --helm "$helm" --poll-interval 0.3s >"$d/g.out" 2>"$d/g.err" &
  local pid=$! t0=$SECONDS
  sleep 1.5
  kill -INT "$pid" 2>/dev/null || true
  rc=0; wait "$pid" || rc=$?
  snap "$d"
  if [[ "$rc" -eq 130 && $((SECONDS - t0)) -lt 30 ]] && grep -q "interrupted in step 1" "$d/g.err" &&
      q release_kept "$d/store.json" ns rel >"$d/diag" 2>&1; then
    ok "$L g: SIGINT during the wait: exit 130, says where, release left"
  else
    echo "exit $rc after $((SECONDS - t0))s" >>"$d/g.err"; not_ok "$L g: SIGINT during the wait" "$d/g.err" "$d/diag"
  fi

  # e: a webhook refusing DELETE
  d="$tmp/$L-e"
  fresh "$d" "$(script)" || { not_ok "$L: fake API server starts" "$d/start.err"; return; }
  if ! deployed "$helm" "$d" --set 'webhookOperations={CREATE,UPDATE,DELETE}'; then
    not_ok "$L: readyinstall installs ri-operator with a DELETE rule" "$d/install.out"; return
  fi
  fakeapi_ctl POST "backend-down?name=validate.widgets.ri.readyinstall.test" >/dev/null
  rc_of rc un "$helm" --delete-timeout 2s >"$d/un.out" 2>"$d/un.err"
  snap "$d"
  if [[ "$rc" -eq 1 ]] && grep -q "DELETE refused: failed calling webhook \"validate.widgets.ri.readyinstall.test\"" "$d/un.err" &&
      grep -q "(W3)" "$d/un.err" && grep -q "controller? Deployment/ns/rel-operator: 1 of 1 pods Ready (no RBAC" "$d/un.err" &&
      q release_kept "$d/store.json" ns rel >"$d/diag" 2>&1; then
    ok "$L e: a webhook refusing DELETE: exit 1, the refusal named and classified (W3), the workloads listed, release left"
  else
    echo "exit $rc" >>"$d/un.err"; not_ok "$L e: a webhook refusing DELETE is reported" "$d/un.err" "$d/diag"
  fi

  # f: --keep-crs
  d="$tmp/$L-f"
  fresh "$d" "$(script)" || { not_ok "$L: fake API server starts" "$d/start.err"; return; }
  if ! deployed "$helm" "$d"; then not_ok "$L: readyinstall installs ri-operator" "$d/install.out"; return; fi
  rc_of rc un "$helm" --keep-crs --plan >"$d/plan.out" 2>&1
  if [[ "$rc" -eq 0 ]] && ! grep -q "Widget/ns/rel-a" "$d/plan.out" && grep -q "keep-crs" "$d/plan.out"; then
    ok "$L f: --keep-crs leaves the Widgets out of the teardown"
  else
    echo "exit $rc" >>"$d/plan.out"; not_ok "$L f: --keep-crs leaves the Widgets out" "$d/plan.out"
  fi
}

if [[ ! -x "$RI_BIN" ]]; then
  not_ok "readyinstall binary at RI_BIN=$RI_BIN"
else
  if [[ -x "$HELM3" ]]; then scenarios helm3 "$HELM3"
  else skip "readyinstall uninstall with helm 3" "HELM3 not set or not executable"; fi
  if [[ -x "$HELM4" ]]; then scenarios helm4 "$HELM4"
  else skip "readyinstall uninstall with helm 4" "HELM4 not set or not executable"; fi
fi
echo "1..$n"
finished=1
