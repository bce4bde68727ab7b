#!/usr/bin/env bash
# Approximate-tier accuracy benchmark (BENCH=approximate make bench): the whole Tollgate stack
# (control plane, rate-limit service serving RLQS, two Envoys over xDS on one proxy port,
# SO_REUSEPORT, the nginx mock), one rule `accuracy: approximate` of BENCH_LIMIT requests per
# minute on one path, shared by everyone (one bucket across both Envoys), and a steady load above
# the limit on each Envoy at a fixed rate (bench/approximate/load.py: open loop, each connection
# identified with the Envoy that accepted it). Per window of the rule: the limit, the 200s
# admitted across both Envoys, the over-admission in % of the limit ((admitted - limit) / limit,
# when positive) and admitted / limit; then the max and mean over the measured windows (the window
# the load starts in is partial, has no assignment yet at its start, and is skipped). Prints CPU
# (per process and the whole machine, /proc) and /proc/loadavg; writes
# bench/results/approximate-<UTC stamp>.md.
#
# Why a minute: the service counts (and denies) only windows of at least four of Envoy's fixed 5 s
# reporting intervals (ratelimit-service README, RLQS); the rule's units are second, minute, hour,
# so a minute is the shortest window the tier counts, and several fit in a few minutes.
#
#   BENCH_LIMIT (600: requests per minute)  BENCH_OFFERED (2: the offered load, × the limit)
#   BENCH_SPLITS ("50/50 50/50 70/30 70/30": one measured window each, the load's split between
#   Envoy 1 and Envoy 2 in %)  BENCH_STORE (memory | redis)  BENCH_PATH (/categories/MLA97994)
#   BENCH_CONNECTIONS_PER_ENVOY (4)  BENCH_ENVOY_CONCURRENCY (1)
#   BENCH_JARS_FROM=DIR: run the stack of another checkout (built), to compare on one machine.
# Loopback only, free ports.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
limit="${BENCH_LIMIT:-600}"
offered="${BENCH_OFFERED:-2}"
splits="${BENCH_SPLITS:-50/50 50/50 70/30 70/30}"
store="${BENCH_STORE:-memory}"
path="${BENCH_PATH:-/categories/MLA97994}"
concurrency="${BENCH_ENVOY_CONCURRENCY:-1}"
work="$root/.run/bench-approximate"
results="$root/bench/results"
rule=approx-bench

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
stack_jars
command -v ss >/dev/null || { echo "bench: ss (iproute2) missing" >&2; exit 1; }
[[ "$store" != redis ]] || command -v redis-server >/dev/null \
  || { echo "bench: redis-server missing (scripts/deps.sh bench)" >&2; exit 1; }
fresh_run "$cp_jar" "$rls_jar"
load_before="$(loadavg)"
started=$SECONDS

start_mock 1
rest="$(free_port)" xds="$(free_port)" rls_grpc="$(free_port)" rls_http="$(free_port)"
proxy_port="$(free_port)"
rest_url="http://127.0.0.1:$rest"
tollgate_yaml "$proxy_port"

start_tollgate_control_plane

redis_pid=""
if [[ "$store" == redis ]]; then
  redis_port="$(free_port)"
  start_redis
fi
start_ratelimit "$store"

envoy_pids=() envoy_admins=()
for i in 1 2; do
  admin="$(free_port)"
  ENVOY_NODE_ID="bench-approx-$i" ENVOY_ADMIN_PORT="$admin" ENVOY_STATS_PORT="$(free_port)" \
    TOLLGATE_XDS_PORT="$xds" ENVOY_CONCURRENCY="$concurrency" ENVOY_LOG_LEVEL=warn \
    TOLLGATE_RUN_DIR="$work" "$from/envoy/run-envoy.sh" >"$work/logs/envoy-$i.log" 2>&1 &
  envoy_pids+=($!)
  envoy_admins+=("$admin")
  pids+=($!)
  await "Envoy $i to serve" 600 curl -fsS "http://127.0.0.1:$admin/ready"
done
await "the proxy port" 120 curl -fsS "http://127.0.0.1:$proxy_port/healthz"

