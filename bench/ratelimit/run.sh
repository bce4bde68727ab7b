#!/usr/bin/env bash
# Rate-limit service benchmark: the packaged service (in-memory store, then a real redis-server)
# driven over gRPC by an open-loop load generator (io.tollgate.bench.ratelimit.RateLimitLoad) with
# 1 and 3 descriptors per call, at the full rate and at half of it. Prints decisions/s, p50, p99,
# p99.9 and CPU-microseconds per decision of the service process (and of redis-server), from /proc;
# Redis figures also as ratios against the in-memory baseline of the same run. The table goes to
# bench/results/ratelimit-<UTC timestamp>.md.
#
# Then the comparison with the reference (envoyproxy/ratelimit, built by reference.sh unless
# REFERENCE_RATELIMIT_BIN names a binary): both services run side by side on the same redis-server
# and configuration, and alternating rounds offer each the same load at rates both sustain (1
# descriptor); it prints decisions per CPU-second of the service, and of service + redis-server,
# for both, and Tollgate / reference. Tollgate's process is the one the Redis suite above warmed
# (its JIT compiled), the reference's is native code from the start. Each round also offers the
# same rates to gRPC's health check on Tollgate's process ("floor": a unary call deciding nothing,
# the grpc-java and kernel cost under every decision), so the best ratio grpc-java allows is
# printed beside the one reached.
#
#   BENCH_RATE (50000 calls/s)  BENCH_SECONDS (10)  BENCH_WARMUP_SECONDS (8)  BENCH_KEYS (10000)
#   BENCH_SERVICE_CPUS (0-1: services and redis-server)  BENCH_CLIENT_CPUS (0-1: the generator)
#   BENCH_TICK_MICROS (50: the generator's shortest sleep between sends)
#   BENCH_COMPARE_RATES ("5000 10000")  BENCH_COMPARE_ROUNDS (2)  BENCH_REFERENCE (1; 0 skips it)
#   BENCH_BASELINE_JAR (another build of the service's jar, e.g. of an older commit: it joins the
#     comparison rounds as "baseline", for before/after figures from one run)
#
# By default every process shares both CPUs, as on the 2-core machine the targets are set for; the
# generator frames HTTP/2 itself so that its share stays small, and its CPU per call is reported.
#   BENCH_TAG (suffix of the results file)  BENCH_STORES ("memory redis")
#   REFERENCE_RATELIMIT_BIN (path of envoyproxy/ratelimit's binary; default: reference.sh builds it)
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk-amd64 2>/dev/null || true)}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
rate="${BENCH_RATE:-50000}"
half=$((rate / 2))
seconds="${BENCH_SECONDS:-10}"
warmup="${BENCH_WARMUP_SECONDS:-8}"
keys="${BENCH_KEYS:-10000}"
service_cpus="${BENCH_SERVICE_CPUS:-0-1}"
client_cpus="${BENCH_CLIENT_CPUS:-0-1}"
tick="${BENCH_TICK_MICROS:-50}"
stores="${BENCH_STORES:-memory redis}"
compare_rates="${BENCH_COMPARE_RATES:-5000 10000}"
compare_rounds="${BENCH_COMPARE_ROUNDS:-2}"
baseline_jar="${BENCH_BASELINE_JAR:-}"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"

reference_note=""
if [ "${BENCH_REFERENCE:-1}" = 0 ]; then
  REFERENCE_RATELIMIT_BIN=""
  reference_note="skipped (BENCH_REFERENCE=0)"
elif [ -z "${REFERENCE_RATELIMIT_BIN:-}" ]; then
  if ! REFERENCE_RATELIMIT_BIN="$(bench/ratelimit/reference.sh)"; then
    REFERENCE_RATELIMIT_BIN=""
    reference_note="skipped: bench/ratelimit/reference.sh could not build envoyproxy/ratelimit (see above)"
    echo "# reference $reference_note" >&2
  fi
fi

./mvnw -B -q -pl bench -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
jar="ratelimit-service/target/ratelimit-service.jar"

work="$(mktemp -d)"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

mkdir -p "$work/config"
cat > "$work/config/bench.yaml" <<'YAML'
domain: bench
descriptors:
  - key: generic_key
    value: per-ip
    descriptors:
      - key: remote_address
        rate_limit: {unit: second, requests_per_unit: 1000000}
  - key: generic_key
    value: per-path
    descriptors:
      - key: path
        rate_limit: {unit: second, requests_per_unit: 1000000}
  - key: generic_key
    value: per-method
    descriptors:
      - key: method
        rate_limit: {unit: second, requests_per_unit: 1000000}
YAML

free_port() {
  python3 -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])'
}

cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

