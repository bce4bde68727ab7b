#!/usr/bin/env bash
# Builds the reference rate-limit service (envoyproxy/ratelimit, pinned below) from Go modules with
# the machine's Go toolchain, once, and prints the binary's path. The module has no release tags,
# so the pin is the pseudo-version of a commit on its main branch; a build is kept per version under
# .run/ (gitignored) and reused. Exits non-zero, saying why on stderr, when Go is missing or the
# build fails: bench/ratelimit/run.sh then runs without the reference.
#
#   REFERENCE_RATELIMIT_VERSION (the pin below)
set -euo pipefail

# envoyproxy/ratelimit at commit 3fb702589d36 (2026-01-22), its newest on the module proxy here.
version="${REFERENCE_RATELIMIT_VERSION:-v1.4.1-0.20260122083618-3fb702589d36}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
dir="$root/.run/ratelimit-reference/$version"
bin="$dir/service_cmd"

if [ ! -x "$bin" ]; then
  if ! command -v go > /dev/null; then
    echo "reference.sh: no Go toolchain on PATH, cannot build envoyproxy/ratelimit" >&2
    exit 1
  fi
  mkdir -p "$dir"
  echo "reference.sh: building envoyproxy/ratelimit@$version into $dir" >&2
  if ! GOBIN="$dir" GOFLAGS=-mod=mod go install \
    "github.com/envoyproxy/ratelimit/src/service_cmd@$version" >&2; then
    echo "reference.sh: go install of envoyproxy/ratelimit@$version failed" >&2
    exit 1
  fi
fi
echo "$bin"
