#!/usr/bin/env bash
# Integration: the HTTP response limit (--max-response-bytes) of the cluster
# commands against the fake API server: at the size of GET /version the
# doctor connects; one byte under it every command stops with a clear error
# and exit 3 (an input limit), before touching anything.
# Needs RI_ROOT, RI_BIN, HELM4 (else HELM3) for install and uninstall;
# python3, openssl, curl. TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}"
RI_BIN="${RI_BIN:-$RI_ROOT/bin/readyinstall}"
# shellcheck source-path=SCRIPTDIR source=../fakeapi/lib.sh
. "$RI_ROOT/tests/fakeapi/lib.sh"

n=0 finished=0
tmp="$(mktemp -d)"
# shellcheck source-path=SCRIPTDIR source=tap.sh
. "$RI_ROOT/tests/integration/tap.sh"
trap tap_exit EXIT

tap_require "HTTP response limit" python3 openssl curl

pki="$tmp/pki"
tap_pki "$pki"
if ! fakeapi_start "$tmp" api --tls-cert "$pki/server.crt" --tls-key "$pki/server.key" \
    --client-ca "$pki/ca.crt" 2>"$tmp/start.err"; then
  not_ok "the fake API server starts" "$tmp/start.err"
  echo "1..$n"; finished=1; exit 1
fi
export KUBECONFIG="$tmp/kubeconfig"
fakeapi_kubeconfig "$KUBECONFIG" "$FAKEAPI_URL" "$pki/ca.crt" "client-certificate: $pki/client.crt
client-key: $pki/client.key"

size=$(curl -sS --cacert "$pki/ca.crt" --cert "$pki/client.crt" --key "$pki/client.key" \
  "$FAKEAPI_URL/version" | wc -c)
under=$((size - 1))

rc_of rc "$RI_BIN" check --all-webhooks --max-response-bytes "$size" >"$tmp/at.out" 2>"$tmp/at.err"
if [[ "$rc" -ne 3 ]] && ! grep -q "exceeds" "$tmp/at.err"; then
  ok "check --max-response-bytes $size (the size of /version): connects (exit $rc)"
else
  echo "exit $rc" >>"$tmp/at.err"; not_ok "check at the limit connects" "$tmp/at.err"
fi
helm="${HELM4:-${HELM3:-}}"
cmds=("check --all-webhooks")
if [[ -x "$helm" ]]; then
  export HELM_DATA_HOME="$tmp/helm/data" HELM_CONFIG_HOME="$tmp/helm/config" HELM_CACHE_HOME="$tmp/helm/cache"
  cmds+=("uninstall rel -n ns --helm $helm"
         "install rel $RI_ROOT/tests/fakeapi/charts/ri-operator-only -n ns --helm $helm")
else
  skip "install and uninstall one byte under the limit" "neither HELM4 nor HELM3 is an executable helm"
fi
for cmd in "${cmds[@]}"; do
  fakeapi_ctl POST reset-log >/dev/null
  # shellcheck disable=SC2086  # cmd is words
  rc_of rc timeout 60 "$RI_BIN" $cmd --max-response-bytes "$under" >"$tmp/u.out" 2>"$tmp/u.err"
  fakeapi_ctl GET log >"$tmp/log.json"
  if [[ "$rc" -eq 3 ]] && grep -q "exceeds $under bytes" "$tmp/u.err" &&
      python3 -c 'import json,sys; sys.exit(any(e.get("method") in ("POST","PUT","PATCH","DELETE") for e in json.load(open(sys.argv[1]))))' "$tmp/log.json"; then
    ok "${cmd%% *} --max-response-bytes $under (one under): exit 3, names the limit, changes nothing"
  else
    echo "exit $rc" >>"$tmp/u.err"; not_ok "${cmd%% *} one byte under the limit: exit 3" "$tmp/u.err"
  fi
done
check "--max-response-bytes with a bad size is a usage error (exit 2)" "$tmp/diag" \
  bash -c "'$RI_BIN' check --max-response-bytes lots; test \$? -eq 2"
echo "1..$n"
finished=1
