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
[ ${#suites[@]} -eq 0 ] && suites=(unit golden fuzz integration)
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
    scripts/golden.sh render graph lint 2>&1 | tee "$log"
    count_tap golden
}

# Checked-in fuzz inputs replayed under the sanitizers (make fuzz-replay).
run_fuzz() {
    echo "== fuzz replay"
    local t n=0
    make --no-print-directory -s fuzz-replay >/dev/null 2>&1 || true
    : >"$log"
    for t in build/replay/replay_*; do
        [ -x "$t" ] || continue
        n=$((n + 1))
        if "$t" "testdata/fuzz/${t##*/replay_}" >"$log.one" 2>&1; then
            echo "ok $n - $(tail -1 "$log.one")" | tee -a "$log"
        else
            echo "not ok $n - ${t##*/}" | tee -a "$log"
            sed 's/^/# /' "$log.one" | head -30
        fi
    done
    rm -f "$log.one"
    [ "$n" -gt 0 ] || { echo "not ok - no fuzz replay binaries built" | tee -a "$log"; }
    count_tap fuzz
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
        fuzz) run_fuzz ;;
        integration) run_integration ;;
        *) echo "run-tests: unknown suite $s" >&2; exit 2 ;;
    esac
done
echo "total: $pass passed, $fail failed, $skip skipped"
[ "$fail" -eq 0 ]