body="{\"name\":\"$rule\",\"match\":{\"path\":\"$path\"},\"limit\":{\"requests\":$limit,\"per\":\"minute\"},\"accuracy\":\"approximate\"}"
status="$(curl -sS -o "$work/rest.out" -w '%{http_code}' -X POST -H 'Content-Type: application/json' \
  --data "$body" "$rest_url/api/v1/limits")"
[[ "$status" == 201 ]] || { log "creating the rule: HTTP $status: $(cat "$work/rest.out")"; exit 1; }
python3 "$root/bench/fullstack/rules.py" settle "$rest_url" 600 >/dev/null
for admin in "${envoy_admins[@]}"; do
  await "Envoy (admin $admin) to run the quota filter" 120 \
    bash -c "curl -fsS 'http://127.0.0.1:$admin/config_dump?resource=dynamic_listeners' | grep -q 'tollgate.quota.$rule'"
done
await "the rate-limit service to know the rule" 120 \
  bash -c "curl -fsS 'http://127.0.0.1:$rls_http/rlconfig' | grep -q '$rule'"

# Requests per second per Envoy, one entry per window (the first also drives the partial one).
per_second="$(awk -v l="$limit" -v o="$offered" 'BEGIN { printf "%.4f", l * o / 60 }')"
rates=()
for s in $splits; do
  rates+=("$(awk -v t="$per_second" -v s="$s" 'BEGIN { split(s, p, "/"); printf "%.4f,%.4f", t * p[1] / 100, t * p[2] / 100 }')")
done
ok0=()
for admin in "${envoy_admins[@]}"; do ok0+=("$(stat_value "$admin" http.tollgate.downstream_rq_2xx)"); done
c_e1_0="$(cpu_us "${envoy_pids[0]}")" c_e2_0="$(cpu_us "${envoy_pids[1]}")" c_r0="$(cpu_us "$rls_pid")"
c_c0="$(cpu_us "$cp_pid")" c_n0="$(cpu_us $(nginx_all))" c_d0="$(cpu_us ${redis_pid:-})" m0="$(machine_us)"
t0=$SECONDS
load_start="$(loadavg)"
log "load: $per_second requests/s offered in all (${offered}x the limit), splits $splits; load average $load_start"
BENCH_SECONDS_FILE="$work/seconds.tsv" python3 "$here/load.py" "$proxy_port" "$path" 60 "$(IFS=,; echo "${envoy_pids[*]}")" "${rates[@]}" \
  >"$work/windows.tsv" &
load_pid=$!
pids+=("$load_pid")
wait "$load_pid" || { log "the load generator failed"; exit 1; }
m1="$(machine_us)" c_e1_1="$(cpu_us "${envoy_pids[0]}")" c_e2_1="$(cpu_us "${envoy_pids[1]}")"
c_r1="$(cpu_us "$rls_pid")" c_c1="$(cpu_us "$cp_pid")" c_n1="$(cpu_us $(nginx_all))" c_d1="$(cpu_us ${redis_pid:-})"
elapsed=$((SECONDS - t0))
ok1=()
for admin in "${envoy_admins[@]}"; do ok1+=("$(stat_value "$admin" http.tollgate.downstream_rq_2xx)"); done
load_after="$(loadavg)"
assignments="$(curl -fsS "http://127.0.0.1:$rls_http/metrics" | awk '/^tollgate_ratelimit_rlqs_assignments_total/ { sub(/.*strategy="/, ""); sub(/"}/, ""); printf "%s %.0f; ", $1, $2 }')"

