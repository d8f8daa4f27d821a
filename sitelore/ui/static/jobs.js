// The jobs of this key: newest first, with status, progress and duration; paged with the
// API's cursors; pending and processing jobs can be cancelled. While a job shown is
// unfinished, the page refreshes itself every two seconds.

import {call} from "./api.js";
import {byId, duration, fill, h, when} from "./dom.js";
import {rememberUrl} from "./live.js";

const PAGE = 20;
const REFRESH_MS = 2000;
const state = {cursors: [null], page: 0, timer: null, visible: false, cancelling: new Set()};

function progressCell(job) {
  const progress = job.progress;
  if (!progress) return h("td", {"data-label": "Progress"}, h("span", {class: "muted"}, "waiting"));
  const total = Math.max(progress.totalPages, 1);
  return h("td", {"data-label": "Progress"},
    h("progress", {max: total, value: Math.min(progress.pagesScraped, total), "aria-label": `Progress of ${job.url}`}),
    ` ${progress.pagesScraped} / ${progress.totalPages}`,
  );
}

function cancelButton(job) {
  if (job.status !== "pending" && job.status !== "processing") return null;
  const cancelling = state.cancelling.has(job.id);
  return h("button", {
    type: "button", class: "danger small", disabled: cancelling,
    "aria-label": `Cancel the job of ${job.url}`,
    onclick: (event) => cancel(job, event.currentTarget),
  }, cancelling ? "Cancelling…" : "Cancel");
}

function jobRow(job) {
  rememberUrl(job.id, job.url);
  const failed = job.status === "failed" && job.error ? h("div", {class: "muted"}, job.error) : null;
  return h("tr", {"data-job": job.id},
    h("td", {class: "site", "data-label": "Site"}, h("a", {href: `#/jobs/${job.id}`}, job.url), h("div", {class: "muted mono"}, job.id)),
    h("td", {"data-label": "Status"}, h("span", {class: `status ${job.status}`}, job.status), failed),
    progressCell(job),
    h("td", {"data-label": "Started"}, when(job.startedAt) || h("span", {class: "muted"}, "not yet")),
    h("td", {"data-label": "Duration"}, duration(job.durationMs)),
    h("td", {}, cancelButton(job)),
  );
}

async function cancel(job, button) {
  state.cancelling.add(job.id);
  button.disabled = true;
  button.textContent = "Cancelling…";
  try {
    await call("POST", `/v1/jobs/${encodeURIComponent(job.id)}/cancel`);
  } catch (error) {
    if (error.status !== 409) fill(byId("jobs-error"), error.message); // 409: it ended meanwhile
  }
  await load();
}

async function load() {
  clearTimeout(state.timer);
  const params = new URLSearchParams({limit: String(PAGE)});
  const status = byId("jobs-status").value;
  if (status) params.set("status", status);
  const cursor = state.cursors[state.page];
  if (cursor) params.set("cursor", cursor);
  let page;
  try {
    page = await call("GET", `/v1/jobs?${params}`);
  } catch (error) {
    fill(byId("jobs-error"), error.message);
    return;
  }
  fill(byId("jobs-error"));
  for (const job of page.jobs) if (job.status === "failed" || job.status === "completed") state.cancelling.delete(job.id);
  const focused = document.activeElement;
  const focusedJob = focused?.closest?.("tr[data-job]")?.dataset.job;
  fill(byId("jobs-rows"), page.jobs.map(jobRow));
  if (focusedJob) {
    // a refresh must not drop the keyboard focus: back to the same control of the same job
    const row = byId("jobs-rows").querySelector(`tr[data-job="${CSS.escape(focusedJob)}"]`);
    (row?.querySelector(focused.tagName) ?? row?.querySelector("a"))?.focus();
  }
  byId("jobs-empty").hidden = page.jobs.length > 0 || state.page > 0;
  state.cursors[state.page + 1] = page.nextCursor;
  byId("jobs-older").disabled = !page.nextCursor;
  byId("jobs-newer").disabled = state.page === 0;
  fill(byId("jobs-page"), `Page ${state.page + 1}`);
  const active = page.jobs.some((job) => job.status === "pending" || job.status === "processing");
  if (active && state.visible) state.timer = setTimeout(load, REFRESH_MS);
}

function restart() {
  state.cursors = [null];
  state.page = 0;
  load();
}

/** Show the first page of jobs. */
export function showJobs() {
  state.visible = true;
  restart();
}

export function hideJobs() {
  state.visible = false;
  clearTimeout(state.timer);
}

export function setUpJobs() {
  byId("jobs-status").addEventListener("change", restart);
  byId("jobs-refresh").addEventListener("click", load);
  byId("jobs-older").addEventListener("click", () => { state.page += 1; load(); });
  byId("jobs-newer").addEventListener("click", () => { state.page = Math.max(0, state.page - 1); load(); });
}
