# Shell functions the wrk benchmarks share (bench/proxy/run.sh, bench/cache/run.sh,
# bench/fullstack/run.sh): sourced, never run. Expects `root` (the repository) and `work` (the run
# directory) to be set; sets `pids` (what cleanup stops), `tick_us` and `envoy_bin`, and traps
# EXIT/INT/TERM. wrk_round also reads `threads`, `connections`, `warmup`, `duration` and `round`.

# wrk_settings DURATION ROUNDS WARMUP: the settings every wrk benchmark reads from the
# environment, with these defaults for BENCH_DURATION, BENCH_ROUNDS and BENCH_WARMUP (and
# BENCH_CONNECTIONS 32, BENCH_THREADS 1, BENCH_ENVOY_CONCURRENCY 1, BENCH_NGINX_WORKERS 1).
wrk_settings() {
  duration="${BENCH_DURATION:-$1}"
  rounds="${BENCH_ROUNDS:-$2}"
  warmup="${BENCH_WARMUP:-$3}"
  connections="${BENCH_CONNECTIONS:-32}"
  threads="${BENCH_THREADS:-1}"
  concurrency="${BENCH_ENVOY_CONCURRENCY:-1}"
  nginx_workers="${BENCH_NGINX_WORKERS:-1}"
}
# fresh_run JAR...: exits unless each jar is built; empties `work` (with logs/) and makes `results`.
fresh_run() {
  local jar
  for jar in "$@"; do
    [[ -f "$jar" ]] || { echo "bench: $jar missing (make bench builds it)" >&2; exit 1; }
  done
  rm -rf "$work"
  mkdir -p "$work/logs" "$results"
}

tick_us=$((1000000 / $(getconf CLK_TCK)))
envoy_bin="$("$root/envoy/install-envoy.sh")"
command -v wrk >/dev/null || { echo "bench: wrk missing (scripts/deps.sh bench)" >&2; exit 1; }

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

log() { echo "bench: $*" >&2; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
await() { # await WHAT SECONDS COMMAND...
  local what="$1" deadline=$((SECONDS + $2))
  shift 2
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || { log "timed out waiting for $what"; exit 1; }
    sleep 0.2
  done
}
# utime + stime of the processes, in microseconds (a process gone counts nothing).
cpu_us() {
  local total=0 pid f
  for pid in "$@"; do
    f="$(cat "/proc/$pid/stat" 2>/dev/null)" || continue
    f="${f##*) }"
    read -r -a fields <<<"$f"
    total=$((total + (fields[11] + fields[12]) * tick_us))
  done
  echo "$total"
}
# Busy time of the whole machine (every CPU, all but idle and iowait, /proc/stat), in microseconds.
machine_us() {
  awk -v t="$tick_us" '$1 == "cpu" { printf "%.0f\n", ($2 + $3 + $4 + $7 + $8 + $9) * t; exit }' /proc/stat
}
loadavg() { cut -d' ' -f1-3 /proc/loadavg; }
stat_value() { # stat_value ADMIN_PORT NAME
  curl -fsS "http://127.0.0.1:$1/stats?filter=^$(sed 's/\./\\./g' <<<"$2")\$" | awk -F': ' '{print $2}'
}
to_ms() { # wrk latency (e.g. 812.00us, 1.23ms, 1.01s) to milliseconds
  awk -v v="$1" 'BEGIN {
    n = v + 0; u = v; sub(/^[0-9.]+/, "", u)
    if (u == "us") n /= 1000; else if (u == "s") n *= 1000; else if (u == "m") n *= 60000
    printf "%.3f", n }'
}
# wrk_figures FILE: "rps p50_ms p99_ms errors" of a `wrk --latency` output (errors: one word, "none"
# or the non-2xx / socket-error lines joined by "_").
wrk_figures() {
  local r r50 r99 err
  r="$(awk '/^Requests\/sec:/ {print $2}' "$1")"
  r50="$(to_ms "$(awk '$1 == "50%" {print $2}' "$1")")"
  r99="$(to_ms "$(awk '$1 == "99%" {print $2}' "$1")")"
  err="$(awk '/Non-2xx|Socket errors/ {sub(/^ +/, ""); gsub(/[ ,]+/, "_"); printf "%s;", $0}' "$1")"
  echo "$r $r50 $r99 ${err:-none}"
}
# sum_into ARRAY KEY N: ARRAY[KEY] += N (integers; ARRAY an associative array).
sum_into() {
  local -n into="$1"
  into[$2]=$((${into[$2]:-0} + $3))
}
# sum_deltas KEY ARRAY...: after wrk_round, ARRAY[KEY] += the next counter's delta, for each
# ARRAY in the order COUNTERS set them after the requests (delta[1], delta[2], ...).
sum_deltas() {
  local key="$1" i=1 array
  shift
  for array in "$@"; do
    sum_into "$array" "$key" "${delta[i]}"
    i=$((i + 1))
  done
}
mean() { awk -v s="$1" -v n="$2" -v f="${3:-%.0f}" 'BEGIN { printf f, s / n }'; }
add() { awk -v a="${1:-0}" -v b="$2" 'BEGIN { print a + b }'; }
ratio() { awk -v b="$1" -v a="$2" 'BEGIN { if (a + 0 == 0 || b == "-") print "-"; else printf "%.2f", b / a }'; }

