"""Why the crawl took, skipped or left each page, in words (``--explain``).

The ranking itself lives in the frontier and the page kinds in ``pagetypes``; this module
only puts their evidence into a sentence, so that a user who misses a fact can see whether
its page was never planned, failed, or was read and yielded something else.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sitelore.core.assemble import LISTING_PURPOSES, CrawledPage
from sitelore.core.frontier import Candidate
from sitelore.core.pagetypes import page_kind
from sitelore.core.urls import url_path
from sitelore.models import UNVISITED, PageStatus, PageWhy

ScoreTerms = Sequence[tuple[str, float]]


@dataclass(frozen=True)
class Plan:
    """Why a URL was taken: how it was found, the kind it was given, its score then."""

    found: str
    kind: str = ""
    kind_note: str = ""
    score: str = ""

    def text(self) -> str:
        return "; ".join(part for part in (self.found, self.kind_note, self.score) if part)


START = Plan("the start page: always fetched, to discover links")
LISTED = Plan("listed in the request's urls")
SINGLE = Plan("the requested page (singlePage)")


def planned(candidate: Candidate, terms: ScoreTerms) -> Plan:
    """The plan of a frontier candidate taken with a score of these ``terms``."""
    kind_note = _kind_note(candidate.purpose, candidate.kind_source)
    return Plan(_found(candidate), candidate.purpose, kind_note, score_note(terms))


def _found(candidate: Candidate) -> str:
    label = f" as {candidate.labels[0]!r}" if candidate.labels else ""
    if candidate.in_nav:
        found = f"linked from the start page's navigation{label}"
    elif candidate.in_footer:
        found = f"linked from the start page's footer{label}"
    elif candidate.from_start:
        found = f"linked from the start page{label}"
    elif candidate.from_sitemap and not label:
        return "listed in the sitemap"
    else:
        found = f"linked{label} from another page, {candidate.hops} links from the start page"
    return found + (", and in the sitemap" if candidate.from_sitemap else "")


def _kind_note(kind: str, source: str | None, title: str = "") -> str:
    if source == "":
        return f"kind {kind} from its URL"
    if source is None:
        where = "URL, links or title" if title else "URL or links"
        return f"kind {kind}: nothing in its {where} names a kind"
    if title and source == title:
        return f"kind {kind} from its title {source!r}"
    return f"kind {kind} from the link text {source!r}"


def score_note(terms: ScoreTerms) -> str:
    """``score 119 (kind pricing 95, a navigation link +16, ...)``."""
    if not terms:
        return ""
    total = sum(value for _, value in terms)
    first, *rest = terms
    parts = [f"{first[0]} {first[1]:g}", *(f"{name} {value:+g}" for name, value in rest)]
    return f"score {total:g} ({', '.join(parts)})"


def path_plan(plan: Plan, url: str) -> Plan:
    """A plan not made by the frontier (the start page, a listed URL) with its URL's kind."""
    kind, source = page_kind(url_path(url))
    return Plan(plan.found, kind, _kind_note(kind, source), plan.score)


def page_done(
    page: CrawledPage, plan: Plan, requested: str, language: str | None = None
) -> PageWhy:
    """An extracted page: its kind (now that its title is known too, read in the site's
    ``language``) and why it was taken."""
    document = page.document
    labels = (*page.labels, document.title)
    kind, source = page_kind(url_path(document.url), labels, language)
    notes = [plan.found, _kind_note(kind, source, document.title), plan.score]
    if requested != document.url:
        notes.append(f"requested as {requested}")
    if not page.yields_items:
        notes.append("yields no items: the include/exclude patterns do not admit it")
    elif kind in LISTING_PURPOSES:
        notes.append("yields no items: a listing of pages that say it themselves")
    reason = "; ".join(note for note in notes if note)
    return PageWhy(document.url, kind, PageStatus.DONE.value, reason)


def page_missed(url: str, plan: Plan, cause: str, skipped: bool) -> PageWhy:
    """A fetched URL that gave no page: the cause first, then why it had been taken."""
    status = PageStatus.SKIPPED if skipped else PageStatus.FAILED
    return PageWhy(url, plan.kind or "other", status.value, f"{cause}; {plan.text()}")


def page_unvisited(candidate: Candidate, terms: ScoreTerms, why_left: str) -> PageWhy:
    """A ranked URL the crawl did not fetch, and what it would have been taken for."""
    plan = planned(candidate, terms)
    return PageWhy(candidate.url, plan.kind, UNVISITED, f"not fetched: {why_left}; {plan.text()}")
