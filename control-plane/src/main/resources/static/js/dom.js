// Tiny DOM helpers: elements from data, never from HTML strings (rule names are user input).

/** h("td", {class: "n"}, "12", childNode...): attributes starting with "on" become listeners. */
export function h(tag, attrs = {}, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k.startsWith("on")) e.addEventListener(k.slice(2), v);
    else e.setAttribute(k, v === true ? "" : v);
  }
  e.append(...children.flat().filter((c) => c !== undefined && c !== null && c !== false));
  return e;
}

export const $ = (id) => document.getElementById(id);

/** Fills a <table>: headers as [label, numeric?], rows of cell values or nodes. */
export function table(id, headers, rows, empty = "no data") {
  const head = h("tr", {}, headers.map(([label, numeric]) => h("th", { class: numeric && "n" }, label)));
  const body = rows.length
    ? rows.map((r) => h("tr", r.attrs || {}, (r.cells || r).map((v, i) => h("td", { class: headers[i][1] && "n" }, v ?? ""))))
    : [h("tr", {}, h("td", { colspan: headers.length, class: "empty" }, empty))];
  $(id).replaceChildren(head, ...body);
}
