#!/usr/bin/env bash
# Builds a Terraform release that `go install` refuses (its go.mod has replace
# directives) from its Go module: usage build-terraform-source.sh VERSION OUT.
#
# The module zip lacks the remote-state backends that live in nested modules
# (azure, consul, cos, gcs, kubernetes, oci, oss, pg, s3) and internal/legacy,
# so a writable copy drops their replace/require lines and the backends'
# imports and entries in internal/backend/init/init.go. The local, remote,
# http, inmem and cloud backends stay; our tests use the local one.
set -euo pipefail

version=${1:?usage: $0 VERSION OUT}
out=${2:?usage: $0 VERSION OUT}
nested='azure|consul|cos|gcs|kubernetes|oci|oss|pg|s3'

echo "Terraform $version: downloading github.com/hashicorp/terraform@v$version from the Go module proxy"
dir=$(go mod download -json "github.com/hashicorp/terraform@v$version" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
[ -d "$dir" ] || { echo "go mod download printed no module directory for Terraform $version"; exit 1; }

# A fixed source path next to the binary: the Go build cache keys packages by
# their directory too, so a rebuild (another flag, a lost binary) reuses it.
work="$(dirname "$out")/src"
[ -d "$work" ] && chmod -R u+w "$work"
rm -rf "$work" && mkdir -p "$work"
trap 'chmod -R u+w "$work"; rm -rf "$work"' EXIT
echo "Terraform $version: copying $dir to $work (the module cache is read-only)"
cp -r "$dir/." "$work/"
chmod -R u+w "$work"

echo "Terraform $version: dropping the nested-module backends ($nested) and internal/legacy"
sed -i -E "\#github.com/hashicorp/terraform/internal/(backend/remote-state/($nested)|legacy)[ /]#d" "$work/go.mod"
init="$work/internal/backend/init/init.go"
sed -i -E "\#internal/backend/remote-state/($nested)\"#d" "$init"
sed -i -E "/^[[:space:]]*\"($nested|azurerm)\":/d" "$init"
if grep -qE "remote-state/($nested)\"|\"($nested|azurerm)\":" "$init" "$work/go.mod"; then
  echo "Terraform $version: a nested backend is still referenced; the layout changed, update $0"
  exit 1
fi

echo "Terraform $version: go build -o $out (a few minutes on 2 cores)"
start=$(date +%s)
# version.dev=no: a release build, as HashiCorp's ("Terraform v1.14.3", not
# "-dev", which would also allow language experiments).
(cd "$work" && GOFLAGS=-buildvcs=false go build -ldflags "-X github.com/hashicorp/terraform/version.dev=no" -o "$out.tmp" .) &
build=$!
while kill -0 "$build" 2>/dev/null; do
  for _ in $(seq 30); do kill -0 "$build" 2>/dev/null || break; sleep 1; done
  kill -0 "$build" 2>/dev/null && echo "Terraform $version: still building ($(( $(date +%s) - start ))s)"
done
wait "$build"
mv "$out.tmp" "$out"
echo "Terraform $version: built $out in $(( $(date +%s) - start ))s"
"$out" version
