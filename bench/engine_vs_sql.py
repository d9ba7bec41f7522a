"""The engine against the same KPIs written by hand in DuckDB SQL, on the same Parquet files.

    PYTHONPATH=src python bench/engine_vs_sql.py --opportunities 300000 --rounds 3
    PYTHONPATH=src python bench/engine_vs_sql.py --opportunities 1000000 --before-src /tmp/engine-before/src

The 18 KPIs of bench/engine_sql.py (outcome, pipeline, activity, lead and MRR families) at scopes org
and rep, per quarter 2024Q1 .. 2025Q4 as of 2025-12-31, over the org bench/engine.py generates and caches
as Parquet. Each run is a separate process (`--run engine|sql`), the two alternating `--rounds` times;
each child reports the wall time from its input to its result (Parquet read included, interpreter start
and imports not) and its peak RSS (imports included, both sides). The values are compared: every row the
SQL gives equals the engine's within 1e-9 relative, and every engine row the SQL lacks (a rep with
nothing in a period) is 0 or null. Printed: each run, the medians, and the ratios engine / DuckDB.

`--before-src DIR` adds the engine of another checkout (e.g. `git archive <commit> src | tar -x -C DIR/..`)
run the way it was used then (every table read whole into memory, then `compute`); its weighted and
commit pipeline follow the older definition and are not compared.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent))

from engine import AS_OF, DEFAULT_CACHE, SINCE, cache_dir, write_cache  # noqa: E402
from engine_sql import KPIS, query  # noqa: E402

KEY = ["kpi", "scope", "scope_id", "period_start"]
CHANGED_DEFINITIONS = ("weighted_pipeline", "commit_pipeline")  # older engines: the deal's odds of today


def _peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def run_engine(directory: Path, out: Path, whole_tables: bool) -> dict[str, float]:
    from kpi_engine import Dataset, KpiConfig, compute

    started = time.perf_counter()
    if whole_tables:  # how the engine was used before it read its columns itself
        source = Dataset.from_frames(
            **{p.stem: pl.read_parquet(p) for p in sorted(directory.glob("*.parquet"))}
        )
    else:
        from kpi_engine import ParquetSource

        source = ParquetSource(directory)
    values = compute(
        source, KpiConfig(), grain="quarter", as_of=AS_OF, since=SINCE, kpis=list(KPIS), scopes=["org", "rep"]
    )
    seconds = time.perf_counter() - started
    values.select(*KEY, "value").write_parquet(out)
    return {"seconds": seconds, "peak_mib": _peak_mib()}


def run_sql(directory: Path, out: Path) -> dict[str, float]:
    import duckdb

    started = time.perf_counter()
    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute(f"COPY ({query(directory, SINCE, AS_OF)}) TO '{out}' (FORMAT parquet)")
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "peak_mib": _peak_mib()}


def compare(engine: pl.DataFrame, sql: pl.DataFrame, skip: tuple[str, ...] = ()) -> list[str]:
    """Differences: SQL rows the engine lacks or disagrees with (1e-9 relative); engine-only rows not 0."""
    engine = engine.filter(~pl.col("kpi").is_in(skip)).with_columns(pl.col("period_start").cast(pl.Date))
    sql = sql.filter(~pl.col("kpi").is_in(skip)).with_columns(pl.col("period_start").cast(pl.Date))
    joined = sql.join(engine, on=KEY, how="left", suffix="_engine")
    a, b = pl.col("value"), pl.col("value_engine")
    off = (a.is_null() != b.is_null()) | (
        (a - b).abs() > 1e-9 * pl.max_horizontal(a.abs(), b.abs())
    ).fill_null(False)
    problems = [
        f"{r['kpi']} {r['scope']}={r['scope_id']} {r['period_start']}: sql {r['value']} engine "
        f"{r['value_engine']}"
        for r in joined.filter(off).head(10).iter_rows(named=True)
    ]
    extra = engine.join(sql, on=KEY, how="anti").filter(pl.col("value").fill_null(0) != 0)
    problems += [
        f"{r['kpi']} {r['scope']}={r['scope_id']} {r['period_start']}: engine {r['value']}, no SQL row"
        for r in extra.head(10).iter_rows(named=True)
    ]
    return problems


def child(kind: str, directory: Path, out: Path, src: Path | None) -> dict[str, float]:
    command = [sys.executable, __file__, "--run", kind, "--directory", str(directory), "--out", str(out)]
    env = dict(os.environ)
    if src is not None:
        env["PYTHONPATH"] = str(src)
    done = subprocess.run(command, check=True, capture_output=True, text=True, env=env)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--opportunities", type=int, default=300_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--before-src", type=Path, help="also run the engine of this src directory (whole tables)"
    )
    parser.add_argument("--run", choices=["engine", "engine-whole", "sql"], help=argparse.SUPPRESS)
    parser.add_argument("--directory", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        runs = {
            "engine": lambda: run_engine(args.directory, args.out, False),
            "engine-whole": lambda: run_engine(args.directory, args.out, True),
            "sql": lambda: run_sql(args.directory, args.out),
        }
        print(json.dumps(runs[args.run]()))
        return

    directory = cache_dir(args.cache_dir, args.opportunities, args.seed)
    if not directory.exists():
        write_cache(directory, args.opportunities, args.seed)
    outputs = args.cache_dir / f"engine-vs-sql-{args.opportunities}"
    outputs.mkdir(parents=True, exist_ok=True)
    kinds = [("engine", "engine", None), ("sql", "sql", None)]
    if args.before_src:
        kinds.append(("engine before", "engine-whole", args.before_src))
    results: dict[str, list[dict[str, float]]] = {name: [] for name, _, _ in kinds}
    print(
        f"opportunities={args.opportunities:,} kpis={len(KPIS)} scopes=org,rep quarters=8 "
        f"load average before: {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )
    for round_ in range(args.rounds):
        for name, kind, src in kinds:
            measured = child(kind, directory, outputs / f"{kind}.parquet", src)
            results[name].append(measured)
            print(
                f"round {round_ + 1} {name:>13}: {measured['seconds']:6.2f} s  "
                f"peak {measured['peak_mib']:7,.0f} MiB"
            )
    sql_values = pl.read_parquet(outputs / "sql.parquet")
    problems = compare(pl.read_parquet(outputs / "engine.parquet"), sql_values)
    print(
        f"values: {sql_values.height:,} SQL rows; " + ("all equal" if not problems else f"DIFFER: {problems}")
    )
    if args.before_src:
        before = compare(pl.read_parquet(outputs / "engine-whole.parquet"), sql_values, CHANGED_DEFINITIONS)
        print(
            "engine before, other than "
            + ", ".join(CHANGED_DEFINITIONS)
            + ": "
            + ("all equal" if not before else f"DIFFER: {before}")
        )
    medians = {
        name: {k: statistics.median(r[k] for r in runs) for k in ("seconds", "peak_mib")}
        for name, runs in results.items()
    }
    sql = medians["sql"]
    for name, m in medians.items():
        print(
            f"median {name:>13}: {m['seconds']:6.2f} s  peak {m['peak_mib']:7,.0f} MiB  "
            f"time {m['seconds'] / sql['seconds']:.2f}x  "
            f"memory {m['peak_mib'] / sql['peak_mib']:.2f}x DuckDB's"
        )
    print(f"load average after: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    if problems:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
