// The REST client of the console: one admin-token prompt per tab, ETags, problem+json errors.

const TOKEN_KEY = "tollgate-token";

/** A refused request; `problem` is the API's problem+json body when it sent one. */
export class ApiError extends Error {
  constructor(status, problem, path) {
    super(problem?.detail || `${path}: HTTP ${status}`);
    this.status = status;
    this.problem = problem || {};
  }

  /** [{field, message}]: the limits API's `errors`, or the stats API's `parameter`. */
  fieldErrors() {
    if (Array.isArray(this.problem.errors)) return this.problem.errors;
    if (this.problem.parameter) return [{ field: this.problem.parameter, message: this.message }];
    return [{ field: "", message: this.message }];
  }
}

// Cancelled once: no more prompts until the operator asks (signIn), so polling stays quiet.
let declined = false;

/**
 * Sends one request under /api/v1/. Returns {status, etag, body}. A 401 drops the token this tab
 * kept and prompts once: requests that fail meanwhile retry with the token that prompt gave
 * (window.prompt blocks, so they queue behind it) instead of prompting again.
 */
export async function call(method, path, { body, ifMatch, ifNoneMatch } = {}) {
  for (let attempt = 0; ; attempt++) {
    const headers = { Accept: "application/json, application/problem+json" };
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) headers.Authorization = "Bearer " + token;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (ifMatch) headers["If-Match"] = ifMatch;
    if (ifNoneMatch) headers["If-None-Match"] = ifNoneMatch;
    const r = await fetch("api/v1/" + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (r.status === 401 && attempt === 0 && (await newToken(token))) continue;
    const text = await r.text();
    const json = text ? safeJson(text) : null;
    if (!r.ok) throw new ApiError(r.status, json, path);
    return { status: r.status, etag: r.headers.get("ETag"), body: json };
  }
}

/** After a 401 with `sent`: whether a token to retry with is there now (prompting at most once). */
async function newToken(sent) {
  const now = sessionStorage.getItem(TOKEN_KEY);
  if (now && now !== sent) return true;
  sessionStorage.removeItem(TOKEN_KEY);
  if (declined) return false;
  const given = window.prompt("Admin token (TOLLGATE_ADMIN_TOKEN)");
  if (!given) {
    declined = true;
    return false;
  }
  sessionStorage.setItem(TOKEN_KEY, given);
  return true;
}

/** Prompts again at the next 401 after a cancelled prompt (the "sign in" button). */
export function signIn() {
  declined = false;
}

export const get = async (path) => (await call("GET", path)).body;

function safeJson(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text };
  }
}
