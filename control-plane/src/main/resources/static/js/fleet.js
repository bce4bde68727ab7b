// Fleet: every Envoy and rate-limit service, what each applied and when, its last NACK.
import { get } from "./api.js";
import { $, h, table } from "./dom.js";
import { time } from "./format.js";

const short = (typeUrl) => typeUrl.slice(typeUrl.lastIndexOf(".") + 1);

export async function refreshFleet() {
  const [status, xds] = await Promise.all([get("limits/status"), get("xds/nodes")]);
  // This replica's streams: config versions per type and Envoy's rejection messages.
  const streams = new Map(xds.filter((n) => !n.duplicate).map((n) => [n.id, n]));
  const nodes = status.nodes;
  const behind = nodes.filter((n) => n.connected && !n.upToDate);
  const banner = $("fleet-state");
  if (nodes.length === 0) {
    banner.textContent = "no node has connected yet";
    banner.className = "notice";
  } else if (behind.length > 0) {
    banner.textContent = `rules version ${status.publishedRulesVersion}: propagating, ` +
      `${nodes.filter((n) => n.connected && n.upToDate).length} of ${nodes.filter((n) => n.connected).length} connected nodes acknowledged`;
    banner.className = "notice pending";
  } else {
    banner.textContent = `rules version ${status.publishedRulesVersion}: acknowledged by every connected node`;
    banner.className = "notice ok";
  }
  banner.dataset.version = String(status.publishedRulesVersion);
  banner.dataset.behind = String(behind.length);
  table("fleet", [["node"], ["kind"], ["replica"], ["connected"], ["rules version"], ["applied at"],
    ["config versions"], ["last NACK"]],
    nodes.map((n) => {
      const s = streams.get(n.id);
      const nack = s?.lastNack ? `${time(s.lastNack.at)} ${short(s.lastNack.typeUrl)} v${s.lastNack.version}: ${s.lastNack.message}` : n.lastRejection || "–";
      return {
        attrs: { "data-node": n.id, "data-kind": n.kind, "data-up-to-date": String(n.upToDate && n.connected) },
        cells: [n.id, n.kind, n.replica, n.connected ? "yes" : h("span", { class: "bad" }, "no, last seen " + time(n.lastSeen)),
          h("span", { class: n.upToDate ? "" : "pending" }, (n.appliedRulesVersion ?? "–") + (n.upToDate ? "" : " (propagating)")),
          time(n.appliedAt),
          s ? s.types.map((t) => `${short(t.typeUrl)} ${t.ackedVersion ?? "–"}`).join(", ") : "(another replica)",
          nack],
      };
    }), "no nodes");
}
