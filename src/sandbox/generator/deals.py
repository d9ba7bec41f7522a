"""Opportunities over two years: new business, then renewals and expansions on won accounts, and churn.

Deals are generated in generations, each one vectorised: new business first; every won recurring deal
spawns a renewal when its contract ends (a lost renewal is churn) and, sometimes, an expansion during
the contract; renewals spawn renewals. Every deal is settled the same way (`settle`): won or lost by a
win probability, closed if its close date is before as_of, and given the stages it went through.
"""

from __future__ import annotations

import numpy as np

from sandbox.generator.accounts import Accounts
from sandbox.generator.reference import CONTRACT_MONTHS, LAST_OPEN_STAGE, LEAD_SOURCES, labels, weights
from sandbox.generator.sampling import add_months, choose
from sandbox.generator.spec import DAY_US, HOUR_US, Window
from sandbox.generator.users import Staff

NEW_BUSINESS, RENEWAL, EXPANSION, OTHER = 0, 1, 2, 3
Columns = dict[str, np.ndarray]

RENEWAL_WIN_RATE = 0.8  # the rest churn
EXPANSION_SHARE = 0.3  # won recurring deals that get an expansion during their contract
FROM_LEAD_SHARE = 0.5  # new business that came from a converted lead
REOPENED_SHARE = 0.02  # won deals that were lost, then reopened


def office_hours(rng: np.random.Generator, us: np.ndarray) -> np.ndarray:
    """Move each time to a random moment between 07:00 and 18:00 UTC on its day."""
    return us // DAY_US * DAY_US + 7 * HOUR_US + (rng.random(len(us)) * 11 * HOUR_US).astype(np.int64)


def settle(rng: np.random.Generator, created_us: np.ndarray, planned_days: np.ndarray, p_win: np.ndarray,
           shorten_lost: bool, window: Window) -> Columns:
    """Outcome and stage path of deals: close day, closed/won, first and furthest open stage, reopening."""
    n = len(created_us)
    wins = rng.random(n) < p_win
    days = planned_days.astype(np.int64)
    if shorten_lost:  # lost deals usually die before their planned close
        lost_days = np.maximum(5, (planned_days * rng.uniform(0.3, 1.0, n)).astype(np.int64))
        days = np.where(wins, days, lost_days)
    close_day = created_us // DAY_US + days
    closed = close_day < window.as_of_day
    won = wins & closed
    start = np.where(rng.random(n) < 0.85, 1, 2)
    width = LAST_OPEN_STAGE + 1 - start
    lost_top = start + (rng.beta(1.2, 2.0, n) * width).astype(np.int64)
    elapsed = (window.horizon_us - created_us) / np.maximum(1, close_day * DAY_US - created_us)
    open_top = start + (np.clip(elapsed, 0.0, 0.999) * width).astype(np.int64)
    top = np.where(won, LAST_OPEN_STAGE, np.where(closed, lost_top, open_top))
    reopened = won & (rng.random(n) < REOPENED_SHARE)
    return {
        "close_day": close_day,
        "is_closed": closed,
        "is_won": won,
        "start_stage": start,
        "top_stage": np.minimum(top, LAST_OPEN_STAGE),
        "reopened": reopened,
        "reopen_stage": start + (rng.random(n) * width).astype(np.int64),
    }


def _new_business(rng: np.random.Generator, n: int, accounts: Accounts, staff: Staff, window: Window) -> Columns:
    account = rng.integers(0, accounts.count, n)
    lo = np.maximum(accounts.created_us[account], window.start_us)
    hi = window.horizon_us - 2 * DAY_US
    created = office_hours(rng, lo + (rng.random(n) * (hi - lo)).astype(np.int64))
    created = np.minimum(created, hi)
    loyal = rng.random(n) < 0.8
    preferred = np.where(loyal, accounts.owner[account], staff.reps[rng.integers(0, len(staff.reps), n)])
    owner = staff.pick_reps(rng, created, preferred)
    planned = 20 + 100 * rng.beta(2.0, 3.5, n)
    kind = np.where(rng.random(n) < 0.04, OTHER, NEW_BUSINESS)
    months = np.array(labels(CONTRACT_MONTHS))[choose(rng, weights(CONTRACT_MONTHS), n)]
    columns = {
        "root": np.arange(n, dtype=np.int64),
        "generation": np.zeros(n, dtype=np.int64),
        "kind": kind,
        "account": account,
        "owner": owner,
        "created_us": created,
        "amount": 20_000.0 * accounts.size[account] * rng.lognormal(0.0, 0.75, n),
        "contract_months": np.where(kind == OTHER, 1, months),
        "lead_source": choose(rng, weights(LEAD_SOURCES), n),
        "from_lead": rng.random(n) < FROM_LEAD_SHARE,
    }
    return columns | settle(rng, created, planned, staff.win_rate[owner], True, window)


