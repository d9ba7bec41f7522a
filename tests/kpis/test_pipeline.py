"""Pipeline and funnel KPIs on a hand-made org; expected values worked out in the comments."""

from __future__ import annotations

from datetime import date

import pytest
from kpi_records import at, dataset, opp, record, row_of, user, value_of, values

from kpi_engine import KpiConfig

Q1, Q2 = "2024-01-01", "2024-04-01"
STAGES = [
    record("st1", stage="prospecting", order=1, is_closed=False, is_won=False, probability=0.1),
    record("st2", stage="qualification", order=2, is_closed=False, is_won=False, probability=0.2),
    record("st3", stage="proposal", order=3, is_closed=False, is_won=False, probability=0.4),
    record("st4", stage="closed_won", order=5, is_closed=True, is_won=True, probability=1.0),
    record("st5", stage="closed_lost", order=6, is_closed=True, is_won=False, probability=0.0),
]


def change(id: str, opportunity: str, stage: str, day: str) -> dict:
    return record(id, opportunity_id=opportunity, stage=stage, entered_at=at(day))


@pytest.fixture(scope="module")
def pipeline_org():
    opportunities = [
        opp("p1", created="2024-01-10", amount=100.0, probability=0.5, forecast_category="commit"),
        opp(
            "p2",
            created="2024-02-01",
            close="2024-05-10",
            amount=200.0,
            probability=0.3,
            forecast_category="pipeline",
        ),
        opp(
            "p3",
            amount=50.0,
            probability=0.2,
            forecast_category="closed",
            close="2024-04-02",
            won=True,
            created="2024-03-31",
        ),
        opp("p4", created="2024-01-05", amount=1000.0, forecast_category="omitted"),  # open & omitted: never
        opp("p5", created="2024-04-10", amount=None, probability=0.9),
        opp("p6", created="2024-01-01", amount=5000.0, deleted=True),
        # lost on Feb 20, reopened on Mar 5: open now; its old close date does not close it
        opp(
            "p7",
            created="2024-01-15",
            close="2024-02-20",
            closed=False,
            amount=300.0,
            stage="proposal",
            forecast_category="pipeline",
        ),
    ]
    changes = [
        change("c1", "p7", "proposal", "2024-01-15"),
        change("c2", "p7", "closed_lost", "2024-02-20"),
        change("c3", "p7", "proposal", "2024-03-05"),
    ]
    # p3 created 2024-03-31 23:00 UTC: still March in UTC, April 1 in Tokyo
    opportunities[2]["created_at"] = at("2024-03-31", 23)
    return dataset(users=[user("u1")], opportunities=opportunities, stage_changes=changes, stages=STAGES)


def test_new_opportunities(pipeline_org) -> None:
    out = values(pipeline_org)
    # Q1: p1, p2, p3, p4, p7 (p6 deleted) -> 5, amounts 100 + 200 + 50 + 1000 + 300
    assert value_of(out, "new_opportunities", Q1) == 5
    assert value_of(out, "new_pipeline_value", Q1) == 1650
    # Q2: p5 with no amount -> 1 opportunity, value 0
    assert value_of(out, "new_opportunities", Q2) == 1
    assert value_of(out, "new_pipeline_value", Q2) == 0


def test_creation_date_in_the_configured_time_zone(pipeline_org) -> None:
    out = values(pipeline_org, KpiConfig(time_zone="Asia/Tokyo"))
    # p3 moves to April 1 local: Q1 has 4, Q2 has p3 and p5
    assert value_of(out, "new_opportunities", Q1) == 4
    assert value_of(out, "new_opportunities", Q2) == 2


def test_open_pipeline_at_period_end(pipeline_org) -> None:
    out = values(pipeline_org)
    # Mar 31: p1 (100, 0.5), p2 (200, 0.3; closes May 10), p3 (50, 0.2; created Mar 31, closes Apr 2),
    # p7 (300, no probability -> proposal's 0.4). p4 omitted, p5 not yet created, p6 deleted.
    assert value_of(out, "pipeline_count", Q1) == 4
    assert value_of(out, "pipeline_value", Q1) == 650
    assert value_of(out, "weighted_pipeline", Q1) == pytest.approx(50 + 60 + 10 + 120)
    assert value_of(out, "commit_pipeline", Q1) == 100
    # Jun 30: p1, p5 (no amount), p7 -> 3; 100 + 0 + 300; weighted 50 + 0 + 120
    assert value_of(out, "pipeline_count", Q2) == 3
    assert value_of(out, "pipeline_value", Q2) == 400
    assert value_of(out, "weighted_pipeline", Q2) == pytest.approx(170)


