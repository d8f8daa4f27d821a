"""Pages → the result: template removed, items cut and categorised, duplicates merged, contacts."""

from __future__ import annotations

import random

from sitelore.core.assemble import Assembled, CrawledPage, assemble, boilerplate, deduplicate
from sitelore.core.text import fingerprint, jaccard, shingles, visible_length
from sitelore.models import INDUSTRIES, ItemCategory, KnowledgeItem
from tests.core.helpers import doc

SITE = "https://quillby.test"
HEAD = '<meta property="og:site_name" content="Quillby">'
MENU = ["Pricing", "About", "Contact", "Features", "Integrations", "Customers", "Careers", "Blog"]
NAV = (
    '<header><a href="/"><img src="/img/quillby-logo.svg" alt="Quillby"></a><nav><ul>'
    + "".join(f'<li><a href="/{label.lower()}">{label}</a></li>' for label in MENU)
    + "</ul></nav></header>"
)
FOOTER = (
    "<footer><p>© 2024 Quillby Ltd. All rights reserved. Quillby is a registered trademark of "
    "Quillby Ltd in the United Kingdom and the European Union.</p>"
    "<p>Email hello@quillby.test</p></footer>"
)
PROMO = (
    '<div class="promo"><h2>Start writing today</h2><p>Join thousands of editors who plan, draft '
    "and review their stories in one shared workspace. Try it free.</p></div>"
)


def site_page(
    path: str, title: str, main: str, *, start: bool = False, promo: bool = True
) -> CrawledPage:
    body = f"{NAV}<main>{main}{PROMO if promo else ''}</main>{FOOTER}"
    return CrawledPage(
        doc(body, SITE + path, title=f"{title} | Quillby", head=HEAD), is_start=start
    )


def quillby() -> list[CrawledPage]:
    return [
        site_page(
            "/",
            "Collaborative writing",
            "<h1>Write together</h1><p>Quillby is a collaborative writing workspace where "
            "editorial teams draft, comment and publish stories together.</p>",
            start=True,
        ),
        site_page(
            "/pricing",
            "Pricing",
            '<h1>Pricing</h1><div class="plans">'
            '<div class="plan"><h3>Solo</h3><p>$0 per month</p><ul><li>One writer</li>'
            "<li>Unlimited drafts</li><li>Community forum support</li></ul></div>"
            '<div class="plan"><h3>Newsroom</h3><p>$49 per month</p><ul><li>Up to 30 writers</li>'
            "<li>Review workflows</li><li>Priority email support</li></ul></div></div>",
        ),
        site_page(
            "/about",
            "About",
            "<h1>About us</h1><p>We started Quillby in 2019 after years of emailing drafts back "
            "and forth between editors and reporters.</p>",
        ),
        site_page(
            "/contact",
            "Contact",
            "<h1>Contact</h1><p>Our office is at 12 Wharf Street, Leeds LS2 7EQ. Visitors are "
            "welcome on weekdays.</p>",
        ),
    ]


def all_content(result: Assembled) -> str:
    return "\n".join(item.content for item in result.items)


def test_profile_of_the_site() -> None:
    business = assemble(quillby()).business
    assert business.name == "Quillby"
    assert business.domain == "quillby.test"
    assert business.logo == "https://quillby.test/img/quillby-logo.svg"
    assert business.category in INDUSTRIES
    assert business.description.startswith("Quillby is a collaborative writing workspace")


def test_template_repeated_on_every_page_is_said_at_most_once() -> None:
    items = assemble(quillby()).items
    content = "\n".join(item.content for item in items)
    assert content.count("Join thousands of editors") <= 1  # a promo box in <main> on every page
    assert "All rights reserved" not in content
    assert "- Pricing\n- About" not in content
    assert "Integrations" not in content
    assert not any(item.title == "Pricing" and item.source != SITE + "/pricing" for item in items)


