#!/usr/bin/env bash
# Integration: the kube client (through tests/kube/kube_probe) against the
# fake API server: TLS with a client certificate, bearer token, basic auth,
# exec credential plugins (token cache and expiry, client certificates,
# missing binary), multi-file KUBECONFIG merging and the HELM_* overrides,
# pagination, Status decoding (NotFound, namespaces, webhooks, dry run),
# retries (429, etcd), TLS failures (expired, wrong SAN, unknown CA,
# tls-server-name, insecure). With READYINSTALL_E2E_KUBECONFIG set, a read-
# only subset also runs against that real cluster.
# Needs RI_ROOT; KUBE_PROBE (else build/release/kube_probe, built through
# make when missing). Prints TAP.
set -euo pipefail

: "${RI_ROOT:?RI_ROOT must be set}"
# shellcheck source-path=SCRIPTDIR source=../fakeapi/lib.sh
. "$RI_ROOT/tests/fakeapi/lib.sh"

n=0 failed=0 finished=0
tmp="$(mktemp -d)"
# shellcheck disable=SC2317  # run by the EXIT trap
on_exit() {
  local rc=$?
  fakeapi_stop_all
  rm -rf "$tmp"
  if [[ "$finished" -eq 0 ]]; then echo "not ok $((n + 1)) - ${0##*/} aborted (exit $rc)"; exit 1; fi
}
trap on_exit EXIT

ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() { # not_ok DESCRIPTION [DIAGNOSTIC-FILE]
  n=$((n + 1)); failed=1; echo "not ok $n - $1"
  if [[ $# -gt 1 && -s "$2" ]]; then sed 's/^/# /' "$2" | head -40; fi
}
skip() { n=$((n + 1)); echo "ok $n - $1 # SKIP $2"; }
finish() { echo "1..$n"; finished=1; exit "$failed"; }

for tool in python3 openssl curl; do
  if ! command -v "$tool" >/dev/null; then
    skip "kube client integration" "$tool not installed"; finish
  fi
done

probe="${KUBE_PROBE:-$RI_ROOT/build/release/kube_probe}"
if [[ ! -x "$probe" ]]; then
  make -s -C "$RI_ROOT" build/release/kube_probe >"$tmp/build.log" 2>&1 || true
fi
if [[ ! -x "$probe" ]]; then
  not_ok "kube_probe is built (make build/release/kube_probe)" "$tmp/build.log"
  finish
fi

# expect DESCRIPTION PYTHON-CONDITION -- PROBE-ARGS...: run the probe (JSON
# lines on stdout, r = the last one, rs = all) and test the condition.
expect() {
  local desc="$1" cond="$2"
  shift 3
  "$probe" "$@" >"$tmp/out" 2>"$tmp/err" || true
  if python3 - "$tmp/out" "$cond" >"$tmp/diag" 2>&1 <<'PY'
import json, sys
rs = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
r = rs[-1] if rs else {}
ok = eval(sys.argv[2])
if not ok:
    print("condition: " + sys.argv[2])
    for x in rs:
        print(json.dumps(x)[:1500])
sys.exit(0 if ok else 1)
PY
  then
    # an ASan/UBSan/LSan report fails the case even when the JSON is right
    if grep -q "Sanitizer" "$tmp/err"; then not_ok "$desc" "$tmp/err"; else ok "$desc"; fi
  else cat "$tmp/err" >>"$tmp/diag"; not_ok "$desc" "$tmp/diag"; fi
}

pki="$tmp/pki"
if ! bash "$RI_ROOT/tests/fakeapi/mkcerts.sh" "$pki" >"$tmp/mk.log" 2>&1; then
  not_ok "throwaway PKI" "$tmp/mk.log"; finish
fi
export FAKEAPI_CA="$pki/ca.crt" # read by fakeapi_ctl

cat >"$tmp/script.json" <<'JSON'
{"webhooks": {"deny.readyinstall.test": {"deny": "label tier is required"},
              "down.readyinstall.test": {"cause": "no-endpoints"}},
 "crds": {"slow.example.com": {"established_after": 2.5}}}
JSON
fakeapi_start "$tmp" tls --tls-cert "$pki/server.crt" --tls-key "$pki/server.key" \
  --client-ca "$pki/ca.crt" --token "bearer-t0k=alice" --token "exec-t0k=exec-user" \
  --basic "bob:pa55" --script "$tmp/script.json"
url="$FAKEAPI_URL"
api() { # api METHOD PATH [JSON]: a request as the admin client certificate
  curl -sS -X "$1" --cacert "$pki/ca.crt" --cert "$pki/client.crt" --key "$pki/client.key" \
    -H 'Content-Type: application/json' ${3:+--data "$3"} "$url$2"
}

kc="$tmp/cert.yaml"
fakeapi_kubeconfig "$kc" "$url" "$pki/ca.crt" "client-certificate: $pki/client.crt
client-key: $pki/client.key"

# ---- client certificate
expect "client cert: config resolved (server, CA, cert, key, namespace)" \
  'r["ok"] and r["config"]["server"] == "'"$url"'" and r["config"]["ca_len"] > 0 and r["config"]["cert_len"] > 0 and r["config"]["namespace"] == "default"' \
  -- "$kc" config
expect "client cert: GET namespace default" \
  'r["ok"] and r["object"]["metadata"]["name"] == "default"' -- "$kc" get v1 Namespace default
expect "client cert: discovery of apps/v1 Deployment" \
  'r["ok"] and r["plural"] == "deployments" and r["namespaced"] is True' -- "$kc" discover apps/v1 Deployment
expect "client cert: discovery of a cluster-scoped kind" \
  'r["ok"] and r["plural"] == "customresourcedefinitions" and r["namespaced"] is False' \
  -- "$kc" discover apiextensions.k8s.io/v1 CustomResourceDefinition
fakeapi_ctl GET log >"$tmp/log.json"
if python3 -c 'import json,sys; e=[x for x in json.load(open(sys.argv[1])) if "method" in x]; sys.exit(0 if e and all(x["user"]=="admin" for x in e) else 1)' "$tmp/log.json"; then
  ok "client cert: the server saw user admin (CN of the client certificate)"
else
  not_ok "client cert: the server saw user admin (CN of the client certificate)" "$tmp/log.json"
fi

# ---- libcurl is loaded on first use, not linked
if command -v ldd >/dev/null; then
  if ldd "$RI_BIN" | grep -q libcurl; then
    not_ok "readyinstall does not link libcurl (render, lint and graph start without it)"
  else
    ok "readyinstall does not link libcurl (render, lint and graph start without it)"
  fi
else
  skip "readyinstall does not link libcurl" "no ldd"
fi
READYINSTALL_LIBCURL=/nonexistent/libcurl.so.4 expect "libcurl missing: a clear error, no crash" \
  'not r["ok"] and "cannot load libcurl (/nonexistent/libcurl.so.4" in r["message"] and "READYINSTALL_LIBCURL" in r["message"]' \
  -- "$kc" get v1 Namespace default
READYINSTALL_LIBCURL=libyaml-0.so.2 expect "not a libcurl: names the missing function" \
  'not r["ok"] and "libyaml-0.so.2 is not a libcurl this program can use: it has no curl_global_init" in r["message"]' \
  -- "$kc" get v1 Namespace default

# ---- bearer token, basic auth
kt="$tmp/token.yaml"
fakeapi_kubeconfig "$kt" "$url" "$pki/ca.crt" "token: bearer-t0k"
expect "bearer token: GET works" 'r["ok"]' -- "$kt" get v1 Namespace default
fakeapi_ctl GET log >"$tmp/log.json"
if python3 -c 'import json,sys; e=[x for x in json.load(open(sys.argv[1])) if "method" in x]; sys.exit(0 if e[-1]["user"]=="alice" else 1)' "$tmp/log.json"; then
  ok "bearer token: the server saw user alice"
else
  not_ok "bearer token: the server saw user alice" "$tmp/log.json"
fi
fakeapi_kubeconfig "$tmp/badtoken.yaml" "$url" "$pki/ca.crt" "token: wrong-t0ken-value"
expect "bad token: 401 decoded as Unauthorized" \
  'not r["ok"] and r["code"] == 401 and r["reason"] == "Unauthorized" and "wrong-t0ken-value" not in json.dumps(rs)' \
  -- "$tmp/badtoken.yaml" get v1 Namespace default
if grep -q wrong-t0ken-value "$tmp/err"; then not_ok "bad token: the token is not in stderr" "$tmp/err"; else ok "bad token: the token is not in stderr"; fi
fakeapi_kubeconfig "$tmp/basic.yaml" "$url" "$pki/ca.crt" "username: bob
password: pa55"
expect "basic auth: GET works" 'r["ok"]' -- "$tmp/basic.yaml" get v1 Namespace default
echo "bearer-t0k" >"$tmp/tokenfile"
fakeapi_kubeconfig "$tmp/tokenfile.yaml" "$url" "$pki/ca.crt" "tokenFile: tokenfile"
expect "tokenFile relative to the kubeconfig: GET works" 'r["ok"]' -- "$tmp/tokenfile.yaml" get v1 Namespace default

# ---- exec credential plugins
cat >"$tmp/cred-plugin" <<SH
#!/bin/sh
# test exec plugin: counts runs, keeps KUBERNETES_EXEC_INFO; tokens live
# 2 to 3 s (the timestamp has whole seconds)
echo run >>"$tmp/cred-runs"
printf '%s' "\$KUBERNETES_EXEC_INFO" >"$tmp/cred-info"
exp=\$(date -u -d '+3 seconds' +%Y-%m-%dT%H:%M:%SZ)
printf '{"apiVersion":"client.authentication.k8s.io/v1","kind":"ExecCredential","status":{"token":"exec-t0k","expirationTimestamp":"%s"}}\n' "\$exp"
SH
chmod +x "$tmp/cred-plugin"
fakeapi_kubeconfig "$tmp/exec.yaml" "$url" "$pki/ca.crt" "exec:
  apiVersion: client.authentication.k8s.io/v1
  command: ./cred-plugin
  interactiveMode: Never
  provideClusterInfo: true"
expect "exec plugin: token cached within its lifetime, re-run after expirationTimestamp" \
  'all(x["ok"] for x in rs) and [x["exec_runs"] for x in rs] == [1, 1, 2]' \
  -- --repeat 3 --sleep 1.6 "$tmp/exec.yaml" get v1 Namespace default
if python3 -c 'import json,sys; i=json.load(open(sys.argv[1])); c=i["spec"]["cluster"]; sys.exit(0 if i["kind"]=="ExecCredential" and c["server"]==sys.argv[2] and c["certificate-authority-data"] and i["spec"]["interactive"] is False else 1)' "$tmp/cred-info" "$url" 2>"$tmp/diag"; then
  ok "exec plugin: KUBERNETES_EXEC_INFO carries the cluster (server, CA data)"
else
  cat "$tmp/cred-info" >>"$tmp/diag"; not_ok "exec plugin: KUBERNETES_EXEC_INFO carries the cluster (server, CA data)" "$tmp/diag"
fi
fakeapi_ctl GET log >"$tmp/log.json"
if python3 -c 'import json,sys; e=[x for x in json.load(open(sys.argv[1])) if "method" in x]; sys.exit(0 if e[-1]["user"]=="exec-user" else 1)' "$tmp/log.json"; then
  ok "exec plugin: the server saw the plugin's token"
else
  not_ok "exec plugin: the server saw the plugin's token" "$tmp/log.json"
fi
if grep -q exec-t0k "$tmp/err" "$tmp/out"; then not_ok "exec plugin: the token is not printed" "$tmp/err"; else ok "exec plugin: the token is not printed"; fi

cat >"$tmp/cert-plugin" <<SH
#!/bin/sh
python3 - "$pki/client.crt" "$pki/client.key" <<'PY'
import json, sys
print(json.dumps({"apiVersion": "client.authentication.k8s.io/v1beta1", "kind": "ExecCredential",
                  "status": {"clientCertificateData": open(sys.argv[1]).read(),
                             "clientKeyData": open(sys.argv[2]).read()}}))
PY
SH
chmod +x "$tmp/cert-plugin"
fakeapi_kubeconfig "$tmp/execcert.yaml" "$url" "$pki/ca.crt" "exec:
  apiVersion: client.authentication.k8s.io/v1beta1
  command: $tmp/cert-plugin"
expect "exec plugin: client certificate from clientCertificateData/clientKeyData" \
  'r["ok"] and r["object"]["metadata"]["name"] == "default"' -- "$tmp/execcert.yaml" get v1 Namespace default
fakeapi_kubeconfig "$tmp/execmissing.yaml" "$url" "$pki/ca.crt" "exec:
  apiVersion: client.authentication.k8s.io/v1
  command: no-such-credential-helper
  interactiveMode: Never
  installHint: 'install it with: make credhelper'"
expect "exec plugin: missing binary worded like kubectl, with the install hint" \
  'not r["ok"] and r["message"] == "exec: executable no-such-credential-helper not found\n\ninstall it with: make credhelper"' \
  -- "$tmp/execmissing.yaml" get v1 Namespace default

# ---- several kubeconfig files, contexts, HELM_* overrides
cat >"$tmp/m1.yaml" <<EOF
apiVersion: v1
kind: Config
clusters:
- name: fake
  cluster:
    server: $url
    certificate-authority: $pki/ca.crt
contexts:
- name: first
  context: {cluster: fake, user: tok, namespace: kube-public}
EOF
cat >"$tmp/m2.yaml" <<EOF
apiVersion: v1
kind: Config
current-context: second
clusters:
- name: fake
  cluster: {server: https://127.0.0.1:1}
users:
- name: tok
  user: {token: bearer-t0k}
- name: cert
  user:
    client-certificate: $pki/client.crt
    client-key: $pki/client.key
contexts:
- name: second
  context: {cluster: fake, user: cert}
- name: first
  context: {cluster: nowhere}
EOF
expect "KUBECONFIG a:b: current-context from b, cluster from a (first wins), user from b" \
  'r["ok"] and r["object"]["metadata"]["name"] == "default"' -- "$tmp/m1.yaml:$tmp/m2.yaml" get v1 Namespace default
expect "KUBECONFIG a:b with --context first: a's context, namespace kube-public" \
  'r["ok"] and r["config"]["context"] == "first" and r["config"]["namespace"] == "kube-public" and r["config"]["has_token"]' \
  -- --context first "$tmp/m1.yaml:$tmp/m2.yaml" config
HELM_KUBECONTEXT=first HELM_NAMESPACE=kube-system KUBECONFIG="$tmp/m1.yaml:$tmp/m2.yaml" \
  expect "KUBECONFIG, HELM_KUBECONTEXT and HELM_NAMESPACE from the environment" \
  'r["ok"] and r["config"]["context"] == "first" and r["config"]["namespace"] == "kube-system"' \
  -- - config
expect "KUBECONFIG b:a: b's clusters win (server 127.0.0.1:1 refuses)" \
  'not r["ok"] and r["rc"] == -3' -- --retries 0 "$tmp/m2.yaml:$tmp/m1.yaml" get v1 Namespace default
HELM_KUBEAPISERVER="$url" HELM_KUBETOKEN=bearer-t0k HELM_KUBECAFILE="$pki/ca.crt" KUBECONFIG="" HOME="$tmp/nohome" \
  expect "no kubeconfig: HELM_KUBEAPISERVER + HELM_KUBETOKEN + HELM_KUBECAFILE" \
  'r["ok"]' -- - get v1 Namespace default
HELM_KUBEINSECURE_SKIP_TLS_VERIFY=true expect "HELM_KUBEINSECURE_SKIP_TLS_VERIFY=true overrides the kubeconfig's CA" \
  'r["ok"] and r["config"]["insecure"] and r["config"]["ca_len"] == 0' -- "$kc" config

# ---- pagination and selectors
api POST /api/v1/namespaces '{"metadata":{"name":"pg"}}' >/dev/null
for i in 1 2 3 4 5 6 7; do
  tier=web; [[ $i -gt 5 ]] && tier=db
  api POST /api/v1/namespaces/pg/configmaps "{\"metadata\":{\"name\":\"cm-$i\",\"labels\":{\"tier\":\"$tier\"}}}" >/dev/null
done
expect "LIST with limit 3 follows continue: 7 items in 3 pages" \
  'r["ok"] and r["pages"] == 3 and r["names"] == ["cm-%d" % i for i in range(1, 8)]' \
  -- --namespace pg --limit 3 "$kc" list v1 ConfigMap
expect "LIST with a label selector" \
  'r["ok"] and r["names"] == ["cm-6", "cm-7"]' -- --namespace pg --selector tier=db "$kc" list v1 ConfigMap
expect "LIST with a field selector across namespaces" \
  'r["ok"] and r["names"] == ["cm-4"]' -- --all-namespaces --field-selector metadata.name=cm-4 "$kc" list v1 ConfigMap

# ---- Status decoding
expect "GET missing object: 404 NotFound with the apiserver message" \
  'not r["ok"] and r["code"] == 404 and r["reason"] == "NotFound" and r["status_message"] == "configmaps \"nope\" not found"' \
  -- --namespace pg "$kc" get v1 ConfigMap nope
echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x","namespace":"ghost"}}' >"$tmp/ghost.json"
expect "dry-run create in a missing namespace: namespaces \"ghost\" not found" \
  'not r["ok"] and r["code"] == 404 and r["status_message"] == "namespaces \"ghost\" not found"' \
  -- "$kc" dryrun "$tmp/ghost.json"
echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"dry-one","namespace":"pg"},"data":{"a":"b"}}' >"$tmp/dry.json"
expect "dry-run create succeeds and stores nothing" 'r["ok"] and r["object"]["metadata"]["name"] == "dry-one"' \
  -- "$kc" dryrun "$tmp/dry.json"
expect "  ... the object is not there afterwards" 'not r["ok"] and r["code"] == 404' \
  -- --namespace pg "$kc" get v1 ConfigMap dry-one
fakeapi_ctl GET log >"$tmp/log.json"
if python3 -c 'import json,sys; e=[x for x in json.load(open(sys.argv[1])) if x.get("method")=="POST" and x["path"]=="/api/v1/namespaces/pg/configmaps" and "dryRun=All" in x["query"]]; sys.exit(0 if e and e[-1]["query"]=="dryRun=All&fieldManager=readyinstall" else 1)' "$tmp/log.json"; then
  ok "dry-run URL is ?dryRun=All&fieldManager=readyinstall"
else
  not_ok "dry-run URL is ?dryRun=All&fieldManager=readyinstall" "$tmp/log.json"
fi
api POST /apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations '{"metadata":{"name":"probe-hooks"},"webhooks":[
 {"name":"deny.readyinstall.test","sideEffects":"None","admissionReviewVersions":["v1"],"objectSelector":{"matchLabels":{"probe":"deny"}},
  "rules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["configmaps"]}],
  "clientConfig":{"service":{"name":"policy","namespace":"pg","path":"/check"}}},
 {"name":"down.readyinstall.test","sideEffects":"None","admissionReviewVersions":["v1"],"objectSelector":{"matchLabels":{"probe":"down"}},
  "rules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["configmaps"]}],
  "clientConfig":{"service":{"name":"wh","namespace":"pg","port":8443,"path":"/validate"}}},
 {"name":"effects.readyinstall.test","sideEffects":"Some","admissionReviewVersions":["v1"],"objectSelector":{"matchLabels":{"probe":"effects"}},
  "rules":[{"apiGroups":[""],"apiVersions":["v1"],"operations":["CREATE"],"resources":["configmaps"]}],
  "clientConfig":{"url":"https://hooks.example/check"}}]}' >/dev/null
