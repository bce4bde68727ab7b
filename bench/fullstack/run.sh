#!/usr/bin/env bash
# Full-stack benchmark (make bench; BENCH=fullstack make bench): the whole Tollgate stack (control
# plane, rate-limit service, [redis-server,] Envoy over xDS) and, beside it, plain Envoy with a
# static config (bench/proxy/static-envoy.yaml), both in front of the same nginx mock. Each setup
# of Tollgate is measured in rounds alternating with plain Envoy (plain, Tollgate, plain, ...), so a
# change in the machine's background load hits both alike; its ratios are to the plain rounds
# beside it. Setups, in this order (the stack is changed through REST between them): no rule | one per-IP rule, never reached (memory store) | the same rule
#   with accuracy: approximate (skipped when the control plane rejects the field) | the per-IP rule
#   with the Redis store | the per-IP rule + 50 rules on other paths | 1, 100, 1,000, 10,000 rules
#   on other paths only (created through REST, the time printed; a count not created within
#   BENCH_CREATE_BUDGET is skipped) | the access log sampled (a control plane with
#   TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN=BENCH_SAMPLE_ONE_IN, 10, and an empty database), then on it the
#   per-IP rule, approximate and exact | the same three with the access log off
#   (TOLLGATE_ACCESSLOG_ENABLED=false); each skipped when the build has no such setting
# Prints and writes bench/results/fullstack-<UTC stamp>.md: rps, p50, p99, CPU-µs per request of
# every process (from /proc/<pid>/stat) and of the whole machine (/proc/stat: every core, all but
# idle and iowait, so other processes on the machine count too), requests counted by each Envoy's
# own http.<prefix>.downstream_rq_total, the ratios to plain Envoy, /proc/loadavg before and after.
#   BENCH_DURATION (10s per round)  BENCH_WARMUP (2s before each round)  BENCH_SETUP_WARMUP (10s of
#   Tollgate before a setup's first round: the JVMs' JIT after a change)  BENCH_STACK_WARMUP (30s of
#   load on the fresh stack before the first setup)  BENCH_ROUNDS (2: Tollgate rounds per setup,
#   each after a plain one)  BENCH_CONNECTIONS (32)  BENCH_THREADS (1: wrk's)
#   BENCH_ENVOY_CONCURRENCY (1: workers of both Envoys)  BENCH_NGINX_WORKERS (1)
#   BENCH_PATH (/categories/MLA97994)  BENCH_RULE_COUNTS ("1 100 1000 10000")
#   BENCH_REST_PARALLEL (4: concurrent POSTs creating rules)  BENCH_CREATE_BUDGET (240 s per count)
#   BENCH_SAMPLE_ONE_IN (10: the accesslog-sampled setups' TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN)
#   BENCH_SETUPS (all but variants: a subset of no-rule per-ip floors variants approximate
#   per-ip-redis per-ip-50 rules accesslog-sampled accesslog-off; rules = the BENCH_RULE_COUNTS
#   rows; floors = the
#   variants bare, floor-access-log, floor-ratelimit, floor-local-ratelimit (Envoy's local rate
#   limit, which no setup uses: what a limit enforced in Envoy alone costs) and approx-floor-quota;
#   variants = the profile:
#   Tollgate's Envoy config with the per-IP rule (exact, then approximate), static, with one part
#   off per row, from the access log to request ids, or only one part on (the "floor" rows: what
#   that part alone costs stock Envoy), see bench/fullstack/variants.py; plus the per-IP rule with
#   a rate-limit service that sends no dynamic metadata)  BENCH_VARIANTS (all: which of them)
#   BENCH_QUICK=1: a check that the script works (1 round of 2s, rule counts "1 100")
#   BENCH_JARS_FROM=DIR: run the stack of another checkout (its control-plane and ratelimit-service
#   jars, built, and its envoy/run-envoy.sh), e.g. a worktree at an older commit, to compare builds on
#   the same machine. Loopback only, free ports.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
if [[ "${BENCH_QUICK:-}" == 1 ]]; then
  : "${BENCH_DURATION:=2s}" "${BENCH_WARMUP:=1s}" "${BENCH_SETUP_WARMUP:=2s}" "${BENCH_STACK_WARMUP:=2s}" "${BENCH_ROUNDS:=1}" "${BENCH_RULE_COUNTS:=1 100}"
