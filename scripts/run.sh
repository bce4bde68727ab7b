#!/usr/bin/env bash
# Runs Tollgate in the foreground: [the nginx mock,] the control plane, then Envoy. Waits until
# Envoy has its first config, prints where everything listens, and stops all of it on Ctrl-C or
# SIGTERM. `make run` calls it after scripts/deps.sh and the build.
#   UPSTREAM=mock        also start mock-upstream/ and serve config/tollgate.mock.yaml
#   TOLLGATE_CONFIG      the tollgate.yaml to serve (default config/tollgate.yaml)
#   TOLLGATE_XDS_PORT    control plane gRPC (18000)    SERVER_PORT   control plane REST (8081)
#   ENVOY_ADMIN_PORT     Envoy admin (9901)            MOCK_HTTP_PORT  the mock (8088)
#   CONTROL_PLANE_JAVA_OPTS  JVM options of the control plane
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
run_dir="$root/.run"
logs="$run_dir/logs"
mkdir -p "$logs"

if [[ "${UPSTREAM:-}" == mock ]]; then
  export TOLLGATE_CONFIG="${TOLLGATE_CONFIG:-$root/config/tollgate.mock.yaml}"
else
  export TOLLGATE_CONFIG="${TOLLGATE_CONFIG:-$root/config/tollgate.yaml}"
fi
export TOLLGATE_XDS_ADDRESS="${TOLLGATE_XDS_ADDRESS:-127.0.0.1}"
export TOLLGATE_XDS_PORT="${TOLLGATE_XDS_PORT:-18000}"
export SERVER_ADDRESS="${SERVER_ADDRESS:-127.0.0.1}"
export SERVER_PORT="${SERVER_PORT:-8081}"
export TOLLGATE_DB_URL="${TOLLGATE_DB_URL:-jdbc:h2:file:$run_dir/data/tollgate;DB_CLOSE_ON_EXIT=FALSE}"
export ENVOY_ADMIN_PORT="${ENVOY_ADMIN_PORT:-9901}"
export TOLLGATE_XDS_HOST="${TOLLGATE_XDS_HOST:-127.0.0.1}"
export TOLLGATE_RUN_DIR="$run_dir"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar="$root/control-plane/target/control-plane.jar"

say() { echo "tollgate: $*"; }
die() {
  echo "tollgate: $*" >&2
  exit 1
}

[[ -f "$TOLLGATE_CONFIG" ]] || die "no config file $TOLLGATE_CONFIG"
[[ -f "$jar" ]] || die "$jar missing: run \`make run\` (it builds) or ./mvnw -B -q -DskipTests -pl control-plane -am package"

declare -A pids=()
stopping=false
stop_all() {
  $stopping && return
  stopping=true
  trap - INT TERM
  say "stopping ${!pids[*]}"
  # Reverse start order: Envoy first, so it never forwards to a stopped upstream.
  for name in envoy control-plane mock-upstream; do
    [[ -n "${pids[$name]:-}" ]] && kill -TERM "${pids[$name]}" 2>/dev/null || true
  done
  for _ in $(seq 1 100); do
    alive=false
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=true; done
    $alive || break
    sleep 0.1
  done
  for pid in "${pids[@]}"; do kill -KILL "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  say "stopped"
}
# A requested stop (Ctrl-C, SIGTERM) is a clean exit; a child dying on its own is not.
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

start() { # start NAME COMMAND...: in the background, output to .run/logs/NAME.log
  local name="$1"
  shift
  "$@" >"$logs/$name.log" 2>&1 &
  pids[$name]=$!
}

await() { # await WHAT SECONDS COMMAND...: until the command succeeds; fails if a child died
  local what="$1" seconds="$2"
  shift 2
  local deadline=$((SECONDS + seconds))
  until "$@" >/dev/null 2>&1; do
    for name in "${!pids[@]}"; do
      kill -0 "${pids[$name]}" 2>/dev/null || die "$name exited while waiting for $what; see $logs/$name.log:
$(tail -n 20 "$logs/$name.log")"
    done
    ((SECONDS < deadline)) || die "timed out after ${seconds}s waiting for $what"
    sleep 0.25
  done
}

started=$SECONDS
if [[ "${UPSTREAM:-}" == mock ]]; then
  start mock-upstream "$root/mock-upstream/run.sh"
  await "the mock upstream" 20 curl -fsS "http://127.0.0.1:${MOCK_HTTP_PORT:-8088}/healthz"
fi

java_opts=()
# A class-data archive made by the first run (JDK 19+) roughly halves the next startups.
if [[ -f "${JAVA_HOME:-}/release" ]] \
  && (($(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release") >= 19)); then
  java_opts+=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$run_dir/control-plane.jsa")
fi
# shellcheck disable=SC2086 # JVM options are words
start control-plane "$java" "${java_opts[@]}" ${CONTROL_PLANE_JAVA_OPTS:-} -jar "$jar"
await "the control plane" 120 curl -fsS "http://$SERVER_ADDRESS:$SERVER_PORT/actuator/health"

start envoy "$root/envoy/run-envoy.sh"
await "Envoy's first config" 60 bash -c \
  "curl -fsS 'http://127.0.0.1:$ENVOY_ADMIN_PORT/stats?filter=^listener_manager.total_listeners_active\$' | grep -qv ': 0\$'"

listeners="$(curl -fsS "http://127.0.0.1:$ENVOY_ADMIN_PORT/listeners" | sed 's/^/    /')"
cat <<INFO
tollgate: ready in $((SECONDS - started))s, serving $TOLLGATE_CONFIG
  proxy (Envoy listeners, name::address):
$listeners
  Envoy admin        http://127.0.0.1:$ENVOY_ADMIN_PORT   (stats: /stats/prometheus)
  control plane REST http://$SERVER_ADDRESS:$SERVER_PORT/api/v1   (health: /actuator/health)
  control plane gRPC $TOLLGATE_XDS_ADDRESS:$TOLLGATE_XDS_PORT   (xDS ADS, access logs)
INFO
if [[ -n "${pids[mock-upstream]:-}" ]]; then
  echo "  mock upstream      http://127.0.0.1:${MOCK_HTTP_PORT:-8088}  https://127.0.0.1:${MOCK_HTTPS_PORT:-8443}"
fi
echo "  logs               $logs/"
say "Ctrl-C stops everything"

# Runs until a signal, or until one of the processes exits on its own (an error).
wait -n "${pids[@]}" || true
for name in "${!pids[@]}"; do
  kill -0 "${pids[$name]}" 2>/dev/null || die "$name exited; see $logs/$name.log:
$(tail -n 20 "$logs/$name.log")"
done