# launch NAME HTTP_PORT COMMAND... : starts a service pinned to the service CPUs and waits for its
# /healthcheck; sets svc_pid and startup_ms.
launch() {
  local name="$1" http="$2"; shift 2
  local t0; t0=$(date +%s%N)
  taskset -c "$service_cpus" "$@" > "$work/$name.log" 2>&1 &
  svc_pid=$!
  pids+=("$svc_pid")
  for _ in $(seq 1 600); do
    if curl -fs "http://127.0.0.1:$http/healthcheck" > /dev/null 2>&1; then
      startup_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
      echo "# $name healthy after ${startup_ms} ms (pid $svc_pid)" >&2
      return
    fi
    sleep 0.05
  done
  cat "$work/$name.log" >&2
  echo "$name did not become healthy" >&2
  exit 1
}

# start_service NAME ENV... : the packaged Tollgate service (or SERVICE_JAR); sets svc_grpc too.
start_service() {
  local name="$1"; shift
  local http; http="$(free_port)"; svc_grpc="$(free_port)"
  launch "$name" "$http" env "$@" RUNTIME_ROOT="$work" RUNTIME_APPDIRECTORY=config \
    HOST=127.0.0.1 PORT="$http" GRPC_HOST=127.0.0.1 GRPC_PORT="$svc_grpc" \
    "$java" -Xms512m -Xmx512m -jar "${SERVICE_JAR:-$jar}"
}

# start_reference : envoyproxy/ratelimit with the same configuration directory and Redis.
start_reference() {
  local http; http="$(free_port)"; svc_grpc="$(free_port)"
  local debug; debug="$(free_port)"
  launch reference "$http" env USE_STATSD=false LOG_LEVEL=warn BACKEND_TYPE=redis \
    REDIS_SOCKET_TYPE=tcp REDIS_URL="127.0.0.1:$redis_port" RUNTIME_ROOT="$work" \
    RUNTIME_SUBDIRECTORY=. RUNTIME_APPDIRECTORY=config RUNTIME_WATCH_ROOT=false \
    HOST=127.0.0.1 PORT="$http" GRPC_HOST=127.0.0.1 GRPC_PORT="$svc_grpc" \
    DEBUG_HOST=127.0.0.1 DEBUG_PORT="$debug" "$REFERENCE_RATELIMIT_BIN"
}

stop_service() {
  kill "$svc_pid" 2>/dev/null || true
  wait "$svc_pid" 2>/dev/null || true
}

# load LABEL DESCRIPTORS RATE [CALL] : one open-loop run; appends its RESULT line (plus redis CPU).
# The generator gets a large young generation: its own collections would count as service latency.
load() {
  local label="$1" descriptors="$2" r="$3" call="${4:-should_rate_limit}"
  local redis_before=0 redis_after=0
  [ -n "${redis_pid:-}" ] && redis_before=$(cpu_ticks "$redis_pid")
  local line
  line=$(TARGET="127.0.0.1:$svc_grpc" RATE="$r" SECONDS="$seconds" WARMUP_SECONDS="$warmup" \
    DESCRIPTORS="$descriptors" KEYS="$keys" PID="$svc_pid" LABEL="$label" CALL="$call" \
    TICK_MICROS="$tick" taskset -c "$client_cpus" "$java" -Xms1g -Xmx1g -Xmn768m -cp "$cp" \
    io.tollgate.bench.ratelimit.RateLimitLoad | grep '^RESULT')
  [ -n "${redis_pid:-}" ] && redis_after=$(cpu_ticks "$redis_pid")
  local decided; decided=$(sed -E 's/.* decided=([0-9]+).*/\1/' <<< "$line")
  local redis_cpu="-"
  if [ -n "${redis_pid:-}" ] && [ "$decided" -gt 0 ]; then
    # The warmup is inside the ticks here, so scale by the measured share of calls.
    redis_cpu=$(awk -v t=$((redis_after - redis_before)) -v d="$decided" -v s="$seconds" \
      -v w="$warmup" 'BEGIN { printf "%.2f", t * 10000 * s / (s + w) / d }')
  fi
  echo "$line redis_cpu_us_per_decision=$redis_cpu startup_ms=$startup_ms round=${round:-0}" \
    "load1=$(cut -d' ' -f1 /proc/loadavg)" | tee -a "$work/results.txt"
}

run_suite() {
  local store="$1"
  for d in 1 3; do
    load "$store" "$d" "$rate"
    load "$store" "$d" "$half"
  done
}

redis_pid=""
if [[ " $stores " == *" memory "* ]]; then
  start_service tollgate-memory BACKEND_TYPE=memory
  run_suite memory
  # The floor: gRPC's own health check on the same server, a unary call that decides nothing.
  load grpc-floor 0 "$half" health
  stop_service
