// Every visible element with text of its own whose colour has less than `minimum` contrast
// with the first opaque background behind it (the WCAG 2 contrast ratio).
(minimum) => {
  const rgb = (value) => (value.match(/[\d.]+/g) || []).map(Number);
  const channel = (c) => {
    const v = c / 255;
    return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
  };
  const luminance = ([r, g, b]) => 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  const background = (element) => {
    for (let node = element; node; node = node.parentElement) {
      const colour = rgb(getComputedStyle(node).backgroundColor);
      if (colour.length === 3 || colour[3] > 0) return colour.slice(0, 3);
    }
    return [255, 255, 255];
  };
  const found = [];
  for (const element of document.querySelectorAll("body *")) {
    const own = [...element.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own || !element.checkVisibility() || element.closest("button:disabled")) continue;
    const a = luminance(rgb(getComputedStyle(element).color));
    const b = luminance(background(element));
    const ratio = (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05);
    if (ratio < minimum) {
      const text = element.textContent.trim().slice(0, 30);
      found.push(`${element.tagName}.${element.className} "${text}" ${ratio.toFixed(2)}`);
    }
  }
  return found;
}
