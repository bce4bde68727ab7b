#!/usr/bin/env bash
# The compose stack under test (`make test-compose`): builds the images with podman (`make images`)
# and starts compose.yaml itself through podman-compose, as a user starts it with `docker compose up`.
# What differs from a user's run comes only from environment variables: local base images (no
# registry is reachable here), free host ports, a project name of its own, the mock profile. Then,
# through the published ports:
#   - the seed request through both Envoys returns the nginx mock's JSON;
#   - every Envoy and rate-limit service is connected to the control plane (over mTLS);
#   - a per-IP rule of 5/minute gives exactly five 200s across both Envoys (two rate-limit
#     services, one Redis);
#   - disabling it, and a new blocking rule, are enforced by both Envoys within 2 s;
#   - the requests and 429s land in PostgreSQL, exactly;
#   - Prometheus reports every target up, and both rate-limit services decided calls; it loaded the
#     alert rules and evaluates each without error.
#   - Grafana (a stand-in reading the same provisioning) has the datasource and every dashboard, and
#     its datasource URL reaches Prometheus from Grafana's network.
# Everything it started (containers, pods, networks, volumes) is removed at the end, also on failure;
# the images stay for the next run. Logs of a failed run: .run/test-compose/.
# Skips (exit 0) without podman or root. Prints `N passed, N failed`; exit 1 when any failed.
set -euo pipefail

root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"
started=$SECONDS
say() { echo "test-compose: $*"; }

if ! command -v podman >/dev/null 2>&1; then
  say "SKIPPED: podman is not installed (Debian: apt-get install podman runc)"
  exit 0
fi
if [[ "$(id -u)" != 0 ]]; then
  say "SKIPPED: needs root (rootful podman with runc)"
  exit 0
fi

eval "$(scripts/deps.sh compose)"
export CONTAINERS_CONF="${CONTAINERS_CONF:-$root/containers/containers.conf}"
compose_bin="$root/.venv/bin/podman-compose"
if [[ ! -x "$compose_bin" ]]; then
  say "installing podman-compose 1.6.0 into .venv/"
  "$root/.venv/bin/python" -m pip install --quiet --disable-pip-version-check podman-compose==1.6.0
fi

project="tollgate-test-$$"
logs="$root/.run/test-compose"
work="$(mktemp -d)"
rm -rf "$logs"
mkdir -p "$logs"

files=(-f compose.yaml)

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
proxy_1="$(free_port)" proxy_2="$(free_port)" rest="$(free_port)" prom="$(free_port)" grafana="$(free_port)"
secret() { head -c 18 /dev/urandom | base64 | tr '+/' 'xy'; }
token="$(secret)"
export COMPOSE_PROJECT_NAME="$project" COMPOSE_PROFILES=mock \
  TOLLGATE_CONFIG_NAME=tollgate.compose-mock.yaml TOLLGATE_CERTS_DIR="$work/certs" \
  TOLLGATE_PROXY_PORT_1="$proxy_1" TOLLGATE_PROXY_PORT_2="$proxy_2" \
  TOLLGATE_REST_PORT="$rest" TOLLGATE_PROMETHEUS_PORT="$prom" TOLLGATE_GRAFANA_PORT="$grafana" \
  TOLLGATE_REDIS_IMAGE=localhost/tollgate-test/redis:7 \
  TOLLGATE_POSTGRES_IMAGE=localhost/tollgate-test/postgres:15 \
  TOLLGATE_PROMETHEUS_IMAGE=localhost/tollgate-test/prometheus:2.42 \
  TOLLGATE_GRAFANA_IMAGE=localhost/tollgate-test/grafana:standin GRAFANA_ADMIN_PASSWORD="$(secret)" \
  POSTGRES_PASSWORD="$(secret)" REDIS_PASSWORD="$(secret)" TOLLGATE_ADMIN_TOKEN="$token"
compose() { "$compose_bin" "${files[@]}" "$@"; }
containers() { podman ps -a -q --filter "label=io.podman.compose.project=$project"; }
container_of() { # the container of a compose service
  podman ps -a --format '{{.Names}}' --filter "label=io.podman.compose.project=$project" \
    --filter "label=io.podman.compose.service=$1" | head -n 1
}

cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  for c in $(podman ps -a --format '{{.Names}}' --filter "label=io.podman.compose.project=$project"); do
    podman logs "$c" >"$logs/$c.log" 2>&1
  done
  compose down -v -t 5 >"$logs/down.log" 2>&1
  # Whatever `down` left (a half-started run): by the project's label.
  containers | xargs -r podman rm -f -t 0 >/dev/null 2>&1
  podman pod ls -q --filter "name=pod_$project" | xargs -r podman pod rm -f >/dev/null 2>&1
  podman network ls -q --filter "label=io.podman.compose.project=$project" | xargs -r podman network rm -f >/dev/null 2>&1
  podman volume ls -q --filter "label=io.podman.compose.project=$project" | xargs -r podman volume rm -f >/dev/null 2>&1
  left="$(containers; podman volume ls -q --filter "label=io.podman.compose.project=$project")"
  [[ -z "$left" ]] || say "cleanup left: $left"
  rm -rf "$work"
  say "took $((SECONDS - started)) s; logs in $logs"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

passed=0 failed=0
pass() { passed=$((passed + 1)); say "PASS $*"; }
fail() { failed=$((failed + 1)); say "FAIL $*"; }
die() { # an unmet precondition: the remaining checks cannot run
  fail "$*"
  say "$passed passed, $failed failed"
  exit 1
}
await() { # await SECONDS COMMAND...: until the command succeeds (in this shell); 1 after SECONDS
  local deadline=$((SECONDS + $1))
  shift
  until "$@" >/dev/null 2>&1; do
    ((SECONDS < deadline)) || return 1
    sleep 0.5
  done
}

# --- images --------------------------------------------------------------------------------------
t=$SECONDS
containers/test-bases.sh
previous="$(for i in control-plane ratelimit-service envoy mock-upstream; do
  podman image inspect --format '{{.Id}}' "tollgate/$i:0.1.0" 2>/dev/null || true
done)"
make -s --no-print-directory images CONTAINER_ENGINE=podman \
  JRE_IMAGE=localhost/tollgate-test/jre:17 ENVOY_IMAGE=localhost/tollgate-test/envoy:1.40.0 \
  DEBIAN_IMAGE=localhost/tollgate-test/debian:bookworm >"$logs/images.log" 2>&1 \
  || { tail -n 30 "$logs/images.log"; die "make images"; }
# A rebuilt image leaves its predecessor untagged: remove those (only those), or every run would
# leave a few hundred MB behind.
for id in $previous; do
  if [[ "$(podman image inspect --format '{{len .RepoTags}}' "$id" 2>/dev/null)" == 0 ]]; then
    podman rmi "$id" >/dev/null 2>&1 || true
  fi
done
say "images ready in $((SECONDS - t)) s"
scripts/compose-certs.sh "$TOLLGATE_CERTS_DIR"

# --- start ---------------------------------------------------------------------------------------
t=$SECONDS
# Podman 4.3 ignores depends_on's service_healthy and runs no healthcheck by itself (no systemd):
# the database first, its healthcheck run by hand, then the rest (which reconnect by themselves).
healthy() { podman healthcheck run "$(container_of "$1")"; }
compose up -d postgres redis mock-upstream >"$logs/up.log" 2>&1 || { tail -n 30 "$logs/up.log"; die "compose up (postgres, redis, mock)"; }
for s in postgres redis mock-upstream; do
  await 90 healthy "$s" || die "$s is not healthy after 90 s"
done
compose up -d >>"$logs/up.log" 2>&1 || { tail -n 30 "$logs/up.log"; die "compose up"; }

api() { curl -fsS --max-time 5 -H "Authorization: Bearer $token" "$@"; }
await 180 curl -fsS --max-time 2 "http://127.0.0.1:$rest/actuator/health/readiness" \
  || die "the control plane is not ready on 127.0.0.1:$rest after 180 s"
say "control plane ready $((SECONDS - t)) s after up"
deadline=$((SECONDS + 120))
for s in control-plane envoy-1 envoy-2 ratelimit-1 ratelimit-2; do
  if await $((deadline - SECONDS)) healthy "$s"; then pass "$s healthcheck"; else fail "$s healthcheck"; fi
done

# --- requests ------------------------------------------------------------------------------------
sent=0 limited=0 status=""
request() { # request PORT PATH: sets status (body in $work/body); counts what Envoy answered and logged
  status="$(curl -s -o "$work/body" -w '%{http_code}' --max-time 5 "http://127.0.0.1:$1$2" || true)"
  if [[ "$status" != 000 ]]; then
    sent=$((sent + 1))
    if [[ "$status" == 429 ]]; then limited=$((limited + 1)); fi
  fi
}

fixture=mock-upstream/fixtures/categories/MLA97994
seeded() { request "$1" /categories/MLA97994 && [[ "$status" == 200 ]] && cmp -s "$work/body" "$fixture"; }
for port in "$proxy_1" "$proxy_2"; do
  if await 120 seeded "$port"; then pass "seed: GET /categories/MLA97994 on 127.0.0.1:$port is the mock's JSON"; else fail "seed on 127.0.0.1:$port: $status $(head -c 300 "$work/body")"; fi
done

