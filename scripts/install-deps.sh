#!/usr/bin/env bash
# Installs the build and test dependencies on Debian/Ubuntu when missing.
# Checks what is usable (commands, pkg-config modules), not package names, so
# a Node.js or Python from elsewhere counts. Quiet when nothing is missing.
set -euo pipefail

missing=()
need_cmd() { command -v "$1" >/dev/null 2>&1 || missing+=("$2"); }
need_mod() { pkg-config --exists "$1" 2>/dev/null || missing+=("$2"); }

need_cmd cc build-essential
need_cmd make build-essential
need_cmd pkg-config pkg-config
need_mod yaml-0.1 libyaml-dev
need_mod libcurl libcurl4-openssl-dev
need_mod json-c libjson-c-dev
need_mod openssl libssl-dev
need_mod cunit libcunit1-dev
need_cmd openssl openssl
need_cmd python3 python3
need_cmd npm npm
need_cmd valgrind valgrind
[ ${#missing[@]} -eq 0 ] && exit 0
read -r -a missing <<<"$(printf '%s\n' "${missing[@]}" | sort -u | tr '\n' ' ')"

if ! command -v apt-get >/dev/null 2>&1; then
    echo "install-deps: missing ${missing[*]} (Debian package names), and" \
         "apt-get is not available: install the equivalents by hand." >&2
    exit 1
fi
sudo=()
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null 2>&1 || {
        echo "install-deps: need root (or sudo) to apt-get install ${missing[*]}" >&2
        exit 1
    }
    sudo=(sudo)
fi
echo "install-deps: apt-get install ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${sudo[@]}" apt-get update -qq
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
