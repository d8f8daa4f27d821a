"""``sitelore extract --explain``'s report: the result's ``explain`` object, for people."""

from __future__ import annotations

from sitelore.cli_report import explain_report

REASON = (
    "linked from the start page's navigation as 'Pricing'; kind pricing from its URL; score 129 "
    "(kind pricing 95, a navigation link +16, linked from the start page +8, its URL names its "
    "kind +10)"
)
RESULT = {
    "explain": {
        "pages": [
            {"url": "https://acme.test/", "kind": "home", "status": "done",
             "reason": "the start page: always fetched, to discover links"},
            {"url": "https://acme.test/pricing/", "kind": "pricing", "status": "done",
             "reason": REASON},
            {"url": "https://acme.test/old/", "kind": "other", "status": "failed",
             "reason": "HTTP 404 for https://acme.test/old/"},
            {"url": "https://acme.test/blog/", "kind": "news", "status": "unvisited",
             "reason": "not fetched: the budget of 2 pages went to pages ranked higher"},
        ],
        "items": [
            {"title": "Starter", "source": "https://acme.test/pricing/", "category": "PRICING",
             "categoryReason": "a card or table column with a price",
             "titleReason": "its own heading"},
        ],
    }
}  # fmt: skip


def test_report_sums_up_then_lists_pages_then_items() -> None:
    report = explain_report(RESULT)
    lines = report.splitlines()
    assert lines[0] == "explain: 4 pages (2 done, 1 failed, 1 unvisited), 1 items"
    assert lines.index("Pages") < lines.index("Items")
    assert "  done       pricing      https://acme.test/pricing/" in lines
    assert "  PRICING    Starter  <https://acme.test/pricing/>" in lines
    assert "             category: a card or table column with a price" in lines
    assert "             title: its own heading" in lines


def test_long_reasons_wrap_under_their_page_without_losing_a_word() -> None:
    lines = explain_report(RESULT).splitlines()
    start = lines.index("  done       pricing      https://acme.test/pricing/") + 1
    wrapped = []
    for line in lines[start:]:
        if not line.startswith(" " * 13):
            break
        assert len(line) <= 100
        wrapped.append(line.strip())
    assert len(wrapped) > 1
    assert " ".join(wrapped) == REASON


def test_a_result_without_explain_says_so() -> None:
    assert "no explain object" in explain_report({"business": {}})