def test_days_open_and_in_stage(pipeline_org) -> None:
    out = values(pipeline_org, grain="to_date")
    # as of Jun 30: p1 open since Jan 10 -> 21 + 29 + 31 + 30 + 31 + 30 = 172
    assert value_of(out, "days_open", None, "opportunity", "p1") == 172
    # p2 closed: Feb 1 -> May 10 = 29 + 31 + 30 + 9 = 99
    assert value_of(out, "days_open", None, "opportunity", "p2") == 99
    # p7 re-entered proposal Mar 5 -> Jun 30 = 26 + 30 + 31 + 30 = 117; p1 has no history: since creation
    assert value_of(out, "days_in_stage", None, "opportunity", "p7") == 117
    assert value_of(out, "days_in_stage", None, "opportunity", "p1") == 172
    closed_rows = out.filter((out["kpi"] == "days_in_stage") & (out["scope_id"] == "p2"))
    assert closed_rows.height == 0  # open only
    assert row_of(out, "days_open", None, "opportunity", "p1")["period_start"] == date(2024, 6, 30)


@pytest.fixture(scope="module")
def funnel_out():
    opportunities = [
        opp("s1", close="2024-02-01", won=True),
        opp("s2", close="2024-01-20"),
        opp("s3"),
        opp("p7", close="2024-02-20", closed=False),
    ]
    changes = [
        change("a", "s1", "prospecting", "2024-01-02"),
        change("b", "s1", "qualification", "2024-01-10"),
        change("c", "s1", "closed_won", "2024-02-01"),
        change("d", "s2", "prospecting", "2024-01-03"),
        change("e", "s2", "closed_lost", "2024-01-20"),
        change("f", "s3", "prospecting", "2024-01-05"),
        change("g", "s3", "qualification", "2024-04-02"),
        change("h", "p7", "proposal", "2024-01-15"),
        change("i", "p7", "closed_lost", "2024-02-20"),
        change("j", "p7", "proposal", "2024-03-05"),
    ]
    ds = dataset(users=[user("u1")], opportunities=opportunities, stage_changes=changes, stages=STAGES)
    return values(ds)


def test_stage_conversion(funnel_out) -> None:
    # prospecting in Q1: s1 (later qualification, won), s2 (only closed_lost after: no), s3 (qualification in
    # Q2 counts as later) -> 2 / 3
    assert value_of(funnel_out, "stage_conversion", Q1, "stage", "prospecting") == pytest.approx(2 / 3)
    # qualification: s1 in Q1 went on to closed_won -> 1/1; s3 in Q2 has nothing after -> 0/1
    assert value_of(funnel_out, "stage_conversion", Q1, "stage", "qualification") == 1
    assert value_of(funnel_out, "stage_conversion", Q2, "stage", "qualification") == 0
    # proposal: p7 entered twice in Q1, counted once; lost then back to proposal is no progress -> 0/1
    row = row_of(funnel_out, "stage_conversion", Q1, "stage", "proposal")
    assert (row["value"], row["denominator"]) == (0, 1)
    # no opportunity entered proposal in Q2
    assert value_of(funnel_out, "stage_conversion", Q2, "stage", "proposal") is None


def test_stage_duration(funnel_out) -> None:
    # prospecting visits that ended in Q1: s1 Jan 2 -> Jan 10 = 8, s2 Jan 3 -> Jan 20 = 17 -> 12.5
    assert value_of(funnel_out, "stage_duration_days", Q1, "stage", "prospecting") == pytest.approx(12.5)
    # s3 Jan 5 -> Apr 2 = 31 + 29 + 28 = 88, ended in Q2
    assert value_of(funnel_out, "stage_duration_days", Q2, "stage", "prospecting") == pytest.approx(88)
    assert value_of(funnel_out, "stage_duration_days", Q1, "stage", "qualification") == pytest.approx(22)
    # p7's first proposal visit Jan 15 -> Feb 20 = 36; its second is still open
    assert value_of(funnel_out, "stage_duration_days", Q1, "stage", "proposal") == pytest.approx(36)


def test_sales_velocity_pools_the_trailing_window() -> None:
    # Quarters Q1..Q2 2024, window 2. Q1: won w1 (amount 100, cycle 10 days), lost l1.
    # Q2: won w2 (amount 300, cycle 30 days). Open at Q2 start (= open at Q1 end): o1, o2.
    # Q2, pooled over Q1..Q2: win rate 2 / 3, deal size 400 / 2 = 200, cycle 40 / 2 = 20 days
    # -> 2 × 2/3 × 200 / 20 = 13.333 per day. (An average of per-quarter ratios would differ.)
    ds = dataset(
        users=[user("u1")],
        opportunities=[
            opp("w1", created="2024-01-10", close="2024-01-20", won=True, amount=100.0),
            opp("l1", created="2024-01-10", close="2024-02-01", amount=999.0),
            opp("w2", created="2024-04-01", close="2024-05-01", won=True, amount=300.0),
            opp("o1", created="2024-01-02"),
            opp("o2", created="2024-03-01"),
        ],
    )
    out = values(ds, KpiConfig(velocity_window=2), since=date(2024, 4, 1))
    row = row_of(out, "sales_velocity", Q2)
    assert row["value"] == pytest.approx(2 * (2 / 3) * 200 / 20)
    assert row["denominator"] == pytest.approx(20)
    assert out.filter(out["period_start"] < date(2024, 4, 1)).height == 0  # look-back periods trimmed


