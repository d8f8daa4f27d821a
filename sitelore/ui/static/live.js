// The job view: the live crawl (planned pages, each page as it is scraped with its status
// and timing, the progress bar, the business as soon as it is classified), then the
// result. A new extraction reads POST /v1/extract/stream; an existing job replays and
// follows GET /v1/jobs/{jobId}/events. Either resumes after a dropped connection.

import {ApiError, call, send} from "./api.js";
import {byId, duration, fill, focusHeading, h, outLink, showView} from "./dom.js";
import {businessCard, renderResult} from "./result.js";
import {follow} from "./sse.js";

const REQUESTS = "sitelore.requests"; // jobId → the request this tab sent (for curl)
const URLS = "sitelore.jobUrls"; // jobId → its site URL (from the form or the jobs list)
const REMEMBERED = 100;

function remembered(name) {
  try {
    return JSON.parse(sessionStorage.getItem(name) || "{}");
  } catch {
    return {};
  }
}

function remember(name, jobId, value) {
  const entries = Object.entries(remembered(name)).filter(([id]) => id !== jobId).slice(-(REMEMBERED - 1));
  sessionStorage.setItem(name, JSON.stringify(Object.fromEntries([...entries, [jobId, value]])));
}

/** Note the site URL of a job (the jobs list knows it; the job object does not). */
export const rememberUrl = (jobId, url) => remember(URLS, jobId, url);

/** The state of one followed job, and its elements. */
class LiveJob {
  constructor(request) {
    this.request = request;
    this.jobId = null;
    this.rows = new Map(); // page URL → its <li>
    this.finished = false;
    this.url = byId("job-url");
    this.pages = byId("job-pages");
    this.reset(request?.url ?? "");
  }

  reset(url) {
    fill(this.url, url);
    fill(byId("job-id"));
    fill(this.pages);
    fill(byId("job-business"));
    fill(byId("job-result"));
    fill(byId("job-error"));
    fill(byId("pages-summary"));
    fill(byId("job-count"));
    fill(byId("job-step"), "Starting…");
    byId("job-connection").hidden = true;
    byId("job-progress").max = 1;
    byId("job-progress").value = 0;
    byId("job-cancel").hidden = true;
    byId("job-again").hidden = true;
    byId("job-live").setAttribute("aria-busy", "true");
  }

  onFrame(frame) {
    const handler = this[`on_${frame.event}`];
    if (handler) handler.call(this, frame.data);
  }

  on_connected({jobId}) {
    this.jobId = jobId;
    fill(byId("job-id"), jobId);
    byId("job-cancel").hidden = false;
    if (this.request) {
      remember(REQUESTS, jobId, this.request);
      remember(URLS, jobId, this.request.url);
      // the address now names the job: a reload follows it instead of starting another
      history.replaceState(null, "", `#/jobs/${jobId}`);
    } else {
      const url = remembered(URLS)[jobId];
      if (url) fill(this.url, url);
    }
  }

  on_pages_planned({pages, urlsDiscovered}) {
    if (!this.url.textContent && pages.length) fill(this.url, pages[0].url);
    const planned = new Set(pages.map((page) => page.url));
    for (const [url, row] of this.rows) {
      if (row.dataset.status === "planned" && !planned.has(url)) {
        row.remove();
        this.rows.delete(url);
      }
    }
    for (const page of pages) if (!this.rows.has(page.url)) this.row(page.url, page.purpose);
    fill(byId("pages-summary"), `${pages.length} pages planned · ${urlsDiscovered} URLs discovered`);
  }

  row(url, purpose = "") {
    const row = h("li", {"data-status": "planned"},
      h("span", {class: "status planned"}, "planned"),
      h("span", {class: "url"}, outLink(url), purpose ? h("span", {class: "muted"}, ` ${purpose}`) : null),
      h("span", {class: "took"}),
      h("span", {class: "why"}),
    );
    row.dataset.url = url;
    this.pages.append(row);
    this.rows.set(url, row);
    return row;
  }

