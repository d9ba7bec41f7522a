"""Time the org generator: seconds and peak RSS for an org of N opportunities (10N activities).

PYTHONPATH=src python bench/generator.py --opportunities 1000000
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from datetime import date

from sandbox.generator import OrgSpec, generate_org


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--opportunities", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--source", choices=["salesforce", "hubspot"], default="salesforce")
    args = parser.parse_args()

    started = time.perf_counter()
    org = generate_org(
        OrgSpec(opportunities=args.opportunities), seed=args.seed, as_of=date(2025, 6, 30), source=args.source
    )
    seconds = time.perf_counter() - started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux
    rows = {name: frame.height for name, frame in org.tables.items()}
    print(f"opportunities={args.opportunities} source={args.source}")
    print("rows: " + ", ".join(f"{name}={count:,}" for name, count in rows.items()))
    print(f"seconds={seconds:.1f} peak_rss_mib={peak_mib:.0f}")


if __name__ == "__main__":
    sys.exit(main())