fi
setup_warmup="${BENCH_SETUP_WARMUP:-10s}"
stack_warmup="${BENCH_STACK_WARMUP:-30s}"
path="${BENCH_PATH:-/categories/MLA97994}"
rule_counts="${BENCH_RULE_COUNTS:-1 100 1000 10000}"
rest_parallel="${BENCH_REST_PARALLEL:-4}"
create_budget="${BENCH_CREATE_BUDGET:-240}"
setups="${BENCH_SETUPS:-no-rule per-ip floors approximate per-ip-redis per-ip-50 rules accesslog-sampled accesslog-off}"
sample_one_in="${BENCH_SAMPLE_ONE_IN:-10}"
variant_names="${BENCH_VARIANTS:-}"
work="$root/.run/bench-fullstack"
results="$root/bench/results"

# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"
stack_jars
wrk_settings 10s 2 2s
command -v redis-server >/dev/null || { echo "bench: redis-server missing (scripts/deps.sh bench)" >&2; exit 1; }
# (in another checkout, build the jars with ./mvnw -B -q -DskipTests -pl control-plane,ratelimit-service -am package)
fresh_run "$cp_jar" "$rls_jar"
wanted() { [[ " $setups " == *" $1 "* ]]; }
load_before="$(loadavg)"
started=$SECONDS

start_mock "$nginx_workers"
start_static_envoy "$concurrency"