def test_weighted_pipeline_takes_the_probability_of_the_deal_s_own_pipeline() -> None:
    # Two pipelines name a stage "proposal": 0.4 in "sales", 0.9 in "renewals" (listed first). The stage
    # visits already match stages on (pipeline, stage); the weighting must too.
    # r1 (renewals, no probability of its own): 100 × 0.9 = 90; s1 (sales): 200 × 0.4 = 80.
    # A stage of no known pipeline falls back to its name: x1 (pipeline "other"): 10 × the first
    # "proposal" listed, 0.9 = 9. Q1 weighted pipeline: 90 + 80 + 9 = 179.
    stages = [
        record(
            "sr",
            pipeline="renewals",
            stage="proposal",
            order=3,
            is_closed=False,
            is_won=False,
            probability=0.9,
        ),
        record(
            "ss", pipeline="sales", stage="proposal", order=3, is_closed=False, is_won=False, probability=0.4
        ),
    ]
    opportunities = [
        opp("r1", created="2024-01-10", amount=100.0, pipeline="renewals", stage="proposal"),
        opp("s1", created="2024-01-10", amount=200.0, pipeline="sales", stage="proposal"),
        opp("x1", created="2024-01-10", amount=10.0, pipeline="other", stage="proposal"),
    ]
    out = values(dataset(users=[user("u1")], opportunities=opportunities, stages=stages))
    assert value_of(out, "weighted_pipeline", Q1) == pytest.approx(179.0)


# Stage definitions with forecast categories (Salesforce's OpportunityStage.ForecastCategoryName).
CATEGORISED_STAGES = [
    record("cs1", stage="prospecting", order=1, is_closed=False, is_won=False, probability=0.1,
           forecast_category="pipeline"),
    record("cs2", stage="proposal", order=2, is_closed=False, is_won=False, probability=0.4,
           forecast_category="commit"),
    record("cs3", stage="closed_won", order=3, is_closed=True, is_won=True, probability=1.0,
           forecast_category="closed"),
]


@pytest.fixture(scope="module")
def held_stage_org():
    opportunities = [
        # w: won May 10 (its own probability 1.0, category closed). Prospecting Jan 10, proposal Mar 31 23:00
        # UTC (the last day of Q1 and of March), closed_won May 10.
        opp("w", created="2024-01-10", close="2024-05-10", won=True, amount=1000.0, stage="closed_won",
            probability=1.0, forecast_category="closed"),
        # o: open now in proposal with its own 0.5 and best_case. Prospecting Jan 20, proposal Apr 1 00:00
        # UTC (the first day of Q2).
        opp("o", created="2024-01-20", amount=200.0, stage="proposal", probability=0.5,
            forecast_category="best_case"),
    ]
    changes = [
        record("h1", opportunity_id="w", stage="prospecting", entered_at=at("2024-01-10")),
        record("h2", opportunity_id="w", stage="proposal", entered_at=at("2024-03-31", 23)),
        record("h3", opportunity_id="w", stage="closed_won", entered_at=at("2024-05-10")),
        record("h4", opportunity_id="o", stage="prospecting", entered_at=at("2024-01-20")),
        record("h5", opportunity_id="o", stage="proposal", entered_at=at("2024-04-01")),
    ]
    return dataset(users=[user("u1")], opportunities=opportunities, stage_changes=changes,
                   stages=CATEGORISED_STAGES)


def test_a_deal_won_later_counts_at_the_stage_it_held_then(held_stage_org) -> None:
    out = values(held_stage_org)
    # Mar 31: w held proposal (entered that day, not its current stage): the definition's 0.4 -> 400, not
    # its own 1.0 (1000); o held prospecting (proposal only from Apr 1): 0.1 -> 20, not its own 0.5.
    assert value_of(out, "weighted_pipeline", Q1) == pytest.approx(400 + 20)
    # Jun 30: w closed May 10, gone; o holds proposal, still its current stage: its own 0.5 -> 100.
    assert value_of(out, "weighted_pipeline", Q2) == pytest.approx(100)
    # both open at both ends
    assert value_of(out, "pipeline_count", Q1) == 2
    assert value_of(out, "pipeline_value", Q1) == 1200


