#!/usr/bin/env bash
# Integration: `readyinstall install` against the fake API server (tests/fakeapi)
# over TLS with a client certificate, with real Helm 3.18 (HELM3) and 4.1
# (HELM4), written against the installer's documented interface (DESIGN.md
# "The installer", error-catalogue.md §2.1-2.2):
#   a  the hazard is real: plain helm fails on the chart's own webhook
#   b  two phases, the Widgets deferred, no failed attempt, dry-run first
#   c  --phases off: classified retries (W3, maybe C1 first), then success
#   d  --plan prints the plan and changes nothing
#   e  two releases: the CR release waits in pre-flight for the webhook
#   f  CRD and CR both in templates/: plain helm fails (C1), two phases work
#   g  a policy denial (D1) fails at once, no retry
#   h  a permanent x509 failure: bounded retries, then diagnostics
#   i  upgrade with the deferred objects in place: one phase
#   j  --atomic after a failed phase 2 leaves nothing installed
#   k  a pending-install release is reported, not forced
#   l  SIGINT during a wait: prompt exit, no helm left behind
# Every scenario gets a fresh fake server and private Helm homes.
# Needs RI_ROOT, RI_BIN, HELM3 and/or HELM4; python3, openssl, curl. TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}"
RI_BIN="${RI_BIN:-$RI_ROOT/bin/readyinstall}"
HELM3="${HELM3:-}" HELM4="${HELM4:-}"
charts="$RI_ROOT/tests/fakeapi/charts"
hook=validate.widgets.ri.readyinstall.test
# shellcheck source-path=SCRIPTDIR source=../fakeapi/lib.sh
. "$RI_ROOT/tests/fakeapi/lib.sh"