mkcm() { echo "{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"$1\",\"namespace\":\"pg\",\"labels\":{\"probe\":\"$2\"}}}" >"$tmp/$1.json"; }
mkcm w-down down; mkcm w-deny deny; mkcm w-fx effects
expect "webhook down: InternalError with the exact failed-calling-webhook message" \
  'not r["ok"] and r["code"] == 500 and r["reason"] == "InternalError" and r["status_message"] == "Internal error occurred: failed calling webhook \"down.readyinstall.test\": failed to call webhook: Post \"https://wh.pg.svc:8443/validate?timeout=10s\": no endpoints available for service \"wh\""' \
  -- "$kc" dryrun "$tmp/w-down.json"
expect "webhook denial: 403 Forbidden, admission webhook ... denied the request" \
  'not r["ok"] and r["code"] == 403 and r["reason"] == "Forbidden" and r["status_message"] == "configmaps \"w-deny\" is forbidden: admission webhook \"deny.readyinstall.test\" denied the request: label tier is required"' \
  -- "$kc" dryrun "$tmp/w-deny.json"
expect "webhook with side effects: does not support dry run (400)" \
  'not r["ok"] and r["code"] == 400 and r["status_message"] == "admission webhook \"effects.readyinstall.test\" does not support dry run"' \
  -- "$kc" dryrun "$tmp/w-fx.json"
