// The console's axis and rate formatting (node --test; `make test` runs it).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { test } from "node:test";

// format.js is a browser module without imports: loaded as one, so no package.json is needed.
const source = await readFile(new URL("../../main/resources/static/js/format.js", import.meta.url), "utf8");
const { axisLabels, decimalsFor, rate } = await import("data:text/javascript," + encodeURIComponent(source));

test("low rates keep the decimals that tell ticks apart (the old axis read 0.0 everywhere)", () => {
  assert.deepEqual(axisLabels([0, 0.02, 0.04, 0.06]), ["0.00", "0.02", "0.04", "0.06"]);
  assert.deepEqual(axisLabels([0, 0.005, 0.01]), ["0.000", "0.005", "0.010"]);
  assert.deepEqual(axisLabels([0, 0.25, 0.5]), ["0.00", "0.25", "0.50"]);
});

test("whole steps print whole numbers, grouped", () => {
  assert.deepEqual(axisLabels([0, 500, 1000, 1500]), ["0", "500", "1,000", "1,500"]);
  assert.deepEqual(axisLabels([0, 2, 4]), ["0", "2", "4"]);
});

test("decimals follow the step, at most six", () => {
  assert.equal(decimalsFor(1), 0);
  assert.equal(decimalsFor(0.5), 1);
  assert.equal(decimalsFor(0.05), 2);
  assert.equal(decimalsFor(1e-9), 6);
  assert.equal(decimalsFor(0), 0);
});

test("a single tick and missing values still format", () => {
  assert.deepEqual(axisLabels([0.3]), ["0.3"]);
  assert.deepEqual(axisLabels([0, null, 1]), ["0", "", "1"]);
});

test("tile rates never round a small rate to 0", () => {
  assert.equal(rate(0.0167), "0.0167");
  assert.equal(rate(0), "0");
  assert.equal(rate(1234.4), "1,234");
});
