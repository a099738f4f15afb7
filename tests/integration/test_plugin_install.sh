#!/usr/bin/env bash
# Integration: `helm plugin install <project>` with real Helm 3.18 and 4.1, the
# CLI plugin, and the separate Helm 4 post-renderer plugin.
# Needs HELM3, HELM4, RI_BIN, RI_ROOT; prints TAP. The tree must be built.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}" "${RI_BIN:?RI_BIN must be set}"
HELM3="${HELM3:-}" HELM4="${HELM4:-}"
demo="$RI_ROOT/testdata/charts/demo"

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
# has FILE TEXT: FILE contains TEXT (fixed string); shows FILE otherwise.
# shellcheck disable=SC2317  # called through check
has() { grep -qF -- "$2" "$1" || { echo "expected '$2' in:"; cat "$1"; return 1; }; }
# same A B: files are equal; shows a diff otherwise.
same() { diff -u "$1" "$2"; }

homes() { # homes DIR: private Helm homes for the current shell
  export HELM_DATA_HOME="$1/data" HELM_CONFIG_HOME="$1/config" HELM_CACHE_HOME="$1/cache"
  export HELM_PLUGINS="$1/data/plugins"
  mkdir -p "$HELM_PLUGINS"
}

"$RI_BIN" version >"$tmp/version.txt" 2>&1 || true

cli_plugin() { # cli_plugin LABEL HELM: install the project, run `helm readyinstall`
  local label="$1" helm="$2" d="$tmp/$1"
  mkdir -p "$d"
  homes "$d/home"
  if ! "$helm" plugin install "$RI_ROOT" >"$d/install.out" 2>&1; then
    not_ok "$label: helm plugin install <project>" "$d/install.out"
    return 0
  fi
  ok "$label: helm plugin install <project>"
  if [[ "$label" == "helm 4" ]]; then
    check "$label: local install reports development mode" "$d/diag" \
      has "$d/install.out" "development mode"
  fi
  "$helm" plugin list >"$d/list.out" 2>&1 || true
  check "$label: helm plugin list shows readyinstall" "$d/diag" \
    grep -Eq '^readyinstall[[:space:]]+0\.1\.0' "$d/list.out"

  "$helm" readyinstall version >"$d/version.out" 2>&1 || echo "exit $?" >>"$d/version.out"
  if grep -q '^readyinstall ' "$d/version.out" && same "$tmp/version.txt" "$d/version.out" >"$d/diag"; then
    ok "$label: helm readyinstall version"
  else
    cat "$d/version.out" >>"$d/diag"
    not_ok "$label: helm readyinstall version" "$d/diag"
  fi
  check "$label: helm readyinstall --help exits 0" "$d/diag" "$helm" readyinstall --help
  check "$label: helm readyinstall check --help and uninstall --help reach the commands" "$d/diag" \
    bash -c "'$helm' readyinstall check --help | grep -q 'Usage: readyinstall check' &&
             '$helm' readyinstall uninstall --help | grep -q 'Usage: readyinstall uninstall'"
  # Helm strips its global flags before running the plugin (stderr: Helm 4 debug log).
  "$helm" readyinstall version -n ns1 --kube-context ctxA --debug >"$d/flags.out" 2>"$d/flags.err" \
    || cat "$d/flags.err" >>"$d/flags.out"
  check "$label: helm readyinstall version -n ns1 --kube-context ctxA --debug" "$d/diag" \
    same "$tmp/version.txt" "$d/flags.out"
  # The install hook again, as `helm plugin update` would run it on a built tree.
  # shellcheck disable=SC2016  # expanded by sh, as in plugin.yaml
  check "$label: install hook is idempotent on a built tree" "$d/diag" \
    env HELM_PLUGIN_DIR="$HELM_PLUGINS/$(basename "$RI_ROOT")" \
    sh -c 'cd "$HELM_PLUGIN_DIR" && scripts/plugin-build.sh'
}

# What the plugin's argv and environment are: the real plugin.yaml and
# scripts/plugin-exec around a probe binary, in a plugins directory of its own.
flags_probe() { # flags_probe LABEL HELM
  local label="$1" helm="$2" d="$tmp/$1-probe"
  mkdir -p "$d/plugins/readyinstall/scripts" "$d/plugins/readyinstall/bin"
  cp "$RI_ROOT/plugin.yaml" "$d/plugins/readyinstall/"
  cp "$RI_ROOT/scripts/plugin-exec" "$d/plugins/readyinstall/scripts/"
  cat >"$d/plugins/readyinstall/bin/readyinstall" <<'SH'
#!/bin/sh
echo "argv: $*"
echo "namespace: $HELM_NAMESPACE"
echo "context: $HELM_KUBECONTEXT"
SH
  chmod +x "$d/plugins/readyinstall/bin/readyinstall"
  printf '%s\n' "argv: render --output x" "namespace: ns1" "context: ctxA" >"$d/want"
  homes "$d/home"
  export HELM_PLUGINS="$d/plugins"
  "$helm" readyinstall render -n ns1 --output x --kube-context=ctxA >"$d/got" 2>&1 || true
  check "$label: -n/--kube-context reach the plugin as HELM_NAMESPACE/HELM_KUBECONTEXT, other args verbatim" \
    "$d/diag" same "$d/want" "$d/got"
}

if [[ -x "$HELM3" ]]; then
  cli_plugin "helm 3" "$HELM3"
  flags_probe "helm 3" "$HELM3"
  # A Helm 3 home with only the legacy plugin: no plugin-loading warning.
  homes "$tmp/helm 3/home"
  "$HELM3" version >"$tmp/h3version.out" 2>"$tmp/h3version.err" || true
  "$HELM3" plugin list >/dev/null 2>>"$tmp/h3version.err" || true
  if [[ -s "$tmp/h3version.err" ]]; then
    not_ok "helm 3: no plugin-loading warning with the legacy plugin installed" "$tmp/h3version.err"
  else
    ok "helm 3: no plugin-loading warning with the legacy plugin installed"
  fi
else
  skip "helm 3 plugin tests" "HELM3 not set or not executable"
fi

if [[ -x "$HELM4" ]]; then
  cli_plugin "helm 4" "$HELM4"
  flags_probe "helm 4" "$HELM4"

  # The post-renderer as a plugin of its own, in a second home.
  d="$tmp/helm 4 render"; mkdir -p "$d"
  homes "$d/home"
  if "$HELM4" plugin install "$RI_ROOT/v4/readyinstall-render" >"$d/install.out" 2>&1; then
    ok "helm 4: helm plugin install <project>/v4/readyinstall-render"
    "$HELM4" plugin list >"$d/list.out" 2>&1 || true
    check "helm 4: plugin list shows readyinstall-render as postrenderer/v1" "$d/diag" \
      grep -Eq '^readyinstall-render[[:space:]]+0\.1\.0[[:space:]]+postrenderer/v1' "$d/list.out"
    if "$HELM4" template demo "$demo" --post-renderer readyinstall-render >"$d/out.yaml" 2>"$d/diag" \
      && grep -q '^kind: Deployment' "$d/out.yaml" >>"$d/diag"; then
      ok "helm 4: template --post-renderer readyinstall-render with the installed plugin"
    else
      not_ok "helm 4: template --post-renderer readyinstall-render with the installed plugin" "$d/diag"
    fi
  else
    not_ok "helm 4: helm plugin install <project>/v4/readyinstall-render" "$d/install.out"
  fi
else
  skip "helm 4 plugin tests" "HELM4 not set or not executable"
fi

echo "1..$n"
finished=1
exit "$failed"
