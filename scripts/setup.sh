#!/usr/bin/env bash
# Sets up a Debian machine for suppack's development, as root or as a user with sudo, on a fresh
# machine too (the package lists are fetched first):
#   scripts/setup.sh           every system package the tests use (.ci/apt-packages), npm install,
#                              the hosts' rpm releases (scripts/old-rpm.sh) and the Node.js LTS the
#                              e2e tests run suppack under too (scripts/node-lts.sh); then `npm test`
#   scripts/setup.sh example   only what `npm run example` needs (rpm), and npm install
# The README and .ci/run both call it.
set -euo pipefail
cd "$(dirname "$0")/.."
mode=${1:-test}
case $mode in test | example) ;; *) echo "usage: scripts/setup.sh [test|example]" >&2; exit 2 ;; esac

if ! node -e 'const [a,b]=process.versions.node.split(".").map(Number); process.exit(a>20||(a===20&&b>=19)?0:1)' 2>/dev/null; then
  echo "scripts/setup.sh: Node >= 20.19 is required (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi

if [ "$(id -u)" -eq 0 ]; then
  as_root() { "$@"; }
elif command -v sudo >/dev/null 2>&1; then
  as_root() { sudo "$@"; }
else
  echo "scripts/setup.sh: installing system packages needs root or sudo" >&2
  exit 1
fi

if [ "$mode" = example ]; then packages=(rpm); else mapfile -t packages < <(grep -v '^#' .ci/apt-packages | grep -v '^[[:space:]]*$'); fi
export DEBIAN_FRONTEND=noninteractive
as_root apt-get update -qq
as_root apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "${packages[@]}" >/dev/null

# npm install, not npm ci: the lock file cannot list optional platform packages the registry
# mirror does not serve (e.g. rollup's android builds), and npm ci refuses such a lock.
npm install --no-audit --no-fund
if [ "$mode" = test ]; then
  bash scripts/old-rpm.sh
  bash scripts/node-lts.sh
fi
