#!/usr/bin/env bash
# Integration: CRDs of a chart's crds/ on upgrade (`readyinstall install` on
# an existing release), against the fake API server with real Helm 3.18
# (HELM3) and 4.1 (HELM4):
#   a  the hazard is real: plain `helm upgrade` to a chart version that adds
#      a CRD in crds/ and a CR of it fails with "no matches for kind"
#   b  readyinstall creates the missing CRD (field manager readyinstall),
#      waits, and the upgrade with the CR succeeds
#   c  --plan names the CRD to create and sends nothing that changes state
#   d  a schema field added to the CRD: left alone by default, applied with
#      --upgrade-crds
#   e  refusals with --upgrade-crds, each naming the CRD and the reason, with
#      nothing applied: scope change, a dropped stored version, a dropped
#      served version while objects exist
#   f  --crds skip leaves the missing CRD alone (the upgrade then fails)
# Needs RI_ROOT, RI_BIN, HELM3 and/or HELM4; python3, openssl, curl. TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}"
RI_BIN="${RI_BIN:-$RI_ROOT/bin/readyinstall}"
HELM3="${HELM3:-}" HELM4="${HELM4:-}"
# shellcheck source-path=SCRIPTDIR source=../fakeapi/lib.sh
. "$RI_ROOT/tests/fakeapi/lib.sh"

n=0 finished=0
tmp="$(mktemp -d)"
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$RI_ROOT/tests/integration/tap.sh"
trap tap_exit EXIT

tap_require "CRDs on upgrade against the fake API server" python3 openssl curl
if [[ ! -x "$HELM3" && ! -x "$HELM4" ]]; then
  skip "CRDs on upgrade against the fake API server" "neither HELM3 nor HELM4 is an executable helm"
  echo "1..$n"; finished=1; exit 0
fi

pki="$tmp/pki"
tap_pki "$pki"

