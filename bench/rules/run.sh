#!/usr/bin/env bash
# Rule-count benchmark (issue 12, "cost independent of the rule count"): one stack (control plane,
# rate-limit service in memory, Envoy; this tree's jars) behind the nginx mock, one per-IP rule
# (limit never reached) on the measured path and N other rules on other paths, for N = 0, 99, 999,
# 9999 (1, 100, 1,000, 10,000 rules in all). Rules go in through POST /api/v1/limits/import (one
# import per step). Per row: rps, p99 and Envoy's CPU-µs per request (wrk -t1 -c32, keep-alive,
# mean of the rounds), the ratio to the 1-rule row, the snapshot build time and push size (the
# control plane's log of the publish), /proc/loadavg.
# Then, on top of the 10,000 rules: BENCH_REST_RULES rules created by single POSTs from one client,
# the same number from BENCH_REST_CLIENTS concurrent clients (each one request at a time on its
# keep-alive connection, as a bulk script would), and BENCH_IMPORT_RULES in one import; each timed
# until the write returned and until Envoy and the rate-limit service applied it.
# Loopback only, free ports only. Writes bench/results/rules-<UTC stamp>.md.
#   BENCH_ROUNDS (2)  BENCH_DURATION (10s)  BENCH_WARMUP (2s)  BENCH_COUNTS ("0 99 999 9999")
#   BENCH_REST_RULES (10000; 0 skips the REST timings)  BENCH_REST_CLIENTS (8)  BENCH_IMPORT_RULES (10000)
#   BENCH_ENVOY_CONCURRENCY (1)  BENCH_PATH (/categories/MLA97994)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${BENCH_ROUNDS:-2}"
duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-2s}"
counts="${BENCH_COUNTS:-0 99 999 9999}"
rest_rules="${BENCH_REST_RULES:-10000}"
rest_clients="${BENCH_REST_CLIENTS:-8}"
import_rules_n="${BENCH_IMPORT_RULES:-10000}"
path="${BENCH_PATH:-/categories/MLA97994}"
work="${BENCH_WORK:-$root/.run/bench-rules}"
results="$root/bench/results"
export ENVOY_CONCURRENCY="${BENCH_ENVOY_CONCURRENCY:-1}"
eval "$("$root/scripts/deps.sh" bench)" >/dev/null
rm -rf "$work"
mkdir -p "$work/logs" "$results"
# shellcheck source=../lib.sh
source "$root/bench/lib.sh"
# run-envoy.sh takes the Envoy on PATH instead of installing one.
export PATH="$(dirname "$envoy_bin"):$PATH"
load_before="$(loadavg)"

[[ -f "$root/control-plane/target/control-plane.jar" ]] \
  || (cd "$root" && ./mvnw -B -q -o -DskipTests -pl control-plane,ratelimit-service -am package)
start_mock 1

java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
launch() { # launch LOG COMMAND...: in its own process group, so cleanup ends all of it
  local log_file="$1"
  shift
  setsid "$@" >"$log_file" 2>&1 &
  pids+=("-$!")
  launched=$!
}
proxy="$(free_port)" rest="$(free_port)" admin="$(free_port)"
xds="$(free_port)" rls_grpc="$(free_port)" rls_http="$(free_port)"
cat >"$work/tollgate.yaml" <<YAML
listener: { address: 127.0.0.1, port: $proxy }
upstreams:
  - { name: mock, url: "http://127.0.0.1:$mock_http", timeout: 5s }
routes:
  - { name: default, match: { pathPrefix: / }, upstream: mock }
YAML
cp_log="$work/logs/control-plane.log"
# Started directly, not through scripts/run.sh, whose 2-minute start deadline a busy machine misses.
launch "$cp_log" env TOLLGATE_CONFIG="$work/tollgate.yaml" SERVER_PORT="$rest" \
  TOLLGATE_XDS_PORT="$xds" TOLLGATE_DB_URL="jdbc:h2:file:$work/data/tollgate" \
  TOLLGATE_RATELIMIT_ADDRESS=127.0.0.1 TOLLGATE_RATELIMIT_PORT="$rls_grpc" \
  "$java" -jar "$root/control-plane/target/control-plane.jar"