fakeapi_ctl POST "backend-up?name=down.readyinstall.test" >/dev/null
expect "webhook back up (/_fake/backend-up): the dry run passes" 'r["ok"]' -- "$kc" dryrun "$tmp/w-down.json"
expect "webhooks typed reader: three webhooks, port and path" \
  'r["ok"] and [w["name"] for w in r["webhooks"]] == ["deny.readyinstall.test", "down.readyinstall.test", "effects.readyinstall.test"] and r["webhooks"][1]["port"] == 8443 and r["webhooks"][0]["failurePolicy"] == "Fail"' \
  -- "$kc" webhooks

# ---- retries
fakeapi_ctl POST faults --data '[{"method":"GET","path":"/namespaces/pg/configmaps/cm-1$","status":429,"reason":"TooManyRequests","message":"too many requests, please try again later","retry_after":1,"times":1},
 {"method":"GET","path":"/namespaces/pg/configmaps/cm-2$","status":500,"message":"etcdserver: request timed out","times":2},
 {"method":"GET","path":"/namespaces/pg/configmaps/cm-3$","status":503,"message":"etcdserver: leader changed","times":5}]' >/dev/null
expect "429 with Retry-After: retried, then success" 'r["ok"]' -- --namespace pg "$kc" get v1 ConfigMap cm-1
expect "etcdserver: request timed out twice: retried, then success" 'r["ok"]' -- --namespace pg "$kc" get v1 ConfigMap cm-2
expect "etcdserver: leader changed beyond the retry budget: 503 reported" \
  'not r["ok"] and r["code"] == 503 and r["status_message"] == "etcdserver: leader changed"' \
  -- --retries 2 --namespace pg "$kc" get v1 ConfigMap cm-3
