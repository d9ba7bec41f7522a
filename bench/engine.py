"""Time `compute` of the KPI catalog (every scope, 8 quarters) on an org from the project's generator.

    PYTHONPATH=src python bench/engine.py --opportunities 1000000
    PYTHONPATH=src python bench/engine.py --opportunities 100000 --section Leads --section Team
    PYTHONPATH=src python bench/engine.py --opportunities 100000 --kpis mrr,arr

The org is `sandbox.generator.generate_org(OrgSpec(opportunities=N), seed, as_of=2025-12-31)`: N
opportunities, 10N activities, and leads, users, accounts, line items, quotas and spend in proportion.
It is generated once, in a child process, and cached as Parquet under --cache-dir (one directory per N
and seed). The compute then runs in this process, which has never held the generator's working set:
`compute(ParquetSource(dir))` for 2024-01-01 .. 2025-12-31 at grain quarter (to-date KPIs as of
2025-12-31), which reads the columns its KPIs declare from the files itself. Printed: the wall time of
read + compute (and its CPU time on all threads, steadier than wall time when other jobs share the
cores), the process's peak RSS (interpreter and imports included) and the load average. `--whole-tables`
reads every table whole into memory first, as the engine was used before it read its own columns.
"""

from __future__ import annotations

import argparse
import gc
import os
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

AS_OF = date(2025, 12, 31)
SINCE = date(2024, 1, 1)  # 8 quarters: 2024Q1 .. 2025Q4
DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache"


def cache_dir(root: Path, opportunities: int, seed: int) -> Path:
    return root / f"org-{opportunities}-seed{seed}-{AS_OF.isoformat()}"


def write_cache(directory: Path, opportunities: int, seed: int) -> None:
    """Generate the org and write the engine's tables as Parquet (the generator's reference tables are
    not engine input)."""
    from kpi_engine.dataset import TABLE_SCHEMAS
    from sandbox.generator import OrgSpec, generate_org

    org = generate_org(OrgSpec(opportunities=opportunities), seed=seed, as_of=AS_OF)
    partial = directory.with_name(directory.name + ".partial")
    partial.mkdir(parents=True, exist_ok=True)
    for table in TABLE_SCHEMAS:
        if table in org.tables:
            org.tables[table].write_parquet(partial / f"{table}.parquet")
    partial.rename(directory)  # complete or absent: an interrupted run leaves no half cache


def _status_mib(field: str) -> float:
    """A memory field of /proc/self/status (VmRSS: resident now, VmHWM: peak resident), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _wanted(kpi_ids: str | None, sections: list[str] | None) -> list[str] | None:
    from kpi_engine.catalog import SECTIONS

    if not kpi_ids and not sections:
        return None
    ids = [i for i in (kpi_ids or "").split(",") if i]
    for name in sections or []:
        if name not in SECTIONS:
            raise SystemExit(f"unknown section {name!r}; use one of: {', '.join(SECTIONS)}")
        ids += [k.id for k in SECTIONS[name] if not k.hidden]
    return ids


def run(directory: Path, wanted: list[str] | None, whole_tables: bool = False) -> str:
    """`compute` from the Parquet files (it reads the columns its KPIs need), or with `whole_tables` the
    way it was used before it read its own columns: every table read whole first, then `compute`."""
    from kpi_engine import Dataset, KpiConfig, compute

    input_mib = 0.0
    started, cpu_started = time.perf_counter(), time.process_time()
    if whole_tables:  # works with engines older than ParquetSource too (PYTHONPATH=<old checkout>/src)
        source: object = Dataset.from_frames(
            **{p.stem: pl.read_parquet(p) for p in sorted(directory.glob("*.parquet"))}
        )
        gc.collect()
        input_mib = _status_mib("VmRSS")
    else:
        from kpi_engine import ParquetSource

        source = ParquetSource(directory)
    values = compute(source, KpiConfig(), grain="quarter", as_of=AS_OF, since=SINCE, kpis=wanted)  # type: ignore[arg-type]
    seconds, cpu_seconds = time.perf_counter() - started, time.process_time() - cpu_started
    peak_mib = _status_mib("VmHWM")
    held = f" whole tables held={input_mib:,.0f}MiB" if whole_tables else ""
    return (
        f"kpis={values['kpi'].n_unique()} values={values.height:,} "
        f"read+compute={seconds:.1f}s (cpu {cpu_seconds:.1f}s) "
        f"peak_rss={peak_mib:,.0f}MiB{held} load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--opportunities", type=int, default=100_000, help="N (activities are 10N)")
    parser.add_argument("--seed", type=int, default=0, help="the generator's seed")
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE, help="where the Parquet org is kept")
    parser.add_argument("--kpis", help="comma-separated KPI ids (default: every visible KPI)")
    parser.add_argument("--section", action="append", help="a catalog section, e.g. Leads (repeatable)")
    parser.add_argument(
        "--whole-tables", action="store_true", help="read every table whole first (the old way)"
    )
    parser.add_argument("--generate-only", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    directory = cache_dir(args.cache_dir, args.opportunities, args.seed)
    if args.generate_only:
        write_cache(directory, args.opportunities, args.seed)
        return
    wanted = _wanted(args.kpis, args.section)
    if not directory.exists():
        started = time.perf_counter()
        child = [
            sys.executable,
            __file__,
            "--generate-only",
            "--opportunities",
            str(args.opportunities),
            "--seed",
            str(args.seed),
            "--cache-dir",
            str(args.cache_dir),
        ]
        subprocess.run(child, check=True)  # its peak memory is the generator's, not ours
        print(f"generated and cached {directory} in {time.perf_counter() - started:.1f}s")
    print(run(directory, wanted, args.whole_tables))


if __name__ == "__main__":
    main()
