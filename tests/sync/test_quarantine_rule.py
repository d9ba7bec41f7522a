"""The sync's quarantine rule is compute's: per table, past [kpis] max_quarantined_share the run stops."""

from __future__ import annotations

import pytest

from sync.pipeline import RunReport, quarantine_breaches


@pytest.mark.parametrize(
    ("bad", "good", "breached"),
    [
        (1, 19, False),  # 1 of 20 read = exactly 5 %: goes on
        (2, 19, True),  # 2 of 21 = 9.5 %
        (5, 95, False),  # 5 of 100 = exactly 5 %
        (6, 95, True),  # 6 of 101: one past
        (1, 0, True),  # the one record read was bad
        (0, 0, False),
    ],
)
def test_a_table_breaches_only_past_the_share(bad: int, good: int, breached: bool) -> None:
    report = RunReport(
        "acme", quarantined={"opportunities": bad} if bad else {}, stored={"opportunities": good}
    )
    assert bool(quarantine_breaches(report, 0.05)) is breached


def test_each_table_is_judged_alone() -> None:
    # 3 bad opportunities of 100 is fine; 3 bad users of 20 is not, however many activities were read.
    report = RunReport(
        "acme",
        quarantined={"opportunities": 3, "users": 3},
        stored={"opportunities": 97, "users": 17, "activities": 100_000},
    )
    assert quarantine_breaches(report, 0.05) == ["users 3 of 20 (15.0%)"]