applied() { # applied VERSION: all four xDS clients connected and have applied that rules version
  # (a write returns once committed, before the coalesced push: upToDate alone may still be the
  # version before it)
  api "http://127.0.0.1:$rest/api/v1/limits/status" | jq -e --argjson v "$1" '
    [.nodes[] | select(.connected and .appliedRulesVersion >= $v) | .id] as $ids
    | ["envoy-1", "envoy-2", "ratelimit-1", "ratelimit-2"] | all(. as $id | $ids | index($id))'
}
nodes_up_to_date() { # all four xDS clients connected and on the published rules version
  api "http://127.0.0.1:$rest/api/v1/limits/status" | jq -e '
    [.nodes[] | select(.connected and .upToDate) | .id] as $ids
    | ["envoy-1", "envoy-2", "ratelimit-1", "ratelimit-2"] | all(. as $id | $ids | index($id))'
}
if await 60 nodes_up_to_date; then
  pass "envoy-1, envoy-2, ratelimit-1, ratelimit-2 connected to the control plane (mTLS)"
else
  fail "xDS clients: $(api "http://127.0.0.1:$rest/api/v1/limits/status" || true)"
fi

{
  # From inside the compose network (the port is not published): without a client certificate the
  # control plane refuses the handshake; with the Envoys' it accepts.
  network="$(podman network ls --format '{{.Name}}' --filter "label=io.podman.compose.project=$project" | head -n 1)"
  handshake() {
    podman run --rm --network "$network" --user 0 -v "$TOLLGATE_CERTS_DIR:/certs:ro" --entrypoint bash \
      tollgate/mock-upstream:0.1.0 -c "sleep 2 | openssl s_client -connect control-plane:18000 \
      -servername control-plane -alpn h2 -CAfile /certs/ca.pem -verify_return_error $* 2>&1" | tr -d '\0' || true
  }
  without="$(handshake)"
  with="$(handshake -cert /certs/envoy.pem -key /certs/envoy-key.pem)"
  printf '%s\n' "$without" >"$logs/mtls-without-certificate.txt"
  printf '%s\n' "$with" >"$logs/mtls-with-envoy-certificate.txt"
  if grep -qi 'alert' <<<"$without" && grep -q 'Verify return code: 0' <<<"$with" && ! grep -qi 'alert' <<<"$with"; then
    pass "the control plane's gRPC port requires a client certificate"
  else
    fail "mTLS on control-plane:18000: without a certificate: $(tail -n 3 <<<"$without"); with: $(tail -n 3 <<<"$with")"
  fi
}

rule() { # rule NAME PREFIX REQUESTS ENABLED
  printf '{"name":"%s","match":{"pathPrefix":"%s"},"by":["ip"],"limit":{"requests":%s,"per":"minute"},"mode":"enforce","enabled":%s}' "$@"
}
# Five per minute, counted in fixed windows aligned to the minute: not across a minute's end.
if (($(date +%-S) > 45)); then sleep $((61 - $(date +%-S))); fi
version="$(api -X POST -H 'Content-Type: application/json' -d "$(rule per-ip /categories/ 5 true)" \
  "http://127.0.0.1:$rest/api/v1/limits" | jq -r '.version')" || die "POST /api/v1/limits"
await 10 applied "$version" || fail "per-ip (rules version $version) not applied by every node within 10 s"
# Again after the wait (a loaded machine can take seconds): the 12 requests within one minute.
if (($(date +%-S) > 50)); then sleep $((61 - $(date +%-S))); fi
ok=0 blocked=0 named=0
for i in $(seq 1 12); do
  port="$proxy_1"
  ((i % 2)) || port="$proxy_2"
  request "$port" /categories/MLA97994
  case "$status" in
    200) ok=$((ok + 1)) ;;
    429) blocked=$((blocked + 1)); grep -q per-ip "$work/body" && named=$((named + 1)) ;;
  esac
done
if ((ok == 5 && blocked == 7 && named == 7)); then
  pass "per-ip 5/minute across both Envoys: 5 x 200, 7 x 429 naming the rule"
else
  fail "per-ip 5/minute across both Envoys: $ok x 200, $blocked x 429 ($named naming the rule), want 5 and 7"
fi

within_2s() { # within_2s WHAT PATH STATUS: after a change, both Envoys answer STATUS within 2 s
  local what="$1" path="$2" want="$3" t0 ms
  t0="$(date +%s%N)"
  while :; do
    ms=$((($(date +%s%N) - t0) / 1000000))
    request "$proxy_1" "$path"
    local first="$status"
    request "$proxy_2" "$path"
    if [[ "$first" == "$want" && "$status" == "$want" ]]; then
      if ((ms <= 2000)); then pass "$what: both Envoys answer $want after $ms ms"; else fail "$what: $ms ms, want <= 2000"; fi
      return
    fi
    if ((ms > 10000)); then
      fail "$what: both Envoys do not answer $want after 10 s"
      return
    fi
    sleep 0.1
  done
}
api -X PUT -H 'Content-Type: application/json' -H 'If-Match: *' -d "$(rule per-ip /categories/ 5 false)" \
  "http://127.0.0.1:$rest/api/v1/limits/per-ip" >/dev/null || fail "PUT /api/v1/limits/per-ip"
