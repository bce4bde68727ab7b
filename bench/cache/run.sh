#!/usr/bin/env bash
# Response-cache benchmark (BENCH=cache make bench): wrk against one Tollgate Envoy (configured over
# xDS by the control plane, access log on) in front of the nginx mock, with a cached route
# (routes[].cache: { ttl: 60s }) and an uncached one, measured in alternating rounds of the same
# duration, connections and Envoy workers, keep-alive:
#   cached:   GET BENCH_CACHED_PATH   (route `cached`, all but the first request answered by Envoy)
#   uncached: GET BENCH_UNCACHED_PATH (route `default`, every request forwarded to nginx)
# Reports rps, p50, p99 (wrk --latency), CPU-microseconds per request of Envoy, the control plane
# and nginx (/proc/<pid>/stat; requests from Envoy's http.tollgate.downstream_rq_total), how many
# requests reached the upstream (Envoy's cluster upstream_rq_total), the ratios cached/uncached and
# the load average, and writes the table to bench/results/cache-<UTC stamp>.md. Loopback only.
#   BENCH_ROUNDS (3)  BENCH_DURATION (10s)  BENCH_WARMUP (2s)  BENCH_CONNECTIONS (32)  BENCH_THREADS (1)
#   BENCH_ENVOY_CONCURRENCY (1)  BENCH_NGINX_WORKERS (1)
#   BENCH_CACHED_PATH (/categories/MLA97994, 2.6 kB)  BENCH_UNCACHED_PATH (/items/MLA1100000000, 2.8 kB)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cached_path="${BENCH_CACHED_PATH:-/categories/MLA97994}"
uncached_path="${BENCH_UNCACHED_PATH:-/items/MLA1100000000}"
jar="$root/control-plane/target/control-plane.jar"
work="$root/.run/bench-cache"
results="$root/bench/results"

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
wrk_settings 10s 3 2s
fresh_run "$jar"

load_before="$(loadavg)"
start_mock "$nginx_workers"

port="$(free_port)"
rest="$(free_port)"
xds="$(free_port)"
admin="$(free_port)"
tollgate_yaml "$port" "  - name: cached
    match: { path: $cached_path }
    upstream: mock
    cache: { ttl: 60s }"
start_control_plane "$jar" 300
start_tollgate_envoy bench-cache "$admin" "$port" envoy.log
hit="$(curl -fsS -o /dev/null -D - "http://127.0.0.1:$port$cached_path" >/dev/null &&
  curl -fsS -o /dev/null -D - "http://127.0.0.1:$port$cached_path" | tr -d '\r' | sed -n 's/^x-tollgate-cache: //p')"
[[ "$hit" == hit ]] || { log "the cached route does not answer from the cache (x-tollgate-cache: '$hit')"; exit 1; }

# Requests that reached nginx, whichever cluster (the upstream's or the cached route's).
upstream_rq() {
  curl -fsS "http://127.0.0.1:$admin/stats?filter=^cluster\.(mock|tollgate_cache_.*)\.upstream_rq_total$" |
    awk '{ s += $2 } END { print s + 0 }'
}

declare -A envoy_cpu cp_cpu nginx_cpu upstream
# Requests served, requests that reached nginx, CPU of Envoy, the control plane and nginx.
counters() {
  counted=("$(stat_value "$admin" "http.tollgate.downstream_rq_total")" "$(upstream_rq)"
    "$(cpu_us "$envoy_pid")" "$(cpu_us "$cp_pid")" "$(cpu_us $(nginx_all))")
}
# measure NAME PATH: one round of wrk against one path.
measure() {
  local name="$1"
  wrk_round "$name" "http://127.0.0.1:$port$2" counters
  sum_deltas "$name" upstream envoy_cpu cp_cpu nginx_cpu
  log "$name, round $round: $r rps, p50 $r50 ms, p99 $r99 ms, Envoy $((delta[2] / delta[0])) µs/req, upstream ${delta[1]} of ${delta[0]}, load $(loadavg)"
}

for round in $(seq 1 "$rounds"); do
  log "round $round/$rounds: wrk -t$threads -c$connections -d$duration --latency (after a $warmup warm-up)"
  measure cached "$cached_path"
  measure uncached "$uncached_path"
done

declare -A rps p50 p99 envoy_us cp_us nginx_us
for name in cached uncached; do
  averages "$name"
  cp_us[$name]="$(mean "${cp_cpu[$name]}" "${reqs[$name]}" %.2f)"
done

stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
file="$results/cache-$stamp.md"
{
  echo "# Response-cache benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "wrk -t$threads -c$connections -d$duration --latency (keep-alive), $rounds alternating rounds per path (rps, p50, p99: mean of rounds)"
  echo "against one Tollgate Envoy $(envoy_version) (--concurrency $concurrency, access log to the control plane on, no limit rules)"
  echo "in front of the nginx mock ($nginx_workers worker(s)): cached = \`$cached_path\` on a route with \`cache: { ttl: 60s }\`,"
  echo "uncached = \`$uncached_path\` on a route without; $(machine_line); commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')."
  echo "CPU-µs per request from /proc/<pid>/stat over the measured run, divided by Envoy's \`http.tollgate.downstream_rq_total\` delta;"
  echo "upstream requests from Envoy's clusters' \`upstream_rq_total\`. Compare the ratio: absolute numbers move with the machine's load."
  echo "Load average (1, 5, 15 min) before: $load_before; after: $(loadavg)."
  echo
  echo "| path | requests | reached upstream | rps | p50 ms | p99 ms | Envoy µs/req | control plane µs/req | nginx µs/req | errors |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  for name in cached uncached; do
    echo "| $name | ${reqs[$name]} | ${upstream[$name]} | ${rps[$name]} | ${p50[$name]} | ${p99[$name]} | ${envoy_us[$name]} | ${cp_us[$name]} | ${nginx_us[$name]} | ${errors[$name]:-none} |"
  done
  echo "| ratio cached/uncached | | | $(ratio "${rps[cached]}" "${rps[uncached]}") | $(ratio "${p50[cached]}" "${p50[uncached]}") | $(ratio "${p99[cached]}" "${p99[uncached]}") | $(ratio "${envoy_us[cached]}" "${envoy_us[uncached]}") | | $(ratio "${nginx_us[cached]}" "${nginx_us[uncached]}") | |"
} >"$file"
cat "$file"
echo
echo "bench: written to ${file#"$root"/}"
