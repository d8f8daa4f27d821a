"""The element names the body walk sorts by: skipped, inline and heading elements."""

from __future__ import annotations

SKIP = frozenset(
    {
        "script",
        "style",
        "noscript",
        "template",
        "svg",
        "canvas",
        "iframe",
        "object",
        "embed",
        "video",
        "audio",
        "picture",
        "source",
        "track",
        "map",
        "select",
        "option",
        "input",
        "textarea",
        "head",
        "meta",
        "link",
        "title",
        "math",
        "button",
    }
)
INLINE = frozenset(
    {
        "span",
        "strong",
        "b",
        "em",
        "i",
        "u",
        "small",
        "sup",
        "sub",
        "code",
        "mark",
        "abbr",
        "time",
        "label",
        "cite",
        "q",
        "s",
        "del",
        "ins",
        "font",
        "big",
        "tt",
        "kbd",
        "var",
        "bdi",
        "bdo",
        "data",
        "nobr",
        "wbr",
    }
)
HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
