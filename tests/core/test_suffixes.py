"""The Public Suffix List algorithm on a small list of our own, and the bundled list."""

from __future__ import annotations

import contextlib

import pytest
import tldextract

from sitelore.core.suffixes import SuffixRules, bundled_rules

RULES = SuffixRules.parse(
    """
// ===BEGIN ICANN DOMAINS===
com
uk
co.uk
*.ck
!www.ck
公司.cn
cn
// ===END ICANN DOMAINS===
// ===BEGIN PRIVATE DOMAINS===
github.io
// ===END PRIVATE DOMAINS===
"""
)


@pytest.mark.parametrize(
    ("host", "suffix"),
    [
        ("acme.com", "com"),
        ("www.acme.co.uk", "co.uk"),
        ("acme.uk", "uk"),
        ("alice.github.io", "github.io"),
        ("shop.acme.ck", "acme.ck"),  # the wildcard: any one label under ck
        ("www.ck", "ck"),  # the exception overrides the wildcard
        ("a.www.ck", "ck"),
        ("acme.公司.cn", "公司.cn"),
        ("acme.xn--55qx5d.cn", "xn--55qx5d.cn"),  # the same rule in ASCII form
        ("acme.example", "example"),  # no rule: the implicit "*"
        ("com", "com"),
    ],
)
def test_the_longest_rule_wins_and_exceptions_override(host: str, suffix: str) -> None:
    labels = host.split(".")
    assert ".".join(labels[-RULES.suffix_labels(labels) :]) == suffix


@pytest.mark.parametrize(
    ("host", "suffix"),
    [("a.b.co.uk", "co.uk"), ("bob.github.io", "github.io"), ("acme.com", "com")],
)
def test_the_bundled_list_has_both_sections(host: str, suffix: str) -> None:
    labels = host.split(".")
    assert ".".join(labels[-bundled_rules().suffix_labels(labels) :]) == suffix


def _names_under_every_rule() -> list[str]:
    """``acme.<rule>`` and ``www.acme.<rule>`` for every rule of the bundled list, as written
    and in ASCII (punycode) form."""
    rules = bundled_rules()
    names: set[str] = set()
    for rule in rules.exact | rules.wildcard | rules.exception:
        forms = {rule}
        with contextlib.suppress(UnicodeError):
            forms.add(".".join(label.encode("idna").decode("ascii") for label in rule.split(".")))
        names.update(f"{prefix}{form}" for form in forms for prefix in ("acme.", "www.acme."))
    return sorted(names)


def test_the_bundled_list_answers_as_tldextract_does() -> None:
    # tldextract reads the same snapshot; it parts from the list's algorithm only on bare
    # suffixes and unknown top-level labels, which these names avoid.
    extract = tldextract.TLDExtract(
        suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
    )
    rules = bundled_rules()
    different = []
    for host in _names_under_every_rule():
        labels = host.split(".")
        mine = ".".join(labels[-rules.suffix_labels(labels) :])
        if mine != extract(host).suffix:
            different.append((host, mine, extract(host).suffix))
    assert different == []
