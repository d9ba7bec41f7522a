"""Time `crm-kpi compute --input DIR` end to end on the generator's JSON Lines: load, validate, compute,
print.

    PYTHONPATH=src python bench/compute_cli.py --opportunities 100000

The org (`generate_org(OrgSpec(opportunities=N), seed=0, as_of=2025-12-31)`, written with
`Org.write_jsonl`) is cached under --cache-dir. The command runs as a child process, as a user runs it;
its wall time and peak RSS (from the kernel's accounting of the child) are printed, with the number of
input records and of KPI values printed, and the catalog KPIs that got no value (the issue asks for none).
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import polars as pl

AS_OF = date(2025, 12, 31)
DEFAULT_CACHE = Path(__file__).resolve().parent / ".cache"


def org_directory(root: Path, opportunities: int) -> Path:
    directory = root / f"jsonl-{opportunities}-{AS_OF.isoformat()}"
    if not (directory / "opportunities.jsonl").exists():
        from sandbox.generator import OrgSpec, generate_org

        generate_org(OrgSpec(opportunities=opportunities), seed=0, as_of=AS_OF).write_jsonl(directory)
    return directory


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--cache-dir", type=Path, default=DEFAULT_CACHE)
    args = parser.parse_args()
    directory = org_directory(args.cache_dir, args.opportunities)
    records = sum(sum(1 for _ in path.open("rb")) for path in directory.glob("*.jsonl"))
    output = directory.parent / f"kpis-{args.opportunities}.jsonl"
    command = [
        sys.executable,
        "-m",
        "sync",
        "compute",
        "--input",
        str(directory),
        "--as-of",
        AS_OF.isoformat(),
    ]
    started = time.perf_counter()
    with output.open("wb") as sink:
        subprocess.run(command, stdout=sink, check=True)
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    values = pl.read_ndjson(output, infer_schema_length=None)
    from kpi_engine.catalog import CATALOG

    with_value = set(values.filter(pl.col("value").is_not_null())["kpi"].unique())
    missing = sorted(k for k, entry in CATALOG.items() if not entry.hidden and k not in with_value)
    print(
        f"opportunities={args.opportunities:,} input_records={records:,} values={values.height:,} "
        f"seconds={seconds:.1f} records_per_second={records / seconds:,.0f} peak_rss={peak_mib:,.0f}MiB "
        f"kpis_without_value={missing or 'none'}"
    )


if __name__ == "__main__":
    main()