fakeapi_ctl GET log >"$tmp/log.json"
if python3 -c '
import json, sys
e = [x for x in json.load(open(sys.argv[1])) if x.get("path", "").startswith("/api/v1/namespaces/pg/configmaps/cm-")]
st = lambda n: [x["status"] for x in e if x["path"].endswith("/" + n)]
ok = st("cm-1") == [429, 200] and st("cm-2") == [500, 500, 200] and st("cm-3") == [503, 503, 503]
t1 = [x["time"] for x in e if x["path"].endswith("/cm-1")]
ok = ok and t1[1] - t1[0] >= 0.9
print(st("cm-1"), st("cm-2"), st("cm-3"), t1)
sys.exit(0 if ok else 1)' "$tmp/log.json" >"$tmp/diag" 2>&1; then
  ok "retry attempts as logged by the server (429 waited Retry-After)"
else
  not_ok "retry attempts as logged by the server (429 waited Retry-After)" "$tmp/diag"
fi
fakeapi_ctl POST faults --data '[{"method":"GET","path":"/namespaces/pg/configmaps/cm-4$","delay":3,"times":1}]' >/dev/null
expect "request timeout: no answer within --timeout is an I/O error" \
  'not r["ok"] and r["rc"] == -3 and ("Timeout" in r["message"] or "timed out" in r["message"])' \
  -- --timeout 1000 --namespace pg "$kc" get v1 ConfigMap cm-4
