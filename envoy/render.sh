#!/usr/bin/env bash
# Renders a template whose $-brace upper-case placeholders come from the environment: render.sh TEMPLATE > OUT.
# Fails, naming it, when a placeholder has no value, so Envoy never starts on a half-rendered file.
# (The Java tests render the same templates with io.tollgate.testsupport.Templates.)
set -euo pipefail

template="$1"
content="$(<"$template")"
for name in $(grep -o '\${[A-Z_][A-Z0-9_]*}' "$template" | sort -u | tr -d '${}'); do
  if [[ -z "${!name+x}" ]]; then
    echo "render: $template needs \$$name" >&2
    exit 1
  fi
  content="${content//\$\{$name\}/${!name}}"
done
printf '%s\n' "$content"
