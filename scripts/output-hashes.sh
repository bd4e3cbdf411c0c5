#!/bin/sh
# The sha256 of every output of `npm run example`, `npm run example:cli`, the gulp e2e and the Nx
# e2e (first build), one `sha256  <where>/<path>` line each, sorted, on stdout. Run it before and
# after a refactoring that must not change what suppack writes, and diff the two lists
# (docs/ARCHITECTURE.md). Needs what the test suite needs (bash scripts/setup.sh test).
set -eu
cd "$(dirname "$0")/.."
list=$(mktemp)
trap 'rm -f "$list"' EXIT INT TERM
export SOURCE_DATE_EPOCH=
hash_tree() { # npm run build empties dist/, so each tree is hashed right after it is made
  test -d "$1" || { echo "output-hashes: $1 was not written" >&2; exit 1; }
  find "$1" -type f ! -path '*/.rpmbuild/*' -print0 | sort -z | xargs -0 -r sha256sum >>"$list"
}
npm run --silent example >/dev/null
hash_tree dist/examples
npm run --silent example:cli >/dev/null
hash_tree dist/cli-example
SUPPACK_OUTPUT_HASHES="$list" npx vitest run e2e/gulp.e2e.test.ts e2e/nx.e2e.test.ts -t 'byte-identical to suppack build-supplemental-pack|init registered' >/dev/null
sort -k2 "$list"
