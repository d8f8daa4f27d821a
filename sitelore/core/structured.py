"""Knowledge items that a page declares in JSON-LD: FAQPage questions, Products and Offers.

Sites often publish their FAQ and products as schema.org data as well as on the page;
the visible version, extracted first, wins when both say the same (see deduplication).
"""

from __future__ import annotations

from typing import Any

from selectolax.lexbor import LexborHTMLParser

from sitelore.core.metadata import jsonld_types
from sitelore.core.text import clean_text, first_sentence
from sitelore.models import ItemCategory, ItemWhy, KnowledgeItem

MAX_ITEMS_PER_PAGE = 200
# The schema.org type that made each category's items, for --explain.
_DECLARED = {
    ItemCategory.FAQ: "a Question with its answer",
    ItemCategory.PRICING: "an Offer",
    ItemCategory.PRODUCT: "a Product",
    ItemCategory.SERVICE: "a Service",
}


def structured_items(nodes: list[dict[str, Any]], source: str) -> list[KnowledgeItem]:
    """FAQ, product and offer items from a page's JSON-LD nodes."""
    items: list[KnowledgeItem] = []
    has_faq_page = any("FAQPage" in jsonld_types(node) for node in nodes)
    for node in nodes:
        types = set(jsonld_types(node))
        if "FAQPage" in types:
            items.extend(_faq_items(node, source))
        elif "Question" in types and not has_faq_page:
            item = _question_item(node, source)
            items.extend([item] if item else [])
        elif types & {"Product", "Service", "Offer"}:
            item = _offer_item(node, source, types)
            items.extend([item] if item else [])
        if len(items) >= MAX_ITEMS_PER_PAGE:
            break
    return items[:MAX_ITEMS_PER_PAGE]


def _faq_items(node: dict[str, Any], source: str) -> list[KnowledgeItem]:
    entities = node.get("mainEntity")
    questions = entities if isinstance(entities, list) else [entities]
    items = [_question_item(q, source) for q in questions if isinstance(q, dict)]
    return [item for item in items if item is not None]


def _question_item(question: dict[str, Any], source: str) -> KnowledgeItem | None:
    title = _plain(question.get("name"))
    answer = question.get("acceptedAnswer") or question.get("suggestedAnswer")
    if isinstance(answer, list):
        answer = answer[0] if answer else None
    text = _plain(answer.get("text")) if isinstance(answer, dict) else _plain(answer)
    if not title or not text:
        return None
    return _item(title, text, ItemCategory.FAQ, source)


def _offer_item(node: dict[str, Any], source: str, types: set[str]) -> KnowledgeItem | None:
    title = _plain(node.get("name"))
    description = _plain(node.get("description"))
    prices = _prices(node.get("offers") if "Offer" not in types else node)
    if not title or not (description or prices):
        return None
    lines = [description] if description else []
    lines += [f"- Price: {price}" for price in prices]
    category = ItemCategory.PRICING if "Offer" in types else ItemCategory.PRODUCT
    if "Service" in types:
        category = ItemCategory.SERVICE
    return _item(title, "\n".join(lines), category, source)


def _prices(offers: Any) -> list[str]:
    found: list[str] = []
    for offer in offers if isinstance(offers, list) else [offers]:
        if not isinstance(offer, dict):
            continue
        price = offer.get("price") or offer.get("lowPrice")
        if isinstance(price, str | int | float) and str(price).strip():
            currency = offer.get("priceCurrency")
            label = _plain(offer.get("name"))
            amount = f"{price} {currency}" if isinstance(currency, str) else str(price)
            found.append(f"{label}: {amount}" if label else amount)
    return found[:20]


def _plain(value: Any) -> str:
    """Text of a JSON-LD string, which may hold HTML."""
    if not isinstance(value, str):
        return ""
    if "<" in value and ">" in value:
        parsed = LexborHTMLParser(value)
        body = parsed.body
        value = body.text(separator=" ") if body is not None else value
    return clean_text(value)


def _item(title: str, text: str, category: ItemCategory, source: str) -> KnowledgeItem:
    title = first_sentence(title, 120)
    return KnowledgeItem(
        title=title,
        description=first_sentence(text),
        content=f"## {title}\n\n{text}",
        category=category,
        source=source,
        why=ItemWhy(f"the page's JSON-LD declares {_DECLARED[category]}", "its JSON-LD name"),
    )
