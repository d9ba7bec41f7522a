"""Reference tables of the generated org: the pipeline, products, currencies and the vocabularies.

Kept as data so a change of mix (say, more demos) is one edit here, not a hunt through the generators.
Weights need not sum to one; `weights()` normalises them.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np


class Stage(NamedTuple):
    name: str
    order: int
    probability: float
    is_closed: bool
    is_won: bool
    forecast_category: str


PIPELINE = "default"
# Salesforce's default sales process, trimmed to the stages most orgs keep. Open stages are orders 1..5.
STAGES: tuple[Stage, ...] = (
    Stage("Prospecting", 1, 0.10, False, False, "pipeline"),
    Stage("Qualification", 2, 0.20, False, False, "pipeline"),
    Stage("Needs Analysis", 3, 0.40, False, False, "pipeline"),
    Stage("Proposal", 4, 0.60, False, False, "best_case"),
    Stage("Negotiation", 5, 0.80, False, False, "commit"),
    Stage("Closed Won", 6, 1.00, True, True, "closed"),
    Stage("Closed Lost", 7, 0.00, True, False, "omitted"),
)
LAST_OPEN_STAGE = 5
WON_STAGE = 6
LOST_STAGE = 7


class Product(NamedTuple):
    name: str
    family: str
    list_price: float
    weight: float


PRODUCTS: tuple[Product, ...] = (
    Product("Platform License", "Software", 12_000.0, 3.0),
    Product("Seat Pack (10 users)", "Software", 1_500.0, 4.0),
    Product("Analytics Add-on", "Software", 4_000.0, 2.0),
    Product("API Access", "Software", 2_500.0, 1.5),
    Product("Implementation", "Services", 8_000.0, 2.0),
    Product("Data Migration", "Services", 5_000.0, 1.0),
    Product("Training Day", "Services", 1_800.0, 1.0),
    Product("Premium Support", "Support", 3_000.0, 1.5),
    Product("Standard Support", "Support", 1_000.0, 1.5),
    Product("Edge Gateway", "Hardware", 900.0, 0.5),
)


class Currency(NamedTuple):
    iso_code: str
    rate: float  # units per 1 USD (the corporate currency)
    decimals: int


CURRENCIES: tuple[Currency, ...] = (
    Currency("USD", 1.0, 2),
    Currency("EUR", 0.92, 2),
    Currency("GBP", 0.79, 2),
    Currency("JPY", 151.0, 0),
    Currency("AUD", 1.52, 2),
    Currency("CAD", 1.36, 2),
    Currency("BRL", 5.05, 2),
)
CORPORATE_CURRENCY = "USD"


class Region(NamedTuple):
    name: str
    weight: float
    currencies: tuple[tuple[str, float], ...]  # the accounts' currencies in this region, weighted


REGIONS: tuple[Region, ...] = (
    Region("North America", 5.0, (("USD", 9.0), ("CAD", 1.0))),
    Region("EMEA", 3.0, (("EUR", 6.0), ("GBP", 3.0), ("USD", 1.0))),
    Region("APAC", 1.5, (("JPY", 4.0), ("AUD", 4.0), ("USD", 2.0))),
    Region("LATAM", 0.8, (("BRL", 6.0), ("USD", 4.0))),
)

INDUSTRIES: tuple[tuple[str, float], ...] = (
    ("Technology", 5.0), ("Financial Services", 3.0), ("Healthcare", 2.5), ("Manufacturing", 2.5),
    ("Retail", 2.0), ("Education", 1.0), ("Media", 1.0), ("Energy", 0.8), ("Government", 0.5),
)

# Referral spellings match the engine's default referral sources (case-insensitive).
LEAD_SOURCES: tuple[tuple[str, float], ...] = (
    ("Web", 30.0), ("Outbound", 20.0), ("Paid Search", 14.0), ("Event", 11.0), ("Referral", 8.0),
    ("Partner Referral", 6.0), ("Customer Referral", 3.0), ("Employee Referral", 2.0), ("Social", 6.0),
)

LEAD_STATUS_CONVERTED = "Closed - Converted"
LEAD_STATUSES_OPEN = ("Open - Not Contacted", "Working - Contacted")
LEAD_STATUS_CLOSED = "Closed - Not Converted"

OPPORTUNITY_TYPES = ("new_business", "renewal", "expansion", "other")
TYPE_LABELS = ("New Business", "Renewal", "Expansion", "Other")

CONTRACT_MONTHS: tuple[tuple[int, float], ...] = ((12, 75.0), (24, 10.0), (6, 15.0))

ACTIVITY_KINDS: tuple[tuple[str, float], ...] = (
    ("call", 34.0), ("email", 36.0), ("meeting", 12.0), ("task", 13.0), ("note", 5.0),
)
# Subtypes per kind; "Demo" is the engine's default demo subtype.
ACTIVITY_SUBTYPES: dict[str, tuple[tuple[str | None, float], ...]] = {
    "call": (("Discovery Call", 3.0), ("Follow-up Call", 4.0), ("Cold Call", 3.0)),
    "email": ((None, 1.0),),
    "meeting": (("Demo", 30.0), ("Discovery", 20.0), ("Negotiation", 15.0), ("Onsite", 15.0),
                ("Kickoff", 10.0), ("QBR", 10.0)),
    "task": (("Follow Up", 5.0), ("Send Quote", 2.0), ("To Do", 3.0)),
    "note": ((None, 1.0),),
}
CALL_OUTCOMES: tuple[tuple[str | None, float], ...] = (
    ("connected", 40.0), ("no_answer", 30.0), ("voicemail", 20.0), ("busy", 5.0), ("other", 3.0), (None, 2.0),
)
MEETING_MINUTES: tuple[tuple[int, float], ...] = ((30, 4.0), (45, 2.0), (60, 3.0), (90, 1.0))

SEGMENTS = ("Enterprise", "Mid-Market", "SMB", "Strategic", "Commercial")
TEAM_AREAS = ("East", "West", "Central", "EMEA", "APAC", "LATAM")

FIRST_NAMES = (
    "Alex", "Sam", "Jordan", "Taylor", "Morgan", "Casey", "Riley", "Jamie", "Avery", "Quinn", "Drew", "Robin",
    "Maria", "Ana", "Liam", "Noah", "Emma", "Olivia", "Mateo", "Lucas", "Sofia", "Yuki", "Hiro", "Priya",
    "Arjun", "Fatima", "Omar", "Chloe", "Ethan", "Mia", "Lena", "Jonas", "Elena", "Marco", "Ines", "Kofi",
)
LAST_NAMES = (
    "Smith", "Johnson", "Garcia", "Miller", "Davis", "Martinez", "Lopez", "Wilson", "Anderson", "Thomas",
    "Moore", "Martin", "Lee", "Walker", "Hall", "Young", "King", "Wright", "Scott", "Green", "Baker", "Adams",
    "Nelson", "Carter", "Mitchell", "Perez", "Roberts", "Turner", "Phillips", "Campbell", "Parker", "Evans",
    "Schmidt", "Muller", "Rossi", "Tanaka", "Sato", "Kumar", "Singh", "Silva", "Santos", "Dubois", "Novak",
)
COMPANY_WORDS = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Wonka", "Tyrell", "Cyberdyne", "Soylent",
    "Hooli", "Vandelay", "Pied", "Aperture", "Massive", "Oscorp", "Gringotts", "Nakatomi", "Monarch", "Vortex",
    "Blue", "North", "Summit", "Pioneer", "Atlas", "Nimbus", "Quantum", "Silver", "Bright", "Harbor",
)
COMPANY_NOUNS = (
    "Systems", "Labs", "Industries", "Holdings", "Logistics", "Health", "Foods", "Energy", "Capital",
    "Networks", "Analytics", "Robotics", "Retail", "Media", "Partners", "Works", "Dynamics", "Group",
)
COMPANY_SUFFIXES = ("Inc.", "LLC", "Ltd", "GmbH", "SA", "Corp.", "Co.", "")

SPEND_CATEGORIES: tuple[tuple[str, float], ...] = (
    ("Sales Salaries", 0.50), ("Marketing Programs", 0.30), ("Events", 0.12), ("Sales Tools", 0.08),
)


def labels(table: tuple[tuple[object, float], ...]) -> list[object]:
    return [label for label, _ in table]


def weights(table: tuple[tuple[object, float], ...]) -> np.ndarray:
    raw = np.array([w for _, w in table], dtype=np.float64)
    return raw / raw.sum()
