#!/usr/bin/env bash
# Runs Tollgate in the foreground: [the nginx mock,] the control plane, [redis-server,] the
# rate-limit service, then Envoy. Waits until Envoy has its first config, prints where everything
# listens, then supervises: a process that exits on its own is restarted with the same settings,
# logged and counted (below). Ctrl-C or SIGTERM stops all of it, Envoy first.
# `make run` calls it after scripts/deps.sh and the build.
#   UPSTREAM=mock        also start mock-upstream/ and serve config/tollgate.mock.yaml
#   STORE=redis          rate-limit counters in a local redis-server (REDIS_PORT, 6379), not memory
#   RATELIMIT_GRPC_PORT  rate-limit service gRPC (8090)  RATELIMIT_HTTP_PORT  its HTTP (8091)
#   TOLLGATE_CONFIG      the tollgate.yaml to serve (default config/tollgate.yaml)
#   TOLLGATE_XDS_PORT    control plane gRPC (18000)    SERVER_PORT   control plane REST (8081)
#   ENVOY_ADMIN_PORT     Envoy admin (9901)            MOCK_HTTP_PORT / MOCK_HTTPS_PORT  the mock
#   CONTROL_PLANE_JAVA_OPTS  JVM options of the control plane   RATELIMIT_JAVA_OPTS  of the service
#   TOLLGATE_RUN_DIR     logs, H2 file, rendered configs, pids, restart counts (default .run/)
#   TOLLGATE_RESTART_MAX quick crashes in a row after which it gives up (10; 0: never)
# Supervision: a crash is restarted after 1 s, doubling per crash in a row up to 30 s; a process
# that ran 60 s or more starts the series again. A crash within 60 s of its own start is a quick
# one; after TOLLGATE_RESTART_MAX of them in a row the script stops everything and exits 1 with
# that process's log. Before "ready" any exit is a start-up failure: reported with its log, exit 1.
# $TOLLGATE_RUN_DIR/pids lists "name pid" of the running children, .../restarts "name count".
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
run_dir="${TOLLGATE_RUN_DIR:-$root/.run}"
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
export MOCK_PREFIX="${MOCK_PREFIX:-$run_dir/mock-upstream}"
ratelimit_grpc_port="${RATELIMIT_GRPC_PORT:-8090}"
ratelimit_http_port="${RATELIMIT_HTTP_PORT:-8091}"
redis_port="${REDIS_PORT:-6379}"
export TOLLGATE_RATELIMIT_ADDRESS="${TOLLGATE_RATELIMIT_ADDRESS:-127.0.0.1}"
export TOLLGATE_RATELIMIT_PORT="$ratelimit_grpc_port"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar="$root/control-plane/target/control-plane.jar"
ratelimit_jar="$root/ratelimit-service/target/ratelimit-service.jar"

say() { echo "tollgate: $*"; }
die() {
  echo "tollgate: $*" >&2
  exit 1
}

[[ -f "$TOLLGATE_CONFIG" ]] || die "no config file $TOLLGATE_CONFIG"
[[ -f "$jar" ]] || die "$jar missing: run \`make run\` (it builds) or ./mvnw -B -q -DskipTests -pl control-plane -am package"
[[ -f "$ratelimit_jar" ]] || die "$ratelimit_jar missing: run \`make run\` (it builds) or ./mvnw -B -q -DskipTests -pl ratelimit-service -am package"

