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

# fmt: off
LEXICON: dict[str, tuple[str, ...]] = {
    "Project Management": (
        "project management", "task management", "kanban", "gantt", "sprint", "issue track",
        "roadmap", "projektmanagement",
    ),
    "Collaboration & Productivity": (
        "collaborat", "productivity", "workspace", "note-taking", "notes", "wiki", "whiteboard",
        "to-do", "calendar",
    ),
    "Business Intelligence & Analytics": (
        "dashboard", "analytics", "kpi", "metrics", "business intelligence", "data visuali",
        "reporting", "insights", "charts",
    ),
    "Developer Tools": (
        "developer", "api", "sdk", "code", "git", "open source", "open-source", "cli", "debug",
        "programm",
    ),
    "DevOps & Cloud Infrastructure": (
        "devops", "deploy", "server", "infrastructure", "kubernetes", "docker", "hosting",
        "provision", "ci/cd", "continuous integration", "monitoring", "cloud infrastructure",
        "aws",
    ),
    "Low-Code & No-Code": (
        "low-code", "low code", "lowcode", "no-code", "no code", "nocode", "internal tools",
        "internal apps", "app builder", "build apps", "drag and drop", "drag-and-drop",
    ),
    "Cybersecurity": (
        "cybersecurity", "security platform", "threat", "malware", "vulnerabilit", "firewall",
        "encryption", "penetration", "siem", "zero trust",
    ),
    "CRM & Sales": (
        "crm", "sales pipeline", "leads", "deals", "prospect", "sales team",
        "customer relationship",
    ),
    "Marketing & Advertising": (
        "marketing", "advertis", "seo", "campaign", "email marketing", "social media", "agency",
        "brand",
    ),
    "Customer Support": (
        "customer support", "help desk", "helpdesk", "ticketing", "live chat", "customer service",
        "support tickets",
    ),
    "HR & Recruiting": (
        "recruit", "hiring", "applicant", "payroll", "human resources", "employee", "talent",
        "onboarding",
    ),
    "Finance & Accounting": (
        "accounting", "bookkeeping", "invoice", "invoicing", "tax", "expense", "steuerberat",
        "buchhaltung",
    ),
    "Payments & Fintech": (
        "payment", "checkout", "fintech", "card processing", "wallet", "transactions", "merchant",
    ),
    "E-commerce Platforms": (
        "ecommerce", "e-commerce", "online store builder", "storefront", "shopping cart",
        "sell online",
    ),
    "Communication": (
        "messaging", "chat", "video call", "video conferenc", "voip", "email client",
        "communication",
    ),
    "Cloud Storage & File Management": (
        "cloud storage", "file", "migrat", "backup", "sync", "transfer", "dropbox", "google drive",
        "onedrive", "storage",
    ),
    "AI & Machine Learning": (
        "artificial intelligence", "machine learning", " ai ", "ai-powered", "neural", "llm",
        "deep learning", "computer vision", "nlp",
    ),
    "Design & Creative Tools": (
        "design tool", "prototyp", "graphic design", "illustrat", "creative", "mockup",
        "ui design",
    ),
    "Education & E-learning": (
        "course", "learning", "student", "teacher", "school", "education", "tutor", "e-learning",
        "training", "classes",
    ),
    "Healthcare": (
        "health", "medical", "clinic", "patient", "doctor", "physician", "therap", "psycholog",
        "psychiatr", "counsel", "treatment", "dental", "dentist", "nurse", "arzt", "ärzt",
        "praxis", "hausarzt", "medizin", "sprechstunde", "gesundheit",
        "mental health", "wellbeing", "anxiety", "depression", "cbt", "hospital",
    ),
    "Legal Services": (
        "law firm", "lawyer", "attorney", "legal advice", "solicitor", "litigation",
        "rechtsanwalt", "kanzlei", "notar",
    ),
    "Real Estate": (
        "real estate", "property", "properties", "apartment", "homes for sale", "rent", "realtor",
        "immobilien", "mortgage",
    ),
    "Travel & Hospitality": (
        "hotel", "travel", "booking", "vacation", "holiday", "rooms", "resort", "tour",
        "accommodation", "guest",
    ),
    "Restaurants & Food Service": (
        "restaurant", "menu", "bar", "kitchen", "dinner", "lunch", "brunch", "reservation",
        "craft beer", "beer", "cocktail", "happy hour", "chef", "dining", "burger", "pub", "tap",
        "draft", "speisekarte", "café", "cafe",
    ),
    "Food & Beverage": (
        "food", "beverage", "brewery", "coffee", "wine", "organic", "snack", "drink",
    ),
    "Retail & Online Stores": (
        "shop", "store", "buy", "products", "collection", "shipping", "cart", "fashion",
        "clothing",
    ),
    "Media & Publishing": (
        "news", "magazine", "publish", "journalism", "media", "podcast", "editorial",
    ),
    "Entertainment & Streaming": (
        "streaming", "movies", "music", "entertainment", "shows", "concert", "events",
    ),
    "Sports & Fitness": ("fitness", "gym", "workout", "sport", "yoga", "training plan", "athlete"),
    "Photography": ("photo", "camera", "portrait", "wedding photo"),
    "Social Networking & Community": ("community", "social network", "forum", "members", "meetup"),
    "Nonprofit & Government": (
        "nonprofit", "non-profit", "charity", "donate", "volunteer", "government", "foundation",
    ),
    "Manufacturing & Industrial": (
        "manufactur", "industrial", "factory", "machinery", "production line", "engineering",
    ),
    "Logistics & Transportation": (
        "logistics", "shipping", "freight", "delivery", "fleet", "transport", "warehouse",
        "moving company",
    ),
    "Automotive": ("car", "vehicle", "automotive", "dealership", "auto repair", "tires"),
    "Energy & Utilities": (
        "energy", "solar", "electricity", "utility", "utilities", "renewable", "power",
    ),
    "Construction & Home Services": (
        "construction", "plumb", "roofing", "renovation", "contractor", "electrician", "remodel",
        "cleaning", "landscap", "handwerk",
    ),
    "Professional Services & Consulting": (
        "consulting", "consultant", "advisory", "professional services", "beratung", "accountant",
    ),
    "Financial Services & Insurance": (
        "insurance", "bank", "loan", "invest", "wealth", "financial advice", "versicherung",
    ),
    "Beauty & Personal Care": (
        "beauty", "salon", "spa", "hair", "nail", "skincare", "cosmetic", "massage", "barber",
    ),
    "Telecommunications": (
        "telecom", "mobile network", "broadband", "internet provider", "sim", "fiber",
    ),
    "Gaming": ("game", "gaming", "esports", "players", "play now"),
}
# fmt: on
MIN_SCORE = 4.0
MIN_MARGIN = 1.15


