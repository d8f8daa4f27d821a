"""Contact details and locations harvested site-wide, and the CONTACT / LOCATION items."""

from __future__ import annotations

import pytest

from sitelore.core.contact import ContactFacts, contact_items, harvest_contacts
from sitelore.models import ItemCategory
from tests.core.helpers import doc

URL = "https://crumb.test/contact"


def facts(body: str, head: str = "") -> ContactFacts:
    return harvest_contacts([doc(body, URL, head=head)])


def digits(number: str) -> str:
    return "".join(char for char in number if char.isdigit())


def test_emails_from_links_and_text_once_each() -> None:
    found = facts(
        '<footer><a href="mailto:orders@crumb.test">Mail</a><p>Write to orders@crumb.test or '
        "ORDERS@crumb.test, or to press@crumb.test.</p></footer>"
    )
    assert found.emails == ["orders@crumb.test", "press@crumb.test"]
    assert found.sources == [URL]


def test_one_phone_number_in_several_formats_is_listed_once() -> None:
    found = facts(
        '<footer><a href="tel:+14155550134">Call</a><p>Call us: +1 (415) 555-0134<br>'
        "Tel. 1-415-555-0134<br>Phone: 415.555.0134</p></footer>"
    )
    assert len(found.phones) == 1
    assert digits(found.phones[0]).endswith("4155550134")


def test_an_eight_digit_number_with_and_without_its_country_code_is_one() -> None:
    found = facts('<footer><a href="tel:+4791538204">Ring</a><p>Tlf. 915 38 204</p></footer>')
    assert found.phones == ["915 38 204"]


def test_jsonld_hours_only_when_the_pages_say_none_in_words() -> None:
    schema = (
        '<script type="application/ld+json">'
        '{"@type": "Store", "openingHours": "Mo-Fr 08:00-18:00"}</script>'
    )
    assert facts("<p>Hello</p>", head=schema).hours == ["Mo-Fr 08:00-18:00"]
    worded = facts("<footer><p>pon.–pt. 8:00–18:00</p></footer>", head=schema)
    assert worded.hours == ["pon.–pt. 8:00–18:00"]


def test_distinct_phone_numbers_are_all_kept() -> None:
    found = facts("<p>Shop: +44 113 496 0000<br>Fax: +44 113 496 0999</p>")
    assert [digits(p) for p in found.phones] == ["441134960000", "441134960999"]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("Phone 12/05/2023", id="slash-date"),
        pytest.param("Fax: 2023-05-01", id="iso-date"),
        pytest.param("Order 1234567 shipped", id="no-phone-hint"),
    ],
)
def test_dates_and_bare_numbers_are_not_phones(line: str) -> None:
    assert facts(f"<p>{line}</p>").phones == []


@pytest.mark.parametrize(
    ("line", "address"),
    [
        pytest.param(
            "Our shop: 221 Baker Street, London NW1 6XE",
            "Our shop: 221 Baker Street, London NW1 6XE",
            id="uk",
        ),
        pytest.param("742 Evergreen Terrace", "742 Evergreen Terrace", id="us-street"),
        pytest.param("Springfield, OR 97403", "Springfield, OR 97403", id="us-zip"),
        pytest.param("Musterstraße 12", "Musterstraße 12", id="de-street"),
        pytest.param("80331 München", "80331 München", id="de-postcode"),
        pytest.param("12 rue des Lilas", "12 rue des Lilas", id="fr-street"),
        pytest.param("Via dei Mille 24", "Via dei Mille 24", id="it-street"),
        pytest.param("Lange Straße 31", "Lange Straße 31", id="de-street-two-words"),
        pytest.param("Rua das Flores 22", "Rua das Flores 22", id="pt-street"),
        pytest.param("4000-123 Porto", "4000-123 Porto", id="pt-postcode"),
        pytest.param("ul. Polna 7", "ul. Polna 7", id="pl-street"),
        pytest.param("Brzozowa 3, 60-101 Poznań", "Brzozowa 3, 60-101 Poznań", id="pl-postcode"),
        pytest.param("Kirkevegen 12", "Kirkevegen 12", id="no-street"),
        pytest.param("Storgatan 8", "Storgatan 8", id="sv-street"),
        pytest.param("Molenstraat 9", "Molenstraat 9", id="nl-street"),
        pytest.param("1012 AB Amsterdam", "1012 AB Amsterdam", id="nl-postcode"),
        pytest.param(
            "Herausgeberin: Jana Roth Studio GmbH, vertreten durch die Geschäftsführerin Jana "
            "Roth, "
            "Berliner Allee 12, 40212 Düsseldorf",
            "Berliner Allee 12, 40212 Düsseldorf",
            id="an-imprint-line-from-its-street-on",
        ),
        pytest.param("Address: 742 Evergreen Terrace", "742 Evergreen Terrace", id="field-label"),
    ],
)
def test_addresses_from_text(line: str, address: str) -> None:
    assert facts(f"<footer><p>{line}</p></footer>").addresses == [address]


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("© 2016 Crumb Bakery", id="copyright-sign"),
        pytest.param("Copyright 2019 Crumb Bakery. All rights reserved.", id="copyright-word"),
        pytest.param("Since 2012 Bakers have trusted us", id="since-year"),
        pytest.param("Founded 10 May 2014 with three ovens", id="date"),
    ],
)
def test_years_are_not_addresses(line: str) -> None:
    assert facts(f"<footer><p>{line}</p></footer>").addresses == []


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("Via Slack", id="via-a-tool"),
        pytest.param("Via la A7 (depuis Lyon)", id="via-a-motorway"),
        pytest.param("Calle us on weekdays", id="calle-without-number"),
        pytest.param("Meet us at gate 5", id="a-street-word-alone"),
    ],
)
def test_via_without_a_house_number_is_no_street(line: str) -> None:
    assert facts(f"<footer><p>{line}</p></footer>").addresses == []


