#!/usr/bin/env bash
# Usage: bash scripts/dev.sh demo|test|bench
# Installs the project with the pinned Yarn (through corepack), then runs the demo, the tests or the benchmark.
set -euo pipefail
cd "$(dirname "$0")/.."

# Corepack and Yarn default to their own registry host; use the one npm is configured with instead,
# so the project installs wherever npm does (mirrors included).
registry="$(npm config get registry)"
registry="${registry%/}"
export COREPACK_NPM_REGISTRY="${COREPACK_NPM_REGISTRY:-$registry}"
export YARN_NPM_REGISTRY_SERVER="${YARN_NPM_REGISTRY_SERVER:-$registry}"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0

task="${1:-test}"
case "$task" in
  demo|test|bench) ;;
  *) echo "usage: bash scripts/dev.sh demo|test|bench" >&2; exit 2 ;;
esac

corepack yarn install --immutable
corepack yarn "$task"
