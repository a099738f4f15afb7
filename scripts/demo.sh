#!/usr/bin/env bash
# `make demo`: install readyinstall as a Helm plugin into private Helm homes
# (.tools/helm-home/<version>/) and render the demo chart through the
# post-renderer with Helm 3 and Helm 4, before and after.
# Helm binaries: $HELM3 / $HELM4, default .tools/helm/<version>/helm (make helm).
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
HELM3="${HELM3:-$root/.tools/helm/3.18.0/helm}"
HELM4="${HELM4:-$root/.tools/helm/4.1.4/helm}"
chart="testdata/charts/demo"

die() { printf 'demo: %s\n' "$*" >&2; exit 1; }
[[ -x "$root/bin/readyinstall" ]] || die "bin/readyinstall is missing: run make first"
for h in "$HELM3" "$HELM4"; do
  [[ -x "$h" ]] || die "$h is missing: run make helm (scripts/fetch-helm.sh)"
done
cd "$root"

# One line per document: kind/name and where it came from.
summary() {
  python3 -c '
import re, sys
for d in re.split(r"^---[ \t]*\n", sys.stdin.read(), flags=re.M):
    if not d.strip():
        continue
    def f(p, s=d):
        m = re.search(p, s, re.M)
        return m.group(1).strip("\x27\"") if m else "?"
    meta = re.search(r"^metadata:\n((?:[ #].*\n?)*)", d, re.M)
    name = f(r"^  name:\s*(\S+)", meta.group(1)) if meta else "?"
    hook = "  [hook]" if "helm.sh/hook:" in d else ""
    print("  %-56s %s%s" % (f(r"^kind:\s*(\S+)") + "/" + name, f(r"^# Source:\s*(.*)$"), hook))
'
}

run() { # run LABEL COMMAND...: show the command line, then the output summary
  local out
  printf '\n%s\n  $ %s\n' "$1" "${*:2}"
  out="$("${@:2}")" || die "command failed: ${*:2}"
  printf '%s\n' "$out" | summary
}

home_for() { # home_for VERSION: a fresh private Helm home for this shell
  local home="$root/.tools/helm-home/$1"
  rm -rf "$home"
  mkdir -p "$home/data/plugins"
  export HELM_DATA_HOME="$home/data" HELM_CONFIG_HOME="$home/config" HELM_CACHE_HOME="$home/cache"
  export HELM_PLUGINS="$home/data/plugins"
  echo "Helm home: $home"
}

quiet() { # quiet COMMAND...: show output only on failure
  local log
  log="$(mktemp)"
  if ! "$@" >"$log" 2>&1; then cat "$log" >&2; rm -f "$log"; die "failed: $*"; fi
  rm -f "$log"
}

echo "=== Helm $("$HELM3" version --template '{{.Version}}')"
home_for 3.18.0
quiet "$HELM3" plugin install "$root"
echo "Installed plugin: $root"
printf '  $ helm readyinstall version\n  '
"$HELM3" readyinstall version || die "helm readyinstall version failed (Helm 3)"
run "Without readyinstall (Helm 3 sorts by kind; webhook configurations are unknown kinds to it):" \
  "$HELM3" template demo "$chart" --include-crds
run "With readyinstall (Helm 3 creates resources in this order):" \
  "$HELM3" template demo "$chart" --include-crds --post-renderer "$root/bin/readyinstall-render"

echo
echo "=== Helm $("$HELM4" version --template '{{.Version}}')"
home_for 4.1.4
quiet "$HELM4" plugin install "$root"
# The post-renderer is a plugin of its own in Helm 4 (this home is Helm 4's only).
quiet "$HELM4" plugin install "$root/v4/readyinstall-render"
echo "Installed plugins: $root, $root/v4/readyinstall-render"
printf '  $ helm readyinstall version\n  '
"$HELM4" readyinstall version || die "helm readyinstall version failed (Helm 4)"
run "Without readyinstall (Helm 4 sorts by kind, webhook configurations after APIService):" \
  "$HELM4" template demo "$chart" --include-crds
# Helm 4 re-sorts post-rendered output by kind: the order cannot change here.
run "With readyinstall (Helm 4 re-sorts the post-renderer's output by kind):" \
  "$HELM4" template demo "$chart" --include-crds --post-renderer readyinstall-render
