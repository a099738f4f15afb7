# shellcheck shell=bash
# Shell helpers for tests that run the fake API server. Source this file.
#   fakeapi_start DIR NAME [fakeapi.py options...]
#       start a server logging to DIR/NAME.log (JSON lines), wait for its port;
#       sets FAKEAPI_PORT and FAKEAPI_PID (also recorded for fakeapi_stop_all)
#   fakeapi_stop PID             stop one server started here
#   fakeapi_stop_all             stop every server started here
#   fakeapi_ctl METHOD PATH [curl args]   call a /_fake/ control endpoint
#   fakeapi_kubeconfig FILE URL CA USER-YAML   write a one-context kubeconfig
# FAKEAPI_SCHEME (https|http) and FAKEAPI_CA (CA file for curl) follow the
# last fakeapi_start.

FAKEAPI_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
FAKEAPI_PIDS=()

fakeapi_start() {
  local dir="$1" name="$2" i
  shift 2
  rm -f "$dir/$name.port"
  FAKEAPI_SCHEME=http
  for i in "$@"; do [[ "$i" == --tls-cert ]] && FAKEAPI_SCHEME=https; done
  python3 "$FAKEAPI_DIR/fakeapi.py" --port-file "$dir/$name.port" \
    --log "$dir/$name.log" "$@" >"$dir/$name.out" 2>"$dir/$name.err" &
  FAKEAPI_PID=$!
  FAKEAPI_PIDS+=("$FAKEAPI_PID")
  for i in $(seq 1 100); do
    [[ -s "$dir/$name.port" ]] && break
    kill -0 "$FAKEAPI_PID" 2>/dev/null || break
    sleep 0.05
  done
  if [[ ! -s "$dir/$name.port" ]]; then
    cat "$dir/$name.err" >&2
    return 1
  fi
  FAKEAPI_PORT="$(cat "$dir/$name.port")"
  FAKEAPI_URL="$FAKEAPI_SCHEME://127.0.0.1:$FAKEAPI_PORT"
}

fakeapi_stop() {
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

fakeapi_stop_all() {
  local p
  for p in "${FAKEAPI_PIDS[@]}"; do fakeapi_stop "$p"; done
  FAKEAPI_PIDS=()
}

fakeapi_ctl() { # fakeapi_ctl METHOD PATH [curl args...]
  local method="$1" path="$2"
  shift 2
  curl -sS -X "$method" ${FAKEAPI_CA:+--cacert "$FAKEAPI_CA"} "$@" \
    "$FAKEAPI_URL/_fake/$path"
}

fakeapi_kubeconfig() { # fakeapi_kubeconfig FILE URL CA USER-YAML
  local file="$1" url="$2" ca="$3" user="$4"
  {
    echo "apiVersion: v1"
    echo "kind: Config"
    echo "clusters:"
    echo "- name: fake"
    echo "  cluster:"
    echo "    server: $url"
    if [[ -n "$ca" ]]; then echo "    certificate-authority: $ca"; fi
    echo "users:"
    echo "- name: fake-user"
    echo "  user:"
    printf '%s\n' "$user" | sed 's/^/    /'
    echo "contexts:"
    echo "- name: fake"
    echo "  context:"
    echo "    cluster: fake"
    echo "    user: fake-user"
    echo "    namespace: default"
    echo "current-context: fake"
  } >"$file"
  chmod 600 "$file"
}
