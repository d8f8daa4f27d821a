"""The category of one item: what it is, its headings, its text, then the page's type."""

from __future__ import annotations

import pytest

from sitelore.core.categories import judge, mentions_hours, names_role
from sitelore.models import ItemCategory as C


@pytest.mark.parametrize(
    ("title", "parents", "text", "kind", "purpose", "expected"),
    [
        # 1. what the item is
        pytest.param(
            "Do you ship abroad?",
            (),
            "To 40 countries.",
            "",
            "faq",
            C.FAQ,
            id="question-on-faq-page",
        ),
        pytest.param(
            "Shipping", (), "We ship weekly.", "faq", "pricing", C.FAQ, id="faq-unit-anywhere"
        ),
        pytest.param(
            "Sam Ortiz, owner",
            (),
            "Best rye in town.",
            "quote",
            "home",
            C.CUSTOMER,
            id="testimonial",
        ),
        pytest.param(
            "Sam Ortiz", (), "Best rye in town.", "quote", "news", C.NEWS, id="quote-in-news"
        ),
        pytest.param(
            "Pro", (), "$29 per month\n10 users", "card", "features", C.PRICING, id="priced-card"
        ),
        pytest.param("Rye loaf", (), "$6 each", "card", "menu", C.PRODUCT, id="priced-menu-card"),
        pytest.param(
            "“We saved $20,000 in a year.”",
            (),
            "Dana Fox\nCTO, Harbour",
            "card",
            "customers",
            C.CUSTOMER,
            id="a-quotation-that-names-a-sum-is-no-price",
        ),
        pytest.param("Free", (), "One user\n2 projects", "card", "home", C.PRICING, id="free-plan"),
        pytest.param(
            "Consent",
            (),
            "You are free to withdraw it at any time.",
            "card",
            "about",
            C.ABOUT,
            id="free-inside-a-sentence-is-no-price",
        ),
        # 2. the item's own heading, then its parents
        pytest.param(
            "Our team", (), "Six bakers and two drivers.", "", "home", C.TEAM, id="team-heading"
        ),
        pytest.param(
            "Pricing", (), "Simple and fair.", "", "home", C.PRICING, id="pricing-heading"
        ),
        pytest.param(
            "Security", (), "Encrypted at rest.", "", "features", C.SECURITY, id="security-heading"
        ),
        pytest.param("Sourdough", ("FAQ",), "Yes, daily.", "", "home", C.FAQ, id="faq-parent"),
        pytest.param(
            "Rye", ("Pricing",), "Fair: $6 a loaf.", "", "home", C.PRICING, id="pricing-parent"
        ),
        pytest.param(
            "Taxes",
            ("Rates",),
            "All prices exclude the tourist tax.",
            "",
            "pricing",
            C.PRICING,
            id="price-words-under-a-pricing-heading",
        ),
        pytest.param(
            "Fees", (), "Fees are due in 30 days.", "", "legal", C.POLICY, id="legal-locks-fees"
        ),
        pytest.param(
            "Security and how we keep your drafts safe",
            (),
            "We care.",
            "",
            "home",
            C.FEATURE,
            id="long-tagline-is-not-a-section-name",
        ),
        pytest.param(
            "Pancake house, 10 min by bike",
            ("Eat and drink",),
            "Thin pancakes by the river.",
            "",
            "services",
            C.LOCATION,
            id="a-place-nearby-and-how-to-get-there",
        ),
        pytest.param(
            "Strandpaviljoen 8 min fietsen",
            (),
            "Aan het meer.",
            "",
            "services",
            C.LOCATION,
            id="nearby-in-dutch",
        ),
        pytest.param(
            "Massage, 30 min",
            (),
            "Neck and shoulders.",
            "",
            "services",
            C.SERVICE,
            id="a-duration-is-no-distance",
        ),
        pytest.param(
            "River tour, 12 km",
            (),
            "Three hours by kayak.",
            "",
            "services",
            C.SERVICE,
            id="a-length-without-a-way-to-get-there",
        ),
        pytest.param(
            "Goed om te weten",
            (),
            "Het huisje is huisdiervrij en roken mag alleen in de tuin.",
            "",
            "other",
            C.POLICY,
            id="a-house-rule-in-dutch-among-the-rooms",
        ),
        pytest.param(
            "Bon à savoir",
            (),
            "Il est possible de fumer sur la terrasse uniquement.",
            "",
            "product",
            C.POLICY,
            id="a-house-rule-in-french-on-the-rooms-page",
        ),
        pytest.param(
            "How a booking works",
            (),
            "We confirm your dates by e-mail. Check-in is from 3 pm, check-out before 11 am; "
            "the stay is paid in advance.",
            "",
            "contact",
            C.POLICY,
            id="booking-rules-on-the-contact-page",
        ),
        pytest.param(
            "Write to us",
            (),
            "We answer within a day, also about cancellation: stay@dune.test",
            "",
            "contact",
            C.CONTACT,
            id="contact-card-on-the-contact-page",
        ),
        # 3. what the text is made of
        pytest.param("Visit", (), "Mon–Fri 9:00–17:00", "", "home", C.LOCATION, id="hours"),
        pytest.param("Talk to us", (), "hello@acme.test", "", "features", C.CONTACT, id="email"),
        pytest.param("Reach", (), "Phone: +44 20 7946 0958", "", "features", C.CONTACT, id="phone"),
        pytest.param(
            "What are your rights?",
            (),
            "You may ask for a copy of your data: privacy@acme.test",
            "",
            "legal",
            C.POLICY,
            id="an-address-to-write-to-in-a-privacy-notice",
        ),
        pytest.param(
            "Working alone, together",
            (),
            "19/04/2018\nWe now meet every Friday.",
            "",
            "about",
            C.ABOUT,
            id="a-date-on-its-own-line-is-no-phone",
        ),
        pytest.param(
            "Kind words", (), "“The best bakery in town.”", "", "home", C.CUSTOMER, id="quote-marks"
        ),
        pytest.param(
            "Before your first session",
            (),
            "Your privacy matters: we keep your personal data under data protection law. "
            + "We note what you tell us so that your therapist can follow your care. " * 12,
            "",
            "about",
            C.POLICY,
            id="a-long-text-that-opens-as-a-privacy-notice",
        ),
        pytest.param(
            "Before your first session",
            (),
            "Your privacy matters to us. "
            + "We note what you tell us so that your therapist can follow your care. " * 12,
            "",
            "about",
            C.ABOUT,
            id="one-phrase-does-not-decide-a-long-text",
        ),
        # 4. the page's type, else the default
        pytest.param(
            "Sync", (), "Keeps files in sync.", "", "features", C.FEATURE, id="features-page"
        ),
        pytest.param("Sync", (), "Keeps files in sync.", "", "legal", C.POLICY, id="legal-page"),
        pytest.param(
            "Sync", (), "Keeps files in sync.", "", "careers", C.CAREERS, id="careers-page"
        ),
        pytest.param("Sync", (), "Keeps files in sync.", "", "other", C.FEATURE, id="other-page"),
        pytest.param(
            "Sync", (), "Keeps files in sync.", "", "pricing", C.FEATURE, id="unpriced-on-pricing"
        ),
        pytest.param(
            "Pro",
            (),
            "Billed yearly, $10 per user",
            "",
            "pricing",
            C.PRICING,
            id="priced-on-pricing",
        ),
        pytest.param("Widget", (), "Only $10", "", "product", C.PRODUCT, id="priced-on-product"),
        pytest.param(
            "Contract law",
            (),
            "We draft terms and conditions that hold up in court.",
            "",
            "services",
            C.SERVICE,
            id="a-service-about-terms-is-a-service",
        ),
        pytest.param(
            "We handle the paperwork",
            ("Your lawyers in Freiburg",),
            "We write to your insurer for you.",
            "",
            "home",
            C.FEATURE,
            id="a-long-heading-above-names-no-section",
        ),
        pytest.param(
            "Bulk",
            (),
            "Total: $20. Bulk pricing after 100 users: email sales@acme.test",
            "",
            "pricing",
            C.PRICING,
            id="price-with-an-email-is-pricing",
        ),
        pytest.param(
            "How Acme's people moved files",
            (),
            "How a clinic moved its files in a weekend.",
            "",
            "customers",
            C.CUSTOMER,
            id="a-long-heading-is-a-title-not-a-section-name",
        ),
    ],
)
def test_categorize(
    title: str, parents: tuple[str, ...], text: str, kind: str, purpose: str, expected: C
) -> None:
    got = judge(
        title=title, parents=parents, text=text, kind=kind, page_purpose=purpose, default=None
    ).category
    assert got is expected


