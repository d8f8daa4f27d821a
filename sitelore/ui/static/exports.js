// What the result view hands out: the result as JSON, CSV and Markdown files, and a curl
// command for the same request: pure functions of the result, and download() to save one.

import {categoryName} from "./dom.js";

export const CSV_COLUMNS = ["category", "title", "description", "content", "source"];
// A spreadsheet runs a cell starting with one of these as a formula, and the text comes
// from crawled sites: such cells get a leading apostrophe (OWASP's CSV injection advice).
const FORMULA = /^[=+\-@\t\r]/;

export function toJson(result) {
  return `${JSON.stringify(result, null, 2)}\n`;
}

function csvCell(value) {
  let text = value === null || value === undefined ? "" : String(value);
  if (FORMULA.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** RFC 4180: a header row, then one row per item; CRLF line ends. */
export function toCsv(result) {
  const rows = [CSV_COLUMNS, ...(result.knowledgeItems ?? []).map((item) => CSV_COLUMNS.map((c) => item[c]))];
  return rows.map((row) => row.map(csvCell).join(",")).join("\r\n") + "\r\n";
}

/** The items by category, in the order the categories first appear. */
export function byCategory(items) {
  const groups = new Map();
  for (const item of items ?? []) {
    if (!groups.has(item.category)) groups.set(item.category, []);
    groups.get(item.category).push(item);
  }
  return groups;
}

/** The business card, then every item under its category's heading. */
export function toMarkdown(result) {
  const business = result.business ?? {};
  const lines = [`# ${business.name || business.domain || "Extraction result"}`, ""];
  if (business.description) lines.push(business.description, "");
  const facts = [["Domain", business.domain], ["Industry", business.category], ["Logo", business.logo]];
  for (const [label, value] of facts) if (value) lines.push(`- ${label}: ${value}`);
  lines.push("");
  for (const [category, items] of byCategory(result.knowledgeItems)) {
    lines.push(`## ${categoryName(category)} (${items.length})`, "");
    for (const item of items) {
      lines.push(`### ${item.title}`, "");
      if (item.description) lines.push(item.description, "");
      if (item.content && item.content !== item.description) lines.push(item.content, "");
      lines.push(`Source: <${item.source}>`, "");
    }
  }
  return lines.join("\n");
}

const shellQuote = (text) => `'${text.replaceAll("'", `'\\''`)}'`;

const KEY_HEADER = '-H "x-api-key: $SITELORE_API_KEY"'; // the key itself is never written

/** A curl command that GETs ``path`` of the API at ``base``. */
export function curlGet(base, path) {
  return `curl -s ${shellQuote(`${base}${path}`)} \\\n  ${KEY_HEADER}`;
}

/** A curl command for ``request`` (null: GET the job), the key left to $SITELORE_API_KEY. */
export function curlFor(base, request, jobId) {
  if (!request) return curlGet(base, `/v1/jobs/${jobId}`);
  return [
    `curl -s -X POST ${shellQuote(`${base}/v1/extract`)}`,
    KEY_HEADER,
    "-H 'content-type: application/json'",
    `-d ${shellQuote(JSON.stringify(request))}`,
  ].join(" \\\n  ");
}

/** Offer ``text`` as a file download. */
export function download(name, type, text) {
  const url = URL.createObjectURL(new Blob([text], {type}));
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