def test_template_blurb_and_sentence_lists_are_said_once() -> None:
    """A header's one-sentence blurb and a popup's list of sentences are the site's words, once;
    a link list is not, and a privacy link that names cookies makes no cookie banner."""
    header = (
        "<header><p>Quillby is a shared writing studio of 30 desks for editors who work alone, "
        "but not lonely.</p></header>"
    )
    popup = (
        "<aside><h2>How we keep your data</h2><p>Your privacy matters to us, and we keep only "
        "what we need to work with you. We hold these details for the following purposes:</p>"
        "<ul><li>Invoicing you for your desk. We use Ledgerly for payments: see "
        "https://ledgerly.test/privacy-and-cookies for how they work.</li>"
        "<li>Writing to you about your membership by e-mail or by letter, never by phone.</li>"
        "</ul><ul><li>Home</li><li>Blog</li></ul></aside>"
    )
    pages = [
        CrawledPage(
            doc(f"{header}<main>{main}</main>{popup}", SITE + path, head=HEAD), is_start=start
        )
        for path, main, start in (
            ("/", "<h1>Write together</h1><p>Desks by the day or the month.</p>", True),
            ("/desks", "<h1>Desks</h1><p>Fixed and flexible desks, all with a locker.</p>", False),
            ("/events", "<h1>Events</h1><p>A writers' breakfast every first Monday.</p>", False),
        )
    ]
    content = all_content(assemble(pages))
    assert content.count("a shared writing studio of 30 desks") == 1
    assert content.count("We use Ledgerly for payments") == 1
    assert content.count("never by phone") == 1
    assert "- Home" not in content


def test_page_content_becomes_items_with_their_source() -> None:
    items = assemble(quillby()).items
    by_title = {item.title: item for item in items}
    assert by_title["Newsroom"].category is ItemCategory.PRICING
    assert by_title["Newsroom"].source == SITE + "/pricing"
    assert "$49 per month" in by_title["Newsroom"].content
    assert by_title["About us"].category is ItemCategory.ABOUT
    assert by_title["About us"].source == SITE + "/about"


def test_contact_item_holds_details_found_in_the_footer() -> None:
    items = assemble(quillby()).items
    contacts = [item for item in items if item.title == "Contact details"]
    assert len(contacts) == 1
    assert contacts[0].category is ItemCategory.CONTACT
    assert "hello@quillby.test" in contacts[0].content
    assert "12 Wharf Street, Leeds LS2 7EQ" in contacts[0].content
    assert contacts[0].source == SITE + "/contact"


def test_times_a_contact_card_mentions_are_still_in_the_location_item() -> None:
    """When to come is looked for with the location: a contact card that also gives the
    check-in times does not take them out of the LOCATION item; a location item of a page
    that gives them does."""
    footer = "<footer><ul><li>Check-in: 15:00 – 18:00</li></ul></footer>"
    card = (
        "<h2>Write to us</h2><p>We answer within a day: desk@quillby.test</p>"
        "<p>Check-in 15:00 – 18:00 at the front desk.</p>"
    )
    hours = "<h2>Find us</h2><p>On the quay, by the ferry. Check-in: 15:00 – 18:00</p>"

    def holding_times(contact_main: str) -> list[KnowledgeItem]:
        pages = [
            CrawledPage(doc(f"<main>{main}</main>{footer}", SITE + path, head=HEAD), is_start=start)
            for path, main, start in (
                ("/", "<h1>Write together</h1><p>Desks by the day or the month.</p>", True),
                ("/contact", contact_main, False),
            )
        ]
        return [i for i in assemble(pages).items if "15:00 – 18:00" in i.content]

    with_card = holding_times(card)
    assert [i.category for i in with_card] == [ItemCategory.CONTACT, ItemCategory.LOCATION]
    with_hours = holding_times(hours)
    assert [(i.category, i.title) for i in with_hours] == [(ItemCategory.LOCATION, "Find us")]


def test_without_a_contact_page_the_contact_item_names_the_directions_page() -> None:
    pages = [page for page in quillby() if not page.document.url.endswith("/contact")]
    directions = site_page("/find-us", "Find us", "<h1>Find us</h1><p>Take the tram to Wharf.</p>")
    items = assemble([*pages, directions]).items
    (contact,) = [item for item in items if item.title == "Contact details"]
    assert contact.source == SITE + "/find-us"


