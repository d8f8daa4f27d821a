// Small DOM helpers. Every text from the server or a crawled site goes in as text
// (textContent), never as markup: a crawled page must not run anything here.

/** An element: h("a", {href: "#/jobs", class: "x"}, "text", child, [more children]). */
export function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "class") element.className = value;
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  append(element, children);
  return element;
}

function append(element, children) {
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    if (Array.isArray(child)) append(element, child);
    else element.append(child instanceof Node ? child : String(child));
  }
}

/** The element with this id (it must exist: the page is static). */
export const byId = (id) => document.getElementById(id);

/** Empty ``element``, then put ``children`` in it. */
export function fill(element, ...children) {
  element.replaceChildren();
  append(element, children);
  return element;
}

/** ``url`` if it is an absolute http(s) URL, else null (a link never runs a script). */
export function webUrl(url) {
  if (typeof url !== "string") return null;
  try {
    const parsed = new URL(url);
    return parsed.protocol === "http:" || parsed.protocol === "https:" ? parsed.href : null;
  } catch {
    return null;
  }
}

/** A link out to a crawled page: opened in a new tab, telling it nothing about us. */
export function outLink(url, text = url) {
  const href = webUrl(url);
  if (href === null) return h("span", {class: "mono"}, text ?? "");
  return h("a", {href, target: "_blank", rel: "noopener noreferrer"}, text);
}

/** 1234 → "1.2 s", 420 → "420 ms", 95000 → "1 min 35 s". */
export function duration(ms) {
  if (ms === null || ms === undefined) return "";
  if (ms < 1000) return `${ms} ms`;
  const seconds = ms / 1000;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** An ISO time as the reader's local date and time. */
export function when(iso) {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** FEATURE → "Feature", USE_CASE → "Use case". */
export function categoryName(category) {
  if (category === "FAQ") return "FAQ";
  const text = String(category).toLowerCase().replaceAll("_", " ");
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Move the keyboard focus to a view's heading, so a screen reader announces it. */
export function focusHeading(section) {
  const heading = section.querySelector("h1");
  if (heading) heading.focus({preventScroll: false});
}

/** Show the view ``name`` (its section), mark its link in the main menu as the current one. */
export function showView(name, menu = name) {
  for (const view of document.querySelectorAll(".view")) view.hidden = view.id !== `view-${name}`;
  for (const link of document.querySelectorAll("#nav a[data-view]")) {
    if (link.dataset.view === menu) link.setAttribute("aria-current", "page");
    else link.removeAttribute("aria-current");
  }
  byId("nav").hidden = name === "signin";
}
