#!/usr/bin/env bash
# Integration: `readyinstall graph CHART_DIR` renders the chart with real
# Helm 3.18 and 4.1 (`helm template`), passing the chart options through.
# Needs HELM3, HELM4, RI_BIN, RI_ROOT; prints TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}" "${RI_BIN:?RI_BIN must be set}"
HELM3="${HELM3:-}" HELM4="${HELM4:-}"
demo="$RI_ROOT/testdata/charts/demo"
broken="$RI_ROOT/testdata/charts/broken" # renders an object without kind

n=0 failed=0 finished=0
tmp="$(mktemp -d)"
# An aborted run must still show up as a failure in the TAP output.
# shellcheck disable=SC2317  # run by the EXIT trap
on_exit() {
  local rc=$?
  rm -rf "$tmp"
  if [[ "$finished" -eq 0 ]]; then echo "not ok $((n + 1)) - ${0##*/} aborted (exit $rc)"; exit 1; fi
}
trap on_exit EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # not_ok DESCRIPTION [DIAGNOSTIC-FILE]
  n=$((n + 1)); failed=1; echo "not ok $n - $1"
  if [[ $# -gt 1 && -s "$2" ]]; then sed 's/^/# /' "$2"; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# jq-free JSON checks: `nodes FILE` prints kind/namespace/name lines,
# `edge FILE FROM TO REASON` succeeds when that edge exists.
cat >"$tmp/q.py" <<'PY'
import json, sys

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def name(n):
    if "virtual" in n:
        return n["virtual"]
    return "/".join(x for x in (n["kind"], n["namespace"], n["name"]) if x)

def nodes(path):
    for n in load(path)["nodes"]:
        print(name(n))
    return 0

def edge(path, frm, to, reason):
    d = load(path)
    names = {n["id"]: name(n) for n in d["nodes"]}
    for e in d["edges"]:
        if (names[e["from"]], names[e["to"]], e["reason"]) == (frm, to, reason):
            return 0
    print("no edge %s -> %s [%s]; edges:" % (frm, to, reason))
    for e in d["edges"]:
        print("  %s -> %s [%s]" % (names[e["from"]], names[e["to"]], e["reason"]))
    return 1

sys.exit(globals()[sys.argv[1]](*sys.argv[2:]))
PY
q() { python3 "$tmp/q.py" "$@"; }

# A chart whose objects show which options reached helm template.
chart="$tmp/opts"
mkdir -p "$chart/templates"
cat >"$chart/Chart.yaml" <<'YAML'
apiVersion: v2
name: opts
version: 0.1.0
YAML
cat >"$chart/values.yaml" <<'YAML'
suffix: default
withCert: false
YAML
cat >"$chart/templates/all.yaml" <<'YAML'
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Release.Name }}-{{ .Values.suffix }}
---
apiVersion: v1
kind: ConfigMap
metadata:
  name: kube-{{ .Capabilities.KubeVersion.Minor }}
