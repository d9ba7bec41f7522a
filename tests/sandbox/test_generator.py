"""The org generator: determinism, schema conformance, referential integrity and plausible distributions."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import polars as pl
import pytest

from kpi_engine.dataset import TABLE_SCHEMAS, Dataset
from kpi_engine.schema import RECORD_FILES, Quota, Spend
from sandbox.generator import SIZES, OrgSpec, generate_org
from sandbox.generator.tables import EXTRA_COLUMNS, SCHEMA_COLUMNS

AS_OF = date(2025, 6, 30)
HORIZON = datetime.combine(AS_OF, time(), tzinfo=UTC)


@pytest.fixture(scope="module")
def tiny():
    return generate_org("tiny", seed=7, as_of=AS_OF)


@pytest.fixture(scope="module")
def small():
    return generate_org("small", seed=0, as_of=AS_OF)


@pytest.fixture(scope="module")
def small_hubspot():
    return generate_org("small", seed=0, as_of=AS_OF, source="hubspot")


def test_same_arguments_give_the_same_org_byte_for_byte(tmp_path: Path) -> None:
    first, second = (generate_org("tiny", seed=3, as_of=AS_OF) for _ in range(2))
    for table, frame in first.tables.items():
        assert frame.equals(second.tables[table]), table
    first.write_jsonl(tmp_path / "a")
    second.write_jsonl(tmp_path / "b")
    for path in sorted((tmp_path / "a").iterdir()):
        assert path.read_bytes() == (tmp_path / "b" / path.name).read_bytes(), path.name


def test_another_seed_gives_another_org(tiny) -> None:
    other = generate_org("tiny", seed=8, as_of=AS_OF)
    assert not other.tables["opportunities"]["amount"].equals(tiny.tables["opportunities"]["amount"])


def test_source_changes_the_ids_not_the_records(small, small_hubspot) -> None:
    sf, hs = small.tables["opportunities"], small_hubspot.tables["opportunities"]
    assert sf["amount"].equals(hs["amount"]) and sf["stage"].equals(hs["stage"])
    assert sf["id"].str.len_chars().unique().to_list() == [18]
    assert sf["id"].str.starts_with("006").all()
    assert hs["id"].str.contains(r"^\d+$").all()


@pytest.mark.parametrize(("table", "prefix"), [
    ("users", "005"), ("accounts", "001"), ("leads", "00Q"), ("opportunities", "006"), ("stage_changes", "008"),
    ("line_items", "00k"),
])
def test_salesforce_ids_carry_object_prefixes_and_are_unique(small, table: str, prefix: str) -> None:
    ids = small.tables[table]["id"]
    assert ids.str.starts_with(prefix).all()
    assert ids.n_unique() == len(ids)


def test_salesforce_ids_have_the_case_safe_suffix(small) -> None:
    # The suffix encodes, per 5-char chunk, which characters are upper case: bit i for char i,
    # mapped onto A-Z0-5. Worked out here independently of the generator.
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"
    for record_id in small.tables["opportunities"]["id"].head(50):
        suffix = "".join(
            alphabet[sum(1 << i for i, c in enumerate(record_id[chunk * 5:chunk * 5 + 5]) if c.isupper())]
            for chunk in range(3)
        )
        assert record_id[15:] == suffix


def test_activity_ids_follow_the_salesforce_object(small) -> None:
    acts = small.tables["activities"]
    meetings = acts.filter(pl.col("kind") == "meeting")["id"]
    tasks = acts.filter(pl.col("kind").is_in(["call", "email", "task"]))["id"]
    assert meetings.str.starts_with("00U").all() and tasks.str.starts_with("00T").all()
    assert acts["id"].n_unique() == acts.height


@pytest.mark.parametrize("table", list(SCHEMA_COLUMNS))
def test_columns_and_types_are_the_shared_schemas(tiny, table: str) -> None:
    frame = tiny.tables[table]
    expected = dict(TABLE_SCHEMAS[table]) | EXTRA_COLUMNS.get(table, {})
    assert dict(frame.schema) == expected
    assert frame.columns[: len(TABLE_SCHEMAS[table])] == list(TABLE_SCHEMAS[table])


def test_reference_tables_for_renderers(small) -> None:
    currencies = small.tables["currencies"]
    assert currencies.filter(pl.col("is_corporate"))["iso_code"].to_list() == ["USD"]
    assert set(small.tables["opportunities"]["currency"].unique()) <= set(currencies["iso_code"])
    assert set(small.tables["line_items"]["product_id"].unique()) <= set(small.tables["products"]["id"])


@pytest.mark.parametrize("source", ["salesforce", "hubspot"])
def test_every_row_passes_the_schema_models(source: str) -> None:
    org = generate_org("small", seed=1, as_of=AS_OF, source=source)
    for table, (_, model) in RECORD_FILES.items():
        for row in org.tables[table].iter_rows(named=True):
            model.model_validate(row)
    for row in org.tables["quotas"].iter_rows(named=True):
        Quota.model_validate(row)
    for row in org.tables["spend"].iter_rows(named=True):
        Spend.model_validate(row)


def test_sizes_are_as_specified(tiny, small) -> None:
    assert (tiny.tables["users"].height, tiny.tables["opportunities"].height, tiny.tables["activities"].height) == (
        8, 60, 600)
    assert (small.tables["users"].height, small.tables["opportunities"].height) == (30, 2_000)
    assert small.tables["activities"].height == 20_000
    assert small.tables["accounts"].height == 600
    assert 2_000 <= small.tables["leads"].height <= 2_600


def test_an_orgspec_scales_everything_with_opportunities() -> None:
    org = generate_org(OrgSpec(opportunities=1_000), seed=2, as_of=AS_OF)
    assert org.tables["opportunities"].height == 1_000
    assert org.tables["activities"].height == 10_000  # 10 per opportunity
    assert org.tables["accounts"].height == 300 and org.tables["users"].height == 8
    assert 1_000 < org.tables["line_items"].height < 2_000  # 7 in 10 deals × ~1.65 items


def test_unknown_size_and_source_are_refused() -> None:
    with pytest.raises(ValueError, match="unknown org size 'huge'"):
        generate_org("huge")
    with pytest.raises(ValueError, match="unknown source"):
        generate_org("tiny", source="pipedrive")
    assert set(SIZES) == {"tiny", "small", "medium", "large"}


def _ids(org, table: str) -> set[str]:
    return set(org.tables[table]["id"])


@pytest.mark.parametrize("org_name", ["tiny", "small"])
def test_references_point_at_existing_records(org_name: str, request) -> None:
    org = request.getfixturevalue(org_name)
    t = org.tables
    users, accounts, opps, leads = (_ids(org, n) for n in ("users", "accounts", "opportunities", "leads"))
    for table in ("accounts", "leads", "opportunities", "activities"):
        assert set(t[table]["owner_id"].drop_nulls()) <= users, table
    assert set(t["users"]["manager_id"].drop_nulls()) <= users
    assert set(t["opportunities"]["account_id"]) <= accounts
    assert set(t["stage_changes"]["opportunity_id"]) <= opps
    assert set(t["line_items"]["opportunity_id"]) <= opps
    assert set(t["activities"]["opportunity_id"].drop_nulls()) <= opps
    assert set(t["activities"]["account_id"].drop_nulls()) <= accounts
    assert set(t["activities"]["lead_id"].drop_nulls()) <= leads
    assert set(t["quotas"]["owner"]) <= users
    converted = t["leads"].filter(pl.col("converted_at").is_not_null())
    assert converted.height > 0
    assert set(converted["converted_opportunity_id"]) <= opps
    assert set(converted["converted_account_id"]) <= accounts
    # The converted opportunity belongs to the converted account and was created at conversion.
    joined = converted.join(t["opportunities"], left_on="converted_opportunity_id", right_on="id")
    assert (joined["converted_account_id"] == joined["account_id"]).all()
    assert (joined["converted_at"] == joined["created_at_right"]).all()
    assert (joined["created_at"] < joined["converted_at"]).all()


def test_every_deal_has_an_owner_and_activities_tie_to_a_deal_or_lead(small) -> None:
    assert small.tables["opportunities"]["owner_id"].null_count() == 0
    acts = small.tables["activities"]
    assert (acts["opportunity_id"].is_not_null() ^ acts["lead_id"].is_not_null()).all()


def test_stage_history_matches_the_current_stage(small) -> None:
    stages = small.tables["stages"].select("stage", "order")
    history = small.tables["stage_changes"].join(stages, on="stage").sort("opportunity_id", "entered_at")
    opps = small.tables["opportunities"]
    last = history.group_by("opportunity_id").agg(pl.col("stage").last(), pl.col("entered_at").first().alias("first"))
    joined = opps.join(last, left_on="id", right_on="opportunity_id", how="left")
    assert joined["stage_right"].null_count() == 0  # every deal has a history
    assert (joined["stage"] == joined["stage_right"]).all()
    assert (joined["first"] == joined["created_at"]).all()  # the first stage is entered at creation
    # Between creation and close (the close date's end of day) for closed deals; before as_of for all.
    span = history.join(opps.select("id", "created_at", "close_date", "is_closed"), left_on="opportunity_id",
                        right_on="id")
    assert (span["entered_at"] >= span["created_at"]).all()
    assert (span["entered_at"] < HORIZON).all()
    closed = span.filter(pl.col("is_closed"))
    assert (closed["entered_at"].dt.date() <= closed["close_date"]).all()


def test_stage_paths_only_go_forward_except_reopened_deals(small) -> None:
    stages = small.tables["stages"].select("stage", "order")
    history = small.tables["stage_changes"].join(stages, on="stage").sort("opportunity_id", "entered_at")
    steps = history.with_columns(previous=pl.col("order").shift().over("opportunity_id")).drop_nulls("previous")
    backwards = steps.filter(pl.col("order") <= pl.col("previous"))
    # Going back only ever happens right after Closed Lost (order 7): a reopened deal.
    assert (backwards["previous"] == 7).all()
    assert 0 < backwards.height < 20  # 2% of ~500 won deals were reopened
    # Lost deals may skip straight to Closed Lost from any open stage.
    lost_from = steps.filter(pl.col("order") == 7)["previous"].unique().to_list()
    assert set(lost_from) >= {1, 2, 3}


def test_won_line_items_sum_to_the_amount(small) -> None:
    items = small.tables["line_items"]
    assert ((items["quantity"] * items["unit_price"] - items["total_price"]).abs() < 1e-6).all()
    sums = items.group_by("opportunity_id").agg(pl.col("total_price").sum())
    won = small.tables["opportunities"].filter(pl.col("is_won")).join(sums, left_on="id", right_on="opportunity_id")
    assert won.height > 100
    assert ((won["amount"] - won["total_price"]).abs() < 0.006).all()


def test_original_amount_is_the_amount_at_the_currency_rate(small) -> None:
    opps = small.tables["opportunities"].join(small.tables["currencies"], left_on="currency", right_on="iso_code")
    opps = opps.drop_nulls("amount")
    # JPY rounds to whole yen; everything else to cents.
    assert ((opps["amount"] * opps["rate"] - opps["amount_original"]).abs() <= 0.5).all()
    assert opps["currency"].n_unique() >= 5


def test_outcomes_and_close_dates_respect_as_of(small) -> None:
    opps = small.tables["opportunities"]
    assert (opps["created_at"] < HORIZON).all()
    assert (opps.filter(pl.col("is_closed"))["close_date"] < AS_OF).all()
    assert (opps.filter(~pl.col("is_closed"))["close_date"] >= AS_OF).all()
    assert (opps["created_at"] >= HORIZON - timedelta(days=731)).all()
    assert (opps["modified_at"] < HORIZON).all()
    assert (opps.filter(pl.col("is_won"))["stage"] == "Closed Won").all()


def test_win_rates_and_cycles_are_plausible(small) -> None:
    nb = small.tables["opportunities"].filter((pl.col("type") == "new_business") & pl.col("is_closed"))
    assert 0.18 <= nb["is_won"].mean() <= 0.35
    by_rep = nb.group_by("owner_id").agg(pl.col("is_won").mean(), pl.len()).filter(pl.col("len") >= 30)
    assert by_rep["is_won"].max() - by_rep["is_won"].min() > 0.1  # win rates differ by rep
    won = nb.filter(pl.col("is_won"))
    cycle = (pl.col("close_date") - pl.col("created_at").dt.date()).dt.total_days()
    days = won.select(cycle).to_series()
    assert days.min() >= 20 and days.max() <= 121 and 40 <= days.median() <= 75


def test_amounts_are_lognormal_around_20k_with_a_few_nulls(small) -> None:
    amount = small.tables["opportunities"]["amount"]
    assert 12_000 <= amount.median() <= 30_000
    assert amount.mean() > amount.median()  # right-skewed
    assert 0 < amount.null_count() < 0.05 * len(amount)
    assert (amount.drop_nulls() > 0).all()


def test_renewals_expansions_and_churn_happen(small) -> None:
    opps = small.tables["opportunities"]
    types = dict(opps.group_by("type").len().iter_rows())
    assert types["new_business"] > types["renewal"] > 50 and types["expansion"] > 20
    renewals = opps.filter((pl.col("type") == "renewal") & pl.col("is_closed"))
    churned = renewals.filter(~pl.col("is_won")).height
    assert 0 < churned < renewals.height / 2
    # A renewal is on an account that had won business before it.
    first_win = opps.filter(pl.col("is_won") & (pl.col("type") == "new_business")).group_by("account_id").agg(
        pl.col("close_date").min())
    checked = renewals.join(first_win, on="account_id", how="left")
    assert (checked["close_date_right"] < checked["close_date"]).all()


def test_leads_activities_and_users_have_the_expected_variety(small) -> None:
    leads = small.tables["leads"]
    assert {"Referral", "Partner Referral", "Web", "Event", "Outbound", "Paid Search"} <= set(leads["lead_source"])
    assert 0.1 < leads["converted_at"].is_not_null().mean() < 0.5
    acts = small.tables["activities"]
    assert set(acts["kind"]) == {"call", "email", "meeting", "task", "note"}
    demos = acts.filter((pl.col("kind") == "meeting") & (pl.col("subtype") == "Demo"))
    assert demos.height > 100
    calls = acts.filter(pl.col("kind") == "call")
    assert set(calls["outcome"].drop_nulls()) == {"connected", "no_answer", "voicemail", "busy", "other"}
    assert calls["duration_seconds"].null_count() == 0
    assert acts.filter(pl.col("kind") == "email")["opened"].null_count() > 0
    assert acts.filter(~pl.col("completed") & (pl.col("occurred_at") >= HORIZON)).height > 0  # scheduled
    assert 0 < acts["deleted"].sum() < 0.02 * acts.height
    users = small.tables["users"]
    assert users["ended_at"].is_not_null().sum() >= 1  # someone left
    assert (users["started_at"] > AS_OF - timedelta(days=730)).sum() >= 1  # someone joined
    assert (users["active"] == users["ended_at"].is_null()).all()
    assert users["team"].drop_nulls().n_unique() == 3


def test_quotas_are_quarterly_per_rep_and_spend_monthly(small) -> None:
    quotas = small.tables["quotas"]
    months = (quotas["period_end"].dt.month() - quotas["period_start"].dt.month()) % 12
    assert (months == 3).all() and (quotas["period_start"].dt.day() == 1).all()
    assert (quotas["amount"] > 0).all()
    spend = small.tables["spend"]
    # 730 days before 2025-06-30 is 2023-07-01 (2024 is a leap year): July 2023 .. June 2025 is 24 months,
    # each with 4 categories.
    assert spend.height == 24 * 4


def test_write_jsonl_round_trips_through_the_schema(tiny, tmp_path: Path) -> None:
    written = tiny.write_jsonl(tmp_path)
    assert {p.name for p in written} == {f for f, _ in RECORD_FILES.values()} | {"quotas.csv", "spend.csv"}
    records = {}
    for table, (file_name, model) in RECORD_FILES.items():
        lines = (tmp_path / file_name).read_text().splitlines()
        assert len(lines) == tiny.tables[table].height
        records[table] = [model.model_validate(json.loads(line)) for line in lines]
    quotas = [Quota.model_validate(row) for row in pl.read_csv(tmp_path / "quotas.csv").iter_rows(named=True)]
    spend = [Spend.model_validate(row) for row in pl.read_csv(tmp_path / "spend.csv").iter_rows(named=True)]
    dataset = Dataset.from_records(quotas=quotas, spend=spend, **records)
    for table in RECORD_FILES:
        original = tiny.tables[table].select(list(TABLE_SCHEMAS[table]))
        assert getattr(dataset, table).equals(original), table


def test_quotas_follow_the_booking_pace_so_attainment_is_plausible_every_quarter(small) -> None:
    # Org attainment per calendar quarter = won amount closed in it / the quotas of that quarter. The plan is
    # the quarter's own pace × 1.15 with ±15% noise per rep, so every quarter that lies wholly inside the
    # window and before as-of, and has bookings, should land near 1/1.15 ≈ 0.87 — not drift with growth.
    opportunities, quotas = small.tables["opportunities"], small.tables["quotas"]
    won = opportunities.filter(pl.col("is_won") & ~pl.col("deleted") & pl.col("amount").is_not_null())
    booked = won.group_by(pl.col("close_date").dt.truncate("1q").alias("quarter")).agg(pl.col("amount").sum())
    planned = quotas.group_by(pl.col("period_start").alias("quarter")).agg(
        pl.col("amount").sum().alias("quota"), pl.col("period_end").first())
    first_full = quotas["period_start"].min()
    full = planned.join(booked, on="quarter").filter(
        (pl.col("quarter") > first_full) & (pl.col("period_end") <= AS_OF))
    attainment = (full["amount"] / full["quota"]).to_list()
    assert len(attainment) >= 4
    assert all(0.6 <= a <= 1.2 for a in attainment), attainment
