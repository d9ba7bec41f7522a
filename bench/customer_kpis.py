"""Speed of the Leads, Customers-and-revenue and Team KPIs on a generated org, every scope, 8 quarters.

    PYTHONPATH=src python bench/customer_kpis.py --opportunities 1000000

Accounts are N/10, leads N/2, activities N×(--activities-per-opportunity), reps 500 in 25 teams. The
frames are generated column-wise with numpy (not timed); the figure is the wall time of `compute` for
these KPIs only, and the process's peak resident memory.
"""

from __future__ import annotations

import argparse
import resource
import time
from datetime import date

import numpy as np
import polars as pl

from kpi_engine.catalog import customers, leads, team
from kpi_engine.dataset import Dataset
from kpi_engine.engine import compute

FIRST = np.datetime64("2023-01-01")
DAYS = 730


def _ids(prefix: str, n: int) -> pl.Series:
    return pl.select(pl.lit(prefix) + pl.int_range(n, eager=True).cast(pl.String)).to_series()


def _days(rng: np.random.Generator, n: int, spread: int = DAYS) -> np.ndarray:
    return FIRST + rng.integers(0, spread, n).astype("timedelta64[D]")


def generate(n: int, activities_per_opp: int, seed: int) -> Dataset:
    rng = np.random.default_rng(seed)
    n_accounts, n_leads, n_reps, n_acts = max(n // 10, 1), max(n // 2, 1), 500, n * activities_per_opp
    reps = _ids("u", n_reps)
    users = pl.DataFrame({
        "id": reps, "name": reps, "team": (pl.Series(rng.integers(0, 25, n_reps)).cast(pl.String)),
        "started_at": _days(rng, n_reps, 1500) - np.timedelta64(800, "D"),
        "ended_at": np.where(rng.random(n_reps) < 0.2, _days(rng, n_reps), np.datetime64("NaT")),
    })
    accounts = pl.DataFrame({
        "id": _ids("a", n_accounts), "name": _ids("a", n_accounts),
        "owner_id": reps.gather(rng.integers(0, n_reps, n_accounts)),
        "region": pl.Series(rng.choice(["EMEA", "AMER", "APAC", "LATAM"], n_accounts)),
        "created_at": pl.Series(_days(rng, n_accounts)).cast(pl.Datetime("us", "UTC")),
    })
    created = _days(rng, n)
    closed = rng.random(n) < 0.7
    opportunities = pl.DataFrame({
        "id": _ids("o", n), "account_id": accounts["id"].gather(rng.integers(0, n_accounts, n)),
        "owner_id": reps.gather(rng.integers(0, n_reps, n)), "stage": pl.Series(["s"] * n),
        "type": pl.Series(rng.choice(["new_business", "renewal", "expansion", "other"], n)),
        "amount": np.where(rng.random(n) < 0.05, np.nan, rng.integers(1_000, 100_000, n).astype(float)),
        "contract_months": pl.Series(rng.choice([1, 3, 12, 24, 36], n)).cast(pl.Int64),
        "created_at": pl.Series(created).cast(pl.Datetime("us", "UTC")),
        "close_date": created + rng.integers(0, 120, n).astype("timedelta64[D]"),
        "is_closed": closed, "is_won": closed & (rng.random(n) < 0.4),
    }).with_columns(pl.col("amount").fill_nan(None))
    converted = rng.random(n_leads) < 0.25
    lead_created = pl.Series(_days(rng, n_leads)).cast(pl.Datetime("us", "UTC"))
    leads_frame = pl.DataFrame({
        "id": _ids("l", n_leads), "owner_id": reps.gather(rng.integers(0, n_reps, n_leads)),
        "created_at": lead_created, "lead_source": pl.Series(rng.choice(["web", "event", "referral", "ads"], n_leads)),
        "status": pl.Series(rng.choice(["new", "working", "converted", "lost"], n_leads)),
        "converted_at": pl.select(pl.when(pl.lit(pl.Series(converted))).then(pl.lit(lead_created))).to_series(),
        "converted_account_id": accounts["id"].gather(rng.integers(0, n_accounts, n_leads)),
        "converted_opportunity_id": _ids("o", n_leads).gather(rng.integers(0, n_leads, n_leads)),
    })
    activities = pl.DataFrame({
        "id": _ids("x", n_acts), "kind": pl.Series(rng.choice(["call", "email", "meeting", "task"], n_acts)),
        "owner_id": reps.gather(rng.integers(0, n_reps, n_acts)),
        "occurred_at": pl.Series(_days(rng, n_acts)).cast(pl.Datetime("us", "UTC")),
        "lead_id": pl.select(
            pl.when(pl.lit(pl.Series(rng.random(n_acts) < 0.3)))
            .then(pl.lit(_ids("l", n_leads).gather(rng.integers(0, n_leads, n_acts))))
        ).to_series(),
    })
    spend = pl.DataFrame({
        "period_start": [date(2023, m, 1) for m in range(1, 13)] + [date(2024, m, 1) for m in range(1, 13)],
        "period_end": [date(2023, m, 1) for m in range(2, 13)] + [date(2024, m, 1) for m in range(1, 13)]
        + [date(2025, 1, 1)],
        "amount": [100_000.0] * 24,
    })
    return Dataset.from_frames(
        "org", users=users, accounts=accounts, opportunities=opportunities, leads=leads_frame,
        activities=activities, spend=spend,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--activities-per-opportunity", type=int, default=10)
    parser.add_argument("--grain", default="quarter", choices=["month", "quarter", "year"])
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    dataset = generate(args.opportunities, args.activities_per_opportunity, args.seed)
    ids = [k.id for k in (*leads.KPIS, *customers.KPIS, *team.KPIS) if not k.hidden]
    started = time.perf_counter()
    out = compute(dataset, grain=args.grain, as_of=date(2025, 1, 15), since=date(2023, 1, 1), until=date(2025, 1, 1),
                  kpis=ids)
    elapsed = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{args.opportunities:,} opportunities, {dataset.accounts.height:,} accounts, "
          f"{dataset.leads.height:,} leads, "
          f"{dataset.activities.height:,} activities; {len(ids)} KPIs at grain {args.grain}: "
          f"{out.height:,} values in {elapsed:.2f} s; peak RSS {peak_mib:,.0f} MiB")


if __name__ == "__main__":
    main()