def test_every_item_is_valid_and_unique() -> None:
    result = assemble(quillby())
    urls = {SITE + path for path in ("/", "/pricing", "/about", "/contact")}
    assert result.items
    for item in result.items:
        assert item.category in ItemCategory
        assert item.source in urls
        assert item.title
        assert item.content.strip()
    contents = [item.content for item in result.items]
    assert len(set(contents)) == len(contents)


def test_near_duplicate_sections_on_two_pages_become_one_item() -> None:
    text = (
        "Every story is checked by two human editors before it goes live, corrections are "
        "logged publicly, and readers can see the full history of changes to any article we "
        "publish. We also publish a yearly transparency report listing every correction, every "
        "complaint and how long each one took to resolve, so readers can judge our work."
    )
    pages = [
        *quillby(),
        site_page("/standards", "Standards", f"<h2>Our editorial promise</h2><p>{text}</p>"),
        site_page(
            "/trust",
            "Trust",
            f"<h2>Our editorial promise</h2><p>{text.replace('two human', 'two experienced')}</p>",
        ),
    ]
    items = assemble(pages).items
    promises = [item for item in items if "corrections are logged publicly" in item.content]
    assert [item.source for item in promises] == [SITE + "/standards"]


def test_a_page_that_yields_no_items_still_informs_the_profile_and_contacts() -> None:
    start = CrawledPage(
        doc(
            "<main><p>Crumb is a neighbourhood bakery in Leeds baking sourdough and rye "
            "every day.</p>"
            "<p>Call: +44 113 496 0000</p></main>",
            "https://crumb.test/",
            title="Crumb Bakery",
        ),
        is_start=True,
        yields_items=False,
    )
    menu = CrawledPage(
        doc(
            "<main><h2>Breads</h2><p>Sourdough, rye, spelt and a seeded loaf, all baked "
            "before dawn "
            "from organic flour.</p></main>",
            "https://crumb.test/breads",
            title="Breads | Crumb Bakery",
        )
    )
    result = assemble([start, menu])
    assert result.business.name == "Crumb Bakery"
    assert {item.source for item in result.items} == {"https://crumb.test/breads"}
    assert any("+44 113 496 0000" in item.content for item in result.items)


def test_boilerplate_is_what_many_pages_share() -> None:
    pages = [page.document for page in quillby()]
    template = boilerplate(pages)
    assert len(template) >= 3  # promo heading and text, nav list, footer lines
    assert boilerplate(pages[:1]) == frozenset()


def item(content: str, source: str = SITE + "/") -> KnowledgeItem:
    return KnowledgeItem("T", "d", content, ItemCategory.OTHER, source)


def test_deduplicate_keeps_the_first_of_exact_and_near_copies() -> None:
    base = (
        "Our support team answers every message within one working day, including weekends "
        "and public holidays, in English, German and French. Urgent problems with publishing "
        "are escalated to an on-call engineer who can roll back a release at any hour."
    )
    items = [
        item(base, SITE + "/a"),
        item(base.upper() + "!", SITE + "/b"),  # the same words
        item(base.replace("one working day", "one business day"), SITE + "/c"),  # nearly
        item("Completely different words about sourdough bread and rye loaves.", SITE + "/d"),
        item("   ", SITE + "/e"),
    ]
    assert [kept.source for kept in deduplicate(items)] == [SITE + "/a", SITE + "/d"]


def test_a_section_shared_by_two_of_six_pages_is_kept_once() -> None:
    shared = (
        "<h2>Our editorial promise</h2><p>Every story we help publish is checked by two human "
        "editors before it goes live, and corrections are logged publicly.</p>"
    )
    pages = [
        site_page(
            "/",
            "Home",
            "<h1>Quillby</h1><p>Quillby is a shared writing desk for small "
            "newsrooms and their freelance reporters.</p>" + shared,
            start=True,
            promo=False,
        ),
        site_page(
            "/about",
            "About",
            "<h1>About</h1><p>We are six former editors who got tired "
            "of emailing drafts around.</p>" + shared,
            promo=False,
        ),
        site_page(
            "/pricing",
            "Pricing",
            "<h1>Pricing</h1><p>One flat price of $12 per writer per "
            "month, billed yearly, with no setup fee.</p>",
            promo=False,
        ),
        site_page(
            "/features",
            "Features",
            "<h1>Features</h1><p>Assignments, drafts, edits and "
            "sign-off live in one place instead of five inboxes.</p>",
            promo=False,
        ),
        site_page(
            "/security",
            "Security",
            "<h1>Security</h1><p>Drafts are encrypted at rest, and "
            "access is logged for every document and every user.</p>",
            promo=False,
        ),
        site_page(
            "/jobs",
            "Jobs",
            "<h1>Jobs</h1><p>We hire remote editors and engineers across "
            "Europe twice a year, in spring and autumn.</p>",
            promo=False,
        ),
    ]
    content = all_content(assemble(pages))
    assert content.count("checked by two human editors") == 1