fi

if [[ " $stores " == *" redis "* ]]; then
redis_port="$(free_port)"
taskset -c "$service_cpus" redis-server --port "$redis_port" --bind 127.0.0.1 --save "" \
  --appendonly no --dir "$work" > "$work/redis.log" 2>&1 &
redis_pid=$!
pids+=("$redis_pid")
for _ in $(seq 1 100); do redis-cli -p "$redis_port" ping > /dev/null 2>&1 && break; sleep 0.05; done
start_service tollgate-redis BACKEND_TYPE=redis REDIS_SOCKET_TYPE=tcp \
  REDIS_URL="127.0.0.1:$redis_port"
run_suite redis

# The comparison: the warmed Tollgate process, the reference (and a baseline build) side by side on
# the same Redis, alternating rounds at each rate. The limits are far above the load, so sharing
# counters changes no answer.
declare -A cmp_pid cmp_grpc
cmp_pid[tollgate]=$svc_pid
cmp_grpc[tollgate]=$svc_grpc
contenders=(tollgate)
if [ -n "$baseline_jar" ]; then
  SERVICE_JAR="$baseline_jar" start_service tollgate-baseline BACKEND_TYPE=redis \
    REDIS_SOCKET_TYPE=tcp REDIS_URL="127.0.0.1:$redis_port"
  cmp_pid[baseline]=$svc_pid
  cmp_grpc[baseline]=$svc_grpc
  contenders+=(baseline)
  # Its JIT gets the same warm-up as Tollgate's had from the suite above.
  load baseline-warmup 1 "$half"
fi
if [ -n "${REFERENCE_RATELIMIT_BIN:-}" ]; then
  start_reference
  cmp_pid[reference]=$svc_pid
  cmp_grpc[reference]=$svc_grpc
  contenders+=(reference)
fi
if [ "${#contenders[@]}" -gt 1 ]; then
  for round in $(seq 1 "$compare_rounds"); do
    for r in $compare_rates; do
      for c in "${contenders[@]}"; do
        svc_pid=${cmp_pid[$c]} svc_grpc=${cmp_grpc[$c]} load "cmp-$c" 1 "$r"
      done
      svc_pid=${cmp_pid[tollgate]} svc_grpc=${cmp_grpc[tollgate]} load cmp-floor 0 "$r" health
    done
  done
  round=0
fi
for c in "${contenders[@]}"; do
  kill "${cmp_pid[$c]}" 2>/dev/null || true
  wait "${cmp_pid[$c]}" 2>/dev/null || true
done
fi

# ratios BASE OTHER : a table row per run of OTHER, its figures over BASE's at the same descriptors
# and offered rate.
ratios() {
  awk -v base="$1" -v other="$2" '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    k = v["descriptors"] "/" v["rate"]
    if (v["label"] == base) { dps[k] = v["decisions_per_s"]; p99[k] = v["p99_us"]; cpu[k] = v["cpu_us_per_decision"] }
    else if (v["label"] == other && dps[k] > 0) {
      printf "| %s | %s | %s | %.2f | %.2f | %.2f |\n", other, v["descriptors"], v["rate"],
        v["decisions_per_s"] / dps[k], v["p99_us"] / p99[k], v["cpu_us_per_decision"] / cpu[k]
    }
  }' "$work/results.txt"
}

