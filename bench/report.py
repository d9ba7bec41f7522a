"""Time `build_report` against the compute it reports on, for a generated org.

    PYTHONPATH=src python bench/report.py --opportunities 50000 --grain month

Generates an org of N opportunities (`sandbox.generator`, seed 0, as of 2026-11-30), computes the full
catalog at the grain, then builds the report from those values (best of --repeat runs). Prints the
values' row count, both wall times, the report's share of the compute's time, and the page's size:
the report is meant to cost a small fraction of the run that produced its values.
"""

from __future__ import annotations

import argparse
import time
from datetime import date

from kpi_engine import compute
from kpi_engine.dataset import Dataset
from sandbox.generator import OrgSpec, generate_org
from sync.report import ReportInstance, ReportQuality, build_report

AS_OF = date(2026, 11, 30)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--opportunities", type=int, default=50_000)
    parser.add_argument("--grain", default="quarter", choices=("month", "quarter", "year"))
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    org = generate_org(OrgSpec(opportunities=args.opportunities), seed=0, as_of=AS_OF)
    tables = {name: frame for name, frame in org.tables.items() if name in Dataset.__dataclass_fields__}
    dataset = Dataset.from_frames("salesforce", **tables)
    started = time.perf_counter()
    values = compute(dataset, grain=args.grain, as_of=AS_OF)
    compute_s = time.perf_counter() - started
    names = dict(zip(dataset.users["id"].to_list(), dataset.users["name"].to_list(), strict=True))
    instance = ReportInstance(
        "salesforce", "salesforce", web_url="https://acme.my.salesforce.com", names=names
    )
    best = float("inf")
    for _ in range(args.repeat):
        started = time.perf_counter()
        page = build_report(values, ReportQuality(), title="bench", instances=[instance], grain=args.grain)
        best = min(best, time.perf_counter() - started)
    print(f"{args.opportunities:,} opportunities, grain {args.grain}: {values.height:,} KPI values")
    print(f"compute        {compute_s:7.2f} s")
    print(f"build_report   {best:7.2f} s  ({best / compute_s:.1%} of the compute)")
    print(f"page           {len(page.encode()) / 1024:7.0f} KiB")


if __name__ == "__main__":
    main()