expect "response bigger than the body limit: RC_LIMIT" \
  'not r["ok"] and r["rc"] == -7 and "exceeds 200 bytes" in r["message"]' \
  -- --max-body 200 "$kc" get v1 Namespace default

# ---- typed readers on the fake cluster's controllers
api POST /apis/apps/v1/namespaces/pg/deployments '{"metadata":{"name":"wh"},"spec":{"selector":{"matchLabels":{"app":"wh"}},"template":{"metadata":{"labels":{"app":"wh"}},"spec":{"containers":[{"name":"c","image":"x","ports":[{"name":"https","containerPort":8443}]}]}}}}' >/dev/null
api POST /api/v1/namespaces/pg/services '{"metadata":{"name":"wh"},"spec":{"selector":{"app":"wh"},"ports":[{"port":443,"targetPort":"https"}]}}' >/dev/null
sleep 1
expect "Service typed reader: clusterIP and named targetPort" \
  'r["ok"] and r["clusterIP"].startswith("10.96.") and r["ports"][0]["targetPortName"] == "https"' -- --namespace pg "$kc" service wh
expect "EndpointSlices by kubernetes.io/service-name: one ready endpoint on 8443" \
  'r["ok"] and r["slices"] == 1 and r["ready"] == 1' -- --namespace pg "$kc" endpoints wh 8443
