"""Stage history: one row per stage a deal entered, consistent with where it is now.

Paths: open deals walk from their first stage up to their current one; won deals through every open stage
to Closed Won; lost deals up to the stage where they fell out, then Closed Lost (skipping the rest); a
few won deals were lost first and reopened at an earlier stage (… Closed Lost, stage r … Closed Won).
Entry times spread over the deal's life: the first at its creation, the closing one at its close time.
"""

from __future__ import annotations

import numpy as np

from sandbox.generator.deals import Columns
from sandbox.generator.reference import LAST_OPEN_STAGE, LOST_STAGE, WON_STAGE
from sandbox.generator.spec import DAY_US, HOUR_US, Window


def close_times(rng: np.random.Generator, deals: Columns, window: Window) -> np.ndarray:
    """When closed deals closed (office hours on their close day); open deals: just before the horizon."""
    closed_at = deals["close_day"] * DAY_US + 9 * HOUR_US + (rng.random(len(deals["close_day"])) * 8 * HOUR_US).astype(np.int64)
    closed_at = np.maximum(closed_at, deals["created_us"] + HOUR_US)
    return np.where(deals["is_closed"], closed_at, window.horizon_us - 60_000_000)


def current_stage(deals: Columns) -> np.ndarray:
    return np.where(deals["is_won"], WON_STAGE, np.where(deals["is_closed"], LOST_STAGE, deals["top_stage"]))


def stage_history(rng: np.random.Generator, deals: Columns, end_us: np.ndarray) -> Columns:
    """Rows of (deal index, stage order, entered_us), grouped by deal in path order."""
    start, top = deals["start_stage"], deals["top_stage"]
    closed, won, reopened = deals["is_closed"], deals["is_won"], deals["reopened"]
    reopen = np.where(reopened, deals["reopen_stage"], start)
    before_loss = reopen - start + 1
    visits = np.where(reopened, before_loss + 1 + (LAST_OPEN_STAGE - reopen + 1) + 1,
                      top - start + 1 + closed.astype(np.int64))
    deal = np.repeat(np.arange(len(start)), visits)
    first_row = np.cumsum(visits) - visits
    k = np.arange(len(deal)) - first_row[deal]
    n = visits[deal]

    final = np.where(won, WON_STAGE, LOST_STAGE)[deal]
    plain = np.where(k < (top - start + 1)[deal], start[deal] + k, final)
    pre = before_loss[deal]
    again = np.where(k < pre, start[deal] + k,
                     np.where(k == pre, LOST_STAGE, np.where(k == n - 1, WON_STAGE, reopen[deal] + k - pre - 1)))
    stage = np.where(reopened[deal], again, plain)

    created = deals["created_us"][deal]
    fraction = np.where(k == 0, 0.0, (k + 0.8 * rng.random(len(deal))) / n)
    entered = created + (fraction * (end_us[deal] - created)).astype(np.int64)
    last_of_closed = (k == n - 1) & closed[deal]
    entered = np.where(last_of_closed, end_us[deal], entered)
    return {"deal": deal, "stage": stage, "entered_us": entered}