# One round against one URL, the sums over the rounds kept per KEY (a setup, a path):
declare -A reqs rps_sum p50_sum p99_sum errors
# wrk_round KEY URL COUNTERS: a wrk warm-up, then the measured `wrk --latency` run (its output in
# $work/wrk-KEY-ROUND.txt). COUNTERS is a function that sets the array `counted`, requests served
# first (Envoy's downstream_rq_total), then whatever else the round needs (CPU times from cpu_us,
# other counters); it runs just before and just after the measured run (so it sees the caller's
# locals), and `delta` holds after minus before. Adds the requests, rps, p50, p99 and errors to the
# sums under KEY, sets r, r50 and r99 (this round's figures); exits when no request was counted.
wrk_round() {
  local key="$1" url="$2" counters="$3" out="$work/wrk-${1//[:\/ ]/_}-$round.txt" before i err
  wrk -t"$threads" -c"$connections" -d"$warmup" "$url" >/dev/null
  "$counters"
  before=("${counted[@]}")
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url" >"$out"
  "$counters"
  delta=()
  for i in "${!before[@]}"; do delta[i]=$((${counted[i]:-0} - ${before[i]:-0})); done
  ((delta[0] > 0)) || { log "$key: Envoy counted no requests"; cat "$out" >&2; exit 1; }
  read -r r r50 r99 err < <(wrk_figures "$out")
  sum_into reqs "$key" "${delta[0]}"
  rps_sum[$key]="$(add "${rps_sum[$key]:-}" "$r")"
  p50_sum[$key]="$(add "${p50_sum[$key]:-}" "$r50")"
  p99_sum[$key]="$(add "${p99_sum[$key]:-}" "$r99")"
  [[ "$err" == none ]] || errors[$key]+="$err "
}

# tollgate_yaml PORT [ROUTES]: $work/tollgate.yaml, Tollgate's listener on PORT in front of the
# mock (upstream `mock`), ROUTES (YAML list items, indented two spaces) before the catch-all
# route `default`.
# averages NAME: NAME's mean rps, p50 and p99 over its rounds and its Envoy's and nginx's CPU-µs per
# request, into the caller's arrays rps, p50, p99, envoy_us and nginx_us (from wrk_round's sums and
# the caller's envoy_cpu and nginx_cpu).
averages() {
  local name="$1" n="${reqs[$1]}"
  rps[$name]="$(mean "${rps_sum[$name]}" "$rounds")"
  p50[$name]="$(mean "${p50_sum[$name]}" "$rounds" %.3f)"
  p99[$name]="$(mean "${p99_sum[$name]}" "$rounds" %.3f)"
  envoy_us[$name]="$(mean "${envoy_cpu[$name]}" "$n" %.1f)"
  nginx_us[$name]="$(mean "${nginx_cpu[$name]}" "$n" %.1f)"
}
tollgate_yaml() {
  {
    echo "listener: { address: 127.0.0.1, port: $1, xffNumTrustedHops: 0 }"
    echo "upstreams:"
    echo "  - name: mock"
    echo "    url: http://127.0.0.1:$mock_http"
    echo "routes:"
    [[ -z "${2:-}" ]] || echo "$2"
    echo "  - name: default"
    echo "    match: { pathPrefix: / }"
    echo "    upstream: mock"
  } >"$work/tollgate.yaml"
}

# start_control_plane JAR SECONDS [VAR=VALUE...]: the control plane of $work/tollgate.yaml on the
# ports `rest` and `xds` (an H2 file database in $work/data), extra environment after; sets cp_pid
# and waits up to SECONDS for its health.
# stack_jars: the control plane's and the rate-limit service's jars of this checkout or of
# BENCH_JARS_FROM (another checkout, built), so two builds compare on one machine; sets from,
# java, cp_jar, rls_jar.
stack_jars() {
  from="$(cd "${BENCH_JARS_FROM:-$root}" && pwd)"
  java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
  cp_jar="$from/control-plane/target/control-plane.jar"
  rls_jar="$from/ratelimit-service/target/ratelimit-service.jar"
}
start_control_plane() {
  local jar="$1" seconds="$2"
  shift 2
  log "starting the control plane (REST $rest, gRPC $xds) $*"
  env TOLLGATE_CONFIG="$work/tollgate.yaml" TOLLGATE_XDS_ADDRESS=127.0.0.1 TOLLGATE_XDS_PORT="$xds" \
    SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$rest" \
    TOLLGATE_DB_URL="jdbc:h2:file:$work/data/tollgate;DB_CLOSE_ON_EXIT=FALSE" "$@" \
    "${JAVA_HOME:+$JAVA_HOME/bin/}java" -jar "$jar" >>"$work/logs/control-plane.log" 2>&1 &
  cp_pid=$!
  pids+=("$cp_pid")
  await "the control plane" "$seconds" curl -fsS "http://127.0.0.1:$rest/actuator/health"
}

