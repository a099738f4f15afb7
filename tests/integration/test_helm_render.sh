#!/usr/bin/env bash
# Integration: readyinstall-render as a post-renderer of real Helm 3.18 and 4.1
# `helm template`. Needs HELM3, HELM4, RI_BIN, RI_ROOT; prints TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}" "${RI_BIN:?RI_BIN must be set}"
HELM3="${HELM3:-}" HELM4="${HELM4:-}"
# The render symlink beside RI_BIN (e.g. an ASan build), else the plugin's own.
render="$(dirname "$RI_BIN")/readyinstall-render"
[[ -x "$render" ]] || render="$RI_ROOT/bin/readyinstall-render"
demo="$RI_ROOT/testdata/charts/demo"
simple="$RI_ROOT/testdata/charts/simple"
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
check() { # check DESCRIPTION DIAGNOSTIC-FILE COMMAND...
  local desc="$1" diag="$2"; shift 2
  if "$@" >"$diag" 2>&1; then ok "$desc"; else not_ok "$desc" "$diag"; fi
}

# Documents are compared as text between `---` lines (Helm's separators).
cat >"$tmp/docs.py" <<'PY'
import collections, difflib, re, sys

# Helm 4 InstallOrder (Helm 3's list plus the webhook configurations).
ORDER = """PriorityClass Namespace NetworkPolicy ResourceQuota LimitRange
PodSecurityPolicy PodDisruptionBudget ServiceAccount Secret SecretList ConfigMap
StorageClass PersistentVolume PersistentVolumeClaim CustomResourceDefinition
ClusterRole ClusterRoleList ClusterRoleBinding ClusterRoleBindingList Role
RoleList RoleBinding RoleBindingList Service DaemonSet Pod ReplicationController
ReplicaSet Deployment HorizontalPodAutoscaler StatefulSet Job CronJob
IngressClass Ingress APIService MutatingWebhookConfiguration
ValidatingWebhookConfiguration""".split()

def docs(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    out = []
    for d in re.split(r"^---[ \t]*\n", text, flags=re.M):
        d = d.rstrip("\n")
        if d.strip():
            out.append(d)
    return out

def field(doc, pattern):
    m = re.search(pattern, doc, re.M)
    return m.group(1).strip("'\"") if m else ""

def info(doc):
    meta = re.search(r"^metadata:\n((?:[ #].*\n?)*)", doc, re.M)
    name = field(meta.group(1), r"^  name:\s*(\S+)") if meta else ""
    return (field(doc, r"^kind:\s*(\S+)"), name,
            field(doc, r"^# Source:\s*(.*)$"), "helm.sh/hook:" in doc)

def multiset(a, b):
    da, db = collections.Counter(docs(a)), collections.Counter(docs(b))
    if da == db:
        return 0
    for d in (da - db).elements():
        print("only in %s:\n%s\n" % (a, d))
    for d in (db - da).elements():
        print("only in %s:\n%s\n" % (b, d))
    return 1

def kindnames(a, b):
    ka = sorted(info(d)[:2] for d in docs(a))
    kb = sorted(info(d)[:2] for d in docs(b))
    if ka == kb:
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        ["%s/%s\n" % x for x in ka], ["%s/%s\n" % x for x in kb], a, b))
    return 1

def order(path):
    """Non-hook documents of known kinds must follow InstallOrder."""
    prev = None
    for d in docs(path):
        kind, name, src, hook = info(d)
        if hook or kind not in ORDER:
            continue
        if prev and ORDER.index(kind) < ORDER.index(prev[0]):
            print("%s/%s comes after %s/%s" % (kind, name, prev[0], prev[1]))
            return 1
        prev = (kind, name)
    return 0

