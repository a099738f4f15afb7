#!/usr/bin/env bash
# Integration: the workloads readyinstall injects into validate against the
# Kubernetes OpenAPI schemas (npm package kubernetes-models, offline once
# installed into .tools/schema). Env: RI_BIN, RI_ROOT. Prints TAP.
set -uo pipefail

: "${RI_ROOT:?RI_ROOT must be set}" "${RI_BIN:?RI_BIN must be set}"
render="$(dirname "$RI_BIN")/readyinstall-render"
[[ -x "$render" ]] || render="$RI_ROOT/bin/readyinstall-render"
dir="$RI_ROOT/.tools/schema"
corpus="${RI_CORPUS:-$RI_ROOT/../shared/corpus}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [[ -s "${2:-}" ]] && sed 's/^/# /' "$2" | tail -40; }
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }

# Install (or reuse) the validator: the versions pinned in tests/schema.
mkdir -p "$dir"
cp "$RI_ROOT/tests/schema/package.json" "$RI_ROOT/tests/schema/validate.mjs" "$dir/"
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  skip "schema validation" "node/npm not installed"
  echo "1..$n"; exit 0
fi
if [[ ! -d "$dir/node_modules/kubernetes-models" ]] &&
   ! (cd "$dir" && npm install --no-audit --no-fund --loglevel=error >"$tmp/npm.log" 2>&1); then
  skip "schema validation" "npm install of kubernetes-models failed: $(tail -1 "$tmp/npm.log")"
  echo "1..$n"; exit 0
fi
validate() { node "$dir/validate.mjs" "$@"; }

# The validator must reject a broken object, or passing proves nothing.
sed 's/runAsUser: 65532/runAsUser: not-a-number/' \
  "$RI_ROOT/testdata/render/inject-forms/expected.out" >"$tmp/broken.yaml"
if validate --only-annotated readyinstall.io/injected "$tmp/broken.yaml" >"$tmp/out" 2>&1; then
  not_ok "the validator rejects an injected container with a wrong type" "$tmp/out"
else
  ok "the validator rejects an injected container with a wrong type"
fi

"$render" <"$RI_ROOT/testdata/render/inject-forms/input.yaml" >"$tmp/forms.yaml" 2>"$tmp/err"
if validate --only-annotated readyinstall.io/injected "$tmp/forms.yaml" >"$tmp/out" 2>&1 &&
   grep -q 'checked [1-9]' "$tmp/out"; then
  ok "every consumer form: injected Pod, Deployment-like, Job and CronJob objects are schema-valid ($(tail -1 "$tmp/out"))"
else
  not_ok "every consumer form: injected objects are schema-valid" "$tmp/out"
fi

if [[ -d "$corpus" ]]; then
  total=0
  for f in "$corpus"/*.yaml; do
    "$render" <"$f" >"$tmp/c.yaml" 2>/dev/null || { not_ok "render $(basename "$f")"; continue; }
    if validate --only-annotated readyinstall.io/injected "$tmp/c.yaml" >"$tmp/out" 2>&1; then
      c=$(sed -n 's/^checked \([0-9]*\),.*/\1/p' "$tmp/out"); total=$((total + c))
    else
      not_ok "corpus $(basename "$f"): injected workloads are schema-valid" "$tmp/out"
    fi
  done
  if [[ "$total" -gt 0 ]]; then
    ok "corpus: all $total injected workloads are schema-valid"
  else
    not_ok "corpus: no injected workload was checked"
  fi
else
  skip "corpus schema validation" "corpus not found at $corpus"
fi
echo "1..$n"
exit "$failed"
