#!/usr/bin/env bash
# Prints the tollgate_xds cluster's endpoints for envoy/bootstrap.yaml (${TOLLGATE_XDS_LOCALITIES}):
#   xds-localities.sh ENDPOINTS DEFAULT_PORT
# ENDPOINTS is TOLLGATE_XDS_ENDPOINTS: a comma-separated list of host[:port] (IPv6 as [::1]:18000),
# control-plane replicas in failover order. Each becomes its own priority, so Envoy keeps its ADS and
# access-log streams on the first healthy one and moves to the next when the health check finds it
# dead. A malformed entry fails naming the variable: Envoy never starts pointed at nothing.
# Used by run-envoy.sh and by the tests (io.tollgate.testsupport.EnvoyProcess).
set -euo pipefail

endpoints="$1"
default_port="$2"
fail() {
  echo "xds-localities: TOLLGATE_XDS_ENDPOINTS: $1 (in '$endpoints')" >&2
  exit 2
}
entry_re='^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?)(:([0-9]{1,5}))?$'
[[ -n "${endpoints//[[:space:],]/}" ]] || fail "empty, expected host[:port][,host[:port]...]"
out=""
seen=","
priority=0
IFS=',' read -r -a entries <<<"$endpoints,"
for raw in "${entries[@]}"; do
  entry="${raw#"${raw%%[![:space:]]*}"}"
  entry="${entry%"${entry##*[![:space:]]}"}"
  [[ "$entry" =~ $entry_re ]] || fail "'$entry' is not host[:port]"
  host="${BASH_REMATCH[1]}"
  port="${BASH_REMATCH[4]:-$default_port}"
  ((10#$port >= 1 && 10#$port <= 65535)) || fail "port $port of '$entry' is out of 1..65535"
  host="${host#[}"
  host="${host%]}"
  [[ "$seen" != *",$host:$port,"* ]] || fail "'$entry' is listed twice"
  seen+="$host:$port,"
  out+="${out:+, }{ priority: $priority, lb_endpoints: [{ endpoint: { address: { socket_address: { address: \"$host\", port_value: $((10#$port)) } } } }] }"
  priority=$((priority + 1))
done
printf '[%s]\n' "$out"
