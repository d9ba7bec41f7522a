"""Leads: half of new business came from a converted lead; the rest of the leads are open or went nowhere."""

from __future__ import annotations

import numpy as np

from sandbox.generator.deals import NEW_BUSINESS, Columns, office_hours
from sandbox.generator.reference import LEAD_SOURCES, weights
from sandbox.generator.sampling import choose
from sandbox.generator.spec import DAY_US, HOUR_US, Window
from sandbox.generator.users import Staff

# Status codes into LEAD_STATUS_LABELS (see org assembly).
CONVERTED, NOT_CONTACTED, CONTACTED, NOT_CONVERTED = 0, 1, 2, 3
NURTURE_DAYS = 60  # how long reps work an unconverted lead (activities fall in this span)


def generate_leads(rng: np.random.Generator, target: int, deals: Columns, staff: Staff, window: Window) -> Columns:
    """Converted leads (one per new-business deal that came from a lead), then the others up to `target`."""
    converted_deal = np.flatnonzero(deals["from_lead"] & (deals["kind"] == NEW_BUSINESS) & ~deals["deleted"])
    k = converted_deal.size
    converted_at = deals["created_us"][converted_deal]
    converted_created = office_hours(rng, converted_at - rng.integers(2, 45, k) * DAY_US)
    converted_created = np.minimum(converted_created, converted_at - HOUR_US)

    m = max(0, target - k)
    created = office_hours(rng, window.start_us + (rng.random(m) * (window.horizon_us - window.start_us)).astype(np.int64))
    created = np.minimum(created, window.horizon_us - HOUR_US)
    age_days = (window.horizon_us - created) / DAY_US
    fresh = age_days < 21
    status = np.where(fresh, np.where(rng.random(m) < 0.6, NOT_CONTACTED, CONTACTED),
                      np.where(rng.random(m) < 0.25, CONTACTED, NOT_CONVERTED))

    all_created = np.concatenate([converted_created, created])
    converted = np.concatenate([converted_at, np.full(m, -1, dtype=np.int64)])
    work_end = np.where(converted >= 0, converted, np.minimum(all_created + NURTURE_DAYS * DAY_US, window.horizon_us - 1))
    modified = work_end + (rng.random(k + m) * np.minimum(2 * DAY_US, window.horizon_us - work_end)).astype(np.int64)
    return {
        "created_us": all_created,
        "owner": np.concatenate([deals["owner"][converted_deal], staff.pick_reps(rng, created)]),
        "lead_source": np.concatenate([deals["lead_source"][converted_deal], choose(rng, weights(LEAD_SOURCES), m)]),
        "status": np.concatenate([np.full(k, CONVERTED), status]),
        "converted_us": converted,
        "deal": np.concatenate([converted_deal, np.full(m, -1, dtype=np.int64)]),
        "work_end_us": work_end,
        "modified_us": np.minimum(modified, window.horizon_us - 1),
        "deleted": np.concatenate([np.zeros(k, dtype=bool), rng.random(m) < 0.005]),
    }
