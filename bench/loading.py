"""Loading speed: records per second through `load_dataset` on a generated opportunities file.

    PYTHONPATH=src python bench/loading.py --records 200000

Each line carries the quirks the validators handle (amounts as text, percents, enum spellings, epoch
milliseconds), so the figure includes the slow paths, not only clean records.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path

import orjson

from kpi_engine.loading import load_dataset

STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]


def opportunity(index: int, rng: random.Random) -> dict[str, object]:
    created_ms = 1_672_531_200_000 + rng.randrange(0, 365 * 86_400_000)
    stage = rng.choice(STAGES)
    closed = stage.startswith("Closed")
    return {
        "source": "salesforce",
        "id": f"006{index:012d}",
        "modified_at": "2024-06-01T12:00:00+02:00",
        "name": f"Deal {index}",
        "account_id": f"001{index % 5000:012d}",
        "owner_id": f"005{index % 200:012d}",
        "stage": stage,
        "probability": rng.choice([10, 0.25, "50", 90]),
        "forecast_category": rng.choice(["Pipeline", "BestCase", "Best Case", "commit"]),
        "type": rng.choice(["New Business", "renewal", "Expansion"]),
        "amount": rng.choice([f"{rng.randrange(1000, 99999):,}.50", rng.randrange(1000, 99999)]),
        "currency": "USD",
        "created_at": created_ms if index % 2 else "2023-03-01T09:30:00Z",
        "close_date": "2024-05-31" if closed else None,
        "is_closed": closed,
        "is_won": stage == "Closed Won",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "opportunities.jsonl"
        path.write_bytes(b"\n".join(orjson.dumps(opportunity(i, rng)) for i in range(args.records)) + b"\n")
        started = time.perf_counter()
        result = load_dataset(Path(folder))
        seconds = time.perf_counter() - started
    rows = result.dataset.opportunities.height
    print(f"loaded {rows} opportunities ({len(result.quarantined)} quarantined) in {seconds:.2f} s")
    print(f"{args.records / seconds:,.0f} records/second")


if __name__ == "__main__":
    main()
