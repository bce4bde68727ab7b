// Limit rules: list with live counts, create/edit with ETags, toggles, history with restore.
import { ApiError, call, get } from "./api.js";
import { $, h, table } from "./dom.js";
import { count, time } from "./format.js";
import { clearErrors, showErrors } from "./field-errors.js";
import { fillForm, readForm } from "./rule-form.js";

const FILE_OWNED = "owned by tollgate.yaml: the API refuses to change it (409); edit the file";
let rules = [];
let onChange = () => {};

/** `changed` runs after every successful write (the fleet view then shows it propagating). */
export function initLimits(changed) {
  onChange = changed;
  $("rule-new").addEventListener("click", () => openForm(null));
  $("rule-cancel").addEventListener("click", closeForm);
  $("rule-form").addEventListener("submit", (e) => {
    e.preventDefault();
    save();
  });
}

export async function refreshLimits(activity) {
  const list = await get("limits");
  rules = list.rules;
  const counts = new Map(activity.map((a) => [a.rule, a]));
  const zero = { hits: 0, blocked: 0, shadow: 0 };
  $("rules-version").textContent = "rules version " + list.version;
  table("rules", [["rule"], ["limit"], ["by"], ["match"], ["source"], ["mode"], ["hits 1m / 1h", true],
    ["429s 1m / 1h", true], ["shadow 1m / 1h", true], ["state"], [""]],
    rules.map((r) => {
      const a = counts.get(r.name) || { lastMinute: zero, lastHour: zero };
      return {
        attrs: { "data-rule": r.name },
        cells: [r.name, `${r.limit.requests}/${r.limit.per}`, (r.by || []).join(", "), matchText(r.match),
          h("span", { class: "badge " + r.source, title: r.source === "file" ? FILE_OWNED : "" }, r.source),
          h("span", { class: "badge " + r.mode }, r.mode),
          `${count(a.lastMinute.hits)} / ${count(a.lastHour.hits)}`,
          `${count(a.lastMinute.blocked)} / ${count(a.lastHour.blocked)}`,
          `${count(a.lastMinute.shadow)} / ${count(a.lastHour.shadow)}`,
          state(r), actions(r)],
      };
    }), "no rules yet");
}

function matchText(m) {
  if (!m) return "every path";
  const where = m.path ? "= " + m.path : m.pathPrefix ? m.pathPrefix + "*" : m.pathRegex ? "~ " + m.pathRegex : "every path";
  return m.methods?.length ? `${m.methods.join("|")} ${where}` : where;
}

function state(r) {
  if (r.status && r.status.accepted === false) {
    return h("span", { class: "badge rejected", title: r.status.message }, "rejected by Envoy: " + r.status.message);
  }
  return r.enabled ? "enabled" : h("span", { class: "muted" }, "disabled");
}

function actions(r) {
  const history = h("button", { type: "button", onclick: () => showHistory(r.name) }, "history");
  if (r.source === "file") {
    return h("span", { class: "actions" }, h("span", { class: "muted", title: FILE_OWNED }, "read-only (file)"), history);
  }
  const etag = `"${r.version}"`;
  return h("span", { class: "actions" },
    h("button", { type: "button", onclick: () => openForm(r) }, "edit"),
    h("button", { type: "button", "data-action": "mode", onclick: () => toggle(r, etag, { mode: r.mode === "shadow" ? "enforce" : "shadow" }) },
      r.mode === "shadow" ? "enforce" : "shadow"),
    h("button", { type: "button", onclick: () => toggle(r, etag, { enabled: !r.enabled }) }, r.enabled ? "disable" : "enable"),
    history,
    h("button", { type: "button", class: "danger", onclick: () => remove(r, etag) }, "delete"));
}

/** The rule as the API takes it: the view's extra fields (source, version, status) left out. */
export function bodyOf(view) {
  const { source, version, status, ...rule } = view;
  return rule;
}

async function toggle(r, etag, change) {
  await write(() => call("PUT", "limits/" + encodeURIComponent(r.name), { body: { ...bodyOf(r), ...change }, ifMatch: etag }), r.name);
}