expect "  ... none on another port" 'r["ok"] and r["ready"] == 0' -- --namespace pg "$kc" endpoints wh 9999
expect "Pods typed reader: the Deployment's pod is Ready" \
  'r["ok"] and len(r["pods"]) == 1 and r["pods"][0]["ready"] and r["pods"][0]["phase"] == "Running"' \
  -- --namespace pg "$kc" pods app=wh
expect "Events typed reader: the pod was scheduled" \
  'r["ok"] and any(e["reason"] == "Scheduled" for e in r["events"])' -- --namespace pg "$kc" events Pod "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["pods"][0]["name"])' "$tmp/out")"
api POST /api/v1/namespaces/pg/secrets '{"metadata":{"name":"tls"},"type":"kubernetes.io/tls","data":{"tls.crt":"Q0VSVA==","tls.key":"c2VjcmV0LWtleQ=="}}' >/dev/null
expect "Secret typed reader: keys and decoded lengths, never values" \
  'r["ok"] and r["type"] == "kubernetes.io/tls" and r["lengths"] == {"tls.crt": 4, "tls.key": 10} and "secret-key" not in json.dumps(rs)' \
  -- --namespace pg "$kc" secret tls
api POST /apis/apiextensions.k8s.io/v1/customresourcedefinitions '{"metadata":{"name":"slow.example.com"},"spec":{"group":"example.com","scope":"Namespaced","names":{"kind":"Slow","plural":"slow","singular":"slow"},"versions":[{"name":"v1","served":true,"storage":true}]}}' >/dev/null
sleep 0.5 # the fake controllers run every 0.1 s
expect "CRD condition: Established False while installing" \
  'r["ok"] and r["status"] == "False"' -- "$kc" condition apiextensions.k8s.io/v1 CustomResourceDefinition slow.example.com Established
