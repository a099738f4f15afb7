#!/usr/bin/env bash
# Golden tests: each directory under testdata/<area>/<case>/ holds
#   args           the command line after the program name, one argument a line
#   input.yaml     stdin (optional; /dev/null when absent)
#   env            KEY=VALUE lines added to the environment (optional; $TMP is
#                  a private temporary directory)
#   stdout         "/dev/full" to make writing the output fail (optional)
#   expected.out   expected stdout (absent: must be empty; a symlink to
#                  input.yaml says "written back unchanged")
#   expected.err   expected stderr (optional: not compared when absent)
#   expected.exit  expected exit status (absent: 0)
#   expected.log   expected content of $TMP/log after its first line (optional)
# Prints TAP. --update rewrites the expected files from what the program does.
# RI_BIN is the program; RI_WRAP (e.g. valgrind ...) is put in front of it.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
bin=${RI_BIN:-$root/bin/readyinstall}
update=0
[ "${1:-}" = "--update" ] && { update=1; shift; }
areas=("$@")
[ ${#areas[@]} -eq 0 ] && areas=(render)
read -r -a wrap <<<"${RI_WRAP:-}"

n=0
failed=0
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for area in "${areas[@]}"; do
  for dir in "$root"/testdata/"$area"/*/; do
    [ -f "$dir/args" ] || continue
    name=$area/$(basename "$dir")
    n=$((n + 1))
    tmp=$work/$n
    mkdir -p "$tmp"
    mapfile -t args <"$dir/args"
    envs=()
    if [ -f "$dir/env" ]; then
      while IFS= read -r line; do
        [ -n "$line" ] && envs+=("${line//\$TMP/$tmp}")
      done <"$dir/env"
    fi
    input=/dev/null
    [ -f "$dir/input.yaml" ] && input=$dir/input.yaml
    out=$tmp/out
    [ -f "$dir/stdout" ] && out=$(cat "$dir/stdout")
    # a hang fails its case instead of stalling the suite
    (cd "$dir" && env "${envs[@]}" timeout "${GOLDEN_TIMEOUT:-300}" \
        "${wrap[@]}" "$bin" "${args[@]}" <"$input" >"$out" 2>"$tmp/err")
    code=$?
    [ "$code" = 124 ] && echo "timed out after ${GOLDEN_TIMEOUT:-300} s" >>"$tmp/err"
    [ "$out" = "$tmp/out" ] || : >"$tmp/out"
    want_exit=0
    [ -f "$dir/expected.exit" ] && want_exit=$(cat "$dir/expected.exit")
    if [ "$update" = 1 ]; then
      if [ ! -L "$dir/expected.out" ]; then
        cp "$tmp/out" "$dir/expected.out"
        [ -s "$dir/expected.out" ] || rm -f "$dir/expected.out"
      fi
      cp "$tmp/err" "$dir/expected.err"
      [ "$code" = 0 ] && rm -f "$dir/expected.exit" || echo "$code" >"$dir/expected.exit"
      if [ -f "$dir/expected.log" ]; then
        tail -n +2 "$tmp/log" >"$dir/expected.log" 2>/dev/null
      fi
      echo "ok $n - $name (updated)"
      continue
    fi
    problems=()
    [ "$code" = "$want_exit" ] || problems+=("exit status $code, expected $want_exit")
    want_out=/dev/null
    [ -f "$dir/expected.out" ] && want_out=$dir/expected.out
    cmp -s "$tmp/out" "$want_out" || problems+=("stdout differs")
    if [ -f "$dir/expected.err" ] && ! cmp -s "$tmp/err" "$dir/expected.err"; then
      problems+=("stderr differs")
    fi
    if [ -f "$dir/expected.log" ] &&
       ! cmp -s <(tail -n +2 "$tmp/log" 2>/dev/null) "$dir/expected.log"; then
      problems+=("log file differs")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
      echo "ok $n - $name"
    else
      failed=$((failed + 1))
      echo "not ok $n - $name: ${problems[*]}"
      diff -u "$want_out" "$tmp/out" 2>&1 | head -40 | sed 's/^/# /'
      [ -f "$dir/expected.err" ] && diff -u "$dir/expected.err" "$tmp/err" 2>&1 | head -20 | sed 's/^/# /'
    fi
  done
done
echo "1..$n"
[ "$failed" = 0 ]