def before(path, *kinds):
    """The first document of each kind appears in the given order."""
    seen = [info(d)[0] for d in docs(path)]
    missing = [k for k in kinds if k not in seen]
    if missing:
        print("missing kinds: %s" % " ".join(missing))
        return 1
    pos = [seen.index(k) for k in kinds]
    if pos != sorted(pos):
        print("order: %s" % " ".join(seen))
        return 1
    return 0

def count(path, kind, name):
    c = sum(1 for d in docs(path) if info(d)[:2] == (kind, name))
    print("%s/%s: %d" % (kind, name, c))
    return 0 if c == 1 else 1

def injected(path, kind, name):
    """kind/name carries the wait container first and an optional volume."""
    for d in docs(path):
        if info(d)[:2] != (kind, name):
            continue
        m = re.search(r"initContainers:\n\s*- name: (\S+)", d)
        ok = ("readyinstall.io/injected:" in d and m is not None
              and m.group(1).startswith("readyinstall-wait")
              and re.search(r"optional: true", d) is not None)
        print("%s/%s: %s" % (kind, name, "injected" if ok else "not injected"))
        if not ok:
            print(d)
        return 0 if ok else 1
    print("%s/%s not found" % (kind, name))
    return 1

def summary(path):
    for d in docs(path):
        kind, name, src, hook = info(d)
        print("%s/%s  %s%s" % (kind, name, src, "  (hook)" if hook else ""))
    return 0

cmd = sys.argv[1]
sys.exit(globals()[cmd](*sys.argv[2:]))
PY
docs() { python3 "$tmp/docs.py" "$@"; }

homes() { # homes DIR: private Helm homes for the current shell
  export HELM_DATA_HOME="$1/data" HELM_CONFIG_HOME="$1/config" HELM_CACHE_HOME="$1/cache"
  export HELM_PLUGINS="$1/data/plugins"
  mkdir -p "$HELM_PLUGINS"
}