sleep 2.5
expect "CRD condition: Established True after the scripted delay" \
  'r["ok"] and r["status"] == "True"' -- "$kc" condition apiextensions.k8s.io/v1 CustomResourceDefinition slow.example.com Established
expect "discovery sees the CRD's kind once Established" \
  'r["ok"] and r["plural"] == "slow" and r["namespaced"]' -- "$kc" discover example.com/v1 Slow

# ---- TLS
fakeapi_kubeconfig "$tmp/otherca.yaml" "$url" "$pki/other-ca.crt" "client-certificate: $pki/client.crt
client-key: $pki/client.key"
expect "TLS: a server cert not signed by the kubeconfig's CA is refused" \
  'not r["ok"] and r["rc"] == -3 and "certificate" in r["message"]' -- "$tmp/otherca.yaml" get v1 Namespace default
fakeapi_kubeconfig "$tmp/insecure.yaml" "$url" "" "token: bearer-t0k"
sed -i "s#^    server: .*#&\n    insecure-skip-tls-verify: true#" "$tmp/insecure.yaml"
expect "TLS: insecure-skip-tls-verify accepts it" 'r["ok"]' -- "$tmp/insecure.yaml" get v1 Namespace default
fakeapi_kubeconfig "$tmp/intruder.yaml" "$url" "$pki/ca.crt" "client-certificate: $pki/other-client.crt
client-key: $pki/other-client.key"
expect "TLS: a client certificate from another CA is refused" \
  'not r["ok"] and (r["rc"] == -3 or r.get("code") == 401)' -- "$tmp/intruder.yaml" get v1 Namespace default

