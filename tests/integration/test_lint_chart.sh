#!/usr/bin/env bash
# Integration: `readyinstall lint CHART_DIR` renders the chart with real
# Helm 3.18 and 4.1 (`helm template`, hooks included), passes the chart
# options through, finds the chart's config file, writes several formats
# in one run, and exits 4 with helm's own message when helm fails.
# Needs HELM3, HELM4, RI_BIN, RI_ROOT; prints TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}" "${RI_BIN:?RI_BIN must be set}"
HELM3="${HELM3:-}" HELM4="${HELM4:-}"
charts="$RI_ROOT/testdata/lint/_charts"

n=0 failed=0 finished=0
tmp="$(mktemp -d)"
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
  if [[ $# -gt 1 && -s "$2" ]]; then head -40 "$2" | sed 's/^/# /'; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check DESCRIPTION DIAGNOSTIC-FILE COMMAND...
  local desc="$1" diag="$2"; shift 2
  if "$@" >>"$diag" 2>&1; then ok "$desc"; else not_ok "$desc" "$diag"; fi
}

# jq-free JSON checks over lint --format json output:
#   has FILE RULE KIND/NS/NAME [SEVERITY]   a finding exists
#   hasnt FILE RULE                         no finding of RULE
#   none FILE RULE KIND/NS/NAME             no finding of RULE on that object
#   source FILE RULE TEMPLATE LINE          where the first RULE finding is
#   sarif FILE PREFIX                       valid SARIF, every uri under PREFIX
cat >"$tmp/q.py" <<'PY'
import json, sys
import xml.etree.ElementTree as ET

def load(path):
    with open(path, encoding="utf-8") as f:
        return json.load(f)

def name(o):
    return "/".join(x for x in (o["kind"], o["namespace"], o["name"]) if x)

def dump(d):
    for f in d["findings"]:
        print("  %s %s %s" % (f["rule"], f["severity"], name(f["object"])))

def has(path, rule, obj, sev=None):
    d = load(path)
    for f in d["findings"]:
        if f["rule"] == rule and name(f["object"]) == obj and \
           (sev is None or f["severity"] == sev):
            return 0
    print("no %s %s %s; findings:" % (rule, obj, sev or ""))
    dump(d)
    return 1

def hasnt(path, rule):
    d = load(path)
    bad = [f for f in d["findings"] if f["rule"] == rule]
    if bad:
        print("unexpected %s:" % rule)
        dump(d)
    return 1 if bad else 0

def none(path, rule, obj):
    d = load(path)
    bad = [f for f in d["findings"] if f["rule"] == rule and name(f["object"]) == obj]
    if bad:
        print("unexpected %s on %s:" % (rule, obj))
        dump(d)
    return 1 if bad else 0

def source(path, rule, tmpl, line):
    for f in load(path)["findings"]:
        if f["rule"] == rule:
            loc = f["location"]
            if loc["source"] == tmpl and loc["line"] == int(line):
                return 0
            print("%s at %s:%s" % (rule, loc["source"], loc["line"]))
            return 1
    print("no " + rule)
    return 1

def sarif(path, prefix):
    d = load(path)
    assert d["version"] == "2.1.0"
    run = d["runs"][0]
    assert run["tool"]["driver"]["name"] == "readyinstall"
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert run["results"], "no results"
    for r in run["results"]:
        assert ids[r["ruleIndex"]] == r["ruleId"]
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.startswith(prefix), uri
    return 0

def junit(path, failures):
    root = ET.parse(path).getroot()
    assert root.tag == "testsuites", root.tag
    got = root.get("failures")
    if got != failures:
        print("failures=%s, expected %s" % (got, failures))
        return 1
    return 0

sys.exit(globals()[sys.argv[1]](*sys.argv[2:]))
PY
q() { python3 "$tmp/q.py" "$@"; }

# lint_run DIAG OUT -- ARGS...: run lint (json on OUT), keep exit status in rc
lint_json() {
  local out="$1"; shift
  set +e
  "$RI_BIN" lint "$@" --format json --output "$out" >"$tmp/stdout" 2>"$tmp/stderr"
  rc=$?
  set -e
}

op="$charts/operator"
for v in 3 4; do
  var="HELM$v"
  helm="${!var}"
  if [[ -z "$helm" || ! -x "$helm" ]]; then
    skip "helm $v: lint of a chart directory" "HELM$v not set"
    continue
  fi
  d="$tmp/h$v"
  mkdir -p "$d"

  # defaults, found through $HELM_BIN; .readyinstall.yaml disables RI303
  diag="$d/defaults.diag"
  set +e
  HELM_BIN="$helm" "$RI_BIN" lint "$op" -n demo --api-versions cert-manager.io/v1 \
    --format json --output "$d/defaults.json" --format text >"$d/defaults.txt" 2>"$diag"
  rc=$?
  set -e
  check "helm $v: chart with hazards exits 1 (got $rc)" "$diag" test "$rc" -eq 1
  check "helm $v: RI101 on the CR next to its CRD" "$diag" \
    q has "$d/defaults.json" RI101 Widget/demo/release-widget error
  check "helm $v: RI201 for the Fail webhook served by the release" "$diag" \
    q has "$d/defaults.json" RI201 Widget/demo/release-widget error
  check "helm $v: RI301 for the Deployment mounting the Certificate's Secret" "$diag" \
    q has "$d/defaults.json" RI301 Deployment/demo/release-operator warning
  check "helm $v: RI401 for the pre-install hook (hooks are linted)" "$diag" \
    q has "$d/defaults.json" RI401 Job/demo/release-preflight error
  check "helm $v: the CR of a crds/ CRD is fine" "$diag" \
    q none "$d/defaults.json" RI101 Gadget/demo/release-gadget
  check "helm $v: the chart's .readyinstall.yaml turned RI303 off" "$diag" \
    q hasnt "$d/defaults.json" RI303
  check "helm $v: location is the template and its line" "$diag" \
    q source "$d/defaults.json" RI101 lintdemo/templates/widget.yaml 2
  check "helm $v: text names the file in the chart directory" "$diag" \
    grep -q "^$op/templates/widget.yaml:2: error: RI101 crd-cr-same-release:" "$d/defaults.txt"

  # values pass through: -f, --set, --set-string, --set-json, --release
  lint_json "$d/ignore.json" "$op" --helm "$helm" -n demo --set webhook.failurePolicy=Ignore
  check "helm $v: --set failurePolicy=Ignore makes RI201 a warning" "$tmp/stdout" \
    q has "$d/ignore.json" RI201 Widget/demo/release-widget warning
  lint_json "$d/nocrs.json" "$op" --helm "$helm" -n demo -f "$op/values-nocrs.yaml"
  check "helm $v: -f values without CRs: no RI101 (exit $rc)" "$tmp/stderr" \
    q hasnt "$d/nocrs.json" RI101
  lint_json "$d/json.json" "$op" --helm "$helm" -n demo --set-json 'crs={"enabled":false}' \
    --set-string config.greeting=42
  check "helm $v: --set-json and --set-string reach the chart" "$tmp/stderr" \
    q hasnt "$d/json.json" RI201
  lint_json "$d/rel.json" "$op" --helm "$helm" -n other --release shop
  check "helm $v: --release and -n name the objects" "$tmp/stderr" \
    q has "$d/rel.json" RI101 Widget/other/shop-widget
  lint_json "$d/old.json" "$op" --helm "$helm" -n demo --kube-version 1.21.0
  check "helm $v: --kube-version reaches .Capabilities" "$tmp/stderr" \
    q has "$d/old.json" RI101 Widget/demo/release-legacy
  check "helm $v: ... and without it the default version applies" "$tmp/stderr" \
    q none "$d/defaults.json" RI101 Widget/demo/release-legacy
  lint_json "$d/noconfig.json" "$op" --helm "$helm" -n demo --no-config \
    --api-versions cert-manager.io/v1
  check "helm $v: --no-config ignores the chart's config" "$tmp/stderr" \
    q has "$d/noconfig.json" RI303 Certificate/demo/release-serving info
  lint_json "$d/crds.json" "$op" --helm "$helm" -n demo --include-crds
  if [[ "$v" = 3 ]]; then
    check "helm $v: --include-crds prints crds/, which never triggers RI101" \
      "$tmp/stderr" sh -c "q() { python3 '$tmp/q.py' \"\$@\"; }
        q none '$d/crds.json' RI101 Gadget/demo/release-gadget &&
        q has '$d/crds.json' RI101 Widget/demo/release-widget &&
        test $rc -eq 1"
  else # Helm 4 template prints crds/ too, before the templates
    check "helm $v: --include-crds: CRDs from crds/ never trigger RI101" \
      "$tmp/stderr" q none "$d/crds.json" RI101 Gadget/demo/release-gadget
  fi

  # several formats in one run: the n-th --output goes with the n-th --format
  set +e
  "$RI_BIN" lint "$op" --helm "$helm" -n demo --api-versions cert-manager.io/v1 \
    --format sarif --output "$d/lint.sarif" --format junit --output "$d/lint.xml" \
    --format github --output "$d/gh.txt" --format text >"$d/pairs.txt" 2>"$d/pairs.err"
  rc=$?
  set -e
  check "helm $v: --format/--output pairs: SARIF with paths in the chart dir" \
    "$d/pairs.err" q sarif "$d/lint.sarif" "$op/templates/"
  check "helm $v: --format/--output pairs: JUnit" "$d/pairs.err" \
    q junit "$d/lint.xml" 4
  check "helm $v: --format/--output pairs: text on stdout, github in its file" \
    "$d/pairs.err" sh -c "grep -q '^readyinstall lint: 3 errors, 1 warning' '$d/pairs.txt' &&
      grep -q '^::error file=$op/templates/widget.yaml,line=2,title=RI101::crd-cr-same-release: ' '$d/gh.txt' &&
      test \"\$(grep -c '^::' '$d/gh.txt')\" -eq 4 && test $rc -eq 1"

  # helm failures: exit 4 with helm's own message
  set +e
  "$RI_BIN" lint "$charts/failing" --helm "$helm" >"$d/fail.out" 2>"$d/fail.err"
  rc=$?
  set -e
  check "helm $v: a failing chart exits 4 (got $rc)" "$d/fail.err" test "$rc" -eq 4
  check "helm $v: helm's error is shown" "$d/fail.err" \
    grep -q "lintdemo refuses to render" "$d/fail.err"
  check "helm $v: nothing on stdout after a helm failure" "$d/fail.out" \
    test ! -s "$d/fail.out"
done

# --helm wins over $HELM_BIN; a missing binary is a helm error (4)
set +e
HELM_BIN=/nonexistent/helm "$RI_BIN" lint "$op" --helm /nonexistent/helm2 \
  >"$tmp/nohelm.out" 2>"$tmp/nohelm.err"
rc=$?
set -e
check "a missing helm binary exits 4 (got $rc)" "$tmp/nohelm.err" test "$rc" -eq 4
check "the message names the binary and how to pick another" "$tmp/nohelm.err" \
  sh -c "grep -q '/nonexistent/helm2' '$tmp/nohelm.err' && grep -q 'set --helm or HELM_BIN' '$tmp/nohelm.err'"

finished=1
echo "1..$n"
exit "$failed"