  on_page_scraped(page) {
    const row = this.rows.get(page.url) ?? this.row(page.url);
    row.dataset.status = page.status;
    const status = row.querySelector(".status");
    status.className = `status ${page.status}`;
    status.textContent = page.status;
    const took = page.durationMs === null || page.durationMs === undefined ? "" : duration(page.durationMs);
    row.querySelector(".took").textContent = page.rendered ? `${took} · rendered` : took;
    row.querySelector(".why").textContent = page.error ?? "";
  }

  on_progress({pagesScraped, totalPages, currentStep}) {
    const bar = byId("job-progress");
    bar.max = Math.max(totalPages, 1);
    bar.value = Math.min(pagesScraped, bar.max);
    fill(byId("job-count"), `${pagesScraped} / ${totalPages} pages`);
    fill(byId("job-step"), currentStep);
  }

  on_business_classified({business}) {
    fill(byId("job-business"), businessCard(business));
  }

  end() {
    this.finished = true;
    byId("job-cancel").hidden = true;
    byId("job-again").hidden = false;
    byId("job-live").setAttribute("aria-busy", "false");
  }

  on_complete({result}) {
    this.end();
    const bar = byId("job-progress");
    bar.value = bar.max;
    fill(byId("job-step"), "Complete");
    const request = this.request ?? remembered(REQUESTS)[this.jobId] ?? null;
    if (result && Array.isArray(result.knowledgeItems)) {
      fill(byId("job-business")); // the result's card takes its place
      renderResult(byId("job-result"), result, {jobId: this.jobId, request});
    } else {
      fill(byId("job-result"), h("h2", {}, "Result"), h("pre", {class: "curl"}, JSON.stringify(result, null, 2)));
    }
  }

  on_error({message}) {
    this.end();
    fill(byId("job-step"), "Failed");
    fill(byId("job-error"), message);
  }

  onLink(state, {lastId, attempt}) {
    const notice = byId("job-connection");
    notice.hidden = false;
    const after = lastId === null ? "the start" : `event ${lastId}`;
    notice.textContent = state === "lost"
      ? `Connection lost: reconnecting (attempt ${attempt})…`
      : `Reconnected after a dropped connection: resumed after ${after}.`;
  }
}

let current = null; // {controller, live}

/** Stop reading the job shown (the job itself goes on). */
export function leaveJob() {
  current?.controller.abort();
  current = null;
}

async function run(live, open, jobId, controller) {
  try {
    await follow({
      open, jobId, signal: controller.signal,
      onFrame: (frame) => live.onFrame(frame),
      onLink: (state, detail) => live.onLink(state, detail),
    });
  } catch (error) {
    if (controller.signal.aborted) return;
    live.end();
    fill(byId("job-error"), error instanceof ApiError ? error.message : String(error));
  }
}

function show() {
  showView("job", "jobs");
  focusHeading(byId("view-job"));
}

/** Follow a new extraction whose stream ``response`` is open. */
export function watchNew(request, response, controller) {
  leaveJob();
  const live = new LiveJob(request);
  current = {controller, live};
  fill(byId("job-title"), "Extraction");
  show();
  run(live, async () => response, null, controller);
}

/** Show the job ``jobId``: its events replayed, then followed while it runs. */
export function openJob(jobId) {
  leaveJob();
  const controller = new AbortController();
  const live = new LiveJob(null);
  current = {controller, live};
  fill(byId("job-title"), "Job");
  show();
  const open = () => send("GET", `/v1/jobs/${encodeURIComponent(jobId)}/events`, {signal: controller.signal});
  run(live, open, jobId, controller);
}

/** Wire the cancel button of the job view. */
export function setUpJobView() {
  byId("job-cancel").addEventListener("click", async () => {
    const live = current?.live;
    if (!live?.jobId) return;
    const button = byId("job-cancel");
    button.disabled = true;
    try {
      await call("POST", `/v1/jobs/${encodeURIComponent(live.jobId)}/cancel`);
      if (!live.finished) fill(byId("job-step"), "Cancelling…"); // its error event may be in
    } catch (error) {
      if (error.status !== 409) fill(byId("job-error"), error.message); // 409: it just ended
    } finally {
      button.disabled = false;
    }
  });
}
