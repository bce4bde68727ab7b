#!/usr/bin/env bash
# Proxy benchmark (make bench): wrk against
#   (a) plain Envoy with a static bootstrap (bench/proxy/static-envoy.yaml) to the nginx mock, and
#   (b) Tollgate's Envoy, configured over xDS by the control plane, to the same mock,
# both running side by side, measured in alternating rounds of the same duration, connections,
# threads and Envoy worker count, keep-alive. Reports rps, p50, p99 (wrk --latency) and CPU-microseconds per request of Envoy, the
# control plane and nginx (from /proc/<pid>/stat before and after; requests counted from Envoy's
# own http.<prefix>.downstream_rq_total), the ratio b/a, and writes the table to
# bench/results/proxy-<date>.md. Loopback only.
#   BENCH_ROUNDS (2, alternating a and b)  BENCH_DURATION (15s per round and setup)  BENCH_WARMUP (3s)
#   BENCH_CONNECTIONS (32)  BENCH_THREADS (1)
#   BENCH_ENVOY_CONCURRENCY (1)  BENCH_NGINX_WORKERS (1)  BENCH_PATH (/categories/MLA97994)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
duration="${BENCH_DURATION:-15s}"
rounds="${BENCH_ROUNDS:-2}"
warmup="${BENCH_WARMUP:-3s}"
connections="${BENCH_CONNECTIONS:-32}"
threads="${BENCH_THREADS:-1}"
concurrency="${BENCH_ENVOY_CONCURRENCY:-1}"
nginx_workers="${BENCH_NGINX_WORKERS:-1}"
path="${BENCH_PATH:-/categories/MLA97994}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar="$root/control-plane/target/control-plane.jar"
work="$root/.run/bench"
results="$root/bench/results"

[[ -f "$jar" ]] || { echo "bench: $jar missing (make bench builds it)" >&2; exit 1; }
rm -rf "$work"
mkdir -p "$work/logs" "$results"
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

load_before="$(loadavg)"
start_mock "$nginx_workers"

# Sums over the rounds, per setup.
declare -A reqs rps_sum p50_sum p99_sum envoy_cpu cp_cpu nginx_cpu errors
# measure NAME ENVOY_PID ADMIN_PORT STAT_PREFIX PROXY_PORT: one round of wrk against one setup.
measure() {
  local name="$1" envoy_pid="$2" admin="$3" prefix="$4" port="$5"
  local url="http://127.0.0.1:$port$path" out="$work/wrk-$name-$round.txt"
  wrk -t"$threads" -c"$connections" -d"$warmup" "$url" >/dev/null
  local rq0 e0 c0 n0 rq1 e1 c1 n1
  rq0="$(stat_value "$admin" "http.$prefix.downstream_rq_total")"
  e0="$(cpu_us "$envoy_pid")"
  c0="$(cpu_us "$cp_pid")"
  n0="$(cpu_us $(nginx_all))"
  wrk -t"$threads" -c"$connections" -d"$duration" --latency "$url" >"$out"
  rq1="$(stat_value "$admin" "http.$prefix.downstream_rq_total")"
  e1="$(cpu_us "$envoy_pid")"
  c1="$(cpu_us "$cp_pid")"
  n1="$(cpu_us $(nginx_all))"
  local n=$((rq1 - rq0))
  ((n > 0)) || { log "$name: Envoy counted no requests"; cat "$out" >&2; exit 1; }
  local r r50 r99 err
  read -r r r50 r99 err < <(wrk_figures "$out")
  reqs[$name]=$((${reqs[$name]:-0} + n))
  envoy_cpu[$name]=$((${envoy_cpu[$name]:-0} + e1 - e0))
  cp_cpu[$name]=$((${cp_cpu[$name]:-0} + c1 - c0))
  nginx_cpu[$name]=$((${nginx_cpu[$name]:-0} + n1 - n0))
  rps_sum[$name]="$(add "${rps_sum[$name]:-}" "$r")"
  p50_sum[$name]="$(add "${p50_sum[$name]:-}" "$r50")"
  p99_sum[$name]="$(add "${p99_sum[$name]:-}" "$r99")"
  [[ "$err" == none ]] || errors[$name]+="$err "
  log "$name, round $round: $r rps, p50 $r50 ms, p99 $r99 ms, Envoy $(((e1 - e0) / n)) µs/req"
}

# (b)'s control plane first: both Envoys then run side by side, and the rounds alternate, so a
# change in the machine's background load hits both setups alike.
port_b="$(free_port)"
rest="$(free_port)"
xds="$(free_port)"
admin_b="$(free_port)"
cat >"$work/tollgate.yaml" <<YAML
listener: { address: 127.0.0.1, port: $port_b, xffNumTrustedHops: 0 }
upstreams:
  - name: mock
    url: http://127.0.0.1:$mock_http
routes:
  - name: default
    match: { pathPrefix: / }
    upstream: mock
