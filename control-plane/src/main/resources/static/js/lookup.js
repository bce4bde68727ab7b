// "Why was this call limited?": a blocked call by its x-request-id, or a client's by IP.
import { ApiError, get } from "./api.js";
import { $, table } from "./dom.js";
import { time } from "./format.js";
import { clearErrors, showErrors } from "./field-errors.js";

export function initLookup() {
  $("lookup-form").addEventListener("submit", async (e) => {
    e.preventDefault();
    const form = e.target;
    clearErrors(form);
    const q = new URLSearchParams({ limit: "50" });
    const id = form.elements.requestId.value.trim();
    const ip = form.elements.clientIp.value.trim();
    if (id) q.set("requestId", id);
    if (ip) q.set("clientIp", ip);
    try {
      const calls = await get("stats/blocked?" + q);
      table("lookup-result", [["time"], ["rule"], ["limit"], ["method"], ["path"], ["client IP"], ["request id"]],
        calls.map((c) => [time(c.time), c.rule, c.limit ?? "", c.method, c.path, c.clientIp, c.requestId]),
        "no blocked call matches (only the last 10,000 are kept; a call that passed is not listed)");
    } catch (err) {
      showErrors(form, err instanceof ApiError ? err.fieldErrors() : [{ field: "", message: err.message }]);
    }
  });
}
