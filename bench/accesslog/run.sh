#!/usr/bin/env bash
# Access-log ingestion benchmark: synthetic Envoy HTTP access-log batches streamed over real gRPC
# into the packaged control plane, pinned to one CPU. Prints entries/s and CPU-microseconds per
# entry of the control-plane process (from /proc). Target: >= 100,000 entries/s on one core.
#   BENCH_SECONDS (20)  BENCH_WARMUP_SECONDS (10)  BENCH_STREAMS (2)  BENCH_BATCH (100 entries)
#   BENCH_CPU (0: the control plane's CPU)  BENCH_CLIENT_CPU (1: the load generator's)
# Against a running control plane instead: BENCH_XDS_PORT, BENCH_REST_URL (http://127.0.0.1:8081),
#   BENCH_PID (for its CPU time). BENCH_TAG: suffix of the results file,
#   bench/results/accesslog-<date>[-<tag>].md.
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
export JAVA_HOME="${JAVA_HOME:-$(ls -d /usr/lib/jvm/temurin-25-jdk-amd64 2>/dev/null || true)}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"

./mvnw -B -q -pl bench -am -DskipTests package dependency:build-classpath \
  -Dmdep.outputFile=target/classpath.txt -Dmdep.includeScope=runtime
cp="bench/target/classes:$(cat bench/target/classpath.txt)"
out_file="bench/results/accesslog-$(date -u +%Y-%m-%d)${BENCH_TAG:+-$BENCH_TAG}.md"
report="$(taskset -c "${BENCH_CLIENT_CPU:-1}" "$java" -cp "$cp" io.tollgate.bench.accesslog.AccessLogBench \
  | tee /dev/stderr)"
{
  echo "# Access-log ingestion, $(date -u '+%Y-%m-%d %H:%M') UTC (\`bench/accesslog/run.sh\`)"
  echo
  echo "Machine: $(nproc) CPUs; load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)."
  echo
  echo '```'
  echo "$report"
  echo '```'
} > "$out_file"
echo "# results in $out_file" >&2