YAML
log "starting the control plane (REST $rest, gRPC $xds)"
TOLLGATE_CONFIG="$work/tollgate.yaml" TOLLGATE_XDS_ADDRESS=127.0.0.1 TOLLGATE_XDS_PORT="$xds" \
  SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$rest" \
  TOLLGATE_DB_URL="jdbc:h2:file:$work/data/tollgate;DB_CLOSE_ON_EXIT=FALSE" \
  "$java" -jar "$jar" >"$work/logs/control-plane.log" 2>&1 &
cp_pid=$!
pids+=("$cp_pid")
await "the control plane" 120 curl -fsS "http://127.0.0.1:$rest/actuator/health"

# (a) plain Envoy, static bootstrap.
start_static_envoy "$concurrency"
envoy_a="$static_pid"
admin_a="$static_admin"
port_a="$static_port"

# (b) Tollgate's Envoy, configured over xDS.
ENVOY_NODE_ID=bench-tollgate ENVOY_ADMIN_PORT="$admin_b" ENVOY_STATS_PORT="$(free_port)" TOLLGATE_XDS_PORT="$xds" \
  ENVOY_CONCURRENCY="$concurrency" ENVOY_LOG_LEVEL=warn TOLLGATE_RUN_DIR="$work" \
  "$root/envoy/run-envoy.sh" >"$work/logs/envoy-tollgate.log" 2>&1 &
envoy_b=$!
pids+=("$envoy_b")
await "Tollgate's Envoy to serve" 60 curl -fsS "http://127.0.0.1:$port_b/healthz"

for round in $(seq 1 "$rounds"); do
  log "round $round/$rounds: wrk -t$threads -c$connections -d$duration --latency (after a $warmup warm-up)"
  measure static "$envoy_a" "$admin_a" static "$port_a"
  measure tollgate "$envoy_b" "$admin_b" tollgate "$port_b"
done

declare -A rps p50 p99 envoy_us cp_us nginx_us
for name in static tollgate; do
  n="${reqs[$name]}"
  rps[$name]="$(awk -v s="${rps_sum[$name]}" -v r="$rounds" 'BEGIN {printf "%.0f", s / r}')"
  p50[$name]="$(awk -v s="${p50_sum[$name]}" -v r="$rounds" 'BEGIN {printf "%.3f", s / r}')"
  p99[$name]="$(awk -v s="${p99_sum[$name]}" -v r="$rounds" 'BEGIN {printf "%.3f", s / r}')"
  envoy_us[$name]="$(awk -v c="${envoy_cpu[$name]}" -v n="$n" 'BEGIN {printf "%.1f", c / n}')"
  nginx_us[$name]="$(awk -v c="${nginx_cpu[$name]}" -v n="$n" 'BEGIN {printf "%.1f", c / n}')"
done
# The control plane serves setup (b) only; its CPU during (a)'s rounds is its idle cost.
cp_us[static]="-"
cp_us[tollgate]="$(awk -v c="${cp_cpu[tollgate]}" -v n="${reqs[tollgate]}" 'BEGIN {printf "%.2f", c / n}')"

stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
file="$results/proxy-$stamp.md"
{
  echo "# Proxy benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "wrk -t$threads -c$connections -d$duration --latency (keep-alive), $rounds alternating rounds per setup (rps, p50, p99: mean of rounds),"
  echo "GET \`$path\` (nginx mock, $nginx_workers worker(s));"
  echo "Envoy $(envoy_version) with --concurrency $concurrency;"
  echo "$(machine_line); commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo "CPU-µs per request from /proc/<pid>/stat (utime+stime) over the measured run, divided by Envoy's own"
  echo "\`http.<prefix>.downstream_rq_total\` delta. Absolute numbers move with the machine's load; the ratio is the result."
  echo "Load average (1, 5, 15 min) before: $load_before; after: $(loadavg)."
  echo
  echo "| setup | requests | rps | p50 ms | p99 ms | Envoy µs/req | control plane µs/req | nginx µs/req | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---|"
  for name in static tollgate; do
    label="(a) plain Envoy, static config"
    [[ "$name" == tollgate ]] && label="(b) Tollgate: Envoy over xDS"
    echo "| $label | ${reqs[$name]} | ${rps[$name]} | ${p50[$name]} | ${p99[$name]} | ${envoy_us[$name]} | ${cp_us[$name]} | ${nginx_us[$name]} | ${errors[$name]:-none} |"
  done
  echo "| ratio b/a | | $(ratio "${rps[tollgate]}" "${rps[static]}") | $(ratio "${p50[tollgate]}" "${p50[static]}") | $(ratio "${p99[tollgate]}" "${p99[static]}") | $(ratio "${envoy_us[tollgate]}" "${envoy_us[static]}") | | $(ratio "${nginx_us[tollgate]}" "${nginx_us[static]}") | |"
} >"$file"
cat "$file"
echo
echo "bench: written to ${file#"$root"/}"
