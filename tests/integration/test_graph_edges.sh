#!/usr/bin/env bash
# Integration: the dependency edges of manifests modelled on real operators
# (testdata/graph-charts/<case>/). Each case holds
#   manifest.yaml        the rendered manifest (or a chart: Chart.yaml, rendered
#                        with $HELM3 through `graph CHART_DIR`)
#   expected-edges.txt   `FROM -> TO reason` lines, FROM/TO as Kind/ns/name
#                        (Kind/name when cluster-scoped), written by hand
#   absent-edges.txt     near misses: edges that must not exist (optional)
# For every expected edge: it is in `graph --format json`, and in "order" its
# FROM precedes its TO. Needs RI_BIN, RI_ROOT; prints TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}" "${RI_BIN:?RI_BIN must be set}"
HELM3="${HELM3:-}"

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

# check.py GRAPH.json expected|absent LIST: one line per edge of LIST,
# "ok<TAB>edge" or "not ok<TAB>edge<TAB>why".
cat >"$tmp/check.py" <<'PY'
import json, sys

def name(n):
    if "virtual" in n:
        return n["virtual"]
    return "/".join(x for x in (n["kind"], n["namespace"], n["name"]) if x)

graph_path, mode, list_path = sys.argv[1:4]
with open(graph_path, encoding="utf-8") as f:
    g = json.load(f)
ids = {}
for n in g["nodes"]:
    ids.setdefault(name(n), n["id"])
pos = {nid: i for i, nid in enumerate(g["order"])}
edges = {(e["from"], e["to"], e["reason"]) for e in g["edges"]}
by_pair = {}
for e in g["edges"]:
    by_pair.setdefault((e["from"], e["to"]), []).append(e["reason"])

with open(list_path, encoding="utf-8") as f:
    for line in f:
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = line.split()
        if len(parts) != 4 or parts[1] != "->":
            print("not ok\t%s\tmalformed line" % line)
            continue
        frm, _, to, reason = parts
        missing = [x for x in (frm, to) if x not in ids]
        if mode == "absent":
            if missing or (ids[frm], ids[to], reason) not in edges:
                print("ok\tno %s" % line)
            else:
                print("not ok\tno %s\tthe edge exists" % line)
            continue
        if missing:
            print("not ok\t%s\tno such object: %s" % (line, ", ".join(missing)))
        elif (ids[frm], ids[to], reason) not in edges:
            other = by_pair.get((ids[frm], ids[to]))
            why = "missing edge" + (" (found reasons: %s)" % ", ".join(other) if other else "")
            print("not ok\t%s\t%s" % (line, why))
        elif pos[ids[frm]] >= pos[ids[to]]:
            print("not ok\t%s\tin order %s is at %d, %s at %d" % (
                line, frm, pos[ids[frm]], to, pos[ids[to]]))
        else:
            print("ok\t%s" % line)
PY

for dir in "$RI_ROOT"/testdata/graph-charts/*/; do
  case="$(basename "$dir")"
  [[ -f "$dir/expected-edges.txt" ]] || continue
  out="$tmp/$case.json" err="$tmp/$case.err"
  if [[ -f "$dir/Chart.yaml" ]]; then
    if [[ ! -x "$HELM3" ]]; then
      skip "$case" "HELM3 not set or not executable"
      continue
    fi
    set -- graph "$dir" --helm "$HELM3" --include-crds --format json
  else
    set -- graph "$dir/manifest.yaml" --format json
  fi
  if ! "$RI_BIN" "$@" >"$out" 2>"$err"; then
    not_ok "$case: readyinstall $*" "$err"
    continue
  fi
  ok "$case: graph --format json"
  for mode in expected absent; do
    list="$dir/$mode-edges.txt"
    [[ -f "$list" ]] || continue
    if ! python3 "$tmp/check.py" "$out" "$mode" "$list" >"$tmp/res" 2>"$tmp/diag"; then
      not_ok "$case: $mode-edges.txt could not be checked" "$tmp/diag"
      continue
    fi
    while IFS=$'\t' read -r status what why; do
      if [[ "$status" = ok ]]; then
        ok "$case: $what"
      else
        echo "$why" >"$tmp/why"
        not_ok "$case: $what" "$tmp/why"
      fi
    done <"$tmp/res"
  done
done

echo "1..$n"
finished=1
exit "$failed"
