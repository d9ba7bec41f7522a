"""Time `compute` of the full catalog, every scope, over 8 quarters, on a generated org.

    PYTHONPATH=src python bench/engine.py --opportunities 1000000

N opportunities, 10N activities, N/2 leads, N/10 accounts, 2N line items, 4N stage changes, N/1000 + 10
reps. Uses `sandbox.generator.generate_org` when it exists, else the column-wise generator below (numpy,
no Python loop per record). Prints wall time of `compute` and the process's peak RSS.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date, datetime, timezone

import numpy as np
import polars as pl

from kpi_engine import Dataset, KpiConfig, compute

AS_OF = date(2025, 12, 31)
SINCE = date(2024, 1, 1)
START = datetime(2023, 1, 1, tzinfo=timezone.utc)
SPAN_SECONDS = int((datetime(2025, 12, 31, tzinfo=timezone.utc) - START).total_seconds())
STAGES = ["prospecting", "qualification", "proposal", "negotiation", "closed_won", "closed_lost"]


def _ids(prefix: str, n: int) -> pl.Series:
    return pl.select((pl.lit(prefix) + pl.int_range(n).cast(pl.String)).alias("id")).to_series()


def _pick(values: list[object], index: np.ndarray) -> pl.Series:
    return pl.Series(values).gather(index)


def _times(rng: np.random.Generator, n: int) -> pl.Series:
    seconds = rng.integers(0, SPAN_SECONDS, n)
    return pl.Series((np.datetime64(START.replace(tzinfo=None), "us") + seconds.astype("timedelta64[s]"))) \
        .dt.replace_time_zone("UTC")


def generate(n: int, seed: int = 7) -> Dataset:
    rng = np.random.default_rng(seed)
    reps, accounts = n // 1000 + 10, max(n // 10, 1)
    users = pl.DataFrame({"id": _ids("u", reps), "name": _ids("rep ", reps),
                          "team": _pick([f"team{i}" for i in range(8)], np.arange(reps) % 8),
                          "email": _ids("u", reps) + "@example.com",
                          "started_at": [date(2022, 1, 1)] * reps})
    accts = pl.DataFrame({"id": _ids("a", accounts), "name": _ids("acct ", accounts),
                          "created_at": [START] * accounts,
                          "region": _pick(["emea", "amer", "apac"], rng.integers(0, 3, accounts))})
    created = _times(rng, n)
    cycle = rng.integers(5, 200, n).astype("timedelta64[D]")
    close = (created.dt.date().to_numpy() + cycle)
    closed = rng.random(n) < 0.7
    won = closed & (rng.random(n) < 0.35)
    stage_idx = np.where(won, 4, np.where(closed, 5, rng.integers(0, 4, n)))
    opps = pl.DataFrame({
        "id": _ids("o", n), "account_id": _ids("a", accounts).gather(rng.integers(0, accounts, n)),
        "owner_id": _ids("u", reps).gather(rng.integers(0, reps, n)), "stage": _pick(STAGES, stage_idx),
        "probability": rng.random(n), "forecast_category": _pick(["pipeline", "commit", "best_case"], rng.integers(0, 3, n)),
        "type": _pick(["new_business", "renewal", "expansion", "other"], rng.integers(0, 4, n)),
        "amount": np.round(rng.gamma(2, 10000, n), 2), "created_at": created,
        "close_date": pl.Series(close).cast(pl.Date), "is_closed": closed, "is_won": won,
        "lead_source": _pick(["web", "referral", "event"], rng.integers(0, 3, n)),
    }).with_columns(pl.when(pl.col("is_closed")).then(pl.col("close_date")).otherwise(None).alias("close_date"))
    n_act = 10 * n
    acts = pl.DataFrame({
        "id": _ids("act", n_act),
        "kind": _pick(["call", "email", "meeting", "task", "note"], rng.integers(0, 5, n_act)),
        "subtype": _pick(["demo", "intro", None], rng.integers(0, 3, n_act)),
        "owner_id": _ids("u", reps).gather(rng.integers(0, reps, n_act)), "occurred_at": _times(rng, n_act),
        "duration_seconds": rng.integers(0, 3600, n_act).astype(float), "completed": rng.random(n_act) < 0.9,
        "outcome": _pick(["connected", "no_answer", None], rng.integers(0, 3, n_act)),
        "direction": _pick(["outbound", "inbound", None], rng.integers(0, 3, n_act)),
        "opened": _pick([True, False, None], rng.integers(0, 3, n_act)),
        "account_id": _ids("a", accounts).gather(rng.integers(0, accounts, n_act)),
    })
    n_lines = 2 * n
    lines = pl.DataFrame({"id": _ids("li", n_lines),
                          "opportunity_id": _ids("o", n).gather(rng.integers(0, n, n_lines)),
                          "product_id": _pick([f"p{i}" for i in range(50)], rng.integers(0, 50, n_lines)),
                          "quantity": rng.integers(1, 20, n_lines).astype(float),
                          "total_price": np.round(rng.gamma(2, 1000, n_lines), 2)})
    n_changes = 4 * n
    changes = pl.DataFrame({"id": _ids("sc", n_changes),
                            "opportunity_id": _ids("o", n).gather(rng.integers(0, n, n_changes)),
                            "stage": _pick(STAGES, rng.integers(0, 6, n_changes)),
                            "entered_at": _times(rng, n_changes)})
    stages = pl.DataFrame({"id": STAGES, "stage": STAGES, "order": list(range(6)),
                           "probability": [0.1, 0.2, 0.5, 0.8, 1.0, 0.0],
                           "is_closed": [False] * 4 + [True] * 2, "is_won": [False] * 4 + [True, False]})
    quotas = pl.DataFrame({"owner": _ids("u", reps), "period_start": [date(2024, 1, 1)] * reps,
                           "period_end": [date(2026, 1, 1)] * reps, "amount": [2_000_000.0] * reps})
    frames = {"users": users, "accounts": accts, "opportunities": opps, "activities": acts, "line_items": lines,
              "stage_changes": changes, "stages": stages}
    stamped = {name: f.with_columns(source=pl.lit("salesforce"), modified_at=pl.lit(START), deleted=pl.lit(False))
               for name, f in frames.items()}
    return Dataset.from_frames(**stamped, quotas=quotas)
    return Dataset.from_frames(users=users, accounts=accts, opportunities=opps, activities=acts, line_items=lines,
                               stage_changes=changes, stages=stages, quotas=quotas)


def _generated(n: int) -> Dataset:
    try:
        from sandbox.generator import OrgSpec, generate_org  # type: ignore[import-not-found]
    except ImportError:
        return generate(n)
    return Dataset.from_frames(**generate_org(OrgSpec(opportunities=n)).tables)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--opportunities", type=int, default=100_000)
    args = parser.parse_args()
    t0 = time.perf_counter()
    dataset = _generated(args.opportunities)
    t1 = time.perf_counter()
    values = compute(dataset, KpiConfig(), grain="quarter", as_of=AS_OF, since=SINCE)
    t2 = time.perf_counter()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"opportunities={args.opportunities} activities={dataset.activities.height} "
          f"generate={t1 - t0:.1f}s compute={t2 - t1:.1f}s values={values.height} "
          f"kpis={values['kpi'].n_unique()} peak_rss={peak_mib:.0f}MiB", file=sys.stdout)


if __name__ == "__main__":
    main()
