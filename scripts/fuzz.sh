#!/usr/bin/env bash
# Long fuzz campaign (docs/security.md "Fuzzing"): CASES mutated inputs of every kind (default
# 10000) from SEED (default: the date), through every reader and command. Failing inputs are
# saved in fuzz-failures/ with the case that reproduces each; the report is fuzz-report.json.
# Usage: bash scripts/fuzz.sh [CASES] [SEED] [more runner options, e.g. --kinds=rpm,fat --jobs=1]
set -euo pipefail
cd "$(dirname "$0")/.."
cases="${1:-10000}"
seed="${2:-$(date +%Y%m%d)}"
shift $(( $# > 2 ? 2 : $# ))
exec node -r @swc-node/register testing/fuzz/run.ts --cases="$cases" --seed="$seed" \
  --json=fuzz-report.json --save=fuzz-failures --corpus=node_modules/.cache/suppack-fuzz-corpus "$@"
