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
path="${BENCH_PATH:-/categories/MLA97994}"
jar="$root/control-plane/target/control-plane.jar"
work="$root/.run/bench"
results="$root/bench/results"

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
wrk_settings 15s 2 3s
fresh_run "$jar"

load_before="$(loadavg)"
start_mock "$nginx_workers"

# Sums over the rounds, per setup (requests, rps, latencies and errors: wrk_round's).
declare -A envoy_cpu cp_cpu nginx_cpu
# Requests served, CPU of the measured Envoy, the control plane and nginx (the Envoy and its stats
# prefix: measure's locals).
counters() {
  counted=("$(stat_value "$admin" "http.$prefix.downstream_rq_total")" "$(cpu_us "$epid")"
    "$(cpu_us "$cp_pid")" "$(cpu_us $(nginx_all))")
}
# measure NAME ENVOY_PID ADMIN_PORT STAT_PREFIX PROXY_PORT: one round of wrk against one setup.
measure() {
  local name="$1" epid="$2" admin="$3" prefix="$4"
  wrk_round "$name" "http://127.0.0.1:$5$path" counters
  sum_deltas "$name" envoy_cpu cp_cpu nginx_cpu
  log "$name, round $round: $r rps, p50 $r50 ms, p99 $r99 ms, Envoy $((delta[1] / delta[0])) µs/req"
}

# (b)'s control plane first: both Envoys then run side by side, and the rounds alternate, so a
# change in the machine's background load hits both setups alike.
port_b="$(free_port)"
rest="$(free_port)"
xds="$(free_port)"
admin_b="$(free_port)"
tollgate_yaml "$port_b"
start_control_plane "$jar" 300

# (a) plain Envoy, static bootstrap.
start_static_envoy "$concurrency"
envoy_a="$static_pid"
admin_a="$static_admin"
port_a="$static_port"

# (b) Tollgate's Envoy, configured over xDS.
start_tollgate_envoy bench-tollgate "$admin_b" "$port_b" envoy-tollgate.log
envoy_b="$envoy_pid"

for round in $(seq 1 "$rounds"); do
  log "round $round/$rounds: wrk -t$threads -c$connections -d$duration --latency (after a $warmup warm-up)"
  measure static "$envoy_a" "$admin_a" static "$port_a"
  measure tollgate "$envoy_b" "$admin_b" tollgate "$port_b"
done

declare -A rps p50 p99 envoy_us cp_us nginx_us
for name in static tollgate; do
  averages "$name"
done
# The control plane serves setup (b) only; its CPU during (a)'s rounds is its idle cost.
cp_us[static]="-"
cp_us[tollgate]="$(mean "${cp_cpu[tollgate]}" "${reqs[tollgate]}" %.2f)"

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
