"""The fact declarations: every KPI's fact exists and carries the KPI's scopes; each fact carries the scope
columns and reads only the input columns it declares; builds follow the declared needs."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from kpi_engine import Dataset, KpiConfig, compute
from kpi_engine.catalog import CATALOG
from kpi_engine.catalog.model import Kpi
from kpi_engine.context import ComputeContext
from kpi_engine.dataset import TABLE_SCHEMAS
from kpi_engine.declarations import catalog_errors, fact_columns, required_columns
from kpi_engine.fact_tables import FactTables
from kpi_engine.facts import FACTS, with_needs
from kpi_engine.prepared_input import prepare
from kpi_engine.scope_keys import KEY_COLUMNS, KEYED_SCOPES

BOOKINGS = CATALOG["bookings"]
assert isinstance(BOOKINGS, Kpi)


def test_the_catalog_fits_the_facts() -> None:
    assert catalog_errors(CATALOG.values()) == []


def test_a_kpi_naming_a_fact_that_does_not_exist_is_an_error() -> None:
    broken = replace(BOOKINGS, id="broken", fact="opportunities_closd")
    assert catalog_errors([broken]) == ["KPI 'broken' names fact 'opportunities_closd', which does not exist"]


def test_a_scope_the_fact_does_not_carry_is_an_error_not_dropped() -> None:
    # opportunities_closed has no product column: asking bookings by product must fail, not vanish.
    broken = replace(BOOKINGS, id="broken", scopes=("org", "product"))
    (error,) = catalog_errors([broken])
    assert "scope(s) product" in error and "'opportunities_closed'" in error
    CATALOG["broken"] = broken
    try:
        with pytest.raises(ValueError, match="do not fit the facts"):
            compute(Dataset.from_frames(), kpis=["broken"], as_of=date(2024, 6, 30))
    finally:
        del CATALOG["broken"]


def test_declared_columns_exist_in_the_schema() -> None:
    for spec in FACTS.values():
        for table, columns in spec.reads.items():
            assert set(columns) <= set(TABLE_SCHEMAS[table]), (spec.name, table)


def test_needs_come_first_and_unknown_needs_are_named() -> None:
    order = with_needs(["rep_quota_attainment", "stage_entries"])
    assert order.index("quotas") < order.index("rep_quota_attainment")
    assert order.index("opportunities_closed") < order.index("rep_quota_attainment")
    assert order.index("stage_visits") < order.index("stage_entries")
    with pytest.raises(ValueError, match="unknown fact 'nope'"):
        with_needs(["nope"])


def test_every_fact_carries_the_scopes_it_declares() -> None:
    # Each fact built alone on an empty input read for its declared columns (and its needs') only: a
    # builder reading an undeclared column fails here; the frame has a column per declared scope (a keyed
    # fact: the keys those scopes come from).
    for grain in ("quarter", "to_date"):
        day = date(2024, 6, 30)
        for name in FACTS:
            if grain == "to_date" and name.startswith(("pipeline", "weighted")):
                continue  # no to_date form
            prepared = prepare(Dataset.from_frames(), fact_columns([name]))
            ctx = ComputeContext.create(prepared, KpiConfig(), grain, day, date(2024, 1, 1), day)
            for spec, frame in FactTables(ctx, [name]):
                columns = set(frame.collect_schema().names())
                if set(KEY_COLUMNS) <= columns:
                    columns |= set(KEYED_SCOPES)
                assert set(spec.scopes) <= columns, (spec.name, grain)


def test_one_kpi_reads_its_own_columns() -> None:
    # bookings: closed opportunities (and their owner's team and account's region): no activity, lead or
    # stage history is read.
    columns = required_columns(["bookings"])
    assert set(columns) == {"opportunities", "users", "accounts"}
    assert "stage" not in columns["opportunities"] and "name" not in columns["opportunities"]
    assert set(required_columns(["spend"])) == {"spend"}
    assert columns == required_columns([BOOKINGS])