@pytest.mark.parametrize(
    "line",
    [
        pytest.param("Trusted by 12000 Teams worldwide", id="teams"),
        pytest.param("More than 1500 Restaurants use our ovens", id="restaurants"),
    ],
)
def test_marketing_numbers_are_not_addresses(line: str) -> None:
    assert facts(f"<p>{line}</p>").addresses == []


@pytest.mark.parametrize(
    ("html", "hours"),
    [
        pytest.param(
            "<p>Mon–Fri: 7:00 – 18:00<br>Sat: 8am - 2pm</p>",
            ["Mon–Fri: 7:00 – 18:00", "Sat: 8am - 2pm"],
            id="one-line-each",
        ),
        pytest.param(
            "<p>Opening hours</p><p>Monday – Friday<br>7:00 – 18:00</p>",
            ["Monday – Friday: 7:00 – 18:00"],
            id="day-then-times-on-next-line",
        ),
        pytest.param(
            "<p>Samstag<br>09:00 - 13:00 Uhr</p>",
            ["Samstag: 09:00 - 13:00 Uhr"],
            id="german-day-next-line",
        ),
        pytest.param("<p>Sunday closed</p>", ["Sunday closed"], id="a-closed-day"),
        pytest.param("<p>Closed for the holidays</p>", [], id="closed-without-a-day"),
        pytest.param(
            "<p>Domingo e feriados: encerrado</p>",
            ["Domingo e feriados: encerrado"],
            id="a-closed-day-in-portuguese",
        ),
        pytest.param(
            "<header><p>Call 0761 4587 230 · Mon–Fri: 8:00–18:00</p></header>"
            "<footer><p>Mon–Fri: 8:00–18:00</p></footer>"
            "<table><tr><td>Mon–Fri</td><td>8:00–18:00</td></tr></table>",
            ["Mon–Fri: 8:00–18:00"],
            id="the-same-hours-three-ways-once",
        ),
        pytest.param(
            "<p>Opening hours (by appointment only):</p><ul><li>Tuesday: 10am - 4pm</li></ul>",
            ["Opening hours (by appointment only):", "Tuesday: 10am - 4pm"],
            id="the-label-and-its-note-in-the-block-before",
        ),
        pytest.param(
            "<p>Kitchen:<br>Tue–Sun 12:00–21:00<br>Bar:<br>Tue–Sun 12:00–01:00</p>",
            ["Kitchen:", "Tue–Sun 12:00–21:00", "Bar:", "Tue–Sun 12:00–01:00"],
            id="two-labelled-groups",
        ),
        pytest.param(
            "<p>Questions about your order:</p><p>Write to us any time.</p>",
            [],
            id="a-label-over-no-hours-is-no-hours",
        ),
    ],
)
def test_opening_hours(html: str, hours: list[str]) -> None:
    assert facts(html).hours == hours


