#!/usr/bin/env bash
# make bench: render, graph (and lint when built) on generated manifests of
# 1k, 10k and 100k documents, against floors measured in the same run: a
# bare libyaml event scan, cat, and `kubectl kustomize` as a post-renderer.
# Reports wall time (best of N), CPU time (user + system, best of N: the
# parser uses a second core for big inputs, so it can exceed wall time),
# documents/s, MB/s, peak RSS, and x-scan: the median over the N runs of the
# tool's wall time over a scan run just before it.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
bin="$root/bin/readyinstall"
scan="$root/build/bench/yaml_scan"
kubectl="${KUBECTL:-$root/.tools/helm/4.1.4/kubectl}"
sizes=(${BENCH_SIZES:-1000 10000 100000})
runs="${BENCH_RUNS:-3}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

# wall seconds (EPOCHREALTIME, microseconds), max RSS (KB) and CPU seconds
# (user + system) of one run
run_once() {
  local s e r u y
  s=$EPOCHREALTIME
  /usr/bin/time -f "%M %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/err" ||
    { echo "bench: failed: $* ($(tail -1 "$work/err"))" >&2; return 1; }
  e=$EPOCHREALTIME
  read -r r u y <"$work/time"
  awk -v s="$s" -v e="$e" -v r="$r" -v u="$u" -v y="$y" \
    'BEGIN { print e - s, r, u + y }'
}

# lowest of two numbers
min_of() { awk -v a="$1" -v b="$2" 'BEGIN { print (a == "" || b < a) ? b : a }'; }

# best wall seconds, max RSS and best CPU seconds of a command over $runs runs
measure() {
  local best="" rss=0 cpu="" t r c i
  for ((i = 0; i < runs; i++)); do
    read -r t r c < <(run_once "$@") || return 1
    best=$(min_of "$best" "$t")
    cpu=$(min_of "$cpu" "$c")
    ((r > rss)) && rss=$r
  done
  echo "$best $rss $cpu"
}

# As measure, plus the median over $runs of (command / scan of $scan_input
# run just before it): this machine's speed drifts by up to 2x within a
# minute, and a pair of runs drifts far less than two bests taken apart.
measure_paired() {
  local best="" rss=0 cpu="" t r c i st ratios=()
  for ((i = 0; i < runs; i++)); do
    read -r st _ < <(run_once "$scan" "$scan_input") || return 1
    read -r t r c < <(run_once "$@") || return 1
    best=$(min_of "$best" "$t")
    cpu=$(min_of "$cpu" "$c")
    ((r > rss)) && rss=$r
    ratios+=("$(awk -v t="$t" -v s="$st" 'BEGIN { print t / (s > 0 ? s : 0.001) }')")
  done
  echo "$best $rss $cpu $(printf '%s\n' "${ratios[@]}" | sort -g |
    awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')"
}

printf '%-9s %-22s %9s %7s %11s %8s %9s %8s\n' docs tool seconds cpu-s docs/s MB/s RSS-MB x-scan
for n in "${sizes[@]}"; do
  f="$work/m$n.yaml"
  python3 "$root/bench/gen-manifest.py" "$n" >"$f"
  mb=$(awk "BEGIN{print $(stat -c %s "$f") / 1048576}")
  mkdir -p "$work/k$n"
  cp "$f" "$work/k$n/all.yaml"
  printf 'resources:\n- all.yaml\n' >"$work/k$n/kustomization.yaml"
  scan_input="$f"
  tools=("yaml-scan|$scan $f" "cat|cat $f"
         "render|$bin render $f" "render --inject=none|$bin render --inject=none $f"
         "render --order=kind|$bin render --order=kind --inject=none $f"
         "graph --format json|$bin graph --format json $f")
  if "$bin" lint --help >/dev/null 2>&1; then
    tools+=("lint|$bin lint --format json --fail-on never $f")
  fi
  # kustomize is quadratic: 10k documents ran over 10 minutes here
  if [[ -x "$kubectl" && "$n" -le "${BENCH_KUSTOMIZE_MAX:-1000}" ]]; then
    tools+=("kubectl kustomize|$kubectl kustomize $work/k$n")
  fi
  for entry in "${tools[@]}"; do
    name="${entry%%|*}"; read -r -a cmd <<<"${entry#*|}"
    read -r t rss cpu ratio < <(measure_paired "${cmd[@]}") || continue
    awk -v n="$n" -v name="$name" -v t="$t" -v rss="$rss" -v mb="$mb" -v x="$ratio" \
      -v c="$cpu" 'BEGIN { tt = t > 0 ? t : 0.001;
               printf "%-9d %-22s %9.3f %7.2f %11.0f %8.1f %9.1f %8.2f\n",
                      n, name, t, c, n / tt, mb / tt, rss / 1024, x }'
  done
  echo "          (input $(printf '%.1f' "$mb") MB)"
done

# Instructions executed (valgrind callgrind) do not depend on what else the
# machine runs, unlike seconds: the scan ratio of a change shows here even
# when timing noise hides it. BENCH_IR=0 skips this; BENCH_IR_DOCS sets the
# size (callgrind runs about 50 times slower).
if [[ "${BENCH_IR:-1}" != 0 ]] && command -v valgrind >/dev/null; then
  n="${BENCH_IR_DOCS:-10000}"
  f="$work/ir$n.yaml"
  python3 "$root/bench/gen-manifest.py" "$n" >"$f"
  ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$@" 2>&1 \
      >/dev/null | awk '/Collected/ { print $4 }'
  }
  scan_ir=$(ir "$scan" "$f")
  printf '\n%-9s %-22s %15s %8s\n' docs tool instructions x-scan
  for entry in "yaml-scan|$scan $f" "render|$bin render $f" \
               "lint|$bin lint --format json --fail-on never $f" \
               "graph --format json|$bin graph --format json $f"; do
    name="${entry%%|*}"; read -r -a cmd <<<"${entry#*|}"
    count=$(ir "${cmd[@]}")
    awk -v n="$n" -v name="$name" -v c="$count" -v s="$scan_ir" \
      'BEGIN { printf "%-9d %-22s %15.0f %8.2f\n", n, name, c, c / s }'
  done
fi

# Real charts, when ../shared/corpus is beside the project: peak memory of
# render against the input (the generated mix above is far denser in small
# scalars than charts, whose bulk is CRD schemas). x-input is the RSS above
# that of an empty render (the process and its libraries) over the input:
# the target is "4x the input plus a few MB". BENCH_CORPUS=0 skips it.
corpus="${BENCH_CORPUS_DIR:-$root/../shared/corpus}"
if [[ "${BENCH_CORPUS:-1}" != 0 && -d "$corpus" ]]; then
  : >"$work/empty.yaml"
  read -r _ base _ < <(measure "$bin" render "$work/empty.yaml")
  printf '\n%-44s %9s %9s %8s %8s\n' "corpus (largest 5; base $((base / 1024)) MB)" \
    input-MB RSS-MB x-input seconds
  while read -r size path; do
    read -r t rss _ < <(measure "$bin" render "$path") || continue
    awk -v f="$(basename "$path")" -v s="$size" -v r="$rss" -v b="$base" -v t="$t" \
      'BEGIN { printf "%-44s %9.1f %9.1f %8.2f %8.3f\n", f, s / 1048576,
               r / 1024, (r - b) * 1024 / s, t }'
  done < <(find "$corpus" -name '*.yaml' -printf '%s %p\n' | sort -rn | head -5)
fi
