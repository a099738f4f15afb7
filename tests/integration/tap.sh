# TAP helpers for the integration suites (sourced; not a suite itself).
# Set n=0 finished=0 and tmp before use; the EXIT trap tap_exit stops the
# fake servers, removes $tmp (kept with RI_KEEP_TMP=1) and reports an abort.
# shellcheck shell=bash

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # not_ok DESCRIPTION [DIAGNOSTIC-FILE...]
  local f
  n=$((n + 1)); echo "not ok $n - $1"
  shift
  for f in "$@"; do
    if [[ -s "$f" ]]; then echo "# --- ${f##*/}"; sed -n '1,30s/^/# /p' "$f"; fi
  done
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
check() { # check DESCRIPTION DIAGNOSTIC-FILE COMMAND...
  local desc="$1" diag="$2"; shift 2
  if "$@" >"$diag" 2>&1; then ok "$desc"; else not_ok "$desc" "$diag"; fi
}
rc_of() { # rc_of VAR COMMAND...: run, store the exit status in VAR
  local __v="$1"; shift
  local __rc=0
  "$@" || __rc=$?
  printf -v "$__v" '%s' "$__rc"
}
# shellcheck disable=SC2317  # run by the EXIT trap
tap_exit() {
  local rc=$?
  if declare -F fakeapi_stop_all >/dev/null; then fakeapi_stop_all; fi
  if [[ -n "${RI_KEEP_TMP:-}" ]]; then echo "# kept $tmp" >&2; else rm -rf "$tmp"; fi
  if [[ "$finished" -eq 0 ]]; then echo "not ok $((n + 1)) - ${0##*/} aborted (exit $rc)"; exit 1; fi
}
# tap_require WHAT TOOL...: the suite is one skip when a tool is missing
tap_require() {
  local what="$1" t
  shift
  for t in "$@"; do
    if ! command -v "$t" >/dev/null; then
      skip "$what" "$t not installed"
      echo "1..$n"; finished=1; exit 0
    fi
  done
}
# tap_pki DIR: the throwaway CA, server and client certificates, or the
# suite ends with one failure
tap_pki() {
  if ! bash "$RI_ROOT/tests/fakeapi/mkcerts.sh" "$1" >"$tmp/mkcerts.log" 2>&1; then
    not_ok "mkcerts.sh makes the throwaway PKI" "$tmp/mkcerts.log"
    echo "1..$n"; finished=1; exit 1
  fi
  export FAKEAPI_CA="$1/ca.crt"
}