# ---- charts, written at test time ----------------------------------------
# crd_yaml SCOPE VERSIONS [EXTRA-PROPERTY]: the Gadget CRD; VERSIONS is
# "v1alpha1" (served, storage), "v1" or "both" (v1alpha1 served, v1 storage).
crd_yaml() {
  local scope="$1" versions="$2" extra="${3:-}" v prop=""
  [[ -n "$extra" ]] && prop="
              $extra: {type: string}"
  printf 'apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\n'
  printf 'metadata: {name: gadgets.ri.readyinstall.test}\nspec:\n'
  printf '  group: ri.readyinstall.test\n  scope: %s\n' "$scope"
  printf '  names: {kind: Gadget, listKind: GadgetList, plural: gadgets, singular: gadget}\n'
  printf '  versions:\n'
  for v in v1alpha1 v1; do
    local served=false storage=false
    case "$versions/$v" in
      v1alpha1/v1alpha1) served=true storage=true ;;
      v1/v1) served=true storage=true ;;
      both/v1alpha1) served=true ;;
      both/v1) served=true storage=true ;;
      *) continue ;;
    esac
    cat <<EOF
  - name: $v
    served: $served
    storage: $storage
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer}$prop
EOF
  done
}
# mkchart DIR VERSION [CRD-ARGS...]: a chart with a ConfigMap; with CRD-ARGS
# also crds/gadgets.yaml and a Gadget "g1" in templates/ (in the storage
# version).
mkchart() {
  local d="$1" ver="$2"; shift 2
  mkdir -p "$d/templates"
  printf 'apiVersion: v2\nname: ri-gadgets\nversion: %s\n' "$ver" >"$d/Chart.yaml"
  printf 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: {{ .Release.Name }}-cfg}\ndata: {v: "%s"}\n' \
    "$ver" >"$d/templates/cm.yaml"
  if [[ $# -gt 0 ]]; then
    mkdir -p "$d/crds"
    crd_yaml "$@" >"$d/crds/gadgets.yaml"
    local gv=v1alpha1
    [[ "$2" != v1alpha1 ]] && gv=v1
    printf 'apiVersion: ri.readyinstall.test/%s\nkind: Gadget\nmetadata: {name: g1}\nspec: {size: 1}\n' \
      "$gv" >"$d/templates/gadget.yaml"
  fi
}
charts="$tmp/charts"
mkchart "$charts/c1" 0.1.0
mkchart "$charts/c2" 0.2.0 Namespaced v1alpha1
mkchart "$charts/c3" 0.3.0 Namespaced v1alpha1 color
mkchart "$charts/c4" 0.4.0 Cluster v1alpha1 color
mkchart "$charts/c5" 0.5.0 Namespaced v1 color
mkchart "$charts/c8" 0.8.0 Namespaced both
mkchart "$charts/c9" 0.9.0 Namespaced v1

cat >"$tmp/q.py" <<'PY'
import json, sys

def load(path):
    with open(path) as f:
        return json.load(f)

def find(path, kind, ns, name):
    for o in load(path)["items"]:
        md = o["metadata"]
        if o["kind"] == kind and md.get("namespace", "") == ns and md["name"] == name:
            return o
    return None

def has(path, kind, ns, name):
    if find(path, kind, ns, name) is not None:
        return 0
    print("missing %s %s/%s" % (kind, ns, name))
    return 1

def hasnot(path, kind, ns, name):
    if find(path, kind, ns, name) is None:
        return 0
    print("present: %s %s/%s" % (kind, ns, name))
    return 1

def crd_has_field(path, field, want):
    """The Gadget CRD's schema has (want=1) or lacks (0) spec.FIELD."""
    o = find(path, "CustomResourceDefinition", "", "gadgets.ri.readyinstall.test")
    if o is None:
        print("no Gadget CRD")
        return 1
    found = any(field in (v.get("schema", {}).get("openAPIV3Schema", {})
                          .get("properties", {}).get("spec", {}).get("properties", {}))
                for v in o["spec"]["versions"])
    print("CRD has spec.%s: %s, scope %s" % (field, found, o["spec"].get("scope")))
    return 0 if found == (want == "1") else 1

def no_crd_writes(path):
    """No POST/PUT/PATCH/DELETE of a CustomResourceDefinition."""
    bad = [e for e in load(path) if e.get("method") in ("POST", "PUT", "PATCH", "DELETE")
           and "/customresourcedefinitions" in e["path"]]
    for e in bad:
        print("%s %s?%s -> %s" % (e["method"], e["path"], e.get("query", ""), e["status"]))
    return 1 if bad else 0

def no_writes(path):
    """No request that changes state (dry-runs aside)."""
    bad = [e for e in load(path) if e.get("method") in ("POST", "PUT", "PATCH", "DELETE")
           and "dryRun" not in e.get("query", "")]
    for e in bad:
        print("%s %s -> %s" % (e["method"], e["path"], e["status"]))
    return 1 if bad else 0

def crd_applied_by_us(path):
    """A server-side apply of the Gadget CRD with field manager readyinstall."""
    for e in load(path):
        if (e.get("method") == "PATCH" and e["path"].endswith("/gadgets.ri.readyinstall.test")
                and "fieldManager=readyinstall" in e.get("query", "")):
            return 0
    print("no PATCH ...?fieldManager=readyinstall of the Gadget CRD")
    return 1

def release_rev(path, ns, rel, rev, status):
    o = find(path, "Secret", ns, "sh.helm.release.v1.%s.v%s" % (rel, rev))
    lb = (o or {}).get("metadata", {}).get("labels", {})
    if o is None or lb.get("status") != status:
        print("release %s v%s: %s" % (rel, rev, lb or "missing"))
        return 1
    return 0

def report_crd(path, action, reason_part):
    r = load(path)
    for c in r.get("crds", []):
        if c.get("action") == action and reason_part in c.get("reason", ""):
            return 0
    print("crds: %s" % r.get("crds"))
    return 1

sys.exit(globals()[sys.argv[1]](*sys.argv[2:]))
PY
q() { python3 "$tmp/q.py" "$@"; }

client_user="client-certificate: $pki/client.crt
client-key: $pki/client.key"
fresh() { # fresh DIR: a new fake server, private Helm homes, kubeconfig
  local d="$1"
  fakeapi_stop_all
  mkdir -p "$d"
  # openapi_v2: Helm 3 validates against it, so a kind nothing serves
  # fails as on a real cluster ("no matches for kind")
  echo '{"pods": {"ready_after": 0.2}, "openapi_v2": true}' >"$d/script.json"
  fakeapi_start "$d" api --tls-cert "$pki/server.crt" --tls-key "$pki/server.key" \
    --client-ca "$pki/ca.crt" --script "$d/script.json" 2>"$d/start.err" || return 1
  export KUBECONFIG="$d/kubeconfig"
  fakeapi_kubeconfig "$KUBECONFIG" "$FAKEAPI_URL" "$pki/ca.crt" "$client_user"
  export HELM_DATA_HOME="$d/helm/data" HELM_CONFIG_HOME="$d/helm/config" \
    HELM_CACHE_HOME="$d/helm/cache"
  unset HELM_NAMESPACE HELM_PLUGINS HELM_BIN
}
snap() { fakeapi_ctl GET store >"$1/store.json"; fakeapi_ctl GET log >"$1/log.json"; }
# shellcheck disable=SC2317  # called through rc_of
ri() { local helm="$1"; shift; timeout -k 5 180 "$RI_BIN" install "$@" --helm "$helm" --poll-interval 0.3s; }
# installed HELM DIR CHART: a first release rel in ns with plain helm
installed() {
  timeout 120 "$1" install rel "$3" -n ns --create-namespace >"$2/install.out" 2>&1
}

scenarios() {
  local L="$1" helm="$2" d rc
  # a + b + c: a new CRD in crds/ on upgrade
  d="$tmp/$L-ab"
  fresh "$d" || { not_ok "$L: fake API server starts" "$d/start.err"; return; }
  if ! installed "$helm" "$d" "$charts/c1"; then not_ok "$L: helm install c1" "$d/install.out"; return; fi
  rc_of rc timeout 120 "$helm" upgrade rel "$charts/c2" -n ns >"$d/plain.out" 2>&1
  if [[ "$rc" -ne 0 ]] && grep -q 'no matches for kind "Gadget"' "$d/plain.out"; then
    ok "$L a: plain helm upgrade to a chart that adds a crds/ CRD fails: no matches for kind \"Gadget\""
  else
    echo "exit $rc" >>"$d/plain.out"; not_ok "$L a: plain helm upgrade fails with no matches for kind" "$d/plain.out"
  fi
  fakeapi_ctl POST reset-log >/dev/null
  rc_of rc ri "$helm" rel "$charts/c2" -n ns --plan >"$d/plan.out" 2>"$d/plan.err"
  snap "$d"
  if [[ "$rc" -eq 0 ]] && grep -q "crd create gadgets.ri.readyinstall.test" "$d/plan.out"; then
    ok "$L c: --plan names the crds/ CRD it would create"
  else
    echo "exit $rc" >>"$d/plan.err"; not_ok "$L c: --plan names the crds/ CRD it would create" "$d/plan.out" "$d/plan.err"
  fi
  check "$L c: --plan sent nothing that changes state" "$d/diag" q no_writes "$d/log.json"
  rc_of rc ri "$helm" rel "$charts/c2" -n ns --output json >"$d/report.json" 2>"$d/err"
  snap "$d"
  if [[ "$rc" -eq 0 ]]; then ok "$L b: readyinstall upgrades to c2"
  else echo "exit $rc" >>"$d/err"; not_ok "$L b: readyinstall upgrades to c2" "$d/err"; fi
  check "$L b: the CRD was server-side applied with field manager readyinstall" "$d/diag" \
    q crd_applied_by_us "$d/log.json"
  check "$L b: store has the CRD and the Gadget; report says crd create" "$d/diag" \
    bash -c "python3 '$tmp/q.py' has '$d/store.json' CustomResourceDefinition '' gadgets.ri.readyinstall.test &&
             python3 '$tmp/q.py' has '$d/store.json' Gadget ns g1 &&
             python3 '$tmp/q.py' report_crd '$d/report.json' create missing"

  # d: an added schema field, left alone by default, applied with --upgrade-crds
  rc_of rc ri "$helm" rel "$charts/c3" -n ns >"$d/d1.out" 2>"$d/d1.err"
  snap "$d"
  if [[ "$rc" -eq 0 ]] && q crd_has_field "$d/store.json" color 0 >"$d/diag" 2>&1; then
    ok "$L d: without --upgrade-crds the existing CRD is left alone (as Helm does)"
  else echo "exit $rc" >>"$d/d1.err"; not_ok "$L d: without --upgrade-crds the CRD is left alone" "$d/diag" "$d/d1.err"; fi
  rc_of rc ri "$helm" rel "$charts/c3" -n ns --upgrade-crds >"$d/d2.out" 2>"$d/d2.err"
  snap "$d"
  if [[ "$rc" -eq 0 ]] && q crd_has_field "$d/store.json" color 1 >"$d/diag" 2>&1; then
    ok "$L d: --upgrade-crds applies the added field"
  else echo "exit $rc" >>"$d/d2.err"; not_ok "$L d: --upgrade-crds applies the added field" "$d/diag" "$d/d2.err"; fi

  # e: refusals, nothing applied
  local c why
  for c in "c4:changes scope from Namespaced to Cluster" "c5:drops version v1alpha1, which status.storedVersions"; do
    why="${c#*:}"; c="${c%%:*}"
    fakeapi_ctl POST reset-log >/dev/null
    rc_of rc ri "$helm" rel "$charts/$c" -n ns --upgrade-crds >"$d/e.out" 2>"$d/e.err"
    snap "$d"
    if [[ "$rc" -eq 1 ]] && grep -q "gadgets.ri.readyinstall.test" "$d/e.err" && grep -qF "$why" "$d/e.err" \
        && q no_crd_writes "$d/log.json" >"$d/diag" 2>&1 && q no_writes "$d/log.json" >>"$d/diag" 2>&1; then
      ok "$L e: $c refused with exit 1 ($why), nothing applied"
    else
      echo "exit $rc" >>"$d/e.err"; not_ok "$L e: $c refused ($why), nothing applied" "$d/e.err" "$d/diag"
    fi
  done
  check "$L e: the Gadget CRD is still Namespaced after the refusals" "$d/diag" \
    bash -c "python3 '$tmp/q.py' crd_has_field '$d/store.json' color 1 | grep -q 'scope Namespaced'"

  # e: a served version dropped while objects exist
  d="$tmp/$L-e2"
  fresh "$d" || { not_ok "$L: fake API server starts" "$d/start.err"; return; }
  # readyinstall installs it: Helm 4 maps the chart's kinds before its own
  # wait for the crds/ CRD ends, so a plain first install can fail (C1)
  if ! ri "$helm" rel "$charts/c8" -n ns --create-namespace >"$d/install.out" 2>&1; then
    not_ok "$L: readyinstall installs c8" "$d/install.out"; return
  fi
  fakeapi_ctl POST reset-log >/dev/null
  rc_of rc ri "$helm" rel "$charts/c9" -n ns --upgrade-crds >"$d/e.out" 2>"$d/e.err"
  snap "$d"
  if [[ "$rc" -eq 1 ]] && grep -qF "stops serving version v1alpha1 while objects" "$d/e.err" \
      && q no_writes "$d/log.json" >"$d/diag" 2>&1; then
    ok "$L e: dropping served v1alpha1 while a Gadget exists is refused, nothing applied"
  else
    echo "exit $rc" >>"$d/e.err"; not_ok "$L e: dropping a served version with objects is refused" "$d/e.err" "$d/diag"
  fi

  # f: --crds skip
  d="$tmp/$L-f"
  fresh "$d" || { not_ok "$L: fake API server starts" "$d/start.err"; return; }
  if ! installed "$helm" "$d" "$charts/c1"; then not_ok "$L: helm install c1" "$d/install.out"; return; fi
  rc_of rc ri "$helm" rel "$charts/c2" -n ns --crds skip --retries 0 --ready-timeout 2s >"$d/f.out" 2>"$d/f.err"
  snap "$d"
  if [[ "$rc" -ne 0 ]] && q hasnot "$d/store.json" CustomResourceDefinition "" gadgets.ri.readyinstall.test >"$d/diag" 2>&1; then
    ok "$L f: --crds skip leaves the missing CRD alone (and the upgrade fails)"
  else
    echo "exit $rc" >>"$d/f.err"; not_ok "$L f: --crds skip leaves the CRD alone" "$d/f.err" "$d/diag"
  fi
}

if [[ ! -x "$RI_BIN" ]]; then
  not_ok "readyinstall binary at RI_BIN=$RI_BIN"
else
  if [[ -x "$HELM3" ]]; then scenarios helm3 "$HELM3"
  else skip "CRDs on upgrade with helm 3" "HELM3 not set or not executable"; fi
  if [[ -x "$HELM4" ]]; then scenarios helm4 "$HELM4"
  else skip "CRDs on upgrade with helm 4" "HELM4 not set or not executable"; fi
fi
echo "1..$n"
finished=1