@pytest.mark.parametrize(
    ("purpose", "default", "expected"),
    [
        pytest.param("home", C.SERVICE, C.SERVICE, id="home-uses-default"),
        pytest.param("home", None, C.FEATURE, id="home-without-default"),
        pytest.param("about", C.SERVICE, C.ABOUT, id="other-pages-ignore-default"),
    ],
)
def test_site_default_applies_to_the_home_page(
    purpose: str, default: C | None, expected: C
) -> None:
    got = judge(
        title="Gentle care",
        parents=(),
        text="We look after the whole family.",
        kind="",
        page_purpose=purpose,
        default=default,
    ).category
    assert got is expected


def test_plan_column_from_a_comparison_table_is_pricing() -> None:
    got = judge(
        title="Team",
        parents=("Compare",),
        text="Price: $29\nSeats: 10",
        kind="",
        page_purpose="features",
        default=None,
        from_table=True,
    ).category
    assert got is C.PRICING


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        pytest.param("Open daily 11am - 10pm", True, id="daily-am-pm"),
        pytest.param("Monday 9:00 – 17:00", True, id="day-clock"),
        pytest.param("Mo-Fr 8-18 Uhr", True, id="german-uhr"),
        pytest.param("Montag bis Freitag 08:00 bis 18:00", True, id="german-bis"),
        pytest.param("Saturday 2-3", False, id="no-clock"),
        pytest.param("We offer 24/7 support", False, id="no-day"),
        pytest.param("Founded 1998-2004", False, id="years"),
    ],
)
def test_mentions_hours(text: str, hours: bool) -> None:
    assert mentions_hours(text) is hours


@pytest.mark.parametrize(
    ("text", "role"),
    [
        pytest.param("Founder and head baker", True, id="a-cue"),
        pytest.param("Instruktorka kajakarstwa od 2015 roku.", True, id="a-polish-stem"),
        pytest.param("Styreleder. Har vært vert siden 1998.", True, id="norwegian"),
        pytest.param("Szef kuchni i właściciel.", True, id="a-phrase"),
        pytest.param("Syncs your files every five minutes.", False, id="no-role"),
    ],
)
def test_names_role(text: str, role: bool) -> None:
    assert names_role(text) is role