async function remove(r, etag) {
  if (!window.confirm(`Delete rule ${r.name}?`)) return;
  await write(() => call("DELETE", "limits/" + encodeURIComponent(r.name), { ifMatch: etag }), r.name);
}

// Runs a write; a 412 shows the version another operator stored meanwhile.
async function write(send, name) {
  try {
    await send();
    notice("");
    $("conflict").hidden = true;
    onChange();
    return true;
  } catch (e) {
    if (e instanceof ApiError && e.status === 412) {
      await showConflict(name);
    } else {
      notice(e.message, true);
    }
    return false;
  }
}

async function showConflict(name) {
  const current = await call("GET", "limits/" + encodeURIComponent(name)).catch(() => null);
  $("conflict").hidden = false;
  $("conflict-text").textContent = current
    ? `Rule ${name} was changed by another operator meanwhile (412 Precondition Failed). Their version (ETag ${current.etag}):`
    : `Rule ${name} was changed or deleted meanwhile (412 Precondition Failed).`;
  $("conflict-rule").textContent = current ? JSON.stringify(bodyOf(current.body), null, 2) : "";
  onChange();
}

function notice(text, bad) {
  $("rules-notice").textContent = text;
  $("rules-notice").className = bad ? "notice bad" : "notice";
}

// The form remembers the ETag the rule had when it was opened: saving over a newer one is a 412.
let editing = null;

function openForm(r) {
  editing = r ? { name: r.name, etag: `"${r.version}"`, base: bodyOf(r) } : null;
  clearErrors($("rule-form"));
  fillForm($("rule-form"), r ? bodyOf(r) : null);
  $("rule-form-title").textContent = r ? "Edit " + r.name : "New rule";
  $("rule-editor").hidden = false;
  $("conflict").hidden = true;
}

function closeForm() {
  $("rule-editor").hidden = true;
  editing = null;
}

async function save() {
  const form = $("rule-form");
  clearErrors(form);
  const rule = readForm(form, editing?.base);
  try {
    if (editing) {
      await call("PUT", "limits/" + encodeURIComponent(editing.name), { body: rule, ifMatch: editing.etag });
    } else {
      await call("POST", "limits", { body: rule });
    }
    closeForm();
    onChange();
  } catch (e) {
    if (e instanceof ApiError && e.status === 412) {
      await showConflict(editing.name);
    } else if (e instanceof ApiError) {
      showErrors(form, e.fieldErrors());
    } else {
      showErrors(form, [{ field: "", message: e.message }]);
    }
  }
}

async function showHistory(name) {
  const [entries, current] = await Promise.all([
    get(`limits/${encodeURIComponent(name)}/history?limit=50`),
    call("GET", "limits/" + encodeURIComponent(name)).catch(() => null),
  ]);
  $("history").hidden = false;
  $("history-title").textContent = "History of " + name;
  const fileOwned = current?.body.source === "file";
  table("history-table", [["revision", true], ["when"], ["who"], ["change"], ["rule after"], [""]],
    entries.map((e) => ({
      attrs: { "data-revision": e.revision },
      cells: [String(e.revision), time(e.at), e.actor, e.change, e.after ? summary(e.after) : "–",
        e.after && !fileOwned
          ? h("button", { type: "button", onclick: () => restore(name, e.revision, current?.etag) }, "restore")
          : ""],
    })));
}

function summary(r) {
  return `${r.limit.requests}/${r.limit.per} by ${(r.by || []).join(",") || "–"}, ${r.mode}${r.enabled ? "" : ", disabled"}`;
}

// If-Match with the ETag seen when the history opened; a deleted rule comes back with If-None-Match.
async function restore(name, revision, etag) {
  const ok = await write(() => call("POST", `limits/${encodeURIComponent(name)}/restore?revision=${revision}`,
    etag ? { ifMatch: etag } : { ifNoneMatch: "*" }), name);
  if (ok) await showHistory(name);
}

export const ruleNames = () => rules.map((r) => r.name);
