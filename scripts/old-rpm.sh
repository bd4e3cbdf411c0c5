#!/usr/bin/env bash
# Builds the rpm releases of the hosts suppack targets (rpm 4.11.3 = CentOS 7, rpm 4.4.2.3 =
# CentOS 5; docs/hosts.md) as test oracles, from the upstream sources kept with the team's shared
# tools (SUPPACK_OLD_RPM_TOOLS, default ../shared/tools/old-rpm beside the checkout), into
# SUPPACK_OLD_RPM_BASE (default ~/.cache/suppack-old-rpm). A release already built is skipped.
# The build dependencies are in .ci/apt-packages. testing/old-rpm.ts finds the binaries.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
tools=${SUPPACK_OLD_RPM_TOOLS:-$top/../shared/tools/old-rpm}
if [ ! -x "$tools/build-old-rpm.sh" ]; then
  echo "scripts/old-rpm.sh: $tools/build-old-rpm.sh not found (set SUPPACK_OLD_RPM_TOOLS)" >&2
  exit 1
fi
export BASE=${SUPPACK_OLD_RPM_BASE:-$HOME/.cache/suppack-old-rpm}
INSTALL_DEPS=0 JOBS=${JOBS:-$(nproc)} "$tools/build-old-rpm.sh" "$@"
