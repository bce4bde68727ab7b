// A form's errors from the API's problem+json, shown at the field each names.
import { h } from "./dom.js";

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
