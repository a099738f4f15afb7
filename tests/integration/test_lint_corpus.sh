#!/usr/bin/env bash
# Integration: `readyinstall lint --format json` over the real rendered
# charts of ../shared/corpus (RI_CORPUS overrides), compared with the
# reviewed finding lists in testdata/lint-corpus/<file>.json. Skipped when
# the corpus is absent. `--update` rewrites the lists (review them against
# the corpus's SOURCES.md before committing). Needs RI_BIN, RI_ROOT; TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}" "${RI_BIN:?RI_BIN must be set}"
corpus="${RI_CORPUS:-$RI_ROOT/../shared/corpus}"
golden="$RI_ROOT/testdata/lint-corpus"
update=0
[[ "${1:-}" == "--update" ]] && update=1

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

shopt -s nullglob
files=("$corpus"/*.yaml)
if [[ ! -d "$corpus" || ${#files[@]} -eq 0 ]]; then
  skip "lint over the corpus" "no corpus at $corpus"
  finished=1
  echo "1..$n"
  exit 0
fi

mkdir -p "$golden"
for f in "${files[@]}"; do
  base="${f##*/}"
  want="$golden/$base.json"
  out="$tmp/$base.json"
  # run from the corpus directory: a document without a template is
  # located by the file's own name
  set +e
  (cd "$corpus" && "$RI_BIN" lint "$base" --format json --fail-on never) \
    >"$out" 2>"$tmp/err"
  rc=$?
  set -e
  if [[ "$rc" -ne 0 ]]; then
    not_ok "lint $base (exit $rc)" "$tmp/err"
    continue
  fi
  if [[ "$update" -eq 1 ]]; then
    cp "$out" "$want"
    ok "lint $base (updated)"
  elif [[ ! -f "$want" ]]; then
    not_ok "lint $base: no reviewed findings in testdata/lint-corpus/$base.json"
  elif cmp -s "$out" "$want"; then
    ok "lint $base"
  else
    diff -u "$want" "$out" >"$tmp/diff" || true
    not_ok "lint $base: findings differ from the reviewed list" "$tmp/diff"
  fi
done

# a reviewed list whose corpus file is gone would never be checked again
for g in "$golden"/*.json; do
  base="${g##*/}"
  base="${base%.json}"
  if [[ ! -f "$corpus/$base" ]]; then
    not_ok "testdata/lint-corpus/$base.json has no corpus file"
  fi
done

finished=1
echo "1..$n"
exit "$failed"
