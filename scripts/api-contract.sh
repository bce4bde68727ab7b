#!/usr/bin/env bash
# Fuzzes the control plane's REST API from its own OpenAPI description with schemathesis (all checks,
# fixed seed, bounded examples): a control plane from control-plane/target/control-plane.jar on free
# loopback ports with an in-memory H2 database, stopped on exit whatever happens.
#   scripts/api-contract.sh [MAX_EXAMPLES [SEED]]     (defaults 10 and 1; `make test` runs 20, seed 1)
# Needs `scripts/deps.sh test` (schemathesis into .venv/) and the jar (./mvnw -pl control-plane -am package).
# Exit status: schemathesis's (0 = nothing found).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
examples="${1:-10}"
seed="${2:-1}"
java="${JAVA_HOME:+$JAVA_HOME/bin/}java"
jar="$root/control-plane/target/control-plane.jar"
st="$root/.venv/bin/schemathesis"
[[ -f "$jar" ]] || { echo "api-contract: $jar missing" >&2; exit 1; }
[[ -x "$st" ]] || { echo "api-contract: $st missing: run scripts/deps.sh test" >&2; exit 1; }

dir="$(mktemp -d)"
pid=""
cleanup() {
  if [[ -n "$pid" ]] && kill -0 "$pid" 2>/dev/null; then
    kill "$pid"
    wait "$pid" 2>/dev/null || true
  fi
  rm -rf "$dir"
}
trap cleanup EXIT
read -r rest xds < <(python3 -c 'import socket
s = [socket.socket() for _ in range(2)]
[x.bind(("127.0.0.1", 0)) for x in s]
print(*[x.getsockname()[1] for x in s])')
cp "$root/control-plane/src/test/resources/golden/http-mock.in.yaml" "$dir/tollgate.yaml"
TOLLGATE_CONFIG="$dir/tollgate.yaml" TOLLGATE_XDS_ADDRESS=127.0.0.1 TOLLGATE_XDS_PORT="$xds" \
  SERVER_ADDRESS=127.0.0.1 SERVER_PORT="$rest" TOLLGATE_DB_URL="jdbc:h2:mem:contract;DB_CLOSE_DELAY=-1" \
  "$java" -jar "$jar" >"$dir/control-plane.log" 2>&1 &
pid=$!
base="http://127.0.0.1:$rest"
deadline=$((SECONDS + 240))
until curl -sf "$base/actuator/health" >/dev/null; do
  if ! kill -0 "$pid" 2>/dev/null || ((SECONDS > deadline)); then
    echo "api-contract: the control plane did not start:" >&2
    tail -50 "$dir/control-plane.log" >&2
    exit 1
  fi
  sleep 1
done
# The first /v3/api-docs builds the description (seconds under load): once, before the clock runs.
curl -sf -m 120 "$base/v3/api-docs" >/dev/null
# One worker: with two, CPython 3.11 intermittently fails compiling schemathesis's pattern code in
# threads ("AST constructor recursion depth mismatch"), a runtime error, not a finding.
# Every check runs by default; no --checks on the command line, which would override the
# per-operation exclusions in schemathesis.toml (each says why the spec cannot express the rule).
"$st" --config-file "$root/schemathesis.toml" run "$base/v3/api-docs" --seed "$seed" --max-examples "$examples" --workers 1 \
  --request-timeout 20 --no-shrink
