// Number and time formatting shared by the tables and the chart axes; pure, no DOM.

const grouped = new Intl.NumberFormat("en");

/** A count for a table cell: 12,345. */
export const count = (n) => grouped.format(n ?? 0);

/**
 * Decimals that tell ticks `step` apart: 0 for steps of 1 or more, 1 for 0.5, 2 for 0.05 or 0.02,
 * and so on (at most 6), so an axis at 0.01 requests/s never reads "0.0, 0.0, 0.0".
 */
export function decimalsFor(step) {
  if (!(step > 0) || step >= 1) return 0;
  const d = Math.ceil(-Math.log10(step) - 1e-9);
  // 0.25 needs two decimals though its magnitude asks one: keep going until the step is exact.
  for (let k = d; k < 6; k++) {
    if (Math.abs(Math.round(step * 10 ** k) - step * 10 ** k) < 1e-6) return k;
  }
  return 6;
}

/** Labels for axis ticks: as many decimals as the smallest gap between ticks needs, no more. */
export function axisLabels(ticks) {
  let step = Infinity;
  for (let i = 1; i < ticks.length; i++) {
    const gap = Math.abs(ticks[i] - ticks[i - 1]);
    if (gap > 0) step = Math.min(step, gap);
  }
  if (step === Infinity) step = Math.abs(ticks[0] ?? 1) || 1;
  const digits = decimalsFor(step);
  const f = new Intl.NumberFormat("en", { minimumFractionDigits: digits, maximumFractionDigits: digits });
  return ticks.map((v) => (v == null ? "" : f.format(v)));
}

/** A rate for a tile: 3 significant digits at most, never rounded to a lying 0. */
export function rate(v) {
  if (!v) return "0";
  if (v >= 100) return grouped.format(Math.round(v));
  return new Intl.NumberFormat("en", { maximumSignificantDigits: 3 }).format(v);
}

export const time = (iso) => (iso ? new Date(iso).toLocaleTimeString() : "–");