---
{{- if .Values.fromFile }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Values.fromFile | trim }}
---
{{- end }}
{{- if .Values.json }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: {{ .Values.json.name }}
---
{{- end }}
{{- if .Values.str }}
apiVersion: v1
kind: ConfigMap
metadata:
  name: str-{{ kindOf .Values.str }}
---
{{- end }}
{{- if .Capabilities.APIVersions.Has "monitoring.coreos.com/v1" }}
apiVersion: monitoring.coreos.com/v1
kind: ServiceMonitor
metadata:
  name: web
---
{{- end }}
{{- if .Values.withCert }}
apiVersion: cert-manager.io/v1
kind: Certificate
metadata:
  name: web
spec:
  secretName: web-tls
  issuerRef: {name: ca, kind: ClusterIssuer}
---
{{- end }}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
spec:
  template:
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1
      volumes:
        - name: tls
          secret: {secretName: web-tls}
YAML
printf 'suffix: fromvalues\n' >"$tmp/values.yaml"
printf 'from-file\n' >"$tmp/name.txt"
printf 'suffix: [unclosed\n' >"$tmp/bad-values.yaml"

run_helm() { # run_helm LABEL HELM
  local label="$1" helm="$2" d="$tmp/$1" rc
  mkdir -p "$d"
  export HELM_DATA_HOME="$d/data" HELM_CONFIG_HOME="$d/config" HELM_CACHE_HOME="$d/cache"

  # The demo chart: CRDs from crds/, the namespace reaching helm and graph.
  # (Without -n objects that name no namespace are shown without one.)
  if "$RI_BIN" graph "$demo" --helm "$helm" --include-crds -n demo --format json \
      >"$d/demo.json" 2>"$d/demo.err" \
    && q nodes "$d/demo.json" >"$d/demo.nodes" 2>>"$d/demo.err" \
    && grep -qx 'CustomResourceDefinition/gadgets.demo.readyinstall.io' "$d/demo.nodes" \
    && grep -qx 'Deployment/demo/release-demo' "$d/demo.nodes" \
    && q edge "$d/demo.json" Issuer/demo/release-demo-selfsigned \
      Certificate/demo/release-demo-webhook issuer >"$d/diag" 2>&1; then
    ok "$label: graph CHART_DIR --include-crds -n demo (default release name 'release')"
  else
    cat "$d/demo.err" "$d/demo.nodes" "$d/diag" >"$d/all" 2>/dev/null || true
    not_ok "$label: graph CHART_DIR --include-crds -n demo (default release name 'release')" "$d/all"
  fi

  if "$RI_BIN" graph "$demo" --helm "$helm" --release shop -o json >"$d/rel.json" 2>"$d/diag" \
    && q nodes "$d/rel.json" >"$d/rel.nodes" \
    && grep -qx 'Deployment/shop-demo' "$d/rel.nodes" \
    && ! grep -q 'CustomResourceDefinition/gadgets' "$d/rel.nodes"; then
    ok "$label: --release names the release; crds/ left out without --include-crds"
  else
    cat "$d/rel.nodes" >>"$d/diag" 2>/dev/null || true
    not_ok "$label: --release names the release; crds/ left out without --include-crds" "$d/diag"
  fi

  # Every pass-through option, each visible in the rendered objects.
  if "$RI_BIN" graph "$chart" --helm "$helm" --release r -f "$tmp/values.yaml" \
      --set withCert=true --set-string str=1 --set-file fromFile="$tmp/name.txt" \
      --set-json 'json={"name":"from-json"}' --kube-version 1.29.0 \
      --api-versions monitoring.coreos.com/v1 -n ns1 -o json >"$d/opts.json" 2>"$d/diag" \
    && q nodes "$d/opts.json" >"$d/opts.nodes" \
    && diff <(sort "$d/opts.nodes") <(sort <<'EOF'
Certificate/ns1/web
ConfigMap/ns1/from-file
ConfigMap/ns1/from-json
ConfigMap/ns1/kube-29
ConfigMap/ns1/r-fromvalues
ConfigMap/ns1/str-string
Deployment/ns1/web
ServiceMonitor/ns1/web
EOF
) >>"$d/diag" \
    && q edge "$d/opts.json" Certificate/ns1/web Deployment/ns1/web certificate-secret >>"$d/diag"; then
    ok "$label: -f, --set, --set-string, --set-file, --set-json, --kube-version, --api-versions, -n reach helm"
  else
    not_ok "$label: -f, --set, --set-string, --set-file, --set-json, --kube-version, --api-versions, -n reach helm" "$d/diag"
  fi

  # Near miss: without --set withCert=true there is no Certificate and no edge.
  if HELM_BIN="$helm" "$RI_BIN" graph "$chart" >"$d/plain.txt" 2>"$d/diag" \
    && grep -q '^Order:$' "$d/plain.txt" && ! grep -q 'Certificate' "$d/plain.txt" \
    && grep -qx '  3. Deployment/web  (opts/templates/all.yaml)' "$d/plain.txt"; then
    ok "$label: HELM_BIN picks helm; chart defaults give no Certificate edge"
  else
    cat "$d/plain.txt" >>"$d/diag" 2>/dev/null || true
    not_ok "$label: HELM_BIN picks helm; chart defaults give no Certificate edge" "$d/diag"
  fi

  # A packaged chart (.tgz) goes through helm too.
  if (cd "$d" && "$helm" package "$demo" >/dev/null 2>"$d/diag") \
    && "$RI_BIN" graph "$d/demo-0.1.0.tgz" --helm "$helm" -o mermaid >"$d/tgz.out" 2>>"$d/diag" \
    && head -1 "$d/tgz.out" | grep -qx 'flowchart LR' \
    && grep -q 'Deployment<br/>release-demo' "$d/tgz.out"; then
    ok "$label: packaged chart .tgz"
  else
    not_ok "$label: packaged chart .tgz" "$d/diag"
  fi

  # DOT straight from a chart renders with graphviz.
  if ! command -v dot >/dev/null; then
    skip "$label: --format dot renders with graphviz" "dot not installed"
  elif "$RI_BIN" graph "$demo" --helm "$helm" --include-crds -o dot 2>"$d/diag" \
      | dot -Tsvg >"$d/demo.svg" 2>>"$d/diag" && [[ ! -s "$d/diag" ]] \
      && grep -q '<svg' "$d/demo.svg"; then
    ok "$label: --format dot | dot -Tsvg, no warnings"
  else
    not_ok "$label: --format dot | dot -Tsvg, no warnings" "$d/diag"
  fi

  # helm fails on a bad values file: exit 4, helm's message, nothing on stdout.
  rc=0
  "$RI_BIN" graph "$chart" --helm "$helm" -f "$tmp/bad-values.yaml" >"$d/bad.out" 2>"$d/bad.err" || rc=$?
  if [[ "$rc" -eq 4 && ! -s "$d/bad.out" ]] \
    && grep -q "^Error: .*bad-values.yaml" "$d/bad.err" \
    && grep -q '^readyinstall graph: error: .* template release .* failed (exit status 1)$' "$d/bad.err"; then
    ok "$label: bad values file: exit 4 with helm's error"
  else
    { echo "exit $rc"; cat "$d/bad.out" "$d/bad.err"; } >"$d/diag"
    not_ok "$label: bad values file: exit 4 with helm's error" "$d/diag"
  fi

  # A chart that renders an invalid object: exit 3, positioned, with template.
  rc=0
  "$RI_BIN" graph "$broken" --helm "$helm" >"$d/broken.out" 2>"$d/broken.err" || rc=$?
  if [[ "$rc" -eq 3 && ! -s "$d/broken.out" ]] \
    && grep -qE '^<helm template>:[0-9]+:[0-9]+: error: object has no kind \(from broken/templates/nokind.yaml\)$' \
      "$d/broken.err"; then
    ok "$label: chart rendering an object without kind: exit 3, position and template"
  else
    { echo "exit $rc"; cat "$d/broken.out" "$d/broken.err"; } >"$d/diag"
    not_ok "$label: chart rendering an object without kind: exit 3, position and template" "$d/diag"
  fi
}

for v in 3 4; do
  var="HELM$v"
  if [[ -x "${!var}" ]]; then
    run_helm "helm $v" "${!var}"
  else
    skip "helm $v tests" "$var not set or not executable"
  fi
done

# No helm at all: exit 4 and how to choose one.
rc=0
env -u HELM_BIN PATH=/nonexistent "$RI_BIN" graph "$demo" >"$tmp/nohelm.out" 2>"$tmp/nohelm.err" || rc=$?
if [[ "$rc" -eq 4 ]] && grep -qx 'readyinstall graph: error: helm: not found (set --helm or HELM_BIN)' "$tmp/nohelm.err"; then
  ok "helm missing: exit 4, says --helm or HELM_BIN"
else
  { echo "exit $rc"; cat "$tmp/nohelm.err"; } >"$tmp/diag"
  not_ok "helm missing: exit 4, says --helm or HELM_BIN" "$tmp/diag"
fi

echo "1..$n"
finished=1
exit "$failed"
