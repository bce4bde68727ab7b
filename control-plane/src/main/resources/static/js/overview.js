// Traffic: tiles, charts (requests and 429s by rule, latency), status classes, top lists.
import { get } from "./api.js";
import { lines } from "./charts.js";
import { $, h, table } from "./dom.js";
import { count, rate, time } from "./format.js";

/** At most this many rules get their own 429 line. */
const RULE_LINES = 4;

function range(minutes) {
  const to = new Date();
  const from = new Date(to.getTime() - minutes * 60_000);
  return "from=" + from.toISOString() + "&to=" + to.toISOString();
}

export async function refreshOverview(activity) {
  const minutes = Number($("range").value);
  const r = range(minutes);
  const step = minutes > 1440 ? "1h" : "1m";
  const perSecond = step === "1h" ? 3600 : 60;
  const rules = activity.filter((a) => a.lastHour.blocked > 0).slice(0, RULE_LINES).map((a) => a.rule);
  const [summary, series, ips, paths, blocked, ...byRule] = await Promise.all([
    get("stats/summary?" + r),
    get(`stats/timeseries?step=${step}&${r}`),
    get("stats/top?by=ip&limit=10&" + r),
    get("stats/top?by=path&limit=10&" + r),
    get("stats/blocked?limit=20"),
    ...rules.map((rule) => get(`stats/timeseries?step=${step}&rule=${encodeURIComponent(rule)}&${r}`)),
  ]);
  const points = series.points;
  // The last step is still filling: the tile shows the one before it.
  const last = points.length > 1 ? points[points.length - 2] : points[points.length - 1];
  $("rps").textContent = last ? rate(last.requests / perSecond) : "0";
  $("total").textContent = count(summary.totalRequests);
  $("limited").textContent = count(summary.rateLimitedRequests);
  $("cache-hits").textContent = count(summary.cacheHits);
  const l = summary.latencyMs;
  $("latency").textContent = `${l.p50.toFixed(1)} / ${l.p90.toFixed(1)} / ${l.p99.toFixed(1)} ms`;

  const xs = points.map((p) => Date.parse(p.time) / 1000);
  lines("rps-chart", xs, [
    { label: "all", values: points.map((p) => p.requests / perSecond) },
    { label: "429 (all rules)", values: points.map((p) => p.rateLimited / perSecond) },
    ...byRule.map((s, i) => ({ label: "429 " + rules[i], values: s.points.map((p) => p.requests / perSecond) })),
  ], "per second");
  lines("latency-chart", xs, ["p50", "p90", "p99"].map((q) => ({
    // A minute without requests has no latency: a gap, not a 0 ms point.
    label: q, values: points.map((p) => (p.requests > 0 && p.latencyMs ? p.latencyMs[q] : null)),
  })), "ms");

  statusClasses(summary.statusCounts);
  const top = (rows) => rows.map((k) => [k.key, count(k.requests), count(k.rateLimited)]);
  table("top-ip", [["IP"], ["requests", true], ["limited", true]], top(ips));
  table("top-path", [["path"], ["requests", true], ["limited", true]], top(paths));
  table("blocked", [["time"], ["client IP"], ["method"], ["path"], ["rule"], ["limit"], ["request id"]],
    blocked.map((b) => [time(b.time), b.clientIp, b.method, b.path, b.rule, b.limit ?? "", b.requestId]));
}

// 2xx..5xx with a bar each: the share of the range's requests.
function statusClasses(statusCounts) {
  const classes = { "2xx": 0, "3xx": 0, "4xx": 0, "5xx": 0, other: 0 };
  for (const [code, n] of Object.entries(statusCounts)) {
    const c = Number(code);
    classes[c >= 200 && c < 600 ? `${Math.floor(c / 100)}xx` : "other"] += n;
  }
  const total = Object.values(classes).reduce((a, b) => a + b, 0) || 1;
  table("statuses", [["class"], ["share"], ["requests", true]],
    Object.entries(classes).filter(([, n]) => n > 0).map(([k, n]) => [
      k, h("span", { class: "bar s" + k, style: `width:${Math.max(2, (100 * n) / total)}%` }), count(n),
    ]));
}