cp_pid=$launched
await "the control plane ($cp_log)" 600 curl -fsS "http://127.0.0.1:$rest/actuator/health"
launch "$work/logs/ratelimit.log" env HOST=127.0.0.1 PORT="$rls_http" GRPC_HOST=127.0.0.1 \
  GRPC_PORT="$rls_grpc" BACKEND_TYPE=memory CONFIG_TYPE=GRPC_XDS_SOTW \
  CONFIG_GRPC_XDS_SERVER_URL="127.0.0.1:$xds" CONFIG_GRPC_XDS_NODE_ID=ratelimit-bench \
  "$java" -jar "$root/ratelimit-service/target/ratelimit-service.jar"
await "the rate-limit service" 600 curl -fsS "http://127.0.0.1:$rls_http/healthcheck"
launch "$work/logs/envoy.log" env TOLLGATE_RUN_DIR="$work" TOLLGATE_XDS_HOST=127.0.0.1 \
  TOLLGATE_XDS_PORT="$xds" ENVOY_ADMIN_PORT="$admin" ENVOY_STATS_PORT="$(free_port)" \
  ENVOY_NODE_ID=envoy-bench "$root/envoy/run-envoy.sh"
envoy_pid=$launched # run-envoy.sh execs Envoy
await "Envoy" 600 curl -fsS "http://127.0.0.1:$proxy/healthz"

# Reference YAML of rules named PREFIX-FROM..TO-1 on other paths (and the measured rule with FROM 0).
rules_yaml() { # rules_yaml PREFIX FROM TO
  python3 - "$@" <<'PY'
import sys
prefix, lo, hi = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
out = ["domain: tollgate", "descriptors:"]
def rule(name, path, unit, n):
    out.extend([
        "  - key: rule", f"    value: {name}", "    descriptors:",
        "      - key: match_path_prefix", f"        value: {path}", "        descriptors:",
        "          - key: remote_address", "            rate_limit:", f"              name: {name}",
        f"              unit: {unit}", f"              requests_per_unit: {n}"])
if prefix == "other" and lo == 0:
    rule("per-ip", "/categories/", "second", 1000000000)
for i in range(lo, hi):
    rule(f"{prefix}-{i:05d}", f"/{prefix}/{i:05d}/", "minute", 100)
print("\n".join(out))
PY
}
applied() { # applied VERSION: Envoy and the rate-limit service run rules version VERSION or later
  python3 - "$rest" "$1" <<'PY'
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v1/limits/status"))
ok = [n for n in s["nodes"] if n["connected"] and (n.get("appliedRulesVersion") or -1) >= int(sys.argv[2])]
sys.exit(0 if {"envoy", "ratelimit"} <= {n["kind"] for n in ok} else 1)
PY
}
await_applied() { await "Envoy and the rate-limit service to apply rules version $1" 900 applied "$1"; }
import_rules() { # import_rules PREFIX FROM TO: one import; prints "seconds version" (the write's)
  rules_yaml "$@" >"$work/rules.yaml"
  local t0 t1 version
  t0=$(date +%s.%N)
  version="$(curl -fsS -H 'Content-Type: application/yaml' --data-binary @"$work/rules.yaml" \
    "http://127.0.0.1:$rest/api/v1/limits/import" \
    | python3 -c 'import json,sys; print(json.load(sys.stdin)["imported"][0]["version"])')"
  t1=$(date +%s.%N)
  echo "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') $version"
}
# The last publish's "built in N ms; route configuration B bytes, rate-limit configuration B bytes".
last_publish() {
  grep 'published xDS snapshot' "$cp_log" | tail -1 \
    | sed -n 's/.*built in \([0-9]*\) ms; route configuration \([0-9]*\) bytes, rate-limit configuration \([0-9]*\) bytes.*/\1 \2 \3/p'
}
envoy_rq() { stat_value "$admin" http.tollgate.downstream_rq_total; }

