"""Public suffixes (``co.uk``, ``github.io``): the Public Suffix List, both its ICANN and its
private section, read from the snapshot the tldextract package ships.

The file is read directly rather than through tldextract, whose import pulls in requests
(about 0.15 s of start-up for every process that meets its first link). Nothing is ever
downloaded. Rules are matched as the list's own algorithm says: the longest matching rule
wins, ``*.`` rules match any one label, ``!`` exceptions override, and a name no rule
matches has its last label as suffix (the implicit ``*`` rule).
"""

from __future__ import annotations

import contextlib
import importlib.util
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SNAPSHOT = ".tld_set_snapshot"


@dataclass(frozen=True)
class SuffixRules:
    exact: frozenset[str]
    wildcard: frozenset[str]  # "ck" for the rule "*.ck"
    exception: frozenset[str]  # "www.ck" for the rule "!www.ck"

    @classmethod
    def parse(cls, text: str) -> SuffixRules:
        exact: set[str] = set()
        wildcard: set[str] = set()
        exception: set[str] = set()
        for line in text.splitlines():
            rule = line.strip().lower()
            if not rule or rule.startswith("//"):
                continue
            for form in _forms(rule.lstrip("!").removeprefix("*.")):
                if rule.startswith("!"):
                    exception.add(form)
                elif rule.startswith("*."):
                    wildcard.add(form)
                else:
                    exact.add(form)
        return cls(frozenset(exact), frozenset(wildcard), frozenset(exception))

    def suffix_labels(self, labels: list[str]) -> int:
        """How many of ``labels`` (a host split on dots) make its public suffix."""
        count = len(labels)
        for start in range(count):
            candidate = ".".join(labels[start:])
            if candidate in self.exception:
                return count - start - 1
            parent = ".".join(labels[start + 1 :])
            if candidate in self.exact or (start + 1 < count and parent in self.wildcard):
                return count - start
        return 1


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