def _inherit(parents: Columns, rows: np.ndarray) -> Columns:
    return {
        "root": parents["root"][rows],
        "generation": parents["generation"][rows] + 1,
        "account": parents["account"][rows],
    }


def _renewals(rng: np.random.Generator, parents: Columns, accounts: Accounts, staff: Staff,
              window: Window) -> Columns:
    end_day = add_months(parents["close_day"], parents["contract_months"])
    created = office_hours(rng, (end_day - rng.integers(30, 90, len(end_day))) * DAY_US)
    rows = np.flatnonzero(created < window.horizon_us - DAY_US)
    created = created[rows]
    n = rows.size
    base = _inherit(parents, rows)
    owner = staff.pick_reps(rng, created, accounts.owner[base["account"]])
    columns = base | {
        "kind": np.full(n, RENEWAL),
        "owner": owner,
        "created_us": created,
        "amount": parents["amount"][rows] * rng.lognormal(np.log(1.04), 0.12, n),
        "contract_months": parents["contract_months"][rows],
        "lead_source": np.full(n, -1, dtype=np.int32),
        "from_lead": np.zeros(n, dtype=bool),
    }
    planned = end_day[rows] - created // DAY_US
    return columns | settle(rng, created, planned, np.full(n, RENEWAL_WIN_RATE), False, window)


def _expansions(rng: np.random.Generator, parents: Columns, accounts: Accounts, staff: Staff,
                window: Window) -> Columns:
    close = parents["close_day"]
    contract_days = add_months(close, parents["contract_months"]) - close
    created = office_hours(rng, (close + rng.uniform(0.1, 0.8, len(close)) * contract_days).astype(np.int64) * DAY_US)
    rows = np.flatnonzero((rng.random(len(close)) < EXPANSION_SHARE) & (created < window.horizon_us - DAY_US))
    created = created[rows]
    n = rows.size
    base = _inherit(parents, rows)
    owner = staff.pick_reps(rng, created, accounts.owner[base["account"]])
    columns = base | {
        "kind": np.full(n, EXPANSION),
        "owner": owner,
        "created_us": created,
        "amount": parents["amount"][rows] * rng.uniform(0.15, 0.6, n),
        "contract_months": np.full(n, 12),
        "lead_source": np.full(n, -1, dtype=np.int32),
        "from_lead": np.zeros(n, dtype=bool),
    }
    planned = 20 + 60 * rng.beta(2.0, 3.0, n)
    p_win = np.minimum(0.9, 2.0 * staff.win_rate[owner])
    return columns | settle(rng, created, planned, p_win, True, window)


def _take(columns: Columns, rows: np.ndarray) -> Columns:
    return {name: values[rows] for name, values in columns.items()}


def _concat(batches: list[Columns]) -> Columns:
    return {name: np.concatenate([b[name] for b in batches]) for name in batches[0]}


def generate_deals(rng: np.random.Generator, n: int, accounts: Accounts, staff: Staff, window: Window) -> Columns:
    """Exactly n deals, each row a dict entry of parallel arrays.

    n new-business candidates are drawn, their renewals and expansions derived, and the first n rows in
    (candidate, generation) order kept: candidates are independent, so dropping the tail loses nothing.
    """
    batches = [_new_business(rng, n, accounts, staff, window)]
    current = batches[0]
    while len(current["root"]):
        parents = _take(current, np.flatnonzero(current["is_won"] & (current["kind"] != OTHER)
                                                & (current["kind"] != EXPANSION)))
        renewals = _renewals(rng, parents, accounts, staff, window)
        batches += [renewals, _expansions(rng, parents, accounts, staff, window)]
        current = renewals
    deals = _concat(batches)
    order = np.lexsort((deals["generation"], deals["root"]))[:n]
    return _take(deals, order)
