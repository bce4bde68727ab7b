// Tollgate's built-in dashboard: polls /api/v1/stats every 5 s and draws plain SVG; no CDN.
"use strict";

const api = "api/v1/stats/";
const $ = (id) => document.getElementById(id);
const fmt = new Intl.NumberFormat("en");

// With TOLLGATE_ADMIN_TOKEN set, /api needs "Authorization: Bearer"; ask once per tab.
async function get(path) {
  const token = sessionStorage.getItem("tollgate-token");
  const headers = token ? { Authorization: "Bearer " + token } : {};
  const r = await fetch(api + path, { headers });
  if (r.status === 401) {
    const given = window.prompt("Admin token (TOLLGATE_ADMIN_TOKEN)");
    if (given) sessionStorage.setItem("tollgate-token", given);
    throw new Error("the API needs the admin token");
  }
  if (!r.ok) throw new Error(path + ": HTTP " + r.status);
  return r.json();
}

function range() {
  const to = new Date();
  const from = new Date(to.getTime() - Number($("range").value) * 60_000);
  return "from=" + from.toISOString() + "&to=" + to.toISOString();
}

function cell(text, numeric) {
  const td = document.createElement("td");
  td.textContent = text;
  if (numeric) td.className = "n";
  return td;
}

function table(id, headers, rows) {
  const t = $(id);
  t.replaceChildren();
  const head = document.createElement("tr");
  headers.forEach(([h, numeric]) => {
    const th = document.createElement("th");
    th.textContent = h;
    if (numeric) th.className = "n";
    head.append(th);
  });
  t.append(head);
  if (rows.length === 0) {
    const tr = document.createElement("tr");
    const td = cell("no data", false);
    td.colSpan = headers.length;
    td.className = "empty";
    tr.append(td);
    t.append(tr);
  }
  rows.forEach((r) => {
    const tr = document.createElement("tr");
    r.forEach((v, i) => tr.append(cell(v, headers[i][1])));
    t.append(tr);
  });
}

// Lines over time: series = [{values: [...], cls: "ok"}], xs = Date[]
function chart(id, xs, series) {
  const svg = $(id);
  const w = 600, h = 180, left = 44, bottom = 18, top = 6;
  const max = Math.max(1e-9, ...series.flatMap((s) => s.values));
  const x = (i) => left + (xs.length < 2 ? 0 : (i * (w - left - 4)) / (xs.length - 1));
  const y = (v) => top + (h - top - bottom) * (1 - v / max);
  const ns = "http://www.w3.org/2000/svg";
  const el = (name, attrs, text) => {
    const e = document.createElementNS(ns, name);
    Object.entries(attrs).forEach(([k, v]) => e.setAttribute(k, v));
    if (text !== undefined) e.textContent = text;
    return e;
  };
  svg.replaceChildren();
  for (let g = 0; g <= 4; g++) {
    const v = (max * g) / 4;
    svg.append(el("line", { x1: left, x2: w, y1: y(v), y2: y(v), class: "grid" }));
    svg.append(el("text", { x: left - 4, y: y(v) + 3, "text-anchor": "end" },
      v >= 100 ? fmt.format(Math.round(v)) : v.toFixed(v >= 10 ? 0 : 1)));
  }
  [0, Math.floor((xs.length - 1) / 2), xs.length - 1].forEach((i) => {
    if (xs[i]) svg.append(el("text", { x: x(i), y: h - 4, "text-anchor": "middle" },
      xs[i].toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })));
  });
  series.forEach((s) => {
    const d = s.values.map((v, i) => (i ? "L" : "M") + x(i).toFixed(1) + "," + y(v).toFixed(1)).join("");
    svg.append(el("path", { d, fill: "none", stroke: "currentColor", "stroke-width": 1.8, class: s.cls }));
  });
}

async function refresh() {
  const r = range();
  const minutes = Number($("range").value);
  const step = minutes > 1440 ? "1h" : "1m";
  const stepSeconds = step === "1h" ? 3600 : 60;
  const [summary, series, ips, paths, rules, blocked] = await Promise.all([
    get("summary?" + r),
    get("timeseries?step=" + step + "&" + r),
    get("top?by=ip&limit=10&" + r),
    get("top?by=path&limit=10&" + r),
    get("top?by=rule&limit=10&" + r),
    get("blocked?limit=20"),
  ]);
  const points = series.points;
  const last = points.length > 1 ? points[points.length - 2] : points[points.length - 1];
  $("rps").textContent = last ? (last.requests / stepSeconds).toFixed(1) : "0";
  $("total").textContent = fmt.format(summary.totalRequests);
  $("limited").textContent = fmt.format(summary.rateLimitedRequests);
  const l = summary.latencyMs;
  $("latency").textContent = l.p50.toFixed(1) + " / " + l.p90.toFixed(1) + " / " + l.p99.toFixed(1) + " ms";

  const xs = points.map((p) => new Date(p.time));
  chart("rps-chart", xs, [
    { values: points.map((p) => p.requests / stepSeconds), cls: "ok" },
    { values: points.map((p) => p.rateLimited / stepSeconds), cls: "bad" },
  ]);
  chart("latency-chart", xs, ["p50", "p90", "p99"].map((q) => ({
    values: points.map((p) => (p.latencyMs ? p.latencyMs[q] : 0)), cls: q,
  })));

  table("statuses", [["status"], ["requests", true]],
    Object.entries(summary.statusCounts).map(([k, v]) => [k, fmt.format(v)]));
  const top = (rows) => rows.map((k) => [k.key, fmt.format(k.requests), fmt.format(k.rateLimited)]);
  table("top-ip", [["IP"], ["requests", true], ["limited", true]], top(ips));
  table("top-path", [["path"], ["requests", true], ["limited", true]], top(paths));
  table("top-rule", [["rule"], ["blocked", true]], rules.map((k) => [k.key, fmt.format(k.requests)]));
  table("blocked", [["time"], ["client IP"], ["method"], ["path"], ["rule"], ["limit"], ["request id"]],
    blocked.map((b) => [new Date(b.time).toLocaleTimeString(), b.clientIp, b.method, b.path, b.rule,
      b.limit ?? "", b.requestId]));
  $("updated").textContent = "updated " + new Date().toLocaleTimeString();
}

async function loop() {
  try {
    await refresh();
  } catch (e) {
    $("updated").textContent = "error: " + e.message;
  }
  setTimeout(loop, 5000);
}

$("range").addEventListener("change", refresh);
loop();
