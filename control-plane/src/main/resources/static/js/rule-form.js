// The rule editor's form: rule <-> fields.

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