n=0 failed=0 finished=0
tmp="$(mktemp -d)"
BG_PIDS=()
# shellcheck disable=SC2317  # run by the EXIT trap
on_exit() {
  local rc=$? p
  for p in "${BG_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
  fakeapi_stop_all
  if [[ -n "${RI_KEEP_TMP:-}" ]]; then echo "# kept $tmp" >&2; else rm -rf "$tmp"; fi
  if [[ "$finished" -eq 0 ]]; then echo "not ok $((n + 1)) - ${0##*/} aborted (exit $rc)"; exit 1; fi
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
    skip "readyinstall install against the fake API server" "$tool not installed"
    echo "1..$n"; finished=1; exit 0
  fi
done
if [[ ! -x "$HELM3" && ! -x "$HELM4" ]]; then
  skip "readyinstall install against the fake API server" "neither HELM3 nor HELM4 is an executable helm"
  echo "1..$n"; finished=1; exit 0
fi

# Assertions on the store (/_fake/store), the request log (/_fake/log) and
# the installer's JSON report. Each prints what it saw; exit 0 = holds.
cat >"$tmp/q.py" <<'PY'
import json, sys

def load(path):
    with open(path) as f:
        return json.load(f)

def objs(path):
    return load(path)["items"]

def find(path, kind, ns, name):
    for o in objs(path):
        md = o["metadata"]
        if o["kind"] == kind and md.get("namespace", "") == ns and md["name"] == name:
            return o
    return None

def has(path, kind, ns, name):
    if find(path, kind, ns, name) is not None:
        return 0
    print("missing %s %s/%s; store has:" % (kind, ns, name))
    for o in objs(path):
        print("  %s %s/%s" % (o["kind"], o["metadata"].get("namespace", ""), o["metadata"]["name"]))
    return 1

def hasnot(path, kind, ns, name):
    if find(path, kind, ns, name) is None:
        return 0
    print("still there: %s %s/%s" % (kind, ns, name))
    return 1

def release(path, ns, rel, rev, status):
    """The release Secret of rev exists with Helm's labels and this status."""
    name = "sh.helm.release.v1.%s.v%s" % (rel, rev)
    o = find(path, "Secret", ns, name)
    if o is None:
        print("no secret %s; release secrets: %s" % (name, release_names(path, ns, rel)))
        return 1
    lb = o["metadata"].get("labels", {})
    want = {"owner": "helm", "name": rel, "status": status, "version": str(rev)}
    bad = {k: lb.get(k) for k in want if lb.get(k) != want[k]}
    if bad or o.get("type") != "helm.sh/release.v1":
        print("secret %s: type %s labels %s" % (name, o.get("type"), lb))
        return 1
    return 0

def release_names(path, ns, rel):
    pre = "sh.helm.release.v1.%s.v" % rel
    return sorted(o["metadata"]["name"] for o in objs(path) if o["kind"] == "Secret"
                  and o["metadata"].get("namespace", "") == ns
                  and o["metadata"]["name"].startswith(pre))

def no_release(path, ns, rel):
    names = release_names(path, ns, rel)
    print("release secrets of %s: %s" % (rel, names))
    return 0 if not names else 1

def _writes(log, plural):
    return [e for e in load(log) if e.get("method") in ("POST", "PUT", "PATCH")
            and ("/%s/" % plural in e.get("path", "") + "/")
            and not e.get("path", "").startswith("/_fake")]

def _dry(e):
    return "dryRun=All" in (e.get("query") or "")

def no_refused_write(log, plural):
    """No real (not dry-run) create/update of plural got a 5xx."""
    bad = [(e["method"], e["path"], e.get("status")) for e in _writes(log, plural)
           if not _dry(e) and int(e.get("status") or 0) >= 500]
    print("refused real writes of %s: %s" % (plural, bad))
    return 0 if not bad else 1

def refused_write(log, plural):
    return 0 if no_refused_write(log, plural) else 1

def dry_run_first(log, plural):
    """A dry-run request (dryRun=All) for plural came before its first real write."""
    first_dry = first_real = None
    for i, e in enumerate(_writes(log, plural)):
        if _dry(e):
            first_dry = i if first_dry is None else first_dry
        elif first_real is None and int(e.get("status") or 0) < 400:
            first_real = i
    print("%s: first dry-run write #%s, first real write #%s" % (plural, first_dry, first_real))
    return 0 if first_dry is not None and first_real is not None and first_dry < first_real else 1

def no_mutation(log):
    """No POST/PUT/PATCH/DELETE outside /_fake at all (not even dry runs)."""
    bad = [(e["method"], e["path"], e.get("query")) for e in load(log)
           if e.get("method") in ("POST", "PUT", "PATCH", "DELETE")
           and not e.get("path", "").startswith("/_fake")]
    print("mutating requests: %s" % bad[:10])
    return 0 if not bad else 1

def _phase(r, num):
    for p in r.get("phases", []):
        if p.get("phase") == num:
            return p
    return None

def rep_basic(path, result, nphases):
    """version 1, release/namespace present, result and number of phases."""
    r = load(path)
    print("version %s release %s namespace %s result %s phases %d" % (
        r.get("version"), r.get("release"), r.get("namespace"), r.get("result"),
        len(r.get("phases", []))))
    return 0 if (r.get("version") == 1 and r.get("result") == result
                 and len(r.get("phases", [])) == int(nphases)) else 1

def rep_release(path, rel, ns):
    r = load(path)
    print("release %s namespace %s" % (r.get("release"), r.get("namespace")))
    return 0 if r.get("release") == rel and r.get("namespace") == ns else 1

def rep_deferred(path, phase, *want):
    """The deferred list of a phase is exactly these Kind/ns/name (none: empty)."""
    p = _phase(load(path), int(phase))
    if p is None:
        print("no phase %s" % phase)
        return 1
    got = sorted("%s/%s/%s" % (d.get("kind"), d.get("namespace"), d.get("name"))
                 for d in p.get("deferred", []))
    ok = got == sorted(want) and all(d.get("apiVersion") for d in p.get("deferred", []))
    print("phase %s deferred %s (want %s)" % (phase, got, sorted(want)))
    return 0 if ok else 1

def rep_all_attempts_ok(path):
    r = load(path)
    bad = [a for a in r.get("attempts", []) if a.get("exit") != 0]
    print("attempts: %s" % [(a.get("phase"), a.get("attempt"), a.get("exit")) for a in r.get("attempts", [])])
    return 0 if r.get("attempts") and not bad else 1

def rep_retried_seen(path, code, allowed):
    """At least two attempts; some failed attempt's errors include CODE and
    every error of every failed attempt has a code in ALLOWED (a comma list):
    which retryable error comes first is a race (Helm 4 may map kinds before
    its own CRD wait ends, giving C1 first)."""
    r = load(path)
    at = r.get("attempts", [])
    failed = [a for a in at if a.get("exit") != 0]
    ok_codes = set(allowed.split(","))
    codes = [e.get("code") for a in failed for e in a.get("errors", [])]
    print("attempts %d, failed %d, error codes %s" % (len(at), len(failed), codes))
    for a in failed:
        for e in a.get("errors", [])[:1]:
            print("  attempt error %s: %s" % (e.get("code"), (e.get("text") or "")[:300]))
    return 0 if (len(at) >= 2 and failed and code in codes
                 and all(c in ok_codes for c in codes)) else 1

def rep_max_attempts_per_phase(path, most):
    r = load(path)
    per = {}
    for a in r.get("attempts", []):
        per[a.get("phase")] = per.get(a.get("phase"), 0) + 1
    print("attempts per phase: %s" % per)
    return 0 if per and max(per.values()) <= int(most) else 1

def rep_error_code(path, code):
    r = load(path)
    codes = [e.get("code") for a in r.get("attempts", []) for e in a.get("errors", [])]
    print("error codes: %s" % codes)
    return 0 if code in codes else 1

def rep_code_attempts(path, code, want):
    """Exactly want attempts carry an error with this code."""
    r = load(path)
    c = sum(1 for a in r.get("attempts", []) if any(e.get("code") == code for e in a.get("errors", [])))
    print("attempts with %s: %d" % (code, c))
    return 0 if c == int(want) else 1

sys.exit(globals()[sys.argv[1]](*sys.argv[2:]))
PY
q() { python3 "$tmp/q.py" "$@"; }

pki="$tmp/pki"
if ! bash "$RI_ROOT/tests/fakeapi/mkcerts.sh" "$pki" >"$tmp/mkcerts.log" 2>&1; then
  not_ok "mkcerts.sh makes the throwaway PKI" "$tmp/mkcerts.log"
  echo "1..$n"; finished=1; exit 1
fi
export FAKEAPI_CA="$pki/ca.crt" # read by fakeapi_ctl
client_user="client-certificate: $pki/client.crt
client-key: $pki/client.key"
# ri-operator takes its webhook caBundle as a value; any PEM CA will do.
cab=(--set-file "caBundle=$pki/ca.crt")

# fresh DIR SCRIPT-JSON: stop the previous fake server, start a new one
# (empty store, new log) with this script, private Helm homes, kubeconfig.
fresh() {
  local d="$1"
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
snap() { fakeapi_ctl GET store >"$1/store.json"; fakeapi_ctl GET log >"$1/log.json"; }

# The webhook refuses connections until NS/REL-operator has been Ready 2 s;
# pods become Ready 3 s after creation.
script_up_with() { # script_up_with NS DEPLOYMENT
  printf '{"webhooks": {"%s": {"cause": "connection-refused", "up_when": {"deployment": "%s/%s", "for": 2}}}, "pods": {"ready_after": 3}}' \
    "$hook" "$1" "$2"
}
script_deny='{"webhooks": {"validate.widgets.ri.readyinstall.test": {"deny": "size too large"}}, "pods": {"ready_after": 1}}'
script_x509='{"webhooks": {"validate.widgets.ri.readyinstall.test": {"cause": "x509-unknown-authority"}}, "pods": {"ready_after": 1}}'
script_never='{"webhooks": {"validate.widgets.ri.readyinstall.test": {"cause": "connection-refused"}}, "pods": {"ready_after": 1}}'

# ri HELM ARGS...: the installer, bounded so that a hang fails the test
# instead of the suite.
# shellcheck disable=SC2317  # called through rc_of
ri() {
  local helm="$1"; shift
  timeout -k 5 240 "$RI_BIN" install "$@" --helm "$helm"
}
rc_of() { # rc_of VAR COMMAND...: run, store the exit status in VAR
  local __v="$1"; shift
  local __rc=0
  "$@" || __rc=$?
  printf -v "$__v" '%s' "$__rc"
}

# shellcheck disable=SC2317  # called through check and eval
widgets_stored() { # widgets_stored STORE NS REL
  q has "$1" Widget "$2" "$3-a" && q has "$1" Widget "$2" "$3-b"
}

# ---------------------------------------------------------------------------
run_version() { # run_version LABEL HELM
  local L="$1" helm="$2" d rc t0 el

  # a. the hazard is real: plain helm fails calling the chart's own webhook.
  # (--wait: without it Helm 4.1 does not wait for crds/ to be Established
  # and fails first on the Widgets' kind, `no matches for kind "Widget"`.)
  d="$tmp/$L-a"
  if ! fresh "$d" "$(script_up_with ns rel-operator)"; then
    not_ok "$L a: fake API server starts" "$d/start.err"; return
  fi
  rc_of rc "$helm" install rel "$charts/ri-operator" -n ns --create-namespace "${cab[@]}" \
    --wait --timeout 60s >"$d/out" 2>"$d/err"
  if [[ "$rc" -ne 0 ]] && grep -qF "failed calling webhook \"$hook\"" "$d/err"; then
    ok "$L a: plain helm install of ri-operator fails: failed calling webhook \"$hook\""
  else
    echo "helm exit $rc" >>"$d/err"
    not_ok "$L a: plain helm install of ri-operator fails: failed calling webhook \"$hook\"" "$d/err" "$d/out"
  fi

  # b. two phases: the Widgets wait for the webhook, no failed attempt.
  d="$tmp/$L-b"
  fresh "$d" "$(script_up_with ns rel-operator)" || { not_ok "$L b: fake API server starts" "$d/start.err"; return; }
  rc_of rc ri "$helm" rel "$charts/ri-operator" -n ns --create-namespace "${cab[@]}" \
    --ready-timeout 60s --poll-interval 0.5s --output json >"$d/report.json" 2>"$d/err"
  snap "$d"
  local b_ok=0
  if [[ "$rc" -eq 0 ]]; then
    ok "$L b: readyinstall install rel ri-operator exits 0"; b_ok=1
  else
    echo "exit $rc" >>"$d/err"
    not_ok "$L b: readyinstall install rel ri-operator exits 0" "$d/err" "$d/report.json"
  fi
  check "$L b: report: result succeeded, two phases, release rel in ns" "$d/diag" \
    bash -c "python3 '$tmp/q.py' rep_basic '$d/report.json' succeeded 2 &&
             python3 '$tmp/q.py' rep_release '$d/report.json' rel ns"
  check "$L b: report: phase 1 defers nothing, phase 2's deferred are exactly the two Widgets" "$d/diag" \
    bash -c "python3 '$tmp/q.py' rep_deferred '$d/report.json' 1 &&
             python3 '$tmp/q.py' rep_deferred '$d/report.json' 2 Widget/ns/rel-a Widget/ns/rel-b"
  check "$L b: report: every helm attempt exited 0" "$d/diag" q rep_all_attempts_ok "$d/report.json"
  check "$L b: server log: no real Widget write got a 5xx (no failed attempt)" "$d/diag" \
    q no_refused_write "$d/log.json" widgets
  check "$L b: server log: a dry-run (dryRun=All) Widget request came before the real create" "$d/diag" \
    q dry_run_first "$d/log.json" widgets
  check "$L b: store: both Widgets, release rel revision 2 deployed" "$d/diag" \
    eval "widgets_stored '$d/store.json' ns rel &&
             q release '$d/store.json' ns rel 2 deployed"

  # i. upgrade on the same release: the Widgets exist, nothing is deferred.
  if [[ "$b_ok" -eq 1 ]]; then
    rc_of rc ri "$helm" rel "$charts/ri-operator" -n ns "${cab[@]}" \
      --ready-timeout 60s --poll-interval 0.5s --output json >"$d/up.json" 2>"$d/up.err"
    snap "$d"
    if [[ "$rc" -eq 0 ]]; then ok "$L i: second readyinstall on rel (upgrade) exits 0"
    else echo "exit $rc" >>"$d/up.err"; not_ok "$L i: second readyinstall on rel (upgrade) exits 0" "$d/up.err" "$d/up.json"; fi
    check "$L i: upgrade: one phase, nothing deferred" "$d/diag" \
      bash -c "python3 '$tmp/q.py' rep_basic '$d/up.json' succeeded 1 &&
               python3 '$tmp/q.py' rep_deferred '$d/up.json' 1"
    check "$L i: upgrade: Widgets still stored, release revision 3 deployed" "$d/diag" \
      eval "widgets_stored '$d/store.json' ns rel &&
               q release '$d/store.json' ns rel 3 deployed"
  else
    skip "$L i: upgrade with the deferred objects in place" "needs scenario b to succeed"
  fi

  # c. --phases off: one phase, classified retries (W3), then success.
  d="$tmp/$L-c"
  fresh "$d" "$(script_up_with ns rel-operator)" || { not_ok "$L c: fake API server starts" "$d/start.err"; return; }
  rc_of rc ri "$helm" rel "$charts/ri-operator" -n ns --create-namespace "${cab[@]}" --phases off \
    --ready-timeout 60s --poll-interval 0.5s --output json >"$d/report.json" 2>"$d/err"
  snap "$d"
  if [[ "$rc" -eq 0 ]]; then ok "$L c: --phases off exits 0"
  else echo "exit $rc" >>"$d/err"; not_ok "$L c: --phases off exits 0" "$d/err" "$d/report.json"; fi
  check "$L c: --phases off: report succeeded with one phase" "$d/diag" \
    q rep_basic "$d/report.json" succeeded 1
  check "$L c: --phases off: retried on W3 (connection refused); every error retryable (W3, C1)" "$d/diag" \
    q rep_retried_seen "$d/report.json" W3 W3,C1
  check "$L c: --phases off: both Widgets stored" "$d/diag" widgets_stored "$d/store.json" ns rel

  # d. --plan: prints the plan, sends nothing that changes the cluster.
  d="$tmp/$L-d"
  fresh "$d" "$(script_up_with ns rel-operator)" || { not_ok "$L d: fake API server starts" "$d/start.err"; return; }
  rc_of rc ri "$helm" rel "$charts/ri-operator" -n ns "${cab[@]}" --plan >"$d/plan" 2>"$d/err"
  snap "$d"
  if [[ "$rc" -eq 0 ]] && grep -qi "phase 2" "$d/plan" && grep -q "rel-a" "$d/plan" \
      && grep -q "rel-b" "$d/plan"; then
    ok "$L d: --plan exits 0 and prints phase 2 with both Widgets"
  else
    echo "exit $rc" >>"$d/err"
    not_ok "$L d: --plan exits 0 and prints phase 2 with both Widgets" "$d/plan" "$d/err"
  fi
  check "$L d: --plan: no POST/PUT/PATCH/DELETE reached the server" "$d/diag" \
    q no_mutation "$d/log.json"

  # e. two releases: operator first; the CR release waits in pre-flight for
  # the (cluster's) webhook, brought down and up again by /_fake/.
  d="$tmp/$L-e"
  fresh "$d" "$(script_up_with ns op-operator)" || { not_ok "$L e: fake API server starts" "$d/start.err"; return; }
  rc_of rc ri "$helm" op "$charts/ri-operator-only" -n ns --create-namespace \
    --ready-timeout 60s --poll-interval 0.5s --output json >"$d/op.json" 2>"$d/op.err"
  if [[ "$rc" -eq 0 ]]; then ok "$L e: readyinstall installs ri-operator-only (release op)"
  else echo "exit $rc" >>"$d/op.err"; not_ok "$L e: readyinstall installs ri-operator-only (release op)" "$d/op.err" "$d/op.json"; fi
  fakeapi_ctl POST "backend-down?name=$hook" >/dev/null
  fakeapi_ctl POST reset-log >/dev/null
  (sleep 3; fakeapi_ctl POST "backend-up?name=$hook" >/dev/null) &
  local upper=$!
  BG_PIDS+=("$upper")
  t0=$SECONDS
  rc_of rc ri "$helm" crs "$charts/ri-crs" -n ns --ready-timeout 60s --poll-interval 0.5s \
    --progress-interval 1s --output json >"$d/report.json" 2>"$d/err"
  el=$((SECONDS - t0))
  wait "$upper" 2>/dev/null || true
  snap "$d"
  if [[ "$rc" -eq 0 ]]; then ok "$L e: readyinstall installs ri-crs (release crs) once the webhook is back"
  else echo "exit $rc after ${el}s" >>"$d/err"; not_ok "$L e: readyinstall installs ri-crs (release crs) once the webhook is back" "$d/err" "$d/report.json"; fi
  if grep -E '^readyinstall: ' "$d/err" | grep -qF "$hook" && [[ "$el" -ge 2 ]]; then
    ok "$L e: waited in pre-flight (${el}s), progress line on stderr names the webhook"
  else
    echo "elapsed ${el}s" >>"$d/err"
    not_ok "$L e: waited in pre-flight, progress line on stderr names the webhook" "$d/err"
  fi
  check "$L e: crs: one phase, no failed attempt, no refused Widget write" "$d/diag" \
    bash -c "python3 '$tmp/q.py' rep_basic '$d/report.json' succeeded 1 &&
             python3 '$tmp/q.py' rep_all_attempts_ok '$d/report.json' &&
             python3 '$tmp/q.py' no_refused_write '$d/log.json' widgets"
  check "$L e: crs: both Widgets stored, release crs revision 1 deployed" "$d/diag" \
    eval "widgets_stored '$d/store.json' ns crs &&
             q release '$d/store.json' ns crs 1 deployed"

  # f. CRD and CR in templates/: plain helm cannot even build the objects.
  # (openapi_v2: Helm 3's validation reads /openapi/v2 for unknown kinds.)
  d="$tmp/$L-f"
  fresh "$d" '{"crd_established_after": 1, "openapi_v2": true}' || { not_ok "$L f: fake API server starts" "$d/start.err"; return; }
  rc_of rc "$helm" install plain "$charts/ri-crd-templates" -n ns --create-namespace >"$d/out" 2>"$d/err"
  if [[ "$rc" -ne 0 ]] && grep -qF 'no matches for kind "Gizmo"' "$d/err"; then
    ok "$L f: plain helm install of ri-crd-templates fails: no matches for kind \"Gizmo\" (C1)"
  else
    echo "helm exit $rc" >>"$d/err"
    not_ok "$L f: plain helm install of ri-crd-templates fails: no matches for kind \"Gizmo\" (C1)" "$d/err" "$d/out"
  fi
  fresh "$d/ri" '{"crd_established_after": 1, "openapi_v2": true}' || { not_ok "$L f: fake API server starts" "$d/ri/start.err"; return; }
  rc_of rc ri "$helm" rel "$charts/ri-crd-templates" -n ns --create-namespace \
    --ready-timeout 60s --poll-interval 0.5s --output json >"$d/report.json" 2>"$d/ri.err"
  snap "$d"
  if [[ "$rc" -eq 0 ]]; then ok "$L f: readyinstall installs ri-crd-templates"
  else echo "exit $rc" >>"$d/ri.err"; not_ok "$L f: readyinstall installs ri-crd-templates" "$d/ri.err" "$d/report.json"; fi
  check "$L f: two phases, phase 2's deferred is exactly the Gizmo" "$d/diag" \
    bash -c "python3 '$tmp/q.py' rep_basic '$d/report.json' succeeded 2 &&
             python3 '$tmp/q.py' rep_deferred '$d/report.json' 2 Gizmo/ns/rel-g"
  check "$L f: store: CRD, Gizmo and ConfigMap" "$d/diag" \
    bash -c "python3 '$tmp/q.py' has '$d/store.json' CustomResourceDefinition '' gizmos.ri.readyinstall.test &&
             python3 '$tmp/q.py' has '$d/store.json' Gizmo ns rel-g &&
             python3 '$tmp/q.py' has '$d/store.json' ConfigMap ns rel-config"

  # g. a policy denial: fails at once with D1 and the message, no retry.
  d="$tmp/$L-g"
  fresh "$d" "$script_deny" || { not_ok "$L g: fake API server starts" "$d/start.err"; return; }
  t0=$SECONDS
  rc_of rc ri "$helm" rel "$charts/ri-operator" -n ns --create-namespace "${cab[@]}" \
    --ready-timeout 60s --poll-interval 0.5s --output json >"$d/report.json" 2>"$d/err"
  el=$((SECONDS - t0))
  if [[ "$rc" -eq 1 && "$el" -lt 30 ]]; then ok "$L g: denial: exit 1 at once (${el}s, ready-timeout 60s)"
  else echo "exit $rc after ${el}s" >>"$d/err"; not_ok "$L g: denial: exit 1 at once" "$d/err" "$d/report.json"; fi
  if grep -q "D1" "$d/err" "$d/report.json" && grep -qF "size too large" "$d/err" "$d/report.json"; then
    ok "$L g: denial: code D1 and the webhook's message reported"
  else
    not_ok "$L g: denial: code D1 and the webhook's message reported" "$d/err" "$d/report.json"
  fi
  check "$L g: denial: report failed; one helm attempt in the phase that hit it (no retry)" "$d/diag" \
    bash -c "python3 '$tmp/q.py' rep_max_attempts_per_phase '$d/report.json' 1 &&
             { python3 '$tmp/q.py' rep_code_attempts '$d/report.json' D1 1 ||
               ! python3 '$tmp/q.py' rep_error_code '$d/report.json' D1; } &&
             grep -q '\"result\": *\"failed\"' '$d/report.json'"

  # h. a permanent x509 failure: bounded retries, then diagnostics.
  d="$tmp/$L-h"
  fresh "$d" "$script_x509" || { not_ok "$L h: fake API server starts" "$d/start.err"; return; }
  t0=$SECONDS
  rc_of rc ri "$helm" rel "$charts/ri-operator" -n ns --create-namespace "${cab[@]}" \
    --retries 2 --ready-timeout 5s --poll-interval 0.5s --output json >"$d/report.json" 2>"$d/err"
  el=$((SECONDS - t0))
  if [[ "$rc" -eq 1 && "$el" -lt 120 ]]; then ok "$L h: x509: exit 1 after bounded retries (${el}s)"
  else echo "exit $rc after ${el}s" >>"$d/err"; not_ok "$L h: x509: exit 1 after bounded retries" "$d/err" "$d/report.json"; fi
  check "$L h: x509: at most 1 + 2 helm attempts per phase" "$d/diag" \
    q rep_max_attempts_per_phase "$d/report.json" 3
  if grep -qF "$hook" "$d/err" && grep -q "ri-webhook" "$d/err" \
      && grep -Eqi '[0-9]+ (ready )?endpoints?|endpoints?[^0-9]{0,24}[0-9]+' "$d/err" \
      && grep -q "kubectl logs" "$d/err"; then
    ok "$L h: x509: diagnostics name the webhook, its Service, the endpoint count, and a kubectl logs command"
  else
    not_ok "$L h: x509: diagnostics name the webhook, its Service, the endpoint count, and a kubectl logs command" "$d/err"
  fi

  # j. --atomic after a failed phase 2: nothing of the release remains.
  d="$tmp/$L-j"
  fresh "$d" "$script_deny" || { not_ok "$L j: fake API server starts" "$d/start.err"; return; }
  rc_of rc ri "$helm" rel "$charts/ri-operator" -n ns --create-namespace "${cab[@]}" --atomic \
    --ready-timeout 60s --poll-interval 0.5s >"$d/out" 2>"$d/err"
  snap "$d"
  if [[ "$rc" -eq 1 ]]; then ok "$L j: --atomic with a denied phase 2 exits 1"
  else echo "exit $rc" >>"$d/err"; not_ok "$L j: --atomic with a denied phase 2 exits 1" "$d/err" "$d/out"; fi
  check "$L j: --atomic: no release Secret of rel left, operator Deployment gone" "$d/diag" \
    bash -c "python3 '$tmp/q.py' no_release '$d/store.json' ns rel &&
             python3 '$tmp/q.py' hasnot '$d/store.json' Deployment ns rel-operator"

  # k. a pending-install release (helm killed during --wait) is reported,
  # not forced: the record stays as it is, no new revision.
  d="$tmp/$L-k"
  fresh "$d" '{"pods": {"ns/pend-operator": {"ready": false}}}' \
    || { not_ok "$L k: fake API server starts" "$d/start.err"; return; }
  "$helm" install pend "$charts/ri-operator-only" -n ns --create-namespace --wait --timeout 120s \
    >"$d/helm.out" 2>&1 &
  local hp=$! pending=0
  BG_PIDS+=("$hp")
  for _ in $(seq 1 150); do
    fakeapi_ctl GET store >"$d/store.json"
    if q release "$d/store.json" ns pend 1 pending-install >/dev/null 2>&1; then pending=1; break; fi
    sleep 0.2
  done
  kill -KILL "$hp" 2>/dev/null || true
  wait "$hp" 2>/dev/null || true
  if [[ "$pending" -eq 0 ]]; then
    skip "$L k: a pending-install release is reported, not forced" "could not produce a pending-install release by killing helm --wait"
  else
    rc_of rc ri "$helm" pend "$charts/ri-operator-only" -n ns --ready-timeout 10s \
      --poll-interval 0.5s >"$d/out" 2>"$d/err"
    snap "$d"
    if [[ "$rc" -eq 1 || "$rc" -eq 4 ]] && grep -q "pending-install" "$d/err"; then
      ok "$L k: pending-install release: exit $rc, state reported on stderr"
    else
      echo "exit $rc" >>"$d/err"
      not_ok "$L k: pending-install release: exit 1 or 4, state reported on stderr" "$d/err" "$d/out"
    fi
    check "$L k: pending-install release not forced: v1 still pending-install, no v2" "$d/diag" \
      bash -c "python3 '$tmp/q.py' release '$d/store.json' ns pend 1 pending-install &&
               python3 '$tmp/q.py' hasnot '$d/store.json' Secret ns sh.helm.release.v1.pend.v2"
  fi

  # l. SIGINT during a wait (a webhook that never comes up): prompt exit,
  # no helm child left, the release state on stderr. The background job
  # gets SIGINT's default disposition back (a non-interactive bash starts
  # background jobs with SIGINT ignored).
  d="$tmp/$L-l"
  fresh "$d" "$script_never" || { not_ok "$L l: fake API server starts" "$d/start.err"; return; }
  local relname="ri-sigint-$L-$$" pid
  relname="${relname// /}"
  python3 -c 'import os, signal, sys
signal.signal(signal.SIGINT, signal.SIG_DFL)
os.execv(sys.argv[1], sys.argv[1:])' "$RI_BIN" install "$relname" "$charts/ri-operator" -n ns \
    --create-namespace "${cab[@]}" --helm "$helm" --ready-timeout 120s --poll-interval 0.5s \
    >"$d/out" 2>"$d/err" &
  pid=$!
  BG_PIDS+=("$pid")
  sleep 2
  kill -INT "$pid" 2>/dev/null || true
  local gone=0
  for _ in $(seq 1 100); do
    if ! kill -0 "$pid" 2>/dev/null; then gone=1; break; fi
    sleep 0.1
  done
  rc=0
  if [[ "$gone" -eq 1 ]]; then
    wait "$pid" || rc=$?
  else
    kill -KILL "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    rc=timeout
  fi
  sleep 0.3
  local left
  left="$(pgrep -f -- " $relname " || true)"
  if [[ "$gone" -eq 1 && ( "$rc" == 130 || "$rc" == 1 ) ]]; then
    ok "$L l: SIGINT during the wait: exit $rc within 10 s"
  else
    echo "exit $rc (gone=$gone)" >>"$d/err"
    not_ok "$L l: SIGINT during the wait: exit 130 (or 1) within 10 s" "$d/err"
  fi
  if [[ -z "$left" ]]; then
    ok "$L l: SIGINT: no helm process of the release left"
  else
    ps -o pid,args -p "${left//$'\n'/,}" >"$d/ps" 2>&1 || true
    local p
    for p in $left; do kill -KILL "$p" 2>/dev/null || true; done
    not_ok "$L l: SIGINT: no helm process of the release left" "$d/ps"
  fi
  if grep -E '^readyinstall: ' "$d/err" | grep -F "$relname" \
      | grep -Eqi 'deployed|pending-(install|upgrade)|failed|superseded|uninstalled|not installed'; then
    ok "$L l: SIGINT: stderr states the release's state"
  else
    not_ok "$L l: SIGINT: stderr states the release's state" "$d/err"
  fi
}

# m: a CR whose kind nothing serves or defines fails before helm runs.
# n: a client-only render (Helm 4) offers the chart's own CRD API versions
#    to .Capabilities.APIVersions, as the installed chart will see them.
run_extra() { # run_extra LABEL HELM
  local L="$1" helm="$2" d rc
  d="$tmp/$L-m"
  if fresh "$d" '{}'; then
    fakeapi_ctl POST reset-log >/dev/null
    rc_of rc ri "$helm" rel "$charts/ri-crs" -n ns --create-namespace >"$d/out" 2>"$d/err"
    snap "$d"
    if [[ "$rc" -eq 1 ]] && grep -q 'Widget "rel-a" .*no CRD of the release defines' "$d/err" \
        && q no_mutation "$d/log.json" >>"$d/err" 2>&1; then
      ok "$L m: a CR of a kind nothing defines fails at once, naming it, changing nothing"
    else
      echo "exit $rc" >>"$d/err"
      not_ok "$L m: a CR of a kind nothing defines fails at once" "$d/err"
    fi
  fi
  d="$tmp/$L-n"
  [[ "$L" == helm4 ]] || return 0 # Helm 3 renders against the cluster
  if fresh "$d" '{}'; then
    rc_of rc ri "$helm" rel "$charts/ri-capabilities" -n ns --plan >"$d/plan" 2>"$d/err"
    if [[ "$rc" -eq 0 ]] && grep -q "phase 1: 2 objects" "$d/plan"; then
      ok "$L n: the plan's render sees the chart's own CRD API (Capabilities-gated object present)"
    else
      cat "$d/plan" >>"$d/err"
      not_ok "$L n: the plan's render sees the chart's own CRD API" "$d/err"
    fi
  fi
}

if [[ ! -x "$RI_BIN" ]]; then
  not_ok "readyinstall binary at RI_BIN=$RI_BIN"
fi
if [[ -x "$HELM3" ]]; then
  run_version "helm3" "$HELM3"
  run_extra "helm3" "$HELM3"
else
  skip "readyinstall install with helm 3" "HELM3 not set or not executable"
fi
if [[ -x "$HELM4" ]]; then
  run_version "helm4" "$HELM4"
  run_extra "helm4" "$HELM4"
else
  skip "readyinstall install with helm 4" "HELM4 not set or not executable"
fi

echo "1..$n"
finished=1
exit "$failed"
