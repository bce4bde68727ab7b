#!/usr/bin/env bash
# Rule-count benchmark (issue 12, "cost independent of the rule count"): rps of one per-IP rule
# (limit never reached) on the measured path while N other rules sit on other paths, for
# N = 0, 99, 999, 9999 (1, 100, 1,000, 10,000 rules in all), BEFORE and AFTER a change, in one run:
# two whole stacks (scripts/run.sh: control plane, rate-limit service in memory, Envoy) side by side
# behind one nginx mock, BEFORE built from git ref $BENCH_BEFORE_REF (default: the merge base with
# main) in a scratch tree, AFTER from this tree's jars. Rules go in through /api/v1/limits/import
# (one write per step, identical YAML on both; importing adds to what is there). Rounds alternate
# BEFORE and AFTER with wrk -t1 -c32, keep-alive; /proc/loadavg is printed with every figure.
# Then it times N_REST rules created by sequential POSTs (curl keep-alive, one process) on AFTER.
# Loopback only, free ports only. Writes bench/results/rules-<date>.md.
#   BENCH_BEFORE_REF (merge-base HEAD main)  BENCH_ROUNDS (2)  BENCH_DURATION (10s)  BENCH_WARMUP (2s)
#   BENCH_COUNTS ("0 99 999 9999")  BENCH_REST_RULES (10000; 0 skips the REST timing)
#   BENCH_ENVOY_CONCURRENCY (1)  BENCH_PATH (/categories/MLA97994)
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${BENCH_ROUNDS:-2}"
duration="${BENCH_DURATION:-10s}"
warmup="${BENCH_WARMUP:-2s}"
counts="${BENCH_COUNTS:-0 99 999 9999}"
rest_rules="${BENCH_REST_RULES:-10000}"
path="${BENCH_PATH:-/categories/MLA97994}"
before_ref="${BENCH_BEFORE_REF:-$(git -C "$root" merge-base HEAD main)}"
work="${BENCH_WORK:-$root/.run/bench-rules}"
results="$root/bench/results"
export ENVOY_CONCURRENCY="${BENCH_ENVOY_CONCURRENCY:-1}"
eval "$("$root/scripts/deps.sh" bench)" >/dev/null
# Both trees' run-envoy.sh take the Envoy on PATH instead of installing one.
export PATH="$(dirname "$ENVOY_BIN"):$PATH"
# log, free_port, await, loadavg, cleanup of $pids (a negative pid: a process group) and the traps.
# shellcheck source=bench/lib.sh
source "$root/bench/lib.sh"

before_tree="$work/tree-$before_ref"
rm -rf "$work"/stack-* "$work"/mock*
mkdir -p "$work" "$results"

# BEFORE: the ref's sources, built offline into a scratch tree (kept for the next run).
if [[ ! -f "$before_tree/control-plane/target/control-plane.jar" ]]; then
  log "building BEFORE ($before_ref) in $before_tree"
  rm -rf "$before_tree"
  mkdir -p "$before_tree"
  git -C "$root" archive "$before_ref" | tar -x -C "$before_tree"
  (cd "$before_tree" && ./mvnw -B -q -o -DskipTests -pl control-plane,ratelimit-service -am package)
fi
[[ -f "$root/control-plane/target/control-plane.jar" ]] \
  || (cd "$root" && ./mvnw -B -q -o -DskipTests -pl control-plane,ratelimit-service -am package)

mock_port="$(free_port)"
MOCK_HTTP_PORT="$mock_port" MOCK_HTTPS_PORT="$(free_port)" MOCK_WORKERS=1 \
  MOCK_PREFIX="$work/mock" "$root/mock-upstream/run.sh" >"$work/mock.log" 2>&1 &
pids+=($!)
await "the mock" 30 curl -fsS "http://127.0.0.1:$mock_port/healthz"

