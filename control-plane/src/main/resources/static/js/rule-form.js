// The rule editor's form: rule <-> fields, and the API's errors shown at the field they name.
import { h } from "./dom.js";

const MATCH_KINDS = ["pathPrefix", "path", "pathRegex"];
const list = (s) => s.split(",").map((x) => x.trim()).filter(Boolean);

/** Fills the form from a rule (null: a new rule's defaults). */
export function fillForm(form, rule) {
  const f = form.elements;
  const m = rule?.match || {};
  const kind = MATCH_KINDS.find((k) => m[k] !== undefined) || "pathPrefix";
  f.name.value = rule?.name || "";
  f.name.readOnly = Boolean(rule);
  f.matchKind.value = rule ? (m[kind] === undefined ? "" : kind) : "pathPrefix";
  f.matchValue.value = m[kind] ?? (rule ? "" : "/");
  f.methods.value = (m.methods || []).join(", ");
  f.by.value = (rule?.by || ["ip"]).join(", ");
  f.requests.value = rule?.limit.requests ?? 10;
  f.per.value = rule?.limit.per || "minute";
  f.mode.value = rule?.mode || "enforce";
  f.enabled.checked = rule ? rule.enabled : true;
}

/** The rule the form describes; fields the form does not show (headers, CIDRs...) kept from `base`. */
export function readForm(form, base) {
  const f = form.elements;
  const match = { ...(base?.match || {}) };
  MATCH_KINDS.forEach((k) => delete match[k]);
  delete match.methods;
  if (f.matchKind.value) match[f.matchKind.value] = f.matchValue.value;
  if (f.methods.value.trim()) match.methods = list(f.methods.value);
  const requests = f.requests.value.trim() === "" ? null : Number(f.requests.value);
  const rule = {
    ...(base || {}),
    name: f.name.value.trim(),
    match,
    by: list(f.by.value),
    limit: { requests, per: f.per.value },
    mode: f.mode.value,
    enabled: f.enabled.checked,
  };
  // No match at all is every path; the API refuses an explicit null.
  if (Object.keys(match).length === 0) delete rule.match;
  return rule;
}

export function clearErrors(form) {
  form.querySelectorAll(".field-error").forEach((e) => e.remove());
  form.querySelectorAll("[aria-invalid]").forEach((e) => e.removeAttribute("aria-invalid"));
}

/**
 * Puts each {field, message} under the form control whose data-field is the field or its longest
 * prefix (`by[1]` goes to `by`, `match.pathRegex` to the match value); the rest at the top.
 */
export function showErrors(form, errors) {
  const slots = [...form.querySelectorAll("[data-field]")];
  const score = (slot, field) => Math.max(-1, ...slot.dataset.field.split(" ")
    .filter((p) => field === p || field.startsWith(p + ".") || field.startsWith(p + "["))
    .map((p) => p.length));
  for (const { field, message } of errors) {
    const slot = slots.map((s) => [score(s, field), s]).filter(([n]) => n >= 0).sort((a, b) => b[0] - a[0])[0]?.[1];
    const where = slot || form.querySelector(".form-errors");
    slot?.querySelector("input, select")?.setAttribute("aria-invalid", "true");
    where.append(h("div", { class: "field-error", "data-error-for": field }, field && !slot ? `${field}: ${message}` : message));
  }
}
