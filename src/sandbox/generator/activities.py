"""Activities: calls, emails, meetings (some of them demos), tasks and notes on deals and leads.

Deals get activities in proportion to how long they were worked; one in seven activities is on a lead
before it converted or was dropped. Open deals have a few meetings and tasks scheduled after as_of, not
yet completed.
"""

from __future__ import annotations

import numpy as np

from sandbox.generator.deals import Columns
from sandbox.generator.reference import (
    ACTIVITY_KINDS,
    ACTIVITY_SUBTYPES,
    CALL_OUTCOMES,
    MEETING_MINUTES,
    labels,
    weights,
)
from sandbox.generator.sampling import choose, weighted_index
from sandbox.generator.spec import DAY_US, HOUR_US, Window
from sandbox.generator.users import Staff

KIND_LABELS: list[str] = labels(ACTIVITY_KINDS)
CALL, EMAIL, MEETING, TASK, NOTE = (KIND_LABELS.index(k) for k in ("call", "email", "meeting", "task", "note"))
SUBTYPE_LABELS: list[str | None] = [s for k in KIND_LABELS for s, _ in ACTIVITY_SUBTYPES[k]]
OUTCOME_LABELS: list[str | None] = labels(CALL_OUTCOMES)
DIRECTION_LABELS = ["outbound", "inbound"]
LEAD_SHARE = 0.15
FUTURE_SHARE = 0.15  # of an open deal's meetings and tasks


def _subtypes(rng: np.random.Generator, kind: np.ndarray) -> np.ndarray:
    codes = np.full(len(kind), -1, dtype=np.int32)
    offset = 0
    for code, name in enumerate(KIND_LABELS):  # one pass per kind
        options = ACTIVITY_SUBTYPES[name]
        rows = np.flatnonzero(kind == code)
        picked = offset + choose(rng, weights(options), rows.size)
        is_null = np.array([s is None for s, _ in options])[picked - offset]
        codes[rows] = np.where(is_null, -1, picked)
        offset += len(options)
    return codes


def _call_shape(rng: np.random.Generator, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Outcome codes and durations (seconds; NaN where none) of calls and meetings."""
    n = len(kind)
    outcome = np.where(kind == CALL, choose(rng, weights(CALL_OUTCOMES), n), -1)
    outcome = np.where(outcome == OUTCOME_LABELS.index(None), -1, outcome)  # recorded without an outcome
    connected = outcome == OUTCOME_LABELS.index("connected")
    talk = np.round(rng.lognormal(np.log(240.0), 0.7, n))
    short = np.round(rng.uniform(10.0, 90.0, n))
    duration = np.where(kind == CALL, np.where(connected, talk, short), np.nan)
    minutes = np.array(labels(MEETING_MINUTES), dtype=np.float64)[choose(rng, weights(MEETING_MINUTES), n)]
    duration = np.where(kind == MEETING, minutes * 60, duration)
    return outcome, duration


def _email_shape(rng: np.random.Generator, kind: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Direction codes (-1 null) and opened (-1 untracked, 0, 1)."""
    n = len(kind)
    outbound_share = np.where(kind == CALL, 0.85, 0.75)
    direction = np.where((kind == CALL) | (kind == EMAIL), (rng.random(n) >= outbound_share).astype(np.int32), -1)
    tracked = (kind == EMAIL) & (direction == 0) & (rng.random(n) < 0.8)
    opened = np.where(tracked, (rng.random(n) < 0.55).astype(np.int8), -1)
    return direction, opened


def generate_activities(rng: np.random.Generator, n: int, deals: Columns, deal_end_us: np.ndarray,
                        leads: Columns, staff: Staff, window: Window) -> Columns:
    n_leads = len(leads["created_us"])
    on_lead = round(n * LEAD_SHARE) if n_leads else 0
    on_deal = n - on_lead

    span = np.maximum(deal_end_us - deals["created_us"], HOUR_US)
    deal = weighted_index(rng, span / DAY_US + 3.0, on_deal)
    deal_time = deals["created_us"][deal] + (rng.random(on_deal) * span[deal]).astype(np.int64)
    lead = rng.integers(0, n_leads, on_lead) if n_leads else np.zeros(0, dtype=np.int64)
    lead_span = np.maximum(leads["work_end_us"][lead] - leads["created_us"][lead], 1)
    lead_time = leads["created_us"][lead] + (rng.random(on_lead) * lead_span).astype(np.int64)

    kind = choose(rng, weights(ACTIVITY_KINDS), n)
    occurred = np.concatenate([deal_time, lead_time])
    deal_of = np.concatenate([deal, np.full(on_lead, -1, dtype=np.int64)])
    lead_of = np.concatenate([np.full(on_deal, -1, dtype=np.int64), lead])
    open_deal = np.concatenate([~deals["is_closed"][deal], np.zeros(on_lead, dtype=bool)])
    future = open_deal & ((kind == MEETING) | (kind == TASK)) & (rng.random(n) < FUTURE_SHARE)
    occurred = np.where(future, window.horizon_us + (rng.random(n) * 21 * DAY_US).astype(np.int64), occurred)
    occurred = np.where(future, occurred, np.minimum(occurred, window.horizon_us - 1))

    owner = np.concatenate([deals["owner"][deal], leads["owner"][lead]])
    # One activity in ten on a deal is logged by a colleague (an SE on a demo, a manager on a call).
    helped = np.flatnonzero(rng.random(n) < 0.1)
    owner[helped] = staff.pick_reps(rng, occurred[helped])
    completed = ~future & np.where(kind == TASK, rng.random(n) < 0.92,
                                   np.where(kind == MEETING, rng.random(n) < 0.97, True))
    outcome, duration = _call_shape(rng, kind)
    direction, opened = _email_shape(rng, kind)
    deleted = (rng.random(n) < 0.003) | np.concatenate([deals["deleted"][deal], leads["deleted"][lead]])
    return {
        "kind": kind, "subtype": _subtypes(rng, kind), "owner": owner, "occurred_us": occurred,
        "duration": duration, "completed": completed, "outcome": outcome, "direction": direction,
        "opened": opened, "deal": deal_of, "lead": lead_of, "deleted": deleted,
    }
