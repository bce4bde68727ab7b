#!/usr/bin/env bash
# Checks every PromQL expression of the Grafana dashboards here against a real Prometheus (Debian
# package `prometheus`): `promtool check rules` parses them, then a throwaway Prometheus on a free
# loopback port evaluates each one through /api/v1/query. With ENVOY, CONTROL_PLANE and RATELIMIT
# (host:port) set, it scrapes them first and reports which expressions return data.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
work="$(mktemp -d)"
trap 'kill "${prom_pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT

python3 - "$here" "$work/exprs.txt" <<'PY'
import json, pathlib, sys
out = []
for f in sorted(pathlib.Path(sys.argv[1]).glob("*.json")):
    for p in json.loads(f.read_text())["panels"]:
        for t in p["targets"]:
            out.append(f"{f.name}\t{p['title']}\t{t['expr']}")
pathlib.Path(sys.argv[2]).write_text("\n".join(out) + "\n")
PY

{
  echo "groups:"
  echo "  - name: dashboards"
  echo "    rules:"
  i=0
  while IFS=$'\t' read -r _ _ expr; do
    i=$((i + 1))
    printf '      - record: dashboard_expr_%d\n        expr: %s\n' "$i" "$(python3 -c 'import json,sys; print(json.dumps(sys.argv[1]))' "$expr")"
  done <"$work/exprs.txt"
} >"$work/rules.yml"
promtool check rules "$work/rules.yml"

port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
{
  echo "global: { scrape_interval: 2s }"
  echo "scrape_configs:"
  [[ -n "${ENVOY:-}" ]] && printf '  - { job_name: envoy, metrics_path: /stats/prometheus, static_configs: [{ targets: ["%s"] }] }\n' "$ENVOY"
  [[ -n "${CONTROL_PLANE:-}" ]] && printf '  - { job_name: control-plane, metrics_path: /actuator/prometheus, static_configs: [{ targets: ["%s"] }] }\n' "$CONTROL_PLANE"
  [[ -n "${RATELIMIT:-}" ]] && printf '  - { job_name: ratelimit-service, metrics_path: /metrics, static_configs: [{ targets: ["%s"] }] }\n' "$RATELIMIT"
  true
} >"$work/prometheus.yml"
prometheus --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/data" \
  --web.listen-address="127.0.0.1:$port" >"$work/prometheus.log" 2>&1 &
prom_pid=$!
for _ in $(seq 50); do curl -fs "http://127.0.0.1:$port/-/ready" >/dev/null && break; sleep 0.2; done
[[ -n "${ENVOY:-}${CONTROL_PLANE:-}${RATELIMIT:-}" ]] && sleep "${SCRAPE_WAIT:-20}"

failed=0
while IFS=$'\t' read -r file title expr; do
  answer="$(curl -fsS --data-urlencode "query=$expr" "http://127.0.0.1:$port/api/v1/query" || true)"
  status="$(python3 -c 'import json,sys
try:
  a = json.loads(sys.argv[1]); print(a["status"], len(a["data"]["result"]) if a["status"] == "success" else a.get("error"))
except Exception as e: print("error", e)' "$answer")"
  case "$status" in
    success*) echo "ok   ${status#success } series  $file: $title: $expr" ;;
    *) echo "FAIL $status  $file: $title: $expr"; failed=1 ;;
  esac
done <"$work/exprs.txt"
exit "$failed"
