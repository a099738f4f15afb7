#!/usr/bin/env bash
# Helm plugin install/update hook: build bin/readyinstall in the plugin directory.
# On missing build tools, say exactly what is missing and how to install it, and
# exit 1 (Helm reports the hook failure but keeps the plugin installed).
set -euo pipefail

dir="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"

missing_tools=()
for tool in cc make pkg-config; do
  command -v "$tool" >/dev/null 2>&1 || missing_tools+=("$tool")
done
missing_mods=()
if command -v pkg-config >/dev/null 2>&1; then
  for mod in yaml-0.1 libcurl json-c openssl; do
    pkg-config --exists "$mod" || missing_mods+=("$mod")
  done
fi

if ((${#missing_tools[@]} + ${#missing_mods[@]} > 0)); then
  {
    echo "readyinstall: cannot build: missing build dependencies"
    if ((${#missing_tools[@]} > 0)); then
      echo "  missing programs: ${missing_tools[*]}"
    fi
    if ((${#missing_mods[@]} > 0)); then
      echo "  missing pkg-config modules: ${missing_mods[*]}"
    fi
    # `helm plugin update` fails for local installs; plugin-exec builds on first use.
    echo "Install them, then run: make -C $dir (or any helm readyinstall command)"
    echo "  Debian/Ubuntu: apt-get install -y build-essential pkg-config libyaml-dev libcurl4-openssl-dev libjson-c-dev libssl-dev"
    echo "  macOS (Homebrew): brew install pkg-config libyaml curl json-c openssl@3"
  } >&2
  exit 1
fi

log="$(mktemp)"
trap 'rm -f "$log"' EXIT
# A hook run from inside another make (e.g. the test suite) must not inherit
# its variables, or the binary lands elsewhere.
if ! env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make -C "$dir" >"$log" 2>&1; then
  cat "$log" >&2
  echo "readyinstall: build failed (make -C $dir); output above" >&2
  exit 1
fi
if [[ ! -x "$dir/bin/readyinstall" ]]; then
  echo "readyinstall: make succeeded but $dir/bin/readyinstall is missing" >&2
  exit 1
fi
echo "readyinstall: $dir/bin/readyinstall is built"