within_2s "per-ip disabled" /categories/MLA97994 200
api -X POST -H 'Content-Type: application/json' -d "$(rule no-sites /sites/ 0 true)" \
  "http://127.0.0.1:$rest/api/v1/limits" >/dev/null || fail "POST /api/v1/limits (no-sites)"
within_2s "new rule no-sites (0/minute)" /sites/MLA 429

# --- Prometheus ----------------------------------------------------------------------------------
targets() { curl -fsS --max-time 5 "http://127.0.0.1:$prom/api/v1/targets?state=active"; }
all_up() { targets | jq -e '[.data.activeTargets[] | select(.health == "up")] | length == 5'; }
if await 90 all_up; then
  pass "Prometheus: 5 targets up ($(targets | jq -r '[.data.activeTargets[].labels.instance] | join(", ")'))"
else
  fail "Prometheus targets: $(targets | jq -c '[.data.activeTargets[] | {instance: .labels.instance, health, lastError}]' || true)"
fi
deciders() { # rate-limit services that answered ShouldRateLimit, by Prometheus
  curl -fsS --max-time 5 "http://127.0.0.1:$prom/api/v1/query" \
    --data-urlencode 'query=sum by (instance) (ratelimit_service_rate_limit_total_hits) > 0' \
    | jq -e '.data.result | length == 2'
}
if await 60 deciders; then
  pass "both rate-limit services decided calls (they share the counters in Redis)"
else
  fail "not both rate-limit services decided calls"
fi

rules_ok() { # alerts.yml loaded, every rule evaluated without error
  curl -fsS --max-time 5 "http://127.0.0.1:$prom/api/v1/rules" | jq -e --argjson n "$(grep -c '^      - alert:' config/prometheus/alerts.yml)" \
    '[.data.groups[].rules[] | select(.type == "alerting" and .health == "ok")] | length == $n'
}
if await 60 rules_ok; then
  pass "Prometheus loaded config/prometheus/alerts.yml: every alert rule evaluates (health ok)"
else
  fail "Prometheus rules: $(curl -fsS --max-time 5 "http://127.0.0.1:$prom/api/v1/rules" | jq -c '[.data.groups[].rules[] | {name, health, lastError}]' || true)"
fi

# --- Grafana (a stand-in reading the same provisioning: containers/test-bases/grafana.Dockerfile) --
gf() { curl -fsS --max-time 10 "http://127.0.0.1:$grafana$1"; }
provisioned() { # the datasource and every dashboard file, and the datasource reaches Prometheus
  local uid
  uid="$(gf /api/datasources | jq -er '.[] | select(.type == "prometheus" and .isDefault) | .uid')" &&
    [[ "$(gf /api/search | jq -r '[.[] | select(.folderTitle == "Tollgate") | .uid] | sort | join(" ")')" \
      == "$(jq -r '.uid' config/grafana/dashboards/*.json | sort | paste -sd ' ')" ]] &&
    gf "/api/datasources/proxy/uid/$uid/api/v1/query?query=up" | jq -e '[.data.result[] | select(.value[1] == "1")] | length == 5'
}
if await 60 provisioned; then
  pass "Grafana: Prometheus datasource and $(ls config/grafana/dashboards/*.json | wc -l) dashboards provisioned; its datasource URL reaches Prometheus (5 targets up)"
else
  fail "Grafana provisioning: datasources $(gf /api/datasources || true); dashboards $(gf /api/search || true)"
fi

# --- statistics in PostgreSQL --------------------------------------------------------------------
# Minute rows are written once their minute is over: wait for the last request's minute.
pg="$(container_of postgres)"
stats() { podman exec "$pg" psql -U tollgate -d tollgate -tAc \
  "select coalesce(sum(requests), 0) || ' ' || coalesce(sum(rate_limited), 0) from stats_total where resolution_s = 60"; }
landed() { [[ "$(stats)" == "$sent $limited" ]]; }
if await 150 landed; then
  pass "PostgreSQL stats_total: $sent requests, $limited rate-limited, as sent"
else
  fail "PostgreSQL stats_total: '$(stats || true)' (requests rate_limited), want '$sent $limited'"
fi

say "$passed passed, $failed failed"
((failed == 0))
