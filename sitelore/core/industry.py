"""The industry of a business: schema.org types first, then a lexicon scored on its own words.

Each label of API.md's taxonomy has a lexicon of stems (several languages where
the words differ). Text is weighted by where it stands: the title, the meta
description and headings of the home and about pages say more than body copy.
When no label clearly wins, the answer is ``Other`` rather than a guess.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from functools import cache

from sitelore.core.lexicon import fold, industry_terms

# fmt: off
SCHEMA_TYPES: dict[str, str] = {
    "Restaurant": "Restaurants & Food Service", "BarOrPub": "Restaurants & Food Service",
    "CafeOrCoffeeShop": "Restaurants & Food Service",
    "FastFoodRestaurant": "Restaurants & Food Service",
    "FoodEstablishment": "Restaurants & Food Service", "Bakery": "Food & Beverage",
    "Brewery": "Food & Beverage", "Winery": "Food & Beverage", "Distillery": "Food & Beverage",
    "IceCreamShop": "Restaurants & Food Service", "Dentist": "Healthcare",
    "Physician": "Healthcare", "MedicalClinic": "Healthcare", "Hospital": "Healthcare",
    "MedicalBusiness": "Healthcare", "MedicalOrganization": "Healthcare", "Pharmacy": "Healthcare",
    "Optician": "Healthcare", "Psychologist": "Healthcare", "Physiotherapy": "Healthcare",
    "VeterinaryCare": "Healthcare", "LegalService": "Legal Services", "Attorney": "Legal Services",
    "Notary": "Legal Services", "RealEstateAgent": "Real Estate",
    "LodgingBusiness": "Travel & Hospitality", "Hotel": "Travel & Hospitality",
    "Hostel": "Travel & Hospitality", "Motel": "Travel & Hospitality",
    "BedAndBreakfast": "Travel & Hospitality", "TravelAgency": "Travel & Hospitality",
    "Resort": "Travel & Hospitality", "AutomotiveBusiness": "Automotive",
    "AutoDealer": "Automotive", "AutoRepair": "Automotive", "AutoRental": "Automotive",
    "HomeAndConstructionBusiness": "Construction & Home Services",
    "GeneralContractor": "Construction & Home Services", "Plumber": "Construction & Home Services",
    "Electrician": "Construction & Home Services", "HVACBusiness": "Construction & Home Services",
    "RoofingContractor": "Construction & Home Services",
    "Locksmith": "Construction & Home Services", "HousePainter": "Construction & Home Services",
    "MovingCompany": "Logistics & Transportation",
    "HealthAndBeautyBusiness": "Beauty & Personal Care", "BeautySalon": "Beauty & Personal Care",
    "HairSalon": "Beauty & Personal Care", "DaySpa": "Beauty & Personal Care",
    "NailSalon": "Beauty & Personal Care", "TattooParlor": "Beauty & Personal Care",
    "SportsActivityLocation": "Sports & Fitness", "ExerciseGym": "Sports & Fitness",
    "SportsClub": "Sports & Fitness", "EducationalOrganization": "Education & E-learning",
    "School": "Education & E-learning", "CollegeOrUniversity": "Education & E-learning",
    "AccountingService": "Finance & Accounting",
    "FinancialService": "Financial Services & Insurance",
    "BankOrCreditUnion": "Financial Services & Insurance",
    "InsuranceAgency": "Financial Services & Insurance", "Store": "Retail & Online Stores",
    "ClothingStore": "Retail & Online Stores", "OnlineStore": "Retail & Online Stores",
    "NGO": "Nonprofit & Government", "GovernmentOrganization": "Nonprofit & Government",
    "NewsMediaOrganization": "Media & Publishing",
    "EntertainmentBusiness": "Entertainment & Streaming", "Photograph": "Photography",
    "TelecomService": "Telecommunications",
}
# fmt: on

MIN_SCORE = 4.0
MIN_MARGIN = 1.15
MAX_LEXICON_CONFIDENCE = 0.9


SHORT_TERM = 4  # terms this short match whole words only: "car" must not find "care"
_WORD = re.compile(r"\w+")


@cache
def _term_index() -> tuple[
    dict[str, tuple[str, ...]], dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
]:
    """Whole-word terms → labels, and the first five characters of longer terms → their terms.

    Longer terms match at the start of a word ("migrat" → "migration"); both lookups are
    dictionary hits per word, which is what keeps profiling cheap on long pages. The terms
    are every language's (``industries`` in ``sitelore/lexicon``), folded.
    """
    labels: dict[str, list[str]] = {}
    for label, terms in industry_terms().items():
        for term in terms:
            labels.setdefault(term.strip(), []).append(label)
    words: dict[str, tuple[str, ...]] = {}
    prefixes: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for term, found in labels.items():
        if len(term) <= SHORT_TERM:
            words[term] = tuple(found)
        else:
            prefixes.setdefault(term[:5], []).append((term, tuple(found)))
    ordered = {
        key: tuple(sorted(terms, key=lambda t: -len(t[0]))) for key, terms in prefixes.items()
    }
    return words, ordered


def _label_hits(text: str) -> dict[str, list[str]]:
    """Label → the lexicon terms found in ``text`` (with repeats), longest term first."""
    lowered = fold(text)
    hits: dict[str, list[str]] = {}
    free = 0  # matches do not overlap: "cloud storage" is one term, not two
    for word in _WORD.finditer(lowered):
        position = word.start()
        if position < free:
            continue
        found = _term_at(lowered, position, word.group())
        if found is not None:
            term, labels = found
            free = position + len(term)
            for label in labels:
                hits.setdefault(label, []).append(term)
    return hits


def _term_at(lowered: str, position: int, word: str) -> tuple[str, tuple[str, ...]] | None:
    whole_terms, prefix_terms = _term_index()
    for term, labels in prefix_terms.get(lowered[position : position + 5], ()):
        if lowered.startswith(term, position):
            return term, labels
    whole = whole_terms.get(word)
    return (word, whole) if whole is not None else None


def industry_from_schema(types: Iterable[str]) -> str | None:
    for name in types:
        label = SCHEMA_TYPES.get(name)
        if label is not None:
            return label
    return None


def classify_industry(weighted_texts: Iterable[tuple[str, float]]) -> str:
    """The best taxonomy label for texts given with their weight, or ``Other``."""
    return industry_label(industry_scores(weighted_texts))


def industry_scores(weighted_texts: Iterable[tuple[str, float]]) -> Counter[str]:
    """Each label's score: the weight of every text times the evidence it holds."""
    scores: Counter[str] = Counter()
    for text, weight in weighted_texts:
        for label, terms in _label_hits(text).items():
            scores[label] += weight * min(len(terms), 4) ** 0.5
    return scores