def test_commit_pipeline_uses_the_category_held_at_period_end(held_stage_org) -> None:
    out = values(held_stage_org)
    # Mar 31: w in proposal, whose category is commit -> 1000 (its own "closed" is today's); o in
    # prospecting, pipeline -> 0.
    assert value_of(out, "commit_pipeline", Q1) == 1000
    # Jun 30: o in proposal, its current stage: its own best_case, not the stage's commit -> 0.
    assert value_of(out, "commit_pipeline", Q2) == 0


def test_held_stage_month_by_month(held_stage_org) -> None:
    out = values(held_stage_org, grain="month", since=date(2024, 1, 1))
    # w: Jan and Feb prospecting (100 each); Mar proposal (400); Apr proposal (400); closed in May.
    # o: Jan to Mar prospecting (20); Apr, May, Jun proposal, current -> 0.5 (100).
    expected = {"2024-01-01": 120, "2024-02-01": 120, "2024-03-01": 420, "2024-04-01": 500,
                "2024-05-01": 100, "2024-06-01": 100}
    for month, weighted in expected.items():
        assert value_of(out, "weighted_pipeline", month) == pytest.approx(weighted), month


def test_stages_without_a_category_leave_the_deal_s_own() -> None:
    # The stage definitions carry no forecast category (HubSpot's do not): a deal won in May, in proposal at
    # Mar 31, is weighted with proposal's 0.4 but keeps its own category (commit) -> commit pipeline 1000.
    deal = opp("d", created="2024-01-10", close="2024-05-10", won=True, amount=1000.0, stage="closed_won",
               probability=1.0, forecast_category="commit")
    changes = [change("k1", "d", "proposal", "2024-02-01"), change("k2", "d", "closed_won", "2024-05-10")]
    out = values(dataset(users=[user("u1")], opportunities=[deal], stage_changes=changes, stages=STAGES))
    assert value_of(out, "weighted_pipeline", Q1) == pytest.approx(400)
    assert value_of(out, "commit_pipeline", Q1) == 1000


def test_of_two_entries_on_the_period_s_last_day_the_later_is_held() -> None:
    # t entered prospecting Jan 5, then proposal at 09:00 and prospecting again at 17:00 on Mar 31 (the
    # last day of Q1); it is open now in proposal (entered Apr 2) with its own 0.5. At the end of Mar 31 it
    # held prospecting (the day's last entry), not its current stage: prospecting's 0.1 -> 100 × 0.1 = 10.
    deal = opp("t", created="2024-01-05", amount=100.0, stage="proposal", probability=0.5)
    changes = [  # listed out of time order: the history is ordered by entered_at, not as it comes
        record("t3", opportunity_id="t", stage="prospecting", entered_at=at("2024-03-31", 17)),
        record("t4", opportunity_id="t", stage="proposal", entered_at=at("2024-04-02")),
        record("t2", opportunity_id="t", stage="proposal", entered_at=at("2024-03-31", 9)),
        record("t1", opportunity_id="t", stage="prospecting", entered_at=at("2024-01-05")),
    ]
    out = values(dataset(users=[user("u1")], opportunities=[deal], stage_changes=changes, stages=STAGES))
    assert value_of(out, "weighted_pipeline", Q1) == pytest.approx(10)
    # Jun 30: proposal since Apr 2, its latest entry and its current stage: its own 0.5 -> 50
    assert value_of(out, "weighted_pipeline", Q2) == pytest.approx(50)


def test_a_history_row_that_repeats_the_stage_is_not_a_new_visit() -> None:
    # Salesforce writes an OpportunityHistory row whenever amount, probability or close date change, with
    # the stage unchanged. r1: prospecting Jan 2, again Jan 6 (an amount change), qualification Jan 12:
    # one prospecting visit of 10 days (not 4 and 6), entered once. r2: prospecting Jan 4 → closed_lost
    # Jan 24 = 20 days. Q1 prospecting duration (10 + 20) / 2 = 15; conversion: r1 progressed, r2 not = 1 / 2.
    ds = dataset(
        users=[user("u1")],
        opportunities=[opp("r1"), opp("r2", close="2024-01-24")],
        stage_changes=[
            change("a", "r1", "prospecting", "2024-01-02"),
            change("b", "r1", "prospecting", "2024-01-06"),
            change("c", "r1", "qualification", "2024-01-12"),
            change("d", "r2", "prospecting", "2024-01-04"),
            change("e", "r2", "closed_lost", "2024-01-24"),
        ],
        stages=STAGES,
    )
    out = values(ds)
    duration = row_of(out, "stage_duration_days", Q1, "stage", "prospecting")
    assert duration["value"] == pytest.approx(15) and duration["denominator"] == 2
    assert value_of(out, "stage_conversion", Q1, "stage", "prospecting") == pytest.approx(1 / 2)