date="$(date -u +%Y-%m-%dT%H%M%SZ)"
out="bench/results/ratelimit-$date${BENCH_TAG:+-$BENCH_TAG}.md"
{
  echo "# Rate-limit service benchmark, $date"
  echo
  echo "Machine: $(nproc) CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)); load average"
  echo "at the start: $load_before; at the end, this benchmark's own processes included: $(cut -d' ' -f1-3 /proc/loadavg); CPU"
  echo "pressure, share of time some task waited for a CPU: $(sed -nE 's/^some avg10=([0-9.]+) avg60=([0-9.]+) avg300=([0-9.]+).*/\1% (10 s), \2% (60 s), \3% (300 s)/p' /proc/pressure/cpu 2>/dev/null || echo n/a)."
  echo "Service (and redis-server) on CPU(s) $service_cpus, load generator on CPU(s) $client_cpus (taskset)."
  echo "Open loop (calls sent on ${tick} µs ticks over 2 HTTP/2 connections), latency from each call's"
  echo "intended start; ${warmup} s warm-up, ${seconds} s measured;"
  echo "$keys distinct client addresses. CPU = utime+stime of the process from /proc per decision."
  echo "Command: \`bench/ratelimit/run.sh\` (BENCH_RATE=$rate)."
  awk '{ for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] } s[v["label"]] = v["startup_ms"] }
    END { printf "Start-up, launch to /healthcheck 200:"; for (l in s) printf " %s %s ms;", l, s[l]; print "" }' \
    "$work/results.txt"
  echo
  echo "| store | descriptors | offered/s | decisions/s | p50 µs | p99 µs | p99.9 µs | CPU-µs/decision (service) | CPU-µs/decision (redis) | CPU-µs/call (load generator) | errors | skipped |"
  echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
  awk '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", v["label"], v["descriptors"],
      v["rate"], v["decisions_per_s"], v["p50_us"], v["p99_us"], v["p999_us"],
      v["cpu_us_per_decision"], v["redis_cpu_us_per_decision"], v["client_cpu_us_per_call"],
      v["errors"], v["skipped"]
  }' "$work/results.txt"
  echo
  echo "\`grpc-floor\` is gRPC's health check on the same server: the CPU a trivial unary call costs"
  echo "here, under every decision."
  echo
  echo "Ratios against the in-memory baseline of this run (same descriptors and offered rate):"
  echo
  echo "| store | descriptors | offered/s | decisions/s | p99 | CPU-µs/decision (service) |"
  echo "|---|---|---|---|---|---|"
  ratios memory redis
  awk '{
    for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    if (v["label"] == "memory") cpu[v["descriptors"] "/" v["rate"]] = v["cpu_us_per_decision"]
    if (v["label"] == "grpc-floor") { floor = v["cpu_us_per_decision"]; floor_rate = v["rate"] }
  }
  END {
    k = "1/" floor_rate
    if (floor > 0 && cpu[k] > 0)
      printf "| memory vs grpc-floor | 1 | %s | | | %.2f |\n", floor_rate, cpu[k] / floor
  }' "$work/results.txt"
  if grep -q 'label=cmp-' "$work/results.txt"; then
    echo
    echo "Decisions per CPU-second, alternating rounds on one redis-server (1 descriptor; the reference is"
    echo "envoyproxy/ratelimit, \`${REFERENCE_RATELIMIT_BIN:-none}\`, with its defaults;${baseline_jar:+ baseline is \`$baseline_jar\`;}"
    echo "load1 = the 1-minute load average at the end of the round; floor = gRPC's health check on"
    echo "Tollgate's process, a unary call deciding nothing). Ratio = Tollgate / the other:"
    echo
    echo "| round | offered/s | service | decisions/s | p99 µs | errors | load1 | decisions per CPU-s (service) | (service + redis) |"
    echo "|---|---|---|---|---|---|---|---|---|"
    awk '/label=cmp-/ {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      c = v["cpu_us_per_decision"]; rc = v["redis_cpu_us_per_decision"]
      printf "| %s | %s | %s | %s | %s | %s | %s | %.0f | %.0f |\n", v["round"], v["rate"],
        substr(v["label"], 5), v["decisions_per_s"], v["p99_us"], v["errors"], v["load1"],
        (c > 0 ? 1e6 / c : 0), (c + rc > 0 ? 1e6 / (c + rc) : 0)
    }' "$work/results.txt"
    echo
    echo "| offered/s | against | rounds | Tollgate / other, per CPU-s (service) | (service + redis) |"
    echo "|---|---|---|---|---|"
    # Per rate: the ratio of the summed CPU per decision over the rounds (each round weighs alike).
    awk '/label=cmp-/ {
      for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
      who = substr(v["label"], 5); k = v["rate"]
      svc[who, k] += v["cpu_us_per_decision"]; both[who, k] += v["cpu_us_per_decision"] + v["redis_cpu_us_per_decision"]
      n[who, k]++; rates[k] = 1; others[who] = 1
    }
    END {
      for (k in rates) for (o in others) if (o != "tollgate" && o != "floor" && n[o, k] > 0 && svc["tollgate", k] > 0)
        printf "| %s | %s | %d | %.2f | %.2f |\n", k, o, n[o, k],
          svc[o, k] / svc["tollgate", k], both[o, k] / both["tollgate", k]
      # The ceiling: the reference against a call that costs only the gRPC floor.
      for (k in rates) if (n["reference", k] > 0 && svc["floor", k] > 0)
        printf "| %s | reference, if a decision cost only the floor | %d | %.2f | %.2f |\n", k,
          n["reference", k], svc["reference", k] / svc["floor", k],
          both["reference", k] / (svc["floor", k] + both["tollgate", k] - svc["tollgate", k])
    }' "$work/results.txt" | sort -t'|' -k2,2n -k3
  elif [ -n "$reference_note" ]; then
    echo
    echo "Reference $reference_note."
  fi
} > "$out"
cat "$out"
