// The result view: the business card, the items by category with counts, a filter box,
// exports (JSON, CSV, Markdown), a curl command for the same request, and with `explain`
// why each page was taken or left and why each item got its category.

import {apiBase} from "./api.js";
import {byId, categoryName, duration, fill, h, outLink, webUrl} from "./dom.js";
import {byCategory, curlFor, download, toCsv, toJson, toMarkdown} from "./exports.js";

/** The business card: logo (or the name's initial), name, industry, domain, description. */
export function businessCard(business, headingLevel = "h2") {
  const name = business.name || business.domain || "Unnamed business";
  // The logo lives on the crawled site: the policy loads no image from another origin (a
  // result read here sends nothing to the site it describes), so it is a link, beside the
  // name's initial.
  const initial = h("div", {class: "logo", "aria-hidden": "true"}, name.charAt(0).toUpperCase());
  const logo = webUrl(business.logo);
  return h("div", {class: "card business", "data-testid": "business"},
    initial,
    h("div", {},
      h(headingLevel, {class: "business-name"}, name),
      h("ul", {class: "facts"},
        h("li", {}, "Industry ", h("strong", {}, business.category || "Other")),
        h("li", {}, "Domain ", h("strong", {}, business.domain || "")),
        logo === null ? null : h("li", {}, "Logo ", outLink(logo, "open")),
      ),
      business.description ? h("p", {class: "description"}, business.description) : null,
    ),
  );
}

function stats(result) {
  const items = result.knowledgeItems?.length ?? 0;
  const parts = [`${items} items`];
  if (result.pagesScraped !== undefined) parts.push(`${result.pagesScraped} pages scraped`);
  if (result.urlsDiscovered !== undefined) parts.push(`${result.urlsDiscovered} URLs discovered`);
  if (result.durationMs !== undefined) parts.push(`in ${duration(result.durationMs)}`);
  return h("p", {class: "muted"}, parts.join(" · "));
}

function itemView(item, why) {
  const text = `${item.category} ${item.title} ${item.description} ${item.content} ${item.source}`;
  return h("article", {class: "item", "data-text": text.toLowerCase()},
    h("h4", {}, item.title),
    item.description ? h("p", {}, item.description) : null,
    item.content && item.content !== item.description
      ? h("details", {}, h("summary", {}, "Full text"), h("div", {class: "content"}, item.content)) : null,
    h("p", {class: "source"}, "Source: ", outLink(item.source)),
    why ? h("p", {class: "why"}, `Why ${categoryName(why.category)}: ${why.categoryReason}. Title: ${why.titleReason}.`) : null,
  );
}

function explainPages(result) {
  const pages = result.explain?.pages;
  if (!pages?.length) return null;
  return h("details", {class: "card", open: true},
    h("summary", {}, `Why these pages (${pages.length})`),
    h("div", {class: "table-wrap"}, h("table", {class: "explain-pages"},
      h("thead", {}, h("tr", {}, ["Page", "Kind", "Status", "Why"].map((t) => h("th", {scope: "col"}, t)))),
      h("tbody", {}, pages.map((page) => h("tr", {},
        h("td", {class: "site"}, outLink(page.url)), h("td", {}, page.kind),
        h("td", {}, h("span", {class: `status ${page.status}`}, page.status)), h("td", {}, page.reason),
      ))),
    )),
  );
}

