"""Public suffixes (``co.uk``, ``github.io``): the Public Suffix List, both its ICANN and its
private section, read from the snapshot the tldextract package ships.

The file is read directly rather than through tldextract, whose import pulls in requests
(about 0.15 s of start-up for every process that meets its first link). Nothing is ever
downloaded. Rules are matched as the list's own algorithm says: the longest matching rule
wins, ``*.`` rules match any one label, ``!`` exceptions override, and a name no rule
matches has its last label as suffix (the implicit ``*`` rule).

Every crawl reads the list once, so reading it is kept cheap: the ~15,000 rules go into
sets with C-level set operations, and the ASCII (punycode) forms of the ~450
internationalised rules, whose IDNA encoding cost more than all the rest, are only made
when a host with an ``xn--`` label is looked up.
"""

from __future__ import annotations

import contextlib
import importlib.util
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

SNAPSHOT = ".tld_set_snapshot"
PUNYCODE_PREFIX = "xn--"


@dataclass(frozen=True)
class SuffixRules:
    exact: frozenset[str]
    wildcard: frozenset[str]  # "ck" for the rule "*.ck"
    exception: frozenset[str]  # "www.ck" for the rule "!www.ck"

    @classmethod
    def parse(cls, text: str) -> SuffixRules:
        rules = {line.strip() for line in text.lower().splitlines()}
        rules = {rule for rule in rules if rule and not rule.startswith("//")}
        marked = {rule for rule in rules if rule.startswith(("!", "*."))}
        return cls(
            exact=frozenset(rules - marked),
            wildcard=frozenset(_bare(rule) for rule in marked if not rule.startswith("!")),
            exception=frozenset(_bare(rule) for rule in marked if rule.startswith("!")),
        )

    def suffix_labels(self, labels: list[str]) -> int:
        """How many of ``labels`` (a host split on dots) make its public suffix."""
        # An internationalised rule's ASCII form always has an xn-- label, so a host
        # without one can only match rules as written.
        punycode = any(label.startswith(PUNYCODE_PREFIX) for label in labels)
        return (self._with_ascii_forms if punycode else self)._longest_match(labels)

    @cached_property
    def _with_ascii_forms(self) -> SuffixRules:
        """These rules plus the ASCII form of every internationalised one."""
        return SuffixRules(
            _with_ascii(self.exact), _with_ascii(self.wildcard), _with_ascii(self.exception)
        )

    def _longest_match(self, labels: list[str]) -> int:
        count = len(labels)
        for start in range(count):
            candidate = ".".join(labels[start:])
            if candidate in self.exception:
                return count - start - 1
            parent = ".".join(labels[start + 1 :])
            if candidate in self.exact or (start + 1 < count and parent in self.wildcard):
                return count - start
        return 1


def _bare(rule: str) -> str:
    """The name a ``!`` or ``*.`` rule is about."""
    return rule.lstrip("!").removeprefix("*.")


def _with_ascii(rules: frozenset[str]) -> frozenset[str]:
    return rules | {form for rule in rules if not rule.isascii() for form in _forms(rule)}


def _forms(rule: str) -> set[str]:
    """The rule as written and, for an internationalised one, its ASCII (punycode) form."""
    forms = {rule}
    if not rule.isascii():
        # A label the codec refuses keeps only its Unicode form.
        with contextlib.suppress(UnicodeError):
            forms.add(".".join(label.encode("idna").decode("ascii") for label in rule.split(".")))
    return forms


@lru_cache(maxsize=1)
def bundled_rules() -> SuffixRules:
    """The rules of the snapshot tldextract ships (read once, on first use)."""
    spec = importlib.util.find_spec("tldextract")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the tldextract package (its Public Suffix List snapshot) is missing")
    path = Path(next(iter(spec.submodule_search_locations))) / SNAPSHOT
    return SuffixRules.parse(path.read_text(encoding="utf-8"))
