// The console's charts, drawn with uPlot (served from the app's webjar, never a CDN).
import uPlot from "../webjars/uplot/dist/uPlot.esm.js";
import { axisLabels } from "./format.js";

const COLORS = ["#2f6fdb", "#d9412b", "#8a4fd8", "#e0a31a", "#2f9e62", "#0f9fb0", "#c2417e"];
const plots = new Map();

/**
 * Draws (or redraws) a line chart into the element `id`: `xs` in epoch seconds, `series` as
 * [{label, values}]. The y labels drawn last are kept on the element (data-y-labels) for tests.
 */
export function lines(id, xs, series, unit) {
  const el = document.getElementById(id);
  const data = [xs, ...series.map((s) => s.values)];
  const old = plots.get(id);
  if (old && old.series.length === series.length + 1 && sameLabels(old, series)) {
    old.setData(data);
    markFilled(el, series);
    return;
  }
  old?.destroy();
  const opts = {
    width: width(el),
    height: 200,
    scales: { y: { range: (u, min, max) => [0, max > 0 ? max * 1.1 : 1] } },
    axes: [
      {},
      {
        size: 56,
        label: unit,
        values: (u, ticks) => {
          const labels = axisLabels(ticks);
          el.dataset.yLabels = labels.join("|");
          return labels;
        },
      },
    ],
    series: [
      {},
      ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 1.6 })),
    ],
  };
  plots.set(id, new uPlot(opts, data, el));
  markFilled(el, series);
}

function sameLabels(plot, series) {
  return series.every((s, i) => plot.series[i + 1].label === s.label);
}

// Whether any point is above zero: an empty-looking chart is then a fact, not a bug.
function markFilled(el, series) {
  el.dataset.points = String(series.reduce((n, s) => n + s.values.filter((v) => v > 0).length, 0));
}

function width(el) {
  return Math.max(260, el.clientWidth || el.parentElement.clientWidth || 600);
}

/** Keeps every chart as wide as its box (phone rotation, window resize). */
export function fitAll() {
  plots.forEach((plot, id) => plot.setSize({ width: width(document.getElementById(id)), height: 200 }));
}