# ---------------------------------------------------------------- Helm 3
if [[ -x "$HELM3" ]]; then
  homes "$tmp/h3"
  d="$tmp/d3"; mkdir -p "$d"
  if "$HELM3" template demo "$demo" --include-crds >"$d/plain.yaml" 2>"$d/plain.err" \
    && "$HELM3" template demo "$demo" --include-crds --post-renderer "$render" \
      --post-renderer-args --inject=none >"$d/out.yaml" 2>"$d/out.err"; then
    ok "helm 3: template demo --include-crds --post-renderer bin/readyinstall-render"
    check "helm 3: demo output follows InstallOrder" "$d/diag" docs order "$d/out.yaml"
    check "helm 3: ServiceAccount, ConfigMap, CRD, Service, Deployment in that order" "$d/diag" \
      docs before "$d/out.yaml" ServiceAccount ConfigMap CustomResourceDefinition Service Deployment
    check "helm 3: CRD from crds/ present once" "$d/diag" \
      docs count "$d/out.yaml" CustomResourceDefinition gadgets.demo.readyinstall.io
    check "helm 3: CRD from templates/ present once" "$d/diag" \
      docs count "$d/out.yaml" CustomResourceDefinition widgets.demo.readyinstall.io
    check "helm 3: every document of plain helm template present exactly once, byte for byte (--inject=none)" \
      "$d/diag" docs multiset "$d/plain.yaml" "$d/out.yaml"
    if "$HELM3" template demo "$demo" --include-crds --post-renderer "$render" \
        >"$d/inj.yaml" 2>"$d/diag"; then
      check "helm 3: the Deployment mounting the Certificate's Secret gets the wait init container" \
        "$d/diag" docs injected "$d/inj.yaml" Deployment demo
      check "helm 3: with injection, documents of known kinds still follow InstallOrder" \
        "$d/diag" docs order "$d/inj.yaml"
    else
      not_ok "helm 3: the Deployment mounting the Certificate's Secret gets the wait init container" "$d/diag"
    fi
  else
    cat "$d/plain.err" "$d/out.err" >"$d/diag" 2>/dev/null || true
    not_ok "helm 3: template demo --include-crds --post-renderer bin/readyinstall-render" "$d/diag"
  fi

  if "$HELM3" template simple "$simple" >"$d/splain.yaml" 2>"$d/diag" \
    && docs order "$d/splain.yaml" >>"$d/diag" \
    && "$HELM3" template simple "$simple" --post-renderer "$render" \
      --post-renderer-args --inject=none >"$d/sout.yaml" 2>>"$d/diag"; then
    if diff -u "$d/splain.yaml" "$d/sout.yaml" >"$d/diag"; then
      ok "helm 3: already sorted chart passes through byte-identical"
    else
      not_ok "helm 3: already sorted chart passes through byte-identical" "$d/diag"
    fi
  else
    not_ok "helm 3: already sorted chart passes through byte-identical" "$d/diag"
  fi

  # The post-renderer fails: Helm 3 must fail and show its stderr.
  "$render" --no-such-flag </dev/null >/dev/null 2>"$d/direct.err" && direct_rc=0 || direct_rc=$?
  first_err="$(sed -n '1p' "$d/direct.err")"
  if "$HELM3" template demo "$demo" --post-renderer "$render" --post-renderer-args --no-such-flag \
    >"$d/bad.out" 2>"$d/bad.err"; then
    not_ok "helm 3: failing post-renderer makes helm fail" "$d/bad.err"
  elif [[ "$direct_rc" -eq 0 || -z "$first_err" ]]; then
    echo "readyinstall-render --no-such-flag: exit $direct_rc, stderr '$first_err'" >"$d/diag"
    not_ok "helm 3: failing post-renderer makes helm fail" "$d/diag"
  elif grep -qF "error while running post render" "$d/bad.err" \
    && grep -qF -- "$first_err" "$d/bad.err" && [[ ! -s "$d/bad.out" ]]; then
    ok "helm 3: failing post-renderer makes helm fail, with its stderr in the error"
  else
    { echo "expected to see: $first_err"; cat "$d/bad.err"; } >"$d/diag"
    not_ok "helm 3: failing post-renderer makes helm fail, with its stderr in the error" "$d/diag"
  fi

  # Invalid input: Helm 3 shows our positioned error, naming the template.
  if "$HELM3" template b "$broken" --post-renderer "$render" >"$d/broken.out" 2>"$d/broken.err"; then
    not_ok "helm 3: object without kind fails the render" "$d/broken.err"
  elif grep -qE '<stdin>:[0-9]+:[0-9]+: error: object has no kind \(from broken/templates/nokind.yaml\)' \
      "$d/broken.err" && [[ ! -s "$d/broken.out" ]]; then
    ok "helm 3: object without kind fails with position and template in helm's error"
  else
    not_ok "helm 3: object without kind fails with position and template in helm's error" "$d/broken.err"
  fi
else
  skip "helm 3 tests" "HELM3 not set or not executable"
fi

# ---------------------------------------------------------------- Helm 4
if [[ -x "$HELM4" ]]; then
  homes "$tmp/h4"
  d="$tmp/d4"; mkdir -p "$d"
  # Reference run through an identity post-renderer: Helm 4 re-serialises
  # post-rendered output (kyaml), so compare like with like.
  mkdir -p "$tmp/identity/identity-render"
  cat >"$tmp/identity/identity-render/plugin.yaml" <<'YAML'
apiVersion: v1
type: postrenderer/v1
name: identity-render
version: 0.1.0
runtime: subprocess
runtimeConfig:
  platformCommand:
    - command: cat
