"""Compare the engine's values with a saved run: every value equal within a relative tolerance.

    PYTHONPATH=src python bench/engine_compare.py --opportunities 100000 --save before.parquet
    PYTHONPATH=src python bench/engine_compare.py --opportunities 100000 --against before.parquet \
        --except weighted_pipeline,commit_pipeline

Runs the full catalog (8 quarters and to date, as bench/engine.py) on the cached generator org and either
saves the output or compares it row by row with a saved one: the same rows (kpi, scope, scope_id, period),
and value, numerator, denominator and skipped equal within --rel (default 1e-9) relative, nulls where the
saved run had nulls. KPIs whose definition changed on purpose are listed with --except and left out.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine import AS_OF, DEFAULT_CACHE, SINCE, cache_dir, write_cache  # noqa: E402

KEY = ["kpi", "scope", "scope_id", "grain", "period_start"]
VALUES = ["value", "numerator", "denominator", "skipped"]


def compute_all(directory: Path) -> pl.DataFrame:
    from kpi_engine import Dataset, KpiConfig, compute

    dataset = Dataset.from_frames(**{p.stem: pl.read_parquet(p) for p in sorted(directory.glob("*.parquet"))})
    return compute(dataset, KpiConfig(), grain="quarter", as_of=AS_OF, since=SINCE)


def differences(before: pl.DataFrame, after: pl.DataFrame, rel: float) -> pl.DataFrame:
    """Rows missing on one side, or with a value off by more than `rel` relative (nulls must match)."""
    joined = before.join(after, on=KEY, how="full", suffix="_after", coalesce=True, nulls_equal=True)
    bad = pl.lit(False)
    for column in VALUES:
        a, b = pl.col(column).cast(pl.Float64), pl.col(f"{column}_after").cast(pl.Float64)
        off = (a - b).abs() > rel * pl.max_horizontal(a.abs(), b.abs(), pl.lit(1e-300))
        bad = bad | (a.is_null() != b.is_null()) | off.fill_null(False)
    return joined.filter(bad)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--save", type=Path, help="write this run's values here")
    parser.add_argument("--against", type=Path, help="compare this run's values with a saved run")
    parser.add_argument("--except", dest="excepted", default="", help="KPI ids changed on purpose")
    parser.add_argument("--rel", type=float, default=1e-9)
    args = parser.parse_args()
    directory = cache_dir(args.cache_dir, args.opportunities, args.seed)
    if not directory.exists():
        write_cache(directory, args.opportunities, args.seed)
    values = compute_all(directory)
    if args.save:
        values.write_parquet(args.save)
        print(f"saved {values.height:,} values of {values['kpi'].n_unique()} KPIs to {args.save}")
    if args.against:
        excepted = [k for k in args.excepted.split(",") if k]
        before = pl.read_parquet(args.against).filter(~pl.col("kpi").is_in(excepted))
        after = values.filter(~pl.col("kpi").is_in(excepted))
        bad = differences(before, after, args.rel)
        print(
            f"compared {before.height:,} values of {before['kpi'].n_unique()} KPIs "
            f"(left out: {', '.join(excepted) or 'none'}): "
            f"{bad.height} differ by more than {args.rel:g} relative"
        )
        if excepted:  # how far the KPIs changed on purpose moved, for the record
            moved = differences(
                pl.read_parquet(args.against).filter(pl.col("kpi").is_in(excepted)),
                values.filter(pl.col("kpi").is_in(excepted)),
                args.rel,
            )
            moved = moved.with_columns(
                pl.max_horizontal(
                    (pl.col(c).cast(pl.Float64) - pl.col(f"{c}_after")).abs()
                    / pl.max_horizontal(pl.col(c).abs(), pl.col(f"{c}_after").abs())
                    for c in ("value", "numerator", "denominator")
                ).alias("relative")
            )
            for row in moved.group_by("kpi").agg(pl.len(), pl.col("relative").max()).sort("kpi").iter_rows():
                largest = "a null on one side" if row[2] is None else f"at most {row[2]:.2g} relative"
                print(f"  changed on purpose: {row[0]}: {row[1]} values moved, {largest}")
        if bad.height:
            with pl.Config(tbl_rows=20, tbl_cols=20, tbl_width_chars=200):
                print(bad.group_by("kpi").len().sort("len", descending=True))
                print(bad.head(20))
            raise SystemExit(1)


if __name__ == "__main__":
    main()