declare -A proxy rest
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
# Started directly, not through scripts/run.sh, whose 2-minute start deadline a busy machine misses.
launch() { # launch LOG COMMAND...: in its own process group, so cleanup ends all of it
  local log_file="$1"
  shift
  setsid "$@" >"$log_file" 2>&1 &
  pids+=("-$!")
}
start_stack() { # start_stack NAME TREE
  local name="$1" tree="$2" dir="$work/stack-$1"
  local xds rls_grpc rls_http admin
  mkdir -p "$dir"
  proxy[$name]="$(free_port)"
  rest[$name]="$(free_port)"
  xds="$(free_port)" rls_grpc="$(free_port)" rls_http="$(free_port)" admin="$(free_port)"
  cat >"$dir/tollgate.yaml" <<YAML
listener: { address: 127.0.0.1, port: ${proxy[$name]} }
upstreams:
  - { name: mock, url: "http://127.0.0.1:$mock_port", timeout: 5s }
routes:
  - { name: default, match: { pathPrefix: / }, upstream: mock }
YAML
  launch "$dir/control-plane.log" env TOLLGATE_CONFIG="$dir/tollgate.yaml" SERVER_PORT="${rest[$name]}" \
    TOLLGATE_XDS_PORT="$xds" TOLLGATE_DB_URL="jdbc:h2:file:$dir/data/tollgate" \
    TOLLGATE_RATELIMIT_ADDRESS=127.0.0.1 TOLLGATE_RATELIMIT_PORT="$rls_grpc" \
    "$java" -jar "$tree/control-plane/target/control-plane.jar"
  await "the $name control plane ($dir/control-plane.log)" 600 \
    curl -fsS "http://127.0.0.1:${rest[$name]}/actuator/health"
  launch "$dir/ratelimit.log" env HOST=127.0.0.1 PORT="$rls_http" GRPC_HOST=127.0.0.1 \
    GRPC_PORT="$rls_grpc" BACKEND_TYPE=memory CONFIG_TYPE=GRPC_XDS_SOTW \
    CONFIG_GRPC_XDS_SERVER_URL="127.0.0.1:$xds" CONFIG_GRPC_XDS_NODE_ID="ratelimit-bench-$name" \
    "$java" -jar "$tree/ratelimit-service/target/ratelimit-service.jar"
  await "the $name rate-limit service ($dir/ratelimit.log)" 600 \
    curl -fsS "http://127.0.0.1:$rls_http/healthcheck"
  launch "$dir/envoy.log" env TOLLGATE_RUN_DIR="$dir" TOLLGATE_XDS_HOST=127.0.0.1 \
    TOLLGATE_XDS_PORT="$xds" ENVOY_ADMIN_PORT="$admin" ENVOY_STATS_PORT="$(free_port)" \
    ENVOY_NODE_ID="envoy-bench-$name" "$tree/envoy/run-envoy.sh"
  await "the $name Envoy ($dir/envoy.log)" 600 curl -fsS "http://127.0.0.1:${proxy[$name]}/healthz"
}
start_stack before "$before_tree"
start_stack after "$root"

# Reference YAML of the measured rule plus rules FROM..TO-1 on other paths.
rules_yaml() { # rules_yaml FROM TO
  python3 - "$@" <<'PY'
import sys
lo, hi = int(sys.argv[1]), int(sys.argv[2])
out = ["domain: tollgate", "descriptors:"]
def rule(name, prefix, unit, n):
    out.extend([
        "  - key: rule", f"    value: {name}", "    descriptors:",
        "      - key: match_path_prefix", f"        value: {prefix}", "        descriptors:",
        "          - key: remote_address", "            rate_limit:", f"              name: {name}",
        f"              unit: {unit}", f"              requests_per_unit: {n}"])
if lo == 0:
    rule("per-ip", "/categories/", "second", 1000000000)
for i in range(max(lo, 0), hi):
    rule(f"other-{i:05d}", f"/other/{i:05d}/", "minute", 100)
print("\n".join(out))
PY
}
import_rules() { # import_rules FROM TO: on both stacks, 1,000 rules per import (the body limit); waits until both applied them
  local name version from
  for name in before after; do
    for ((from = $1; from < $2 || from == $1; from += 1000)); do
      rules_yaml "$from" "$((from + 1000 < $2 ? from + 1000 : $2))" >"$work/rules.yaml"
      curl -fsS -H 'Content-Type: application/yaml' --data-binary @"$work/rules.yaml" \
        "http://127.0.0.1:${rest[$name]}/api/v1/limits/import" >/dev/null
    done
    version="$(curl -fsS "http://127.0.0.1:${rest[$name]}/api/v1/limits" | python3 -c 'import json,sys; print(json.load(sys.stdin)["version"])')"
    await "$name to apply rules version $version" 600 python3 - "${rest[$name]}" "$version" <<'PY'
import json, sys, urllib.request
s = json.load(urllib.request.urlopen(f"http://127.0.0.1:{sys.argv[1]}/api/v1/limits/status"))
ok = [n for n in s["nodes"] if n["connected"] and n.get("appliedRulesVersion", -1) >= int(sys.argv[2])]
sys.exit(0 if {"envoy", "ratelimit"} <= {n["kind"] for n in ok} else 1)
PY
  done
}
rps() { # rps NAME: one wrk round on NAME's proxy
  wrk -t1 -c32 -d"$duration" "http://127.0.0.1:${proxy[$1]}$path" | awk '/Requests\/sec/ {print int($2)}'
}

