// The HTTP API, with the key of this tab. Paths are relative to the dashboard (/ui/), so a
// server behind a path prefix works too.

const KEY = "sitelore.apiKey";

/** A non-2xx answer: its status and the message of the API's error body. */
export class ApiError extends Error {
  constructor(status, message, retryAfter = null) {
    super(message);
    this.status = status;
    this.retryAfter = retryAfter;
  }
}

/** The base URL of the API (what curl commands are written against). */
export function apiBase() {
  return new URL("../", document.baseURI).href.replace(/\/$/, "");
}

export function apiUrl(path) {
  return new URL(`..${path}`, document.baseURI).href;
}

export const session = {
  key: () => sessionStorage.getItem(KEY),
  save: (key) => sessionStorage.setItem(KEY, key),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An error body's message, or a sentence saying what came back instead. */
async function failure(response) {
  let message = `HTTP ${response.status}`;
  try {
    const body = await response.json();
    if (body && typeof body.message === "string") message = body.message;
  } catch {
    // not our JSON error body (a proxy's page): the status says enough
  }
  const wait = response.headers.get("Retry-After");
  return new ApiError(response.status, message, wait === null ? null : Number(wait));
}

/** Listeners told when the server refuses the key of this tab (revoked while signed in). */
const refused = new Set();
export const onKeyRefused = (listener) => refused.add(listener);

/**
 * fetch() with the key; network failures become ApiError(0, ...). A 401 for the tab's own
 * key tells the onKeyRefused listeners (sign-in passes its candidate ``key`` instead).
 */
export async function send(method, path, {body, key, headers = {}, signal} = {}) {
  const init = {method, headers: {"x-api-key": key ?? session.key() ?? "", ...headers}, signal, cache: "no-store"};
  if (body !== undefined) {
    init.headers["content-type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  let response;
  try {
    response = await fetch(apiUrl(path), init);
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, "The server cannot be reached: check that sitelore serve is running");
  }
  if (response.ok) return response;
  const error = await failure(response);
  if (error.status === 401 && key === undefined) for (const listener of refused) listener(error.message);
  throw error;
}

/** The JSON answer of a request. */
export async function call(method, path, options) {
  const response = await send(method, path, options);
  return response.json();
}