def test_jsonld_postal_address_contact_and_opening_hours() -> None:
    head = """<script type="application/ld+json">{"@context":"https://schema.org","@type":"Bakery",
      "name":"Crumb","telephone":"+49 30 1234567","email":"mailto:hallo@crumb.test",
      "address":{"@type":"PostalAddress","streetAddress":"Brotgasse 5","postalCode":"10115",
      "addressLocality":"Berlin","addressCountry":"DE"},
      "openingHours":["Mo-Fr 07:00-18:00","Sa 08:00-13:00"]}</script>"""
    found = facts("<p>Hallo</p>", head)
    assert found.emails == ["hallo@crumb.test"]
    assert [digits(p) for p in found.phones] == ["49301234567"]
    assert found.addresses == ["Brotgasse 5, 10115, Berlin, DE"]
    assert found.hours == ["Mo-Fr 07:00-18:00", "Sa 08:00-13:00"]
    assert found.locality == "Berlin"


def test_locality_from_a_text_address() -> None:
    assert facts("<p>221 Baker Street, London NW1 6XE</p>").locality == "London"


def test_locality_inside_a_line_that_is_no_address() -> None:
    html = "<p>Old Town 12 Elm Avenue<br>Springfield, IL 62704 Phone: 217-555-0188</p>"
    assert facts(html).locality == "Springfield, IL"


def test_times_in_the_footer_are_visiting_times() -> None:
    html = "<footer><p>Check-in from 15:00</p><p>Founded 1998</p></footer>"
    assert facts(html).hours == ["Check-in from 15:00"]


def test_harvest_reads_footers_and_every_page() -> None:
    pages = [
        doc(
            "<main><p>Bread.</p></main><footer><p>orders@crumb.test</p></footer>",
            "https://crumb.test/",
        ),
        doc("<main><p>Call: +44 113 496 0000</p></main>", "https://crumb.test/about"),
    ]
    found = harvest_contacts(pages)
    assert found.emails == ["orders@crumb.test"]
    assert len(found.phones) == 1
    assert found.sources == ["https://crumb.test/", "https://crumb.test/about"]


def test_contact_and_location_items() -> None:
    found = facts(
        "<footer><p>orders@crumb.test</p><p>Phone: +44 113 496 0000</p>"
        "<p>12 Wharf Street, Leeds LS2 7EQ</p><p>Mon–Sat 7:00 – 16:00</p></footer>"
    )
    contact, location = contact_items(found, None)
    assert contact.category is ItemCategory.CONTACT
    assert contact.source == URL
    assert "orders@crumb.test" in contact.content
    assert "+44 113 496 0000" in contact.content
    assert "12 Wharf Street, Leeds LS2 7EQ" in contact.content
    assert location.category is ItemCategory.LOCATION
    assert "12 Wharf Street, Leeds LS2 7EQ" in location.content
    assert "Mon–Sat 7:00 – 16:00" in location.content
    assert len(contact.description) <= 300


@pytest.mark.parametrize(
    ("line", "registered"),
    [
        pytest.param("VAT no. GB 123 4567 89", True, id="en"),
        pytest.param("USt-IdNr.: DE 123456789", True, id="de"),
        pytest.param("SIRET : 123 456 789 00012", True, id="fr"),
        pytest.param("KvK 12345678", True, id="nl"),
        pytest.param("P.IVA 01234567890", True, id="it"),
        pytest.param("NIP: 123-456-32-18", True, id="pl"),
        pytest.param("Org.nr. 912 345 678", True, id="no"),
        pytest.param("Btw tarief 21%", False, id="a-tax-rate"),
        pytest.param("We are open 9-17", False, id="hours"),
    ],
)
def test_company_numbers_are_contact_details(line: str, registered: bool) -> None:
    found = facts(f"<footer><p>hello@crumb.test</p><p>{line}</p></footer>")
    assert found.registrations == ([line] if registered else [])
    (contact,) = contact_items(found, None)
    assert (f"- {line}" in contact.content) is registered


def test_hours_are_listed_under_the_sites_own_labels() -> None:
    found = facts("<p>Kitchen:<br>Tue–Sun 12:00–21:00<br>Bar:<br>Tue–Sun 12:00–01:00</p>")
    (location,) = contact_items(found, None)
    listed = "**Kitchen**\n- Tue–Sun 12:00–21:00\n\n**Bar**\n- Tue–Sun 12:00–01:00"
    assert listed in location.content
    assert "Opening hours" not in location.content


def test_contact_items_prefer_the_contact_page_as_source() -> None:
    found = facts("<p>orders@crumb.test</p>")
    (item,) = contact_items(found, "https://crumb.test/kontakt")
    assert item.source == "https://crumb.test/kontakt"


def test_no_contact_details_no_items() -> None:
    assert contact_items(facts("<p>Just bread.</p>"), None) == []