SHORT_TERM = 4  # terms this short match whole words only: "car" must not find "care"
_WORD = re.compile(r"\w+")


def _term_index() -> tuple[
    dict[str, tuple[str, ...]], dict[str, tuple[tuple[str, tuple[str, ...]], ...]]
]:
    """Whole-word terms → labels, and the first five characters of longer terms → their terms.

    Longer terms match at the start of a word ("migrat" → "migration"); both lookups are
    dictionary hits per word, which is what keeps profiling cheap on long pages.
    """
    labels: dict[str, list[str]] = {}
    for label, terms in LEXICON.items():
        for term in terms:
            labels.setdefault(term.strip().lower(), []).append(label)
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


_WORD_TERMS, _PREFIX_TERMS = _term_index()


def _label_hits(text: str) -> dict[str, list[str]]:
    """Label → the lexicon terms found in ``text`` (with repeats), longest term first."""
    lowered = text.lower()
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
    for term, labels in _PREFIX_TERMS.get(lowered[position : position + 5], ()):
        if lowered.startswith(term, position):
            return term, labels
    whole = _WORD_TERMS.get(word)
    return (word, whole) if whole is not None else None


def industry_from_schema(types: Iterable[str]) -> str | None:
    for name in types:
        label = SCHEMA_TYPES.get(name)
        if label is not None:
            return label
    return None


def classify_industry(weighted_texts: Iterable[tuple[str, float]]) -> str:
    """The best taxonomy label for texts given with their weight, or ``Other``."""
    scores: Counter[str] = Counter()
    for text, weight in weighted_texts:
        for label, terms in _label_hits(text).items():
            scores[label] += weight * min(len(terms), 4) ** 0.5
    ranked = scores.most_common(2)
    if not ranked or ranked[0][1] < MIN_SCORE:
        return "Other"
    if len(ranked) > 1 and ranked[0][1] < ranked[1][1] * MIN_MARGIN:
        return ranked[0][0] if ranked[0][1] >= 2 * MIN_SCORE else "Other"
    return ranked[0][0]


def industry_evidence(text: str, label: str) -> int:
    """How many distinct terms of the label's lexicon ``text`` uses (0 for ``Other``)."""
    return len(set(_label_hits(text).get(label, ())))
