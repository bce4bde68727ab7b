// The console's token handling: one prompt per tab, whatever number of requests fail (issue 13).
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { beforeEach, test } from "node:test";

const source = await readFile(new URL("../../main/resources/static/js/api.js", import.meta.url), "utf8");

let prompts;
let answer;
let store;

// A fake server that wants "Bearer right", and the browser's prompt and sessionStorage.
globalThis.window = { prompt: () => (prompts++, answer) };
globalThis.sessionStorage = {
  getItem: (k) => (store.has(k) ? store.get(k) : null),
  setItem: (k, v) => store.set(k, String(v)),
  removeItem: (k) => store.delete(k),
};
globalThis.fetch = async (url, { headers }) => {
  const ok = headers.Authorization === "Bearer right";
  return {
    ok,
    status: ok ? 200 : 401,
    headers: { get: () => null },
    text: async () => (ok ? "{}" : '{"detail":"token required"}'),
  };
};

// A fresh module per test: its "declined" state is per tab.
let n = 0;
const load = () => import("data:text/javascript," + encodeURIComponent(source + `\n// ${n++}`));

beforeEach(() => {
  prompts = 0;
  answer = "right";
  store = new Map();
});

test("six requests failing at once prompt once, and all succeed with that token", async () => {
  const { get } = await load();
  await Promise.all(Array.from({ length: 6 }, (_, i) => get("stats/" + i)));
  assert.equal(prompts, 1);
  assert.equal(store.get("tollgate-token"), "right");
  await get("stats/again");
  assert.equal(prompts, 1, "the kept token is used, no prompt");
});

test("a stale token is dropped and asked for once", async () => {
  store.set("tollgate-token", "stale");
  const { get } = await load();
  await Promise.all([get("a"), get("b"), get("c")]);
  assert.equal(prompts, 1);
  assert.equal(store.get("tollgate-token"), "right");
});

test("a cancelled prompt is not repeated on every poll, until sign in", async () => {
  answer = null;
  const { get, signIn } = await load();
  for (let i = 0; i < 3; i++) {
    await Promise.all([get("a"), get("b")].map((p) => p.catch((e) => e)));
  }
  assert.equal(prompts, 1);
  assert.equal(store.has("tollgate-token"), false);
  signIn();
  answer = "right";
  await get("a");
  assert.equal(prompts, 2);
});
