#!/usr/bin/env bash
# Starts a Tollgate Envoy: renders envoy/bootstrap.yaml from the environment and execs envoy.
#
#   ENVOY_NODE_ID         node id the control plane sees      (default: tollgate-<hostname>)
#   ENVOY_CLUSTER         node cluster                        (default: tollgate)
#   TOLLGATE_XDS_HOST     control plane gRPC host             (default: 127.0.0.1)
#   TOLLGATE_XDS_PORT     control plane gRPC port             (default: 18000)
#   ENVOY_XDS_TLS_CERT, ENVOY_XDS_TLS_KEY, ENVOY_XDS_TLS_CA
#                         mutual TLS to the control plane: this Envoy's client certificate and key
#                         (PEM), and the CA its certificate must chain to; all three or none
#                         (default: none, plaintext)
#   ENVOY_XDS_TLS_SERVER_NAME
#                         SNI sent, and the name (DNS or IP SAN) the control plane's certificate
#                         must carry                      (default: TOLLGATE_XDS_HOST)
#   TOLLGATE_XDS_ENDPOINTS control planes, host[:port],...; in failover order
#                         (default: TOLLGATE_XDS_HOST:TOLLGATE_XDS_PORT)
#   ENVOY_ADMIN_PORT      admin port                          (default: 9901)
#   ENVOY_ADMIN_ADDRESS   admin interface: keep it on loopback unless a pod network
#                         must scrape /stats/prometheus (default: 127.0.0.1)
#   ENVOY_STATS_ADDRESS   listener serving only GET /stats/prometheus and GET /ready
#                         from the admin: what scrapers and probes use, so the admin
#                         can stay on loopback                (default: 127.0.0.1)
#   ENVOY_STATS_PORT      its port, Envoy Gateway's stats port (default: 19001)
#   ENVOY_MAX_HEAP_BYTES  overload manager heap limit         (default: 1 GiB)
#   ENVOY_MAX_CONNECTIONS downstream connection limit         (default: 50000)
#   ENVOY_DRAIN_TIME_S    drain time on shutdown / LDS update (default: 5)
#   ENVOY_CONCURRENCY     worker threads                      (default: Envoy's: one per core)
#   ENVOY_BASE_ID         shared-memory base id               (default: a free one, picked by Envoy)
#   ENVOY_LOG_LEVEL       (default: info)
#   TOLLGATE_RUN_DIR      where the rendered bootstrap goes   (default: .run/ at the repository root)
# Extra arguments go to envoy.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"

export ENVOY_NODE_ID="${ENVOY_NODE_ID:-tollgate-$(hostname)}"
export ENVOY_CLUSTER="${ENVOY_CLUSTER:-tollgate}"
export TOLLGATE_XDS_HOST="${TOLLGATE_XDS_HOST:-127.0.0.1}"
export TOLLGATE_XDS_PORT="${TOLLGATE_XDS_PORT:-18000}"
TOLLGATE_XDS_LOCALITIES="$("$here/xds-localities.sh" \
  "${TOLLGATE_XDS_ENDPOINTS:-$TOLLGATE_XDS_HOST:$TOLLGATE_XDS_PORT}" "$TOLLGATE_XDS_PORT")"
export TOLLGATE_XDS_LOCALITIES
export ENVOY_ADMIN_PORT="${ENVOY_ADMIN_PORT:-9901}"
export ENVOY_ADMIN_ADDRESS="${ENVOY_ADMIN_ADDRESS:-127.0.0.1}"
export ENVOY_STATS_ADDRESS="${ENVOY_STATS_ADDRESS:-127.0.0.1}"
export ENVOY_STATS_PORT="${ENVOY_STATS_PORT:-19001}"
export ENVOY_MAX_HEAP_BYTES="${ENVOY_MAX_HEAP_BYTES:-1073741824}"
export ENVOY_MAX_CONNECTIONS="${ENVOY_MAX_CONNECTIONS:-50000}"
run_dir="${TOLLGATE_RUN_DIR:-$root/.run}"
mkdir -p "$run_dir"

# The xDS cluster's transport socket: one of two fragments, rendered into the bootstrap.
tls_set=()
for name in ENVOY_XDS_TLS_CERT ENVOY_XDS_TLS_KEY ENVOY_XDS_TLS_CA; do
  [[ -n "${!name:-}" ]] && tls_set+=("$name")
done
case "${#tls_set[@]}" in
  0) transport="$here/xds-plaintext.yaml" ;;
  3)
    export ENVOY_XDS_TLS_SERVER_NAME="${ENVOY_XDS_TLS_SERVER_NAME:-$TOLLGATE_XDS_HOST}"
    transport="$here/xds-tls.yaml"
    ;;
  *)
    echo "run-envoy: mutual TLS to the control plane needs ENVOY_XDS_TLS_CERT, ENVOY_XDS_TLS_KEY and ENVOY_XDS_TLS_CA together; only ${tls_set[*]} set" >&2
    exit 1
    ;;
esac
ENVOY_XDS_TRANSPORT_SOCKET="$("$here/render.sh" "$transport")"
export ENVOY_XDS_TRANSPORT_SOCKET

bootstrap="$run_dir/envoy-$ENVOY_NODE_ID.yaml"
"$here/render.sh" "$here/bootstrap.yaml" >"$bootstrap"

envoy_bin="$("$here/install-envoy.sh")"
args=(-c "$bootstrap" --drain-time-s "${ENVOY_DRAIN_TIME_S:-5}" --log-level "${ENVOY_LOG_LEVEL:-info}")
if [[ -n "${ENVOY_BASE_ID:-}" ]]; then
  args+=(--base-id "$ENVOY_BASE_ID")
else
  args+=(--use-dynamic-base-id)
fi
[[ -n "${ENVOY_CONCURRENCY:-}" ]] && args+=(--concurrency "$ENVOY_CONCURRENCY")

exec "$envoy_bin" "${args[@]}" "$@"
