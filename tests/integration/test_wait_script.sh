#!/usr/bin/env bash
# Integration: the injected wait script really waits. It is taken out of
# render's output and run with the local POSIX sh against a directory that
# plays the optional secret volume. Env: RI_BIN, RI_ROOT. Prints TAP.
set -uo pipefail

: "${RI_ROOT:?RI_ROOT must be set}" "${RI_BIN:?RI_BIN must be set}"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
n=0 failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { n=$((n + 1)); failed=1; echo "not ok $n - $1"; [[ -s "${2:-}" ]] && sed 's/^/# /' "$2" | tail -20; }

"$RI_BIN" render --wait-timeout=3s --wait-interval=1s \
  "$RI_ROOT/testdata/render/inject-options/input.yaml" >"$tmp/out.yaml" 2>"$tmp/err"
# the literal block after `- "-c"` under command:, and the args list
python3 - "$tmp/out.yaml" "$tmp/script.sh" "$tmp/args" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
m = re.search(r'^( *)- "-c"\n\1- \|\n((?:\1  .*\n|\n)+)', text, re.M)
ind = len(m.group(1)) + 2
open(sys.argv[2], "w").write("".join(l[ind:] + "\n" for l in m.group(2).splitlines()))
a = re.search(r'^( *)args:\n((?:\1  - .*\n)+)', text, re.M)
open(sys.argv[3], "w").write("".join(l.strip()[2:] + "\n" for l in a.group(2).splitlines()))
PY
[[ -s "$tmp/script.sh" && -s "$tmp/args" ]] || { not_ok "extract the wait script" "$tmp/err"; echo "1..$n"; exit 1; }
ok "the wait script and its arguments are in the rendered Pod"

# point the mount path at our directory
mapfile -t args < <(sed "s#/readyinstall/wait/#$tmp/vol/#" "$tmp/args")
mkdir -p "$tmp/vol/tls"
run() { READYINSTALL_WAIT_TIMEOUT=3 READYINSTALL_WAIT_INTERVAL=1 \
          sh -c "$(cat "$tmp/script.sh")" readyinstall-wait "${args[@]}"; }

# keys appear after a second: success, and it said what it waited for
( sleep 1.5; echo cert >"$tmp/vol/tls/tls.crt"; echo key >"$tmp/vol/tls/tls.key" ) &
if run >"$tmp/ok.out" 2>&1 && grep -q 'waiting for Secret tls (Certificate/demo/tls), missing tls.crt tls.key' "$tmp/ok.out" &&
   grep -q 'ready after' "$tmp/ok.out"; then
  ok "waits while tls.crt/tls.key are missing, says so, and exits 0 once they appear"
else
  not_ok "waits while tls.crt/tls.key are missing, says so, and exits 0 once they appear" "$tmp/ok.out"
fi
wait

# keys never appear: a clear failure after the timeout
rm -rf "$tmp/vol/tls"; mkdir -p "$tmp/vol/tls"; : >"$tmp/vol/tls/tls.crt"
if run >"$tmp/fail.out" 2>&1; then
  not_ok "gives up after --wait-timeout" "$tmp/fail.out"
elif grep -q 'gave up after [0-9]*s waiting for Secret tls (Certificate/demo/tls), missing tls.crt tls.key' "$tmp/fail.out"; then
  ok "gives up after --wait-timeout with exit 1, naming the Secret and the missing (or empty) keys"
else
  not_ok "gives up after --wait-timeout, naming the Secret and the missing keys" "$tmp/fail.out"
fi
echo "1..$n"
exit "$failed"
