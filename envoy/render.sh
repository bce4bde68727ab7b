#!/usr/bin/env bash
# Renders a template whose $-brace upper-case placeholders come from the environment: render.sh TEMPLATE > OUT.
# Fails, naming it, when a placeholder has no value, so Envoy never starts on a half-rendered file.
# A value of several lines (a rendered fragment, e.g. envoy/xds-tls.yaml) continues each line at the
# indentation of the placeholder's line, so a YAML block can be inserted where a value goes.
# Values are inserted literally ('&', '\' and '/' included).
# (The Java tests render the same templates with io.tollgate.testsupport.Templates.)
set -euo pipefail

template="$1"
for name in $(grep -o '\${[A-Z_][A-Z0-9_]*}' "$template" | sort -u | tr -d '${}'); do
  if [[ -z "${!name+x}" ]]; then
    echo "render: $template needs \$$name" >&2
    exit 1
  fi
done

placeholder='\$\{([A-Z_][A-Z0-9_]*)\}'
while IFS= read -r line || [[ -n "$line" ]]; do
  indent="${line%%[![:space:]]*}"
  out=""
  rest="$line"
  while [[ "$rest" =~ $placeholder ]]; do
    value="${!BASH_REMATCH[1]}"
    value="${value//$'\n'/$'\n'"$indent"}"
    # Text before the match, then the value: no pattern substitution, so nothing in the value is
    # special (bash 5.2's patsub_replacement would turn '&' into the match).
    out+="${rest%%"${BASH_REMATCH[0]}"*}$value"
    rest="${rest#*"${BASH_REMATCH[0]}"}"
  done
  printf '%s\n' "$out$rest"
done <"$template"
