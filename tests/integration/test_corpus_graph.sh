#!/usr/bin/env bash
# Integration: the dependency graph of the real-chart corpus has an edge for
# every ordering hazard its SOURCES.md documents (tests/corpus/expected-edges.tsv)
# and renders `from` before `to`. Needs RI_BIN, RI_ROOT; the corpus is
# $RI_CORPUS, else $RI_ROOT/../shared/corpus. Prints TAP.
set -uo pipefail

: "${RI_ROOT:?RI_ROOT must be set}" "${RI_BIN:?RI_BIN must be set}"
corpus="${RI_CORPUS:-$RI_ROOT/../shared/corpus}"
expected="$RI_ROOT/tests/corpus/expected-edges.tsv"

if [[ ! -d "$corpus" ]]; then
  echo "ok 1 - corpus graph # SKIP corpus not found at $corpus"
  echo "1..1"
  exit 0
fi
if ! command -v python3 >/dev/null 2>&1; then
  echo "not ok 1 - corpus graph: python3 not found"
  echo "1..1"
  exit 1
fi

python3 "$RI_ROOT/tests/corpus/check_edges.py" --bin "$RI_BIN" --corpus "$corpus" \
  --expected "$expected"
rc=$?
# 2: usage error or malformed TSV; check_edges.py printed "Bail out!".
if [[ "$rc" -eq 2 ]]; then
  echo "not ok 1 - corpus graph: check_edges.py could not run (exit 2)"
fi
exit "$rc"