# --- Tollgate's processes: each started by a function, so a setup can restart one. ---
rest="$(free_port)"
xds="$(free_port)"
rls_grpc="$(free_port)"
rls_http="$(free_port)"
redis_port="$(free_port)"
admin="$(free_port)"
proxy_port="$(free_port)"
rest_url="http://127.0.0.1:$rest"
tollgate_yaml "$proxy_port"
cp_pid="" rls_pid="" redis_pid="" envoy_pid=""
running() { # running PID: alive and not a zombie (a child not yet waited for)
  local state
  state="$(awk '{print $3}' "/proc/$1/stat" 2>/dev/null)" && [[ -n "$state" && "$state" != Z ]]
}
stop() { # stop PID: TERM, then wait for it (up to 30 s, then KILL)
  kill -TERM "$1" 2>/dev/null || return 0
  local deadline=$((SECONDS + 30))
  while running "$1" && ((SECONDS < deadline)); do sleep 0.1; done
  kill -KILL "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}
start_envoy() {
  ENVOY_NODE_ID=bench-tollgate ENVOY_ADMIN_PORT="$admin" ENVOY_STATS_PORT="$(free_port)" \
    TOLLGATE_XDS_PORT="$xds" ENVOY_CONCURRENCY="$concurrency" ENVOY_LOG_LEVEL=warn \
    TOLLGATE_RUN_DIR="$work" "$from/envoy/run-envoy.sh" >"$work/logs/envoy-tollgate.log" 2>&1 &
  envoy_pid=$!
  pids+=("$envoy_pid")
  await "Tollgate's Envoy to serve" 600 curl -fsS "http://127.0.0.1:$proxy_port/healthz"
}
settle() { # the rules in the database are what Envoy and the rate-limit service apply
  python3 "$here/rules.py" settle "$rest_url" 600 >/dev/null
}
no_access_log() { ! curl -fsS "http://127.0.0.1:$admin/config_dump?resource=dynamic_listeners" | grep -q 'http_grpc'; }
# fresh_control_plane DB VAR=VALUE...: the control plane restarted with these settings on an empty
# database of its own (no rule), warmed like the first one.
fresh_control_plane() {
  local data="$1"
  shift
  stop "$cp_pid"
  db="$data"
  start_tollgate_control_plane "$@" TOLLGATE_DB_URL="jdbc:h2:file:$work/$db/tollgate;DB_CLOSE_ON_EXIT=FALSE"
  settle
}
warm_stack() {
  log "warming the fresh stack for $stack_warmup"
  wrk -t"$threads" -c"$connections" -d"$stack_warmup" "http://127.0.0.1:$proxy_port$path" >/dev/null
}
# per_ip_rows KEY LABEL: the per-IP rule, approximate then exact, on the control plane as it is
per_ip_rows() {
  expect 201 POST /api/v1/limits "$(rule_json per-ip approximate)"
  settle
  row "$1-approximate" "Tollgate, the per-IP rule with accuracy: approximate, $2"
  expect 200 PUT /api/v1/limits/per-ip "$(rule_json per-ip)"
  settle
  row "$1-per-ip" "Tollgate, the per-IP rule (exact, memory store), $2"
}
sampled_access_log() {
  curl -fsS "http://127.0.0.1:$admin/config_dump?resource=dynamic_listeners" | grep -q 'tollgate.sample_one_in'
}
await_quietly() { # await_quietly SECONDS COMMAND...: like await, but returns 1 instead of exiting
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# --- Measurement ---
# Per row: sums over its rounds. Plain Envoy's rounds are summed under "plain:ROW" (the ratios)
# and under "plain" (its own row).
declare -A reqs rps_sum p50_sum p99_sum errors cpu_envoy cpu_rls cpu_cp cpu_nginx cpu_redis cpu_machine rl_calls
rows=()
declare -A labels notes
# round_counters: what wrk_round reads before and after a round (requests first; the rest in the
# order one_round sums them).
round_counters() {
  counted=("$(stat_value "$adm" "http.$prefix.downstream_rq_total")"
    "$(stat_value "$adm" "cluster.tollgate_ratelimit.upstream_rq_total")"
    "$(cpu_us "$epid")" "$(cpu_us "$rls_pid")" "$(cpu_us "$cp_pid")"
    "$(cpu_us $(nginx_all))" "$(cpu_us ${redis_pid:-})" "$(machine_us)")
}
# one_round KEY ENVOY_PID ADMIN PREFIX PORT
one_round() {
  local key="$1" epid="$2" adm="$3" prefix="$4" port="$5"
  wrk_round "$key" "http://127.0.0.1:$port$path" round_counters
  sum_deltas "$key" rl_calls cpu_envoy cpu_rls cpu_cp cpu_nginx cpu_redis cpu_machine
  log "$key, round $round: $r rps, p50 $r50 ms, p99 $r99 ms, Envoy $((delta[2] / delta[0])) µs/req, machine $((delta[7] / delta[0])) µs/req"
}
merge_plain() { # the plain rounds of one row into plain Envoy's own row
  local k="plain:$1" m
  for m in reqs cpu_envoy cpu_rls cpu_cp cpu_nginx cpu_redis cpu_machine rl_calls; do
    local -n arr="$m"
    arr[plain]=$((${arr[plain]:-0} + ${arr[$k]:-0}))
  done
  for m in rps_sum p50_sum p99_sum; do
    local -n arr="$m"
    arr[plain]="$(add "${arr[plain]:-}" "${arr[$k]}")"
  done
  errors[plain]+="${errors[$k]:-}"
  plain_rounds=$((${plain_rounds:-0} + rounds))
}
row() { # row NAME LABEL: measures the stack as it is now, alternating with plain Envoy
  local name="$1"
  rows+=("$name")
  labels[$name]="$2"
  log "setup $name: $2 (load $(loadavg))"
  # The JVMs' JIT and Envoy's caches after a change or a restart, beyond each round's warm-up.
  wrk -t"$threads" -c"$connections" -d"$setup_warmup" "http://127.0.0.1:$proxy_port$path" >/dev/null
  for round in $(seq 1 "$rounds"); do
    one_round "plain:$name" "$static_pid" "$static_admin" static "$static_port"
    one_round "$name" "$envoy_pid" "$admin" tollgate "$proxy_port"
  done
  merge_plain "$name"
}
skip() { # skip NAME LABEL WHY
  rows+=("$1")
  labels[$1]="$2"
  notes[$1]="$3"
  log "setup $1 skipped: $3"
}
rule_json() { # rule_json NAME ACCURACY?: the per-IP rule on the benchmark's path, never reached
  printf '{"name":"%s","match":{"pathPrefix":"/"},"by":["ip"],"limit":{"requests":1000000000,"per":"second"}%s}' \
    "$1" "${2:+,\"accuracy\":\"$2\"}"
}
rest_call() { # rest_call METHOD PATH [BODY]: prints the status; the body goes to $work/rest.out
  curl -sS -o "$work/rest.out" -w '%{http_code}' -X "$1" -H 'Content-Type: application/json' \
    -H 'If-Match: *' "$rest_url$2" ${3:+--data "$3"}
}
expect() { # expect STATUS METHOD PATH [BODY]
  local want="$1" got
  shift
  got="$(rest_call "$@")"
  [[ "$got" == "$want" ]] || { log "$1 $2: HTTP $got, expected $want: $(cat "$work/rest.out")"; exit 1; }
}
create_others() { # create_others FIRST LAST: prints "CREATED SECONDS"
  python3 "$here/rules.py" create "$rest_url" "$1" "$2" "$rest_parallel" "$create_budget"
}

# run_variants exact|approx [NAME...]: the profile rows of the Envoy configuration as it is now
# (those NAMEs, else BENCH_VARIANTS, else all of that dump's).
run_variants() {
  curl -fsS "http://127.0.0.1:$admin/config_dump" >"$work/config_dump-$1.json"
  local saved=("$envoy_pid" "$admin" "$proxy_port") variant label only="${*:2}"
  only="${only:-$variant_names}"
  while IFS=$'\t' read -r -u 3 variant label; do
    [[ -z "$only" || " $only " == *" $variant "* ]] || continue
    proxy_port="$(free_port)" admin="$(free_port)"
    python3 "$here/variants.py" render "$work/config_dump-$1.json" "$variant" "$proxy_port" "$admin" \
      >"$work/variant-$variant.json"
    "$envoy_bin" -c "$work/variant-$variant.json" --concurrency "$concurrency" --use-dynamic-base-id \
      --log-level warn >"$work/logs/envoy-variant-$variant.log" 2>&1 &
    envoy_pid=$!
    pids+=("$envoy_pid")
    await "Envoy variant $variant" 90 curl -fsS "http://127.0.0.1:$proxy_port/healthz"
    row "variant-$variant" "profile ($1 rule): the per-IP rule's config $label"
    stop "$envoy_pid"
  done 3< <(python3 "$here/variants.py" list "$1")
  envoy_pid="${saved[0]}" admin="${saved[1]}" proxy_port="${saved[2]}"
}

# --- The setups ---
# The control plane first: the rate-limit service is healthy once it has its configuration.
start_tollgate_control_plane
start_ratelimit memory
start_envoy
settle
# A fresh stack's JVMs compile their hot paths (the access-log ingestion above all) in the first
# tens of seconds under load; the first setup would otherwise pay for it alone (measured: the
# control plane's CPU per request twice its later figure in a no-rule row measured first).
warm_stack
wanted no-rule && row no-rule "Tollgate, no rule (access log on)"
if wanted per-ip || wanted variants || wanted floors || wanted approximate || wanted per-ip-redis || wanted per-ip-50; then
  expect 201 POST /api/v1/limits "$(rule_json per-ip)"
  settle
fi
wanted per-ip && row per-ip "Tollgate, one per-IP rule (never reached), memory store"
if wanted variants; then
  # Profile: Tollgate's Envoy configuration with the per-IP rule, static, one part switched off per
  # variant (bench/fullstack/variants.py), each measured like a setup against plain Envoy.
  run_variants exact
  # The rules that counted a call ride back to Envoy as dynamic metadata on every call (the
  # console's hits, through the access log): what that costs.
  stop "$rls_pid"
  start_ratelimit memory OVER_LIMIT_METADATA_ENABLED=false
  settle
  row per-ip-no-metadata "profile (exact rule): the per-IP rule, the rate-limit service sending no dynamic metadata"
  stop "$rls_pid"
  start_ratelimit memory
  settle
fi
# What one part of the configuration alone costs stock Envoy (on an otherwise bare configuration):
# the floor under the setups above, whatever the control plane and the services do.
wanted floors && ! wanted variants && run_variants exact bare floor-access-log floor-ratelimit floor-local-ratelimit
if wanted approximate || wanted variants || wanted floors; then
  status="$(rest_call PUT /api/v1/limits/per-ip "$(rule_json per-ip approximate)")"
  if [[ "$status" == 200 ]] && grep -q '"accuracy" *: *"approximate"' "$work/rest.out"; then
    settle
    wanted approximate && row approximate "Tollgate, the per-IP rule with accuracy: approximate"
    wanted variants && run_variants approx
    wanted floors && ! wanted variants && run_variants approx approx-floor-quota
    expect 200 PUT /api/v1/limits/per-ip "$(rule_json per-ip)"
    settle
  else
    skip approximate "Tollgate, the per-IP rule with accuracy: approximate" \
      "the control plane does not take accuracy: approximate (HTTP $status: $(head -c 160 "$work/rest.out" | tr '|' '/'))"
  fi
fi
if wanted per-ip-redis; then
  start_redis
  stop "$rls_pid"
  start_ratelimit redis
  settle
  row per-ip-redis "Tollgate, the per-IP rule, Redis store"
  stop "$rls_pid"
  stop "$redis_pid"
  redis_pid=""
  start_ratelimit memory
  settle
fi
if wanted per-ip-50; then
  read -r n secs < <(create_others 1 50)
  log "created $n rules on other paths in ${secs}s"
  settle
  row per-ip-50 "Tollgate, the per-IP rule + 50 rules on other paths"
  for i in $(seq 2 50); do expect 204 DELETE "/api/v1/limits/other-$i"; done
  have=1
else
  have=0
fi
if wanted per-ip || wanted variants || wanted floors || wanted approximate || wanted per-ip-redis || wanted per-ip-50; then
  expect 204 DELETE /api/v1/limits/per-ip
  settle
fi
declare -A create_note
if wanted rules; then
  for count in $rule_counts; do
    label="Tollgate, $count rule(s) on other paths (none matches)"
    if ((count > have)); then
      read -r n secs < <(create_others $((have + 1)) "$count")
      have=$((have + n))
      log "created $n rules (to $have) in ${secs}s"
      create_note[rules-$count]="rules $((have - n + 1))..$have created through REST in ${secs} s ($rest_parallel parallel POSTs)"
      if ((have < count)); then
        skip "rules-$count" "$label" "only $have rules created within BENCH_CREATE_BUDGET=${create_budget}s"
        break
      fi
    fi
    t0=$SECONDS
    settle
    log "settled in $((SECONDS - t0))s"
    row "rules-$count" "$label"
    notes[rules-$count]="${create_note[rules-$count]:-}"
  done
fi
# The last two restart the control plane, so no other setup runs on one fresh from a restart.
if wanted accesslog-sampled; then
  fresh_control_plane data-accesslog-sampled TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN="$sample_one_in"
  label="access log sampled 1 in $sample_one_in"
  if await_quietly 60 sampled_access_log; then
    warm_stack
    row accesslog-sampled "Tollgate, no rule, $label"
    per_ip_rows accesslog-sampled "$label"
  else
    skip accesslog-sampled "Tollgate, no rule, $label" \
      "this build has no TOLLGATE_ACCESSLOG_SAMPLE_ONE_IN (Envoy's access log is not sampled)"
  fi
fi
if wanted accesslog-off; then
  fresh_control_plane data-accesslog-off TOLLGATE_ACCESSLOG_ENABLED=false
  if await_quietly 60 no_access_log; then
    row accesslog-off "Tollgate, no rule, access log off"
    # The per-IP rule on both tiers without the access log: what a limited request costs when the
    # statistics are not wanted (Envoy's and the services' own metrics remain).
    per_ip_rows accesslog-off "access log off"
  else
    skip accesslog-off "Tollgate, no rule, access log off" \
      "this build has no TOLLGATE_ACCESSLOG_ENABLED switch (Envoy kept the gRPC access log)"
  fi
fi
load_after="$(loadavg)"

# --- The table ---
per_req() { awk -v c="${1:-0}" -v n="$2" -v f="${3:-%.1f}" 'BEGIN { printf f, c / n }'; }
# figures KEY: "rps p50 p99 envoy rls cp nginx redis stack machine calls_per_req"
figures() {
  local k="$1" n="${reqs[$1]}" r="${2:-$rounds}"
  local stack=$((cpu_envoy[$k] + cpu_rls[$k] + cpu_cp[$k] + cpu_nginx[$k] + cpu_redis[$k]))
  [[ "$k" == plain* ]] && stack=$((cpu_envoy[$k] + cpu_nginx[$k]))
  echo "$(mean "${rps_sum[$k]}" "$r") $(mean "${p50_sum[$k]}" "$r" %.3f) $(mean "${p99_sum[$k]}" "$r" %.3f)" \
    "$(per_req "${cpu_envoy[$k]}" "$n") $(per_req "${cpu_rls[$k]}" "$n") $(per_req "${cpu_cp[$k]}" "$n")" \
    "$(per_req "${cpu_nginx[$k]}" "$n") $(per_req "${cpu_redis[$k]}" "$n") $(per_req "$stack" "$n")" \
    "$(per_req "${cpu_machine[$k]}" "$n") $(per_req "${rl_calls[$k]}" "$n" %.2f)"
}
stamp="$(date -u +%Y-%m-%dT%H%M%SZ)"
file="$results/fullstack-$stamp.md"
build="commit $(git -C "$from" rev-parse --short HEAD 2>/dev/null || echo '? (not a git checkout)')"
[[ -n "$(git -C "$from" status --porcelain --untracked-files=no 2>/dev/null)" ]] && build+=" (uncommitted changes)"
{
  echo "# Full-stack benchmark, $(date -u '+%Y-%m-%d %H:%M UTC')"
  echo
  echo "\`bench/fullstack/run.sh\`: wrk -t$threads -c$connections -d$duration --latency (keep-alive, after a $warmup warm-up),"
  echo "GET \`$path\`, nginx mock ($nginx_workers worker(s)); Envoy $(envoy_version), --concurrency $concurrency for both Envoys."
  echo "Stack built from $from at $build; $(machine_line); run took $(((SECONDS - started) / 60)) min."
  echo "**Load average (1, 5, 15 min) before: $load_before; after: $load_after.**"
  echo
  echo "Each Tollgate setup ran $rounds round(s), each right after a round of plain Envoy; its × columns are"
  echo "to those plain rounds. CPU-µs per request: utime+stime from /proc/<pid>/stat over the round, divided by"
  echo "that Envoy's own downstream_rq_total delta. *stack* sums the processes serving the setup (plain: its"
  echo "Envoy + nginx; Tollgate: Envoy, rate-limit service, control plane, nginx, redis); *machine* is every"
  echo "core's busy time from /proc/stat (wrk, idle processes and anything else running included), the"
  echo "figure issue 12's goals use. rl calls/req: Envoy's calls to the rate-limit service per request."
  echo
  echo "| setup | rps | × plain | p50 ms | p99 ms | Envoy | × plain | rate-limit | control plane | nginx | redis | stack µs/req | × plain | machine µs/req | × plain | rl calls/req |"
  echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
  read -r rps p50 p99 e r c n d s m q < <(figures plain "$plain_rounds")
  echo "| plain Envoy, static config (all its rounds) | $rps | 1.00 | $p50 | $p99 | $e | 1.00 | - | - | $n | - | $s | 1.00 | $m | 1.00 | - |"
  for name in "${rows[@]}"; do
    if [[ -z "${reqs[$name]:-}" ]]; then
      echo "| ${labels[$name]} | skipped: ${notes[$name]} | | | | | | | | | | | | | | |"
      continue
    fi
    read -r rps p50 p99 e r c n d s m q < <(figures "$name")
    read -r prps _ _ pe _ _ _ _ ps pm _ < <(figures "plain:$name")
    [[ "${cpu_redis[$name]}" != 0 ]] || d="-"
    echo "| ${labels[$name]} | $rps | $(ratio "$rps" "$prps") | $p50 | $p99 | $e | $(ratio "$e" "$pe") | $r | $c | $n | $d | $s | $(ratio "$s" "$ps") | $m | $(ratio "$m" "$pm") | $q |"
  done
  echo
  for name in "${rows[@]}"; do
    [[ -n "${reqs[$name]:-}" && -n "${notes[$name]:-}" ]] && echo "- ${labels[$name]}: ${notes[$name]}"
    [[ -n "${errors[$name]:-}" ]] && echo "- ${labels[$name]}: wrk reported ${errors[$name]}"
  done
  [[ -n "${errors[plain]:-}" ]] && echo "- plain Envoy: wrk reported ${errors[plain]}"
  true
} >"$file"
cat "$file"
echo
echo "bench: written to ${file#"$root"/}"