declare -A pids=() commands=() started_at=() restarts=() crashes=()
restart_max="${TOLLGATE_RESTART_MAX:-10}"
[[ "$restart_max" =~ ^[0-9]+$ ]] || die "TOLLGATE_RESTART_MAX=$restart_max: expected a whole number (0: never give up)"
stable_seconds=60
backoff_pid=""
stopping=false
stop_all() {
  $stopping && return
  stopping=true
  trap - INT TERM
  if [[ -n "$backoff_pid" ]]; then kill "$backoff_pid" 2>/dev/null || true; fi
  say "stopping ${!pids[*]}"
  # Reverse start order: Envoy first, so it never forwards to a stopped upstream.
  for name in envoy ratelimit-service redis control-plane mock-upstream; do
    [[ -n "${pids[$name]:-}" ]] && kill -TERM "${pids[$name]}" 2>/dev/null || true
  done
  # Up to 30 s: after a new build the control plane writes its class-data archive on exit.
  for _ in $(seq 1 300); do
    alive=false
    for pid in "${pids[@]}"; do kill -0 "$pid" 2>/dev/null && alive=true; done
    $alive || break
    sleep 0.1
  done
  # Each child leads its own process group: this also ends what it left (nginx workers).
  for pid in "${pids[@]}"; do kill -KILL -- "-$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -f "$run_dir/pids"
  say "stopped"
}
# A requested stop (Ctrl-C, SIGTERM) is a clean exit; giving up on a child is not.
trap 'stop_all; exit 0' INT TERM
trap 'stop_all' EXIT

start() { # start NAME COMMAND...: in the background, output to $logs/NAME.log
  local name="$1"
  shift
  printf -v "commands[$name]" '%q ' "$@"
  : >"$logs/$name.log"
  launch "$name"
}

launch() { # launch NAME: runs NAME's command (again)
  local name="$1"
  local -a command
  eval "command=(${commands[$name]})"
  # Its own session: Ctrl-C reaches only this script, which stops the children in order.
  setsid "${command[@]}" >>"$logs/$name.log" 2>&1 &
  pids[$name]=$!
  started_at[$name]=$SECONDS
  record
}