def _brute_force_deduplicate(items: list[KnowledgeItem]) -> list[KnowledgeItem]:
    """The reference: every kept item compared with every earlier one."""
    kept: list[KnowledgeItem] = []
    for candidate in items:
        body = shingles(candidate.content)
        if not visible_length(candidate.content) or any(
            fingerprint(candidate.content) == fingerprint(other.content)
            or jaccard(body, shingles(other.content)) >= 0.7
            for other in kept
        ):
            continue
        kept.append(candidate)
    return kept


def test_deduplicate_agrees_with_comparing_every_pair() -> None:
    vocabulary = ["plans", "teams"]  # two words: many exact and near copies
    chooser = random.Random(7)
    items = [
        item(" ".join(chooser.choice(vocabulary) for _ in range(chooser.randint(5, 7))), f"/{n}")
        for n in range(300)
    ]
    expected = [i.source for i in _brute_force_deduplicate(items)]
    assert 20 < len(expected) < 250, "the sample has both copies and originals"
    assert [i.source for i in deduplicate(items)] == expected


POST_BODY = (
    "<p>Our spring release brings shared outlines to every workspace, so that editors and "
    "reporters can agree on the shape of a story before anyone writes a line of it.</p>"
    "<p>Outlines sit beside the draft, keep their own history, and can be reviewed, "
    "commented on and approved like any other part of the story.</p>"
)
POST_FURNITURE = (
    '<div class="share-buttons"><p>Share this post with your team on LinkedIn or by email</p>'
    '</div><section class="comments"><h3>3 comments</h3><p>Finally! We have been waiting for '
    "outlines for ages, thanks to the whole team for this one.</p></section>"
    '<div class="related-posts"><h3>More from the blog</h3><p>How newsrooms plan the week: '
    "a look at the planning boards of three local papers and what they share.</p></div>"
)


def test_a_blog_post_yields_items_from_its_article_body_only() -> None:
    post = site_page(
        "/blog/spring-release",
        "Spring release",
        f"<h1>Spring release</h1><article>{POST_BODY}</article>{POST_FURNITURE}",
    )
    content = all_content(assemble([*quillby(), post]))
    assert "shared outlines to every workspace" in content
    assert "Outlines sit beside the draft" in content
    for furniture in ("Share this post", "waiting for outlines", "planning boards"):
        assert furniture not in content


def test_a_news_listing_keeps_its_entries() -> None:
    listing = site_page(
        "/events",
        "Events",
        "<h1>Events</h1><h2>Press</h2><ul>"
        + "".join(
            f'<li><a href="/press/{n}">Quillby in the Gazette, part {n}: editors on a shared '
            f"workspace</a> ({n} May 2024)</li>"
            for n in range(1, 5)
        )
        + "</ul>",
    )
    content = all_content(assemble([*quillby(), listing]))
    assert "Quillby in the Gazette, part 3" in content


def test_a_pages_kind_is_read_from_its_title_without_the_brand() -> None:
    # "The Beer Garden" is a restaurant's name; its chef's page is no drinks menu.
    body = "<h1>Chef Anna</h1><p>Anna cooked in Lyon for ten years before she came here.</p>"
    chef = CrawledPage(
        doc(body, "https://beergarden.test/anna/", title="Chef Anna – The Beer Garden")
    )
    assert chef.purpose == "menu"  # read with the brand
    assert chef.purpose_for("The Beer Garden") == "other"