# --- The table ---
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
file="$results/approximate-$stamp.md"
build="commit $(git -C "$from" rev-parse --short HEAD 2>/dev/null || echo '?')"
[[ -n "$(git -C "$from" status --porcelain --untracked-files=no 2>/dev/null)" ]] && build+=" (uncommitted changes)"
sec() { awk -v a="$1" -v b="$2" -v t="$elapsed" 'BEGIN { printf "%.1f s (%.0f%% of a core)", (b - a) / 1e6, (b - a) / 1e4 / t }'; }
{
  echo "# Approximate tier: over-admission across two Envoys, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "\`bench/approximate/run.sh\`: one rule \`accuracy: approximate\`, $limit requests per minute on \`$path\`,"
  echo "one bucket for everyone; two Envoys ($(envoy_version), --concurrency $concurrency) on one port, $store store;"
  echo "steady open-loop load of $per_second requests/s in all (${offered}× the limit), split between the Envoys"
  echo "as in the table, ${BENCH_CONNECTIONS_PER_ENVOY:-4} keep-alive connections per Envoy (bench/approximate/load.py)."
  echo "Stack built from $from at $build; $(machine_line); run took $(((SECONDS - started) / 60)) min."
  echo "**Load average (1, 5, 15 min) before: $load_before; at the load's start: $load_start; after: $load_after.**"
  echo
  echo "Admitted = the 200s the load generator received for requests it sent in that window (its own"
  echo "wall clock, the one the service's epoch-aligned windows use; each reply counted once, by its"
  echo "request's send time). The first window is partial (the load starts in it, with no assignment"
  echo "yet) and not measured. Over = (admitted - limit) / limit when positive. Other: replies neither 200"
  echo "nor 429, and failed requests; late: requests sent more than 100 ms after they were due (a busy machine)."
  echo
  echo "| window (UTC) | split (Envoy 1/2) | offered | limit | admitted (Envoy 1 + 2) | over-admission % of limit | admitted / limit | 429s | other | late | load average at its end |"
  echo "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  awk -F'\t' -v limit="$limit" -v splits="$splits" '
    BEGIN { n = split(splits, sp, " ") }
    $1 == "window" {
      split($4, o, ","); split($5, a, ","); split($6, d, ",")
      admitted = a[1] + a[2]; over = admitted > limit ? (admitted - limit) * 100 / limit : 0
      k++; label = k == 1 ? sp[1] : sp[k - 1]
      t = $2
      if ($3 == 1) {
        printf "| %s (partial, skipped) | %s | %d | %d | %d (%d + %d) | - | - | %d | %d | %d | %s |\n", t, label, o[1] + o[2], limit, admitted, a[1], a[2], d[1] + d[2], $7, $8, $9
        next
      }
      m++; sum += over; ratio += admitted / limit; if (over > max) max = over
      if (m == 1 || admitted / limit < minr) minr = admitted / limit
      printf "| %s | %s | %d | %d | %d (%d + %d) | %.1f | %.3f | %d | %d | %d | %s |\n", t, label, o[1] + o[2], limit, admitted, a[1], a[2], over, admitted / limit, d[1] + d[2], $7, $8, $9
    }
    END {
      printf "\n**Over the %d measured windows: over-admission max %.1f %%, mean %.1f %% of the limit;", m, max, sum / m
      printf " admitted / limit mean %.3f, min %.3f.**\n", ratio / m, minr
    }' "$work/windows.tsv"
  echo
  gen_ok="$(awk -F'\t' '$1 == "total" { print $2 }' "$work/windows.tsv")"
  echo "Check: the Envoys' own \`http.tollgate.downstream_rq_2xx\` grew by $((ok1[0] - ok0[0])) + $((ok1[1] - ok0[1])) = $((ok1[0] - ok0[0] + ok1[1] - ok0[1])) over the load; the generator counted $gen_ok 200s."
  echo "RLQS assignments sent by the service (all run): $assignments"
  echo
  echo "CPU over the load ($elapsed s; utime+stime from /proc/<pid>/stat; machine: every core's busy time from /proc/stat):"
  echo "Envoy 1 $(sec "$c_e1_0" "$c_e1_1"), Envoy 2 $(sec "$c_e2_0" "$c_e2_1"), rate-limit service $(sec "$c_r0" "$c_r1"),"
  echo "control plane $(sec "$c_c0" "$c_c1"), nginx $(sec "$c_n0" "$c_n1")$([[ -n "$redis_pid" ]] && echo ", redis $(sec "$c_d0" "$c_d1")"), load generator $(sec 0 "$(awk -F'\t' '$1 == "cpu" { printf "%.0f", $2 * 1e6 }' "$work/windows.tsv")"), machine $(sec "$m0" "$m1")."
} >"$file"
cat "$file"
echo
echo "bench: written to ${file#"$root"/}"