def industry_label(scores: Counter[str]) -> str:
    """The label ``scores`` make the winner, or ``Other`` when none clearly wins."""
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] < MIN_SCORE:
        return "Other"
    if len(ranked) > 1 and ranked[0][1] < ranked[1][1] * MIN_MARGIN:
        return ranked[0][0] if ranked[0][1] >= 2 * MIN_SCORE else "Other"
    return ranked[0][0]


def industry_confidence(scores: Counter[str], label: str) -> float:
    """How sure the lexicon is of ``label`` (0..``MAX_LEXICON_CONFIDENCE``), from ``scores``.

    Two parts, multiplied: the *strength* of the label's evidence, ``s / (s + MIN_SCORE)``
    (0.5 at the least score that wins, nearer 1 the more it has), and its *share* against
    the runner-up, ``s / (s + r)`` (1 alone, 0.5 in a tie). ``Other`` (no label won) is 0:
    there is nothing to be sure of. Word counts never reach the certainty of a type the site
    declares, hence the cap.
    """
    if label == "Other" or scores[label] <= 0:
        return 0.0
    score = scores[label]
    runner_up = max((s for other, s in scores.items() if other != label), default=0.0)
    strength = score / (score + MIN_SCORE)
    share = score / (score + runner_up)
    return round(min(strength * share, MAX_LEXICON_CONFIDENCE), 2)


def industry_evidence(text: str, label: str) -> int:
    """How many distinct terms of the label's lexicon ``text`` uses (0 for ``Other``)."""
    return len(set(_label_hits(text).get(label, ())))
