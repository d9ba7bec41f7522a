"""Accounts: created over the two years (and the year before), each with a region, a currency and a size."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from sandbox.generator.reference import CURRENCIES, INDUSTRIES, REGIONS, weights
from sandbox.generator.sampling import choose
from sandbox.generator.spec import DAY_US, Window
from sandbox.generator.users import Staff

CURRENCY_CODES = [c.iso_code for c in CURRENCIES]


@dataclass(frozen=True)
class Accounts:
    created_us: np.ndarray
    owner: np.ndarray  # user index
    industry: np.ndarray  # code into INDUSTRIES
    region: np.ndarray  # code into REGIONS
    currency: np.ndarray  # code into CURRENCIES
    size: np.ndarray  # multiplies deal amounts: big accounts buy big
    name_parts: np.ndarray  # (n, 3) codes into COMPANY_WORDS, COMPANY_NOUNS, COMPANY_SUFFIXES

    @property
    def count(self) -> int:
        return len(self.created_us)


def _currencies(rng: np.random.Generator, region: np.ndarray) -> np.ndarray:
    currency = np.zeros(len(region), dtype=np.int32)
    for code, spec in enumerate(REGIONS):  # one pass per region, not per record
        rows = np.flatnonzero(region == code)
        local = choose(rng, weights(spec.currencies), rows.size)
        codes = np.array([CURRENCY_CODES.index(iso) for iso, _ in spec.currencies])
        currency[rows] = codes[local]
    return currency


def generate_accounts(rng: np.random.Generator, count: int, staff: Staff, window: Window,
                      name_sizes: tuple[int, int, int]) -> Accounts:
    earliest = window.start_us - 365 * DAY_US
    latest = window.horizon_us - 7 * DAY_US
    created = earliest + (rng.random(count) * (latest - earliest)).astype(np.int64)
    region = choose(rng, np.array([r.weight for r in REGIONS]) / sum(r.weight for r in REGIONS), count)
    # Accounts belong to today's reps: when a rep leaves, their book is reassigned.
    owner = staff.pick_reps(rng, np.full(count, window.horizon_us - DAY_US))
    names = np.stack([rng.integers(0, n, count) for n in name_sizes], axis=1)
    return Accounts(
        created_us=created,
        owner=owner,
        industry=choose(rng, weights(INDUSTRIES), count),
        region=region,
        currency=_currencies(rng, region),
        size=rng.lognormal(0.0, 0.45, count),
        name_parts=names,
    )
