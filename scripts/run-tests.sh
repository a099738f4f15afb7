#!/usr/bin/env bash
# Runs the test suites and ends with one summary line:
#   total: N passed, N failed, N skipped
# Suites: unit (CUnit), golden, integration (tests/integration/test_*.sh).
# Each prints TAP or CUnit's summary; this script only counts.
set -uo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2
export RI_ROOT=$root RI_BIN=${RI_BIN:-$root/bin/readyinstall}
suites=("$@")
[ ${#suites[@]} -eq 0 ] && suites=(unit golden integration)
pass=0 fail=0 skip=0
log=$(mktemp)
trap 'rm -f "$log"' EXIT

count_tap() {
    local p f s
    p=$(grep -cE '^ok [0-9]+' "$log" | head -1)
    s=$(grep -cE '^ok [0-9]+.*# SKIP' "$log" | head -1)
    f=$(grep -cE '^not ok [0-9]+' "$log" | head -1)
    pass=$((pass + p - s)) fail=$((fail + f)) skip=$((skip + s))
    echo "== $1: $((p - s)) passed, $f failed, $s skipped"
}

run_unit() {
    echo "== unit (CUnit)"
    if [ -z "${UNIT:-}" ] || [ ! -x "$UNIT" ]; then
        echo "not ok - unit test binary missing (UNIT=${UNIT:-})"; fail=$((fail + 1)); return
    fi
    "${UNIT}" 2>&1 | tee "$log"
    local line
    line=$(grep -E '^ +tests +[0-9]+' "$log" | tail -1)
    if [ -z "$line" ]; then
        echo "not ok - unit tests crashed or printed no summary"; fail=$((fail + 1)); return
    fi
    read -r _ _ _ passed failed inactive <<<"$line"
    pass=$((pass + passed)) fail=$((fail + failed)) skip=$((skip + inactive))
    echo "== unit: $passed passed, $failed failed, $inactive skipped"
}

run_golden() {
    echo "== golden"
    scripts/golden.sh render 2>&1 | tee "$log"
    count_tap golden
}

run_integration() {
    local t
    for t in tests/integration/test_*.sh; do
        [ -f "$t" ] || continue
        echo "== integration: $t"
        bash "$t" 2>&1 | tee "$log"
        count_tap "$t"
        if ! grep -qE '^(not )?ok [0-9]+' "$log"; then
            echo "not ok - $t printed no test result"; fail=$((fail + 1))
        fi
    done
}

for s in "${suites[@]}"; do
    case "$s" in
        unit) run_unit ;;
        golden) run_golden ;;
        integration) run_integration ;;
        *) echo "run-tests: unknown suite $s" >&2; exit 2 ;;
    esac
done
echo "total: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