YAML
  plugins4="$HELM_PLUGINS:$RI_ROOT/v4:$tmp/identity"
  if "$HELM4" template demo "$demo" --include-crds >"$d/plain.yaml" 2>"$d/diag" \
    && HELM_PLUGINS="$plugins4" "$HELM4" template demo "$demo" --include-crds \
      --post-renderer identity-render >"$d/ident.yaml" 2>>"$d/diag" \
    && HELM_PLUGINS="$plugins4" "$HELM4" template demo "$demo" --include-crds \
      --post-renderer readyinstall-render --post-renderer-args --inject=none \
      >"$d/out.yaml" 2>>"$d/diag"; then
    ok "helm 4: template demo --post-renderer readyinstall-render (HELM_PLUGINS list with v4/)"
    check "helm 4: pre-install hook Job present once" "$d/diag" \
      docs count "$d/out.yaml" Job demo-preflight
    check "helm 4: CRD from crds/ present once" "$d/diag" \
      docs count "$d/out.yaml" CustomResourceDefinition gadgets.demo.readyinstall.io
    check "helm 4: same kind/name multiset as plain helm template" "$d/diag" \
      docs kindnames "$d/plain.yaml" "$d/out.yaml"
    check "helm 4: same documents as through an identity post-renderer (--inject=none)" "$d/diag" \
      docs multiset "$d/ident.yaml" "$d/out.yaml"
    if HELM_PLUGINS="$plugins4" "$HELM4" template demo "$demo" --include-crds \
        --post-renderer readyinstall-render >"$d/inj.yaml" 2>"$d/diag"; then
      check "helm 4: the Deployment gets the wait init container and Helm regroups it under its template" \
        "$d/diag" docs injected "$d/inj.yaml" Deployment demo
      check "helm 4: with injection, the same kind/name multiset as plain helm template" "$d/diag" \
        docs kindnames "$d/plain.yaml" "$d/inj.yaml"
      if grep -q '^# Source: demo/templates/05-deployment.yaml' "$d/inj.yaml"; then
        ok "helm 4: the injected Deployment keeps its template file (filename annotation kept)"
      else
        not_ok "helm 4: the injected Deployment keeps its template file (filename annotation kept)" "$d/inj.yaml"
      fi
    else
      not_ok "helm 4: the Deployment gets the wait init container and Helm regroups it under its template" "$d/diag"
    fi
  else
    not_ok "helm 4: template demo --post-renderer readyinstall-render (HELM_PLUGINS list with v4/)" "$d/diag"
  fi

  if HELM_PLUGINS="$plugins4" "$HELM4" template demo "$demo" --post-renderer readyinstall-render \
    --post-renderer-args --no-such-flag >"$d/bad.out" 2>"$d/bad.err"; then
    not_ok "helm 4: failing post-renderer makes helm fail" "$d/bad.err"
  elif grep -qF "exited with error" "$d/bad.err" && [[ ! -s "$d/bad.out" ]]; then
    ok "helm 4: failing post-renderer makes helm fail with 'exited with error'"
  else
    not_ok "helm 4: failing post-renderer makes helm fail with 'exited with error'" "$d/bad.err"
  fi

  # Helm 4 discards the post-renderer's stderr: the error must reach the log.
  if READYINSTALL_LOG="$d/render.log" HELM_PLUGINS="$plugins4" "$HELM4" template b "$broken" \
      --post-renderer readyinstall-render >"$d/broken.out" 2>"$d/broken.err"; then
    not_ok "helm 4: object without kind fails the render" "$d/broken.err"
  elif grep -qF "exited with error" "$d/broken.err" && [[ ! -s "$d/broken.out" ]] \
      && grep -qE 'error: object has no kind \(from broken/templates/nokind.yaml\)' "$d/render.log" \
      && [[ "$(stat -c %a "$d/render.log")" = 600 ]]; then
    ok "helm 4: object without kind: helm fails, the positioned error is in the private log file"
  else
    { cat "$d/broken.err"; echo "log:"; cat "$d/render.log" 2>&1; } >"$d/diag"
    not_ok "helm 4: object without kind: helm fails, the positioned error is in the private log file" "$d/diag"
  fi
else
  skip "helm 4 tests" "HELM4 not set or not executable"
fi

echo "1..$n"
finished=1
exit "$failed"