fakeapi_start "$tmp" expired --tls-cert "$pki/expired.crt" --tls-key "$pki/expired.key" --token bearer-t0k
fakeapi_kubeconfig "$tmp/expired.yaml" "$FAKEAPI_URL" "$pki/ca.crt" "token: bearer-t0k"
expect "TLS: an expired server certificate is refused" \
  'not r["ok"] and r["rc"] == -3 and "expired" in r["message"]' -- "$tmp/expired.yaml" get v1 Namespace default
fakeapi_start "$tmp" wrongsan --tls-cert "$pki/wrongsan.crt" --tls-key "$pki/wrongsan.key" --token bearer-t0k
fakeapi_kubeconfig "$tmp/wrongsan.yaml" "$FAKEAPI_URL" "$pki/ca.crt" "token: bearer-t0k"
expect "TLS: a server certificate for another name is refused" \
  'not r["ok"] and r["rc"] == -3 and "127.0.0.1" in r["message"]' -- "$tmp/wrongsan.yaml" get v1 Namespace default
sed -i "s#^    server: .*#&\n    tls-server-name: wrong.example#" "$tmp/wrongsan.yaml"
expect "TLS: tls-server-name makes the same certificate acceptable" 'r["ok"]' -- "$tmp/wrongsan.yaml" get v1 Namespace default

# ---- plain HTTP
fakeapi_start "$tmp" plain --token plain-t0k
fakeapi_kubeconfig "$tmp/plain.yaml" "$FAKEAPI_URL" "" "token: plain-t0k"
expect "plain HTTP server with a token" 'r["ok"]' -- "$tmp/plain.yaml" get v1 Namespace default

# ---- a real cluster, read-only plus a dry run
if [[ -n "${READYINSTALL_E2E_KUBECONFIG:-}" ]]; then
  e2e="$READYINSTALL_E2E_KUBECONFIG"
  expect "e2e: config loads" 'r["ok"] and r["config"]["server"]' -- "$e2e" config
  expect "e2e: GET namespace default" 'r["ok"]' -- "$e2e" get v1 Namespace default
  expect "e2e: LIST namespaces with limit 1 pages" 'r["ok"] and r["pages"] >= 1 and len(r["names"]) >= 1' \
    -- --limit 1 "$e2e" list v1 Namespace
  expect "e2e: discovery apps/v1 Deployment" 'r["ok"] and r["plural"] == "deployments"' -- "$e2e" discover apps/v1 Deployment
  expect "e2e: 404 decoded" 'not r["ok"] and r["code"] == 404 and r["reason"] == "NotFound"' \
    -- --namespace default "$e2e" get v1 ConfigMap readyinstall-does-not-exist
  echo '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"readyinstall-dry-run","namespace":"default"}}' >"$tmp/e2e.json"
  expect "e2e: server-side dry-run create" 'r["ok"]' -- "$e2e" dryrun "$tmp/e2e.json"
  expect "e2e: webhooks listed" 'r["ok"]' -- "$e2e" webhooks
else
  skip "real cluster suite" "READYINSTALL_E2E_KUBECONFIG not set"
fi

finish
