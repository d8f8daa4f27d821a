// The dashboard: a client of the public API, routed by the address's hash.
//   #/signin  #/new  #/jobs  #/jobs/{jobId}  #/knowledge
// Without a key in this tab every route shows the sign-in form first.

import {ApiError, call, onKeyRefused, send, session} from "./api.js";
import {byId, fill, focusHeading, showView} from "./dom.js";
import {hideJobs, setUpJobs, showJobs} from "./jobs.js";
import {setUpKnowledge, showKnowledge} from "./knowledge.js";
import {leaveJob, openJob, setUpJobView, watchNew} from "./live.js";

let afterSignIn = "#/new";

/** Go to ``hash`` (hashchange routes), or route again when it is already there. */
function go(hash) {
  if (location.hash === hash) route();
  else location.hash = hash;
}

function route() {
  const hash = location.hash || "#/new";
  leaveJob();
  hideJobs();
  if (!session.key()) {
    if (hash !== "#/signin") afterSignIn = hash;
    showView("signin");
    byId("signin-key").focus();
    return;
  }
  const job = /^#\/jobs\/(job_[\w-]+)$/.exec(hash);
  if (job) {
    openJob(job[1]);
    return;
  }
  const name = {"#/jobs": "jobs", "#/knowledge": "knowledge", "#/new": "new"}[hash] ?? "new";
  showView(name);
  if (name === "jobs") showJobs();
  if (name === "knowledge") showKnowledge();
  focusHeading(byId(`view-${name}`));
}

/** What a refused key's message means for the person signing in. */
function refusal(error) {
  if (error.status === 401) return `This key was not accepted: ${error.message}.`;
  if (error.status === 429) return `Too many requests with this key: try again in ${error.retryAfter ?? "a few"} seconds.`;
  return error.message;
}

async function signIn(event) {
  event.preventDefault();
  const input = byId("signin-key");
  const key = input.value.trim();
  const error = byId("signin-error");
  if (!key) {
    fill(error, "Paste an API key first.");
    input.focus();
    return;
  }
  const button = event.currentTarget.querySelector("button");
  button.disabled = true;
  try {
    await call("GET", "/v1/jobs?limit=1", {key}); // any keyed route: it checks the key
    session.save(key);
    input.value = "";
    fill(error);
    go(afterSignIn === "#/signin" ? "#/new" : afterSignIn);
  } catch (failure) {
    fill(error, failure instanceof ApiError ? refusal(failure) : String(failure));
    input.focus();
    input.select();
  } finally {
    button.disabled = false;
  }
}

function signOut(message = "") {
  session.clear();
  leaveJob();
  fill(byId("signin-error"), message);
  afterSignIn = "#/new";
  go("#/signin");
}

const lines = (text) => text.split(/[\n,]/).map((line) => line.trim()).filter(Boolean);

/** The request the form describes (the API checks it: its 400 messages are shown). */
function formRequest(form) {
  const request = {url: form.url.value.trim(), maxPages: Number(form.maxPages.value)};
  const include = lines(form.includePatterns.value);
  const exclude = lines(form.excludePatterns.value);
  if (include.length) request.includePatterns = include;
  if (exclude.length) request.excludePatterns = exclude;
  if (form.singlePage.checked) request.singlePage = true;
  if (form.explain.checked) request.explain = true;
  if (form.render.value !== "auto") request.render = form.render.value;
  return request;
}

async function extract(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const error = byId("new-error");
  const request = formRequest(form);
  if (!request.url) {
    fill(error, "Enter the address of a website, e.g. https://example.com");
    form.url.focus();
    return;
  }
  if (!/^https?:\/\//i.test(request.url)) request.url = `https://${request.url}`;
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  const controller = new AbortController();
  try {
    const response = await send("POST", "/v1/extract/stream", {body: request, signal: controller.signal});
    fill(error);
    watchNew(request, response, controller);
  } catch (failure) {
    fill(error, failure.message);
  } finally {
    button.disabled = false;
  }
}

function start() {
  byId("signin-form").addEventListener("submit", signIn);
  byId("new-form").addEventListener("submit", extract);
  byId("sign-out").addEventListener("click", () => signOut());
  onKeyRefused((message) => signOut(`You were signed out: ${message}.`));
  setUpJobView();
  setUpJobs();
  setUpKnowledge();
  window.addEventListener("hashchange", route);
  route();
  byId("signin-form").querySelector("button").disabled = false;
  performance.mark("sitelore:signin-ready"); // the browser tests read it
}

start();