# start_tollgate_envoy NODE_ID ADMIN_PORT PROXY_PORT LOG: Tollgate's Envoy (envoy/run-envoy.sh,
# configured over xDS from the port `xds`, --concurrency `concurrency`); sets envoy_pid and waits
# until PROXY_PORT serves.
# The stack's services on the ports the caller chose (rest, xds, rls_grpc, rls_http, redis_port):
# the control plane with the rate-limit service's address, the service (memory or redis store,
# configured over xDS), redis-server. Each sets its *_pid.
start_tollgate_control_plane() { # start_tollgate_control_plane [VAR=VALUE...]: extra environment
  start_control_plane "$cp_jar" 900 TOLLGATE_RATELIMIT_ADDRESS=127.0.0.1 \
    TOLLGATE_RATELIMIT_PORT="$rls_grpc" "$@"
}
start_ratelimit() { # start_ratelimit memory|redis [VAR=VALUE...]: extra environment
  log "starting the rate-limit service (gRPC $rls_grpc, store $*)"
  local store="$1"
  shift
  env HOST=127.0.0.1 PORT="$rls_http" GRPC_HOST=127.0.0.1 GRPC_PORT="$rls_grpc" \
    BACKEND_TYPE="$store" REDIS_SOCKET_TYPE=tcp REDIS_URL="127.0.0.1:${redis_port:-6379}" \
    CONFIG_TYPE=GRPC_XDS_SOTW CONFIG_GRPC_XDS_SERVER_URL="127.0.0.1:$xds" \
    CONFIG_GRPC_XDS_NODE_ID=bench-ratelimit "$@" \
    "$java" -jar "$rls_jar" >>"$work/logs/ratelimit-service.log" 2>&1 &
  rls_pid=$!
  pids+=("$rls_pid")
  await "the rate-limit service" 600 curl -fsS "http://127.0.0.1:$rls_http/healthcheck"
}
start_redis() {
  mkdir -p "$work/redis"
  redis-server --port "$redis_port" --bind 127.0.0.1 --save "" --appendonly no --dir "$work/redis" \
    >"$work/logs/redis.log" 2>&1 &
  redis_pid=$!
  pids+=("$redis_pid")
  await "redis-server" 20 bash -c "exec 3<>/dev/tcp/127.0.0.1/$redis_port"
}
start_tollgate_envoy() {
  ENVOY_NODE_ID="$1" ENVOY_ADMIN_PORT="$2" ENVOY_STATS_PORT="$(free_port)" TOLLGATE_XDS_PORT="$xds" \
    ENVOY_CONCURRENCY="$concurrency" ENVOY_LOG_LEVEL=warn TOLLGATE_RUN_DIR="$work" \
    "$root/envoy/run-envoy.sh" >"$work/logs/$4" 2>&1 &
  envoy_pid=$!
  pids+=("$envoy_pid")
  await "Tollgate's Envoy to serve" 60 curl -fsS "http://127.0.0.1:$3/healthz"
}

# start_mock WORKERS: the nginx mock on free ports; sets mock_http, nginx_pid.
start_mock() {
  mock_http="$(free_port)"
  local mock_https
  mock_https="$(free_port)"
  log "starting the nginx mock on 127.0.0.1:$mock_http ($1 worker(s))"
  MOCK_PREFIX="$work/mock" MOCK_HTTP_PORT="$mock_http" MOCK_HTTPS_PORT="$mock_https" \
    MOCK_WORKERS="$1" "$root/mock-upstream/run.sh" >"$work/logs/mock.log" 2>&1 &
  nginx_pid=$!
  pids+=("$nginx_pid")
  await "the mock" 20 curl -fsS "http://127.0.0.1:$mock_http/healthz"
}
nginx_all() { echo "$nginx_pid" $(pgrep -P "$nginx_pid" || true); }

# start_static_envoy CONCURRENCY: plain Envoy from bench/proxy/static-envoy.yaml in front of the
# mock; sets static_pid, static_admin, static_port.
start_static_envoy() {
  static_admin="$(free_port)"
  static_port="$(free_port)"
  ENVOY_ADMIN_PORT="$static_admin" PROXY_PORT="$static_port" MOCK_HTTP_PORT="$mock_http" \
    "$root/envoy/render.sh" "$root/bench/proxy/static-envoy.yaml" >"$work/static-envoy.yaml"
  "$envoy_bin" -c "$work/static-envoy.yaml" --concurrency "$1" --use-dynamic-base-id \
    --log-level warn >"$work/logs/envoy-static.log" 2>&1 &
  static_pid=$!
  pids+=("$static_pid")
  await "static Envoy" 20 curl -fsS "http://127.0.0.1:$static_port/healthz"
}

envoy_version() { "$envoy_bin" --version | sed -n 's/.*version: [0-9a-f]*\/\([^/]*\)\/.*/\1/p'; }
machine_line() { echo "$(nproc) cores, $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"; }