record() { # the pids and restart counts, for operators and tests
  local name
  for name in "${!pids[@]}"; do echo "$name ${pids[$name]}"; done >"$run_dir/pids"
  for name in "${!pids[@]}"; do echo "$name ${restarts[$name]:-0}"; done >"$run_dir/restarts"
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

supervise() { # supervise NAME STATUS: NAME exited on its own with STATUS; restart it after a backoff
  local name="$1" status="$2" why delay i
  if ((status > 128)); then
    why="signal $(kill -l $((status - 128)) 2>/dev/null || echo $((status - 128)))"
  else
    why="status $status"
  fi
  # What the child left in its process group goes too, or it would hold the ports.
  kill -KILL -- "-${pids[$name]}" 2>/dev/null || true
  if ((SECONDS - started_at[$name] < stable_seconds)); then
    crashes[$name]=$((${crashes[$name]:-0} + 1))
  else
    crashes[$name]=1
  fi
  if ((restart_max > 0 && crashes[$name] > restart_max)); then
    die "$name exited ($why), ${crashes[$name]} times in a row within ${stable_seconds}s of starting; giving up. See $logs/$name.log:
$(tail -n 20 "$logs/$name.log")"
  fi
  # 1, 2, 4 ... 30 s: a loop, so that a long series (TOLLGATE_RESTART_MAX=0) cannot overflow a shift.
  delay=1
  for ((i = 1; i < crashes[$name] && delay < 30; i++)); do delay=$((delay * 2)); done
  if ((delay > 30)); then delay=30; fi
  restarts[$name]=$((${restarts[$name]:-0} + 1))
  record
  say "$name exited ($why); restart ${restarts[$name]} in ${delay}s"
  echo "--- tollgate: $name exited ($why) at $(date -u +%FT%TZ); restart ${restarts[$name]} ---" >>"$logs/$name.log"
  # A background sleep, so that Ctrl-C and SIGTERM are handled at once.
  sleep "$delay" &
  backoff_pid=$!
  wait "$backoff_pid" || true
  backoff_pid=""
  launch "$name"
  say "$name restarted (pid ${pids[$name]})"
}

started=$SECONDS
if [[ "${UPSTREAM:-}" == mock ]]; then
  start mock-upstream "$root/mock-upstream/run.sh"
  await "the mock upstream" 20 curl -fsS "http://127.0.0.1:${MOCK_HTTP_PORT:-8088}/healthz"
fi

java_opts=()
# A class-data archive, written when the first run after a build exits (JDK 19+), cuts the next
# startups by about a third.
if [[ -f "${JAVA_HOME:-}/release" ]] \
  && (($(sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$JAVA_HOME/release") >= 19)); then
  java_opts+=(-XX:+AutoCreateSharedArchive "-XX:SharedArchiveFile=$run_dir/control-plane.jsa" "-Xlog:cds*=off")
fi
# shellcheck disable=SC2086 # JVM options are words
start control-plane "$java" "${java_opts[@]}" ${CONTROL_PLANE_JAVA_OPTS:-} -jar "$jar"
await "the control plane" 120 curl -fsS "http://$SERVER_ADDRESS:$SERVER_PORT/actuator/health"

# After the control plane: the service's xDS client backs off for seconds after a refused connect.
store=memory
if [[ "${STORE:-}" == redis ]]; then
  store=redis
  mkdir -p "$run_dir/redis"
  start redis redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$run_dir/redis"
  await "redis-server" 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$redis_port"
fi
# shellcheck disable=SC2086 # JVM options are words
start ratelimit-service env HOST=127.0.0.1 PORT="$ratelimit_http_port" GRPC_HOST=127.0.0.1 GRPC_PORT="$ratelimit_grpc_port" \
  BACKEND_TYPE="$store" REDIS_SOCKET_TYPE=tcp REDIS_URL="127.0.0.1:$redis_port" \
  CONFIG_TYPE=GRPC_XDS_SOTW CONFIG_GRPC_XDS_SERVER_URL="$TOLLGATE_XDS_ADDRESS:$TOLLGATE_XDS_PORT" \
  CONFIG_GRPC_XDS_NODE_ID="ratelimit-$(hostname)" \
  "$java" ${RATELIMIT_JAVA_OPTS:-} -jar "$ratelimit_jar"
await "the rate-limit service" 60 curl -fsS "http://127.0.0.1:$ratelimit_http_port/healthcheck"

start envoy "$root/envoy/run-envoy.sh"
# More than the one static listener of the bootstrap (stats/readiness): the proxy's, over xDS.
await "Envoy's first config" 60 bash -c \
  "curl -fsS 'http://127.0.0.1:$ENVOY_ADMIN_PORT/stats?filter=^listener_manager.total_listeners_active\$' | grep -Eq ': ([2-9]|[1-9][0-9]+)\$'"

listeners="$(curl -fsS "http://127.0.0.1:$ENVOY_ADMIN_PORT/listeners" | grep -v '^tollgate_stats::' | sed 's/^/    /')"
cat <<INFO
tollgate: ready in $((SECONDS - started))s, serving $TOLLGATE_CONFIG
  proxy (Envoy listeners, name::address):
$listeners
  Envoy admin        http://127.0.0.1:$ENVOY_ADMIN_PORT   (stats: /stats/prometheus)
  control plane REST http://$SERVER_ADDRESS:$SERVER_PORT/api/v1   (health: /actuator/health)
  control plane gRPC $TOLLGATE_XDS_ADDRESS:$TOLLGATE_XDS_PORT   (xDS ADS, access logs)
  rate-limit service gRPC 127.0.0.1:$ratelimit_grpc_port, http://127.0.0.1:$ratelimit_http_port/metrics   (store: $store)
INFO
if [[ -n "${pids[mock-upstream]:-}" ]]; then
  echo "  mock upstream      http://127.0.0.1:${MOCK_HTTP_PORT:-8088}  https://127.0.0.1:${MOCK_HTTPS_PORT:-8443}"
fi
echo "  logs               $logs/"
say "Ctrl-C stops everything"

# Runs until a signal; a process that exits on its own is restarted.
while true; do
  died=""
  # 2>/dev/null: not bash's own "Killed" notice; supervise says what happened.
  wait -n -p died "${pids[@]}" 2>/dev/null && status=0 || status=$?
  [[ -n "$died" ]] || die "lost track of the children (wait: status $status)"
  for name in "${!pids[@]}"; do
    if [[ "${pids[$name]}" == "$died" ]]; then
      supervise "$name" "$status"
      break
    fi
  done
done