table="$work/table.md"
{
  echo "| rules | rps | p99 ms | Envoy CPU-µs/req | rps / 1 rule | snapshot build ms | route config bytes | rate-limit config bytes | load (1/5/15 min) |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---|"
} >"$table"
have=0 base_rps=""
for others in $counts; do
  read -r _ version <<<"$(import_rules other "$have" "$others")"
  have="$others"
  await_applied "$version"
  read -r build_ms route_bytes rl_bytes <<<"$(last_publish)"
  wrk -t1 -c32 -d"$warmup" "http://127.0.0.1:$proxy$path" >/dev/null
  sum_rps=0 sum_p99=0 sum_us=0
  for ((r = 1; r <= rounds; r++)); do
    c0="$(cpu_us "$envoy_pid")" q0="$(envoy_rq)"
    wrk -t1 -c32 -d"$duration" --latency "http://127.0.0.1:$proxy$path" >"$work/wrk.txt"
    c1="$(cpu_us "$envoy_pid")" q1="$(envoy_rq)"
    read -r rps _ p99 errors <<<"$(wrk_figures "$work/wrk.txt")"
    us="$(awk -v c="$((c1 - c0))" -v q="$((q1 - q0))" 'BEGIN { printf "%.1f", (q > 0 ? c / q : 0) }')"
    log "$((others + 1)) rules, round $r: $rps rps, p99 $p99 ms, Envoy $us CPU-µs/req, errors $errors (load $(loadavg))"
    sum_rps="$(add "$sum_rps" "$rps")" sum_p99="$(add "$sum_p99" "$p99")" sum_us="$(add "$sum_us" "$us")"
  done
  rps="$(mean "$sum_rps" "$rounds")"
  base_rps="${base_rps:-$rps}"
  printf '| %d | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$((others + 1))" "$rps" \
    "$(mean "$sum_p99" "$rounds" %.2f)" "$(mean "$sum_us" "$rounds" %.1f)" "$(ratio "$rps" "$base_rps")" \
    "${build_ms:--}" "${route_bytes:--}" "${rl_bytes:--}" "$(loadavg)" >>"$table"
done

rest_table="$work/rest.md"
if ((rest_rules > 0)); then
  {
    echo "| rules created through REST on top of $((have + 1)) | returned after s | ms per rule | POST p50 ms | POST p99 ms | applied by Envoy and the rate-limit service after s | status codes | load before | load after |"
    echo "|---|---:|---:|---:|---:|---:|---|---|---|"
  } >"$rest_table"
  timed_rest() { # timed_rest LABEL COMMAND...: COMMAND prints "seconds ms_per_rule p50 p99 codes version"
    local label="$1" before t0 figures applied_s secs per p50 p99 codes version
    shift
    before="$(loadavg)"
    log "$label (load $before)"
    t0=$(date +%s.%N)
    figures="$("$@")"
    read -r secs per p50 p99 codes version <<<"$figures"
    await_applied "$version"
    applied_s="$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')"
    log "$label: $secs s ($per ms per rule), applied after $applied_s s, codes $codes (load $(loadavg))"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$secs" "$per" "$p50" "$p99" \
      "$applied_s" "$codes" "$before" "$(loadavg)" >>"$rest_table"
  }
  one_import() { # one import of PREFIX-0..N-1, its figures as posts.py prints them
    local secs version
    read -r secs version <<<"$(import_rules "$1" 0 "$import_rules_n")"
    echo "$secs $(awk -v s="$secs" -v n="$import_rules_n" 'BEGIN { printf "%.2f", s * 1000 / n }') - - 200=1 $version"
  }
  timed_rest "$rest_rules single POSTs, 1 client" python3 "$here/posts.py" "$rest" seq "$rest_rules" 1
  timed_rest "$rest_rules single POSTs, $rest_clients clients" python3 "$here/posts.py" "$rest" par "$rest_rules" "$rest_clients"
  timed_rest "$import_rules_n in one POST /import" one_import imp
  read -r build_ms route_bytes rl_bytes <<<"$(last_publish)"
  rest_note="The last snapshot ($((have + 1 + 2 * rest_rules + import_rules_n)) rules): built in ${build_ms:--} ms, route configuration ${route_bytes:--} bytes, rate-limit configuration ${rl_bytes:--} bytes."
fi

cp_cpu_s="$(awk -v u="$(cpu_us "$cp_pid")" 'BEGIN { printf "%.0f", u / 1000000 }')"
out="$results/rules-$(date -u +%Y-%m-%dT%H%M%SZ).md"
{
  echo "# Rule-count benchmark $(date -u +%FT%TZ)"
  echo
  echo "One per-IP rule on \`$path\` (never reached) plus rules on other paths; wrk -t1 -c32"
  echo "${duration} x $rounds rounds, Envoy $(envoy_version) concurrency $ENVOY_CONCURRENCY, memory store,"
  echo "commit $(git -C "$root" rev-parse --short HEAD). Machine: $(machine_line), shared."
  echo "Load average before: $load_before; after: $(loadavg). Control plane CPU over the run: ${cp_cpu_s} s."
  echo
  cat "$table"
  if [[ -f "$rest_table" ]]; then
    echo
    cat "$rest_table"
    echo
    echo "$rest_note"
  fi
} | tee "$out"
log "wrote $out"
