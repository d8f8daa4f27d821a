// The key's knowledge (GET /v1/knowledge, GET /v1/knowledge/{domain}) and a search box
// over it (POST /v1/search). Snippets mark matches with **: they become <mark>, as text.

import {apiBase, call} from "./api.js";
import {byId, categoryName, fill, h, outLink, when} from "./dom.js";
import {curlGet} from "./exports.js";
import {renderResult} from "./result.js";

const CATEGORIES = ["FEATURE", "PRODUCT", "SERVICE", "PRICING", "FAQ", "ABOUT", "TEAM", "CONTACT",
  "LOCATION", "POLICY", "INTEGRATION", "USE_CASE", "CUSTOMER", "SUPPORT", "SECURITY", "CAREERS", "NEWS", "OTHER"];
const state = {cursor: null, domains: []};

/** "a **b** c" → ["a ", <mark>b</mark>, " c"]. */
function marked(snippet) {
  return String(snippet).split("**").map((part, index) => (index % 2 ? h("mark", {}, part) : part));
}

function hitView(hit) {
  return h("article", {class: "hit"},
    h("h3", {}, hit.title),
    h("p", {class: "muted"}, `${categoryName(hit.category)} · ${hit.domain} · score ${Number(hit.score).toFixed(2)}`),
    h("p", {}, marked(hit.snippet || hit.content)),
    h("p", {class: "source"}, outLink(hit.source)),
  );
}

async function search(event) {
  event.preventDefault();
  const form = event.currentTarget;
  const query = form.query.value.trim();
  if (!query) {
    fill(byId("search-error"), "Type the words to search for.");
    form.query.focus();
    return;
  }
  const body = {query, limit: 20};
  if (form.domain.value) body.domain = form.domain.value;
  if (form.category.value) body.category = form.category.value;
  try {
    const answer = await call("POST", "/v1/search", {body});
    fill(byId("search-error"));
    const shown = answer.hits.length;
    fill(byId("search-results"),
      h("h2", {}, `Search results`),
      h("p", {class: "muted", id: "search-count"}, shown < answer.total ? `${shown} of ${answer.total} matches` : `${answer.total} matches`),
      answer.hits.map(hitView),
    );
  } catch (error) {
    fill(byId("search-error"), error.message);
  }
}

function siteButton(entry) {
  return h("li", {}, h("button", {
    type: "button", "aria-pressed": "false", "data-domain": entry.domain,
    onclick: (event) => openSite(entry.domain, event.currentTarget),
  },
  h("strong", {}, entry.name || entry.domain),
  h("span", {class: "muted"}, `${entry.domain} · ${entry.itemCount} items`),
  h("span", {class: "muted"}, `updated ${when(new Date(entry.updatedAt * 1000).toISOString())}`)));
}

async function openSite(domain, button) {
  for (const other of byId("sites").querySelectorAll("button")) other.setAttribute("aria-pressed", String(other === button));
  try {
    const found = await call("GET", `/v1/knowledge/${encodeURIComponent(domain)}`);
    const detail = byId("site-detail");
    const curl = curlGet(apiBase(), `/v1/knowledge/${encodeURIComponent(domain)}`);
    renderResult(detail, found, {curl, heading: `Knowledge of ${domain}`});
    detail.querySelector("h2").focus();
  } catch (error) {
    fill(byId("sites-error"), error.message);
  }
}

async function loadSites(more = false) {
  const params = new URLSearchParams({limit: "50"});
  if (more && state.cursor) params.set("cursor", state.cursor);
  try {
    const page = await call("GET", `/v1/knowledge?${params}`);
    fill(byId("sites-error"));
    state.domains = more ? [...state.domains, ...page.domains] : page.domains;
    state.cursor = page.nextCursor;
    const list = byId("sites");
    if (more) list.append(...page.domains.map(siteButton));
    else fill(list, page.domains.map(siteButton));
    byId("sites-empty").hidden = state.domains.length > 0;
    byId("sites-more").hidden = !page.nextCursor;
    const select = byId("search-domain");
    const chosen = select.value;
    fill(select, h("option", {value: ""}, "all sites"), state.domains.map((d) => h("option", {value: d.domain}, d.domain)));
    select.value = chosen;
  } catch (error) {
    fill(byId("sites-error"), error.message);
  }
}

export function showKnowledge() {
  fill(byId("site-detail"));
  loadSites();
}

export function setUpKnowledge() {
  const categories = byId("search-category");
  categories.append(...CATEGORIES.map((c) => h("option", {value: c}, categoryName(c))));
  byId("search-form").addEventListener("submit", search);
  byId("sites-more").addEventListener("click", () => loadSites(true));
}