table="$work/table.md"
{
  echo "| rules | BEFORE rps | AFTER rps | AFTER / BEFORE | load (1/5/15 min) |"
  echo "|---:|---:|---:|---:|---|"
} >"$table"
have=0
for others in $counts; do
  import_rules "$have" "$others"
  have="$others"
  for name in before after; do wrk -t1 -c32 -d"$warmup" "http://127.0.0.1:${proxy[$name]}$path" >/dev/null; done
  b=0 a=0
  for ((r = 1; r <= rounds; r++)); do
    rb="$(rps before)"; ra="$(rps after)"
    log "$((others + 1)) rules, round $r: BEFORE $rb rps, AFTER $ra rps (load $(loadavg))"
    b=$((b + rb)); a=$((a + ra))
  done
  b=$((b / rounds)); a=$((a / rounds))
  printf '| %d | %d | %d | %s | %s |\n' "$((others + 1))" "$b" "$a" \
    "$(python3 -c "print(f'{$a / max($b, 1):.2f}')")" "$(loadavg)" >>"$table"
done

rest_line=""
if ((rest_rules > 0)); then
  # Sequential POSTs over one keep-alive connection: curl reads the URLs and bodies from a config.
  python3 - "$rest_rules" "${rest[after]}" >"$work/posts.curl" <<'PY'
import json, sys
n, port = int(sys.argv[1]), sys.argv[2]
entries = []
for i in range(n):
    body = ('{"name":"rest-%05d","match":{"pathPrefix":"/rest/%05d/"},"by":["ip"],'
            '"limit":{"requests":100,"per":"minute"}}') % (i, i)
    entries.append(f'url = "http://127.0.0.1:{port}/api/v1/limits"\nrequest = "POST"\n'
                   f'header = "Content-Type: application/json"\ndata = {json.dumps(body)}\n'
                   'output = "/dev/null"\nwrite-out = "%{http_code}\\n"\n')
print("next\n".join(entries))
PY
  log "creating $rest_rules rules with sequential POSTs on AFTER (load $(loadavg))"
  start_s=$(date +%s.%N)
  codes="$(curl -sS --config "$work/posts.curl" | sort | uniq -c | tr '\n' ' ')"
  end_s=$(date +%s.%N)
  took="$(python3 -c "print(f'{$end_s - $start_s:.1f}')")"
  rest_line="$rest_rules rules created through REST (sequential POSTs, curl keep-alive) in ${took} s; status codes: $codes; load $(loadavg)"
  log "$rest_line"
fi

out="$results/rules-$(date -u +%Y-%m-%dT%H%M%SZ).md"
{
  echo "# Rule-count benchmark $(date -u +%FT%TZ)"
  echo
  echo "One per-IP rule on \`$path\` (never reached) plus rules on other paths; wrk -t1 -c32"
  echo "${duration} x $rounds alternating rounds, Envoy concurrency $ENVOY_CONCURRENCY, memory store."
  echo "BEFORE: $before_ref (every rule on the virtual host). AFTER: $(git -C "$root" rev-parse --short HEAD)"
  echo "(rules with a path under the virtual host's path matcher). Machine: $(nproc) cores, shared."
  echo
  cat "$table"
  echo
  [[ -n "$rest_line" ]] && echo "$rest_line"
} | tee "$out"
log "wrote $out"
