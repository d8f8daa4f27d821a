"""Per-language vocabularies as data, one JSON file per language (read by sitelore.core.lexicon).

Each file has the same keys as ``en.json``: the words that name kinds of page in URLs,
links and titles; day names and clock words of opening hours; phrases that hint at an
item's category; and the texts of the items sitelore writes itself.
"""
