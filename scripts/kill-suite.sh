#!/usr/bin/env bash
# Long kill -9 campaign (cli/kill.test.ts with many rounds): ROUNDS (default 200) and SEED
# (default: the date) can be set. Builds first. Usage: bash scripts/kill-suite.sh [ROUNDS] [SEED]
set -euo pipefail
cd "$(dirname "$0")/.."
npm run build >/dev/null
SUPPACK_KILL_ROUNDS="${1:-200}" SUPPACK_KILL_SEED="${2:-$(date +%Y%m%d)}" npx vitest run cli/kill.test.ts
