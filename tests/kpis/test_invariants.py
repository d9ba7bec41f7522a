"""Properties that hold for any org: bounded ratios, additive bookings, non-negative counts."""

from __future__ import annotations

from datetime import date, timedelta

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from kpi_records import activity, dataset, opp, user

from kpi_engine import compute

REPS = {"u1": "A", "u2": "A", "u3": "B"}
BOUNDED = [
    "win_rate",
    "win_rate_amount",
    "call_connect_rate",
    "email_open_rate",
    "new_business_share",
    "stage_conversion",
    "reps_at_quota_share",
]
COUNTS = [
    "deals_won",
    "deals_lost",
    "new_opportunities",
    "pipeline_count",
    "activities",
    "calls",
    "units_sold",
]

opportunity = st.fixed_dictionaries(
    {
        "owner": st.sampled_from(list(REPS)),
        "created": st.integers(0, 300),
        "cycle": st.one_of(st.none(), st.integers(0, 200)),
        "won": st.booleans(),
        "amount": st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)),
        "type": st.sampled_from(["new_business", "renewal", "other"]),
        "deleted": st.booleans(),
    }
)
call = st.fixed_dictionaries(
    {
        "owner": st.sampled_from(list(REPS)),
        "day": st.integers(0, 300),
        "outcome": st.sampled_from([None, "connected", "no_answer"]),
    }
)


def _org(opps: list[dict], calls: list[dict]):
    start = date(2024, 1, 1)
    rows = []
    for i, o in enumerate(opps):
        created = start + timedelta(days=o["created"])
        close = None if o["cycle"] is None else (created + timedelta(days=o["cycle"])).isoformat()
        rows.append(
            opp(
                f"o{i}",
                o["owner"],
                created=created.isoformat(),
                close=close,
                won=bool(close and o["won"]),
                amount=o["amount"],
                type=o["type"],
                deleted=o["deleted"],
            )
        )
    acts = [
        activity(
            f"c{i}", "call", c["owner"], (start + timedelta(days=c["day"])).isoformat(), outcome=c["outcome"]
        )
        for i, c in enumerate(calls)
    ]
    return dataset(users=[user(u, t) for u, t in REPS.items()], opportunities=rows, activities=acts)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(opportunity, max_size=25), st.lists(call, max_size=10))
def test_invariants(opps: list[dict], calls: list[dict]) -> None:
    out = compute(_org(opps, calls), as_of=date(2025, 6, 30), since=date(2024, 1, 1), grain="quarter")
    bounded = out.filter(pl.col("kpi").is_in(BOUNDED) & pl.col("value").is_not_null())
    assert bounded.filter((pl.col("value") < 0) | (pl.col("value") > 1 + 1e-9)).height == 0
    counts = out.filter(pl.col("kpi").is_in(COUNTS))
    assert counts["value"].null_count() == 0 and (counts["value"] >= 0).all()

    bookings = out.filter(pl.col("kpi") == "bookings")
    per_scope = bookings.group_by("scope", "period_start").agg(pl.col("value").sum())
    org = per_scope.filter(pl.col("scope") == "org").select("period_start", org="value")
    for scope in ("rep", "team"):
        summed = per_scope.filter(pl.col("scope") == scope).select("period_start", summed="value")
        joined = org.join(summed, on="period_start")
        assert joined.height == org.height
        assert ((joined["org"] - joined["summed"]).abs() <= 1e-6 * (1 + joined["org"].abs())).all()