function exportsBar(result, curl, id) {
  const base = (result.business?.domain || "result").replace(/[^\w.-]+/g, "_");
  const curlText = h("pre", {class: "curl", id: id("curl"), hidden: true}, curl);
  const copied = h("span", {role: "status", class: "muted"});
  const copy = async () => {
    curlText.hidden = false;
    try {
      await navigator.clipboard.writeText(curl);
      copied.textContent = "Copied. Set SITELORE_API_KEY to your key before running it.";
    } catch {
      getSelection().selectAllChildren(curlText);
      copied.textContent = "Selected: press Ctrl+C (⌘C) to copy.";
    }
  };
  const save = (ext, type, make) => () => download(`${base}.${ext}`, type, make(result));
  return [
    h("div", {class: "actions", role: "group", "aria-label": "Export"},
      h("button", {type: "button", onclick: save("json", "application/json", toJson)}, "Export JSON"),
      h("button", {type: "button", onclick: save("csv", "text/csv", toCsv)}, "Export CSV"),
      h("button", {type: "button", onclick: save("md", "text/markdown", toMarkdown)}, "Export Markdown"),
      h("button", {type: "button", onclick: copy}, "Copy curl"),
      copied,
    ),
    curlText,
  ];
}

function applyFilter(root, query, counter) {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean);
  let shown = 0;
  let total = 0;
  for (const group of root.querySelectorAll("section.category")) {
    let inGroup = 0;
    const items = group.querySelectorAll("article.item");
    for (const item of items) {
      const match = words.every((word) => item.dataset.text.includes(word));
      item.hidden = !match;
      if (match) inGroup++;
    }
    total += items.length;
    shown += inGroup;
    group.hidden = inGroup === 0;
    group.querySelector(".n").textContent = inGroup === items.length ? `${items.length}` : `${inGroup} of ${items.length}`;
  }
  counter.textContent = words.length ? `${shown} of ${total} items match` : "";
}

/**
 * Render ``result`` into ``container``. The curl command is ``curl``, else made of
 * ``request`` (the job's request when this tab sent it), else GETs the job.
 */
export function renderResult(container, result, {jobId = null, request = null, curl = null, heading = "Result"} = {}) {
  const id = (name) => `${container.id}-${name}`; // ids unique with two results in the page
  const items = result.knowledgeItems ?? [];
  const groups = byCategory(items);
  // explain.items are in the order of knowledgeItems
  const reasons = new Map(items.map((item, index) => [item, result.explain?.items?.[index]]));
  const list = h("div", {class: "categories"});
  for (const [category, members] of groups) {
    const section = id(`cat-${category}`);
    list.append(h("section", {class: "category", id: section, "aria-labelledby": `${section}-h`},
      h("h3", {id: `${section}-h`}, `${categoryName(category)} `, h("span", {class: "muted"}, "(", h("span", {class: "n"}, members.length), ")")),
      members.map((item) => itemView(item, reasons.get(item))),
    ));
  }
  const counter = h("span", {class: "muted", role: "status"});
  const filter = h("input", {type: "search", id: id("filter"), class: "filter", placeholder: "words in a title, text or URL"});
  filter.addEventListener("input", () => applyFilter(list, filter.value, counter));
  const warnings = result.warnings?.length ? h("ul", {class: "warnings"}, result.warnings.map((w) => h("li", {}, w))) : null;
  fill(container,
    h("h2", {id: id("title"), tabindex: "-1"}, heading),
    businessCard(result.business ?? {}, "h3"),
    stats(result),
    warnings,
    exportsBar(result, curl ?? curlFor(apiBase(), request, jobId), id),
    h("nav", {"aria-label": "Categories"}, h("ul", {class: "tags"},
      [...groups].map(([category, members]) => h("li", {}, h("a", {href: `#${id(`cat-${category}`)}`, onclick: jump}, `${categoryName(category)} (${members.length})`))))),
    h("div", {class: "toolbar"}, h("label", {for: id("filter")}, "Filter items"), filter, counter),
    items.length ? list : h("p", {class: "muted"}, "No knowledge items."),
    explainPages(result),
  );
}

// The router owns the hash: a category link scrolls to its section instead.
function jump(event) {
  event.preventDefault();
  const target = byId(event.currentTarget.getAttribute("href").slice(1));
  target?.scrollIntoView();
  target?.querySelector("h3")?.setAttribute("tabindex", "-1");
  target?.querySelector("h3")?.focus();
}
