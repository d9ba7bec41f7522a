"""Turn the generators' index-based columns into the shared schema's frames, with CRM-style ids.

Ids are handed out in creation order (as a CRM's counters do) and references are resolved by gathering
from the referenced table's id column, so every reference points at a row that exists.
"""

from __future__ import annotations

import numpy as np
import polars as pl

from sandbox.generator.accounts import CURRENCY_CODES, Accounts
from sandbox.generator.activities import (
    DIRECTION_LABELS,
    KIND_LABELS,
    MEETING,
    NOTE,
    OUTCOME_LABELS,
    SUBTYPE_LABELS,
)
from sandbox.generator.deals import Columns
from sandbox.generator.ids import ids_for_counters
from sandbox.generator.reference import (
    COMPANY_NOUNS,
    COMPANY_SUFFIXES,
    COMPANY_WORDS,
    CORPORATE_CURRENCY,
    CURRENCIES,
    FIRST_NAMES,
    INDUSTRIES,
    LAST_NAMES,
    LEAD_SOURCES,
    LEAD_STATUS_CLOSED,
    LEAD_STATUS_CONVERTED,
    LEAD_STATUSES_OPEN,
    OPPORTUNITY_TYPES,
    PIPELINE,
    PRODUCTS,
    REGIONS,
    STAGES,
    TYPE_LABELS,
    labels,
)
from sandbox.generator.sampling import dates, decode, timestamps
from sandbox.generator.spec import DAY_US, HOUR_US, Window
from sandbox.generator.tables import EXTRA_COLUMNS, REFERENCE_COLUMNS, SCHEMA_COLUMNS
from sandbox.generator.users import Staff

LEAD_STATUS_LABELS = [LEAD_STATUS_CONVERTED, *LEAD_STATUSES_OPEN, LEAD_STATUS_CLOSED]


def creation_ids(object_name: str, created_us: np.ndarray, source: str) -> pl.Series:
    """Ids per row (in row order), numbered by creation time."""
    order = np.argsort(created_us, kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return ids_for_counters(object_name, rank, source)


def masked(values: pl.Series, keep: np.ndarray) -> pl.Series:
    """values where keep, null elsewhere."""
    return pl.select(pl.when(pl.lit(pl.Series(keep))).then(pl.lit(values))).to_series().alias(values.name)


def refer(ids: pl.Series, index: np.ndarray) -> pl.Series:
    """ids[index], null where index is negative."""
    safe = pl.Series(np.where(index < 0, 0, index), dtype=pl.UInt32)
    return masked(ids.gather(safe), index >= 0)


def finish(table: str, frame: pl.DataFrame, order_by: str | None = None, source: str | None = None) -> pl.DataFrame:
    columns = SCHEMA_COLUMNS.get(table, {}) | EXTRA_COLUMNS.get(table, {}) | REFERENCE_COLUMNS.get(table, {})
    if source is not None:
        frame = frame.with_columns(source=pl.lit(source))
    # Rows stay in generation order: sorting 10M activity rows would double the peak memory, and ids
    # already follow creation time; `order_by` names the column a reader should sort by.
    del order_by
    return frame.select([pl.col(name).cast(dtype) for name, dtype in columns.items()])


def _recent(rng: np.random.Generator, us: np.ndarray, window: Window, days: float) -> np.ndarray:
    """A modification time up to `days` after `us`, before the horizon."""
    room = np.clip(window.horizon_us - 1 - us, 0, int(days * DAY_US))
    return us + (rng.random(len(us)) * room).astype(np.int64)


def users_frame(rng: np.random.Generator, staff: Staff, window: Window, source: str) -> pl.DataFrame:
    n = staff.count
    ids = ids_for_counters("users", np.arange(n), source)
    first = decode(rng.integers(0, len(FIRST_NAMES), n), list(FIRST_NAMES))
    last = decode(rng.integers(0, len(LAST_NAMES), n), list(LAST_NAMES))
    frame = pl.DataFrame({"first": first, "last": last, "n": np.arange(n)})
    changed_day = np.where(staff.ended_day >= 0, staff.ended_day, np.maximum(staff.started_day, window.start_us // DAY_US))
    modified = _recent(rng, changed_day * DAY_US + 9 * HOUR_US, window, 30)
    ended = staff.ended_day
    return finish("users", frame.with_columns(
        source=pl.lit(source), id=ids, deleted=pl.lit(False), modified_at=timestamps(np.minimum(modified, window.horizon_us - 1)),
        name=pl.concat_str("first", pl.lit(" "), "last"),
        email=pl.concat_str(pl.col("first").str.to_lowercase(), pl.lit("."), pl.col("last").str.to_lowercase(),
                            pl.col("n").cast(pl.String), pl.lit("@example-sales.com")),
        active=pl.Series((ended < 0) | (ended >= window.as_of_day)),
        team=decode(staff.team, staff.team_names),
        manager_id=refer(ids, staff.manager),
        started_at=dates(staff.started_day),
        ended_at=masked(dates(np.where(ended < 0, 0, ended)), ended >= 0),
    ))


def account_names(accounts: Accounts) -> pl.Series:
    parts = accounts.name_parts
    frame = pl.DataFrame({
        "w": decode(parts[:, 0], list(COMPANY_WORDS)), "n": decode(parts[:, 1], list(COMPANY_NOUNS)),
        "s": decode(parts[:, 2], list(COMPANY_SUFFIXES)),
    })
    return frame.select(pl.concat_str("w", pl.lit(" "), "n", pl.lit(" "), "s").str.strip_chars()).to_series()


def accounts_frame(rng: np.random.Generator, accounts: Accounts, ids: pl.Series, user_ids: pl.Series,
                   window: Window, source: str) -> pl.DataFrame:
    return finish("accounts", pl.DataFrame({
        "id": ids,
        "deleted": np.zeros(accounts.count, dtype=bool),
        "modified_at": timestamps(_recent(rng, np.maximum(accounts.created_us, window.start_us), window, 365)),
        "name": account_names(accounts), "owner_id": refer(user_ids, accounts.owner),
        "created_at": timestamps(accounts.created_us),
        "industry": decode(accounts.industry, labels(INDUSTRIES)),
        "region": decode(accounts.region, [r.name for r in REGIONS]),
        "currency": decode(accounts.currency, CURRENCY_CODES),
    }), "created_at", source)


def opportunities_frame(deals: Columns, money: Columns, stage: np.ndarray, modified_us: np.ndarray,
                        refs: dict[str, pl.Series], currency: np.ndarray, source: str) -> pl.DataFrame:
    n = len(stage)
    probability = np.array([s.probability for s in STAGES])[stage - 1]
    forecast = [s.forecast_category for s in STAGES]
    type_label = decode(deals["kind"], list(TYPE_LABELS))
    return finish("opportunities", pl.DataFrame({
        "id": refs["opportunity_ids"],
        "deleted": deals["deleted"], "modified_at": timestamps(modified_us),
        "account_name": refs["account_names"].gather(pl.Series(deals["account"], dtype=pl.UInt32)),
        "type_label": type_label,
        "account_id": refs["account_ids"].gather(pl.Series(deals["account"], dtype=pl.UInt32)),
        "owner_id": refs["user_ids"].gather(pl.Series(deals["owner"], dtype=pl.UInt32)),
        "pipeline": pl.Series([PIPELINE] * n, dtype=pl.String),
        "stage": decode(stage - 1, [s.name for s in STAGES]),
        "probability": probability,
        "forecast_category": decode(stage - 1, forecast),
        "type": decode(deals["kind"], list(OPPORTUNITY_TYPES)),
        "lead_source": decode(deals["lead_source"], labels(LEAD_SOURCES)),
        "amount": pl.Series(money["amount"]).fill_nan(None),
        "amount_original": pl.Series(money["amount_original"]).fill_nan(None),
        "currency": decode(currency, CURRENCY_CODES),
        "created_at": timestamps(deals["created_us"]),
        "close_date": dates(deals["close_day"]),
        "is_closed": deals["is_closed"], "is_won": deals["is_won"],
        "contract_months": deals["contract_months"].astype(np.int64),
        "stage_order": stage.astype(np.int64),
    }).with_columns(name=pl.concat_str("account_name", pl.lit(" - "), "type_label")), "created_at", source)


def stage_changes_frame(history: Columns, deals: Columns, opportunity_ids: pl.Series, source: str) -> pl.DataFrame:
    deal = pl.Series(history["deal"], dtype=pl.UInt32)
    entered = timestamps(history["entered_us"])
    return finish("stage_changes", pl.DataFrame({
        "id": creation_ids("stage_changes", history["entered_us"], source),
        "deleted": deals["deleted"][history["deal"]], "modified_at": entered,
        "opportunity_id": opportunity_ids.gather(deal),
        "stage": decode(history["stage"] - 1, [s.name for s in STAGES]), "entered_at": entered,
    }), "entered_at", source)


def stages_frame(window: Window, source: str) -> pl.DataFrame:
    n = len(STAGES)
    return finish("stages", pl.DataFrame({
        "source": [source] * n, "id": ids_for_counters("stages", np.arange(n), source), "deleted": [False] * n,
        "modified_at": timestamps(np.full(n, window.start_us - 400 * DAY_US)),
        "pipeline": [PIPELINE] * n, "stage": [s.name for s in STAGES], "order": [s.order for s in STAGES],
        "probability": [s.probability for s in STAGES], "is_closed": [s.is_closed for s in STAGES],
        "is_won": [s.is_won for s in STAGES], "forecast_category": [s.forecast_category for s in STAGES],
    }))


def reference_frames(source: str) -> dict[str, pl.DataFrame]:
    return {
        "currencies": finish("currencies", pl.DataFrame({
            "iso_code": [c.iso_code for c in CURRENCIES], "rate": [c.rate for c in CURRENCIES],
            "is_corporate": [c.iso_code == CORPORATE_CURRENCY for c in CURRENCIES],
        })),
        "products": finish("products", pl.DataFrame({
            "id": ids_for_counters("products", np.arange(len(PRODUCTS)), source),
            "name": [p.name for p in PRODUCTS], "family": [p.family for p in PRODUCTS],
            "list_price": [p.list_price for p in PRODUCTS],
        })),
    }


def activity_ids(kind: np.ndarray, occurred_us: np.ndarray, source: str) -> pl.Series:
    """Salesforce: meetings are Events (00U), notes Notes (002), the rest Tasks (00T); HubSpot: one range per type."""
    if source == "salesforce":
        group = np.where(kind == MEETING, 1, np.where(kind == NOTE, 2, 0))
        names = ["tasks", "events", "notes"]
    else:
        group = kind
        names = [f"{k}s" for k in KIND_LABELS]
    rows = [np.flatnonzero(group == code) for code in range(len(names))]
    parts = [creation_ids(name, occurred_us[r], source) for name, r in zip(names, rows, strict=True)]
    position = np.empty(len(kind), dtype=np.int64)
    position[np.concatenate(rows)] = np.arange(len(kind))
    return pl.concat(parts).gather(pl.Series(position, dtype=pl.UInt32))


def activities_frame(rng: np.random.Generator, acts: Columns, deals: Columns, refs: dict[str, pl.Series],
                     window: Window, source: str) -> pl.DataFrame:
    occurred = acts["occurred_us"]
    modified = np.minimum(_recent(rng, np.minimum(occurred, window.horizon_us - 1), window, 1), window.horizon_us - 1)
    deal = acts["deal"]
    account = np.where(deal >= 0, deals["account"][np.maximum(deal, 0)], -1)
    opened = acts["opened"]
    return finish("activities", pl.DataFrame({
        "id": activity_ids(acts["kind"], occurred, source),
        "deleted": acts["deleted"], "modified_at": timestamps(modified),
        "kind": decode(acts["kind"], KIND_LABELS), "subtype": decode(acts["subtype"], SUBTYPE_LABELS),
        "owner_id": refs["user_ids"].gather(pl.Series(acts["owner"], dtype=pl.UInt32)),
        "occurred_at": timestamps(occurred),
        "duration_seconds": pl.Series(acts["duration"]).fill_nan(None),
        "completed": acts["completed"], "outcome": decode(acts["outcome"], OUTCOME_LABELS),
        "direction": decode(acts["direction"], DIRECTION_LABELS),
        "opened": masked(pl.Series(opened == 1), opened >= 0),
        "opportunity_id": refer(refs["opportunity_ids"], deal),
        "account_id": refer(refs["account_ids"], account),
        "lead_id": refer(refs["lead_ids"], acts["lead"]),
    }), "occurred_at", source)


def line_items_frame(rng: np.random.Generator, items: Columns, deals: Columns, opportunity_ids: pl.Series,
                     product_ids: pl.Series, window: Window, source: str) -> pl.DataFrame:
    deal = items["deal"]
    added = _recent(rng, deals["created_us"][deal], window, 2)
    product = pl.Series(items["product"], dtype=pl.UInt32)
    return finish("line_items", pl.DataFrame({
        "id": creation_ids("line_items", added, source),
        "deleted": deals["deleted"][deal], "modified_at": timestamps(added),
        "opportunity_id": opportunity_ids.gather(pl.Series(deal, dtype=pl.UInt32)),
        "product_id": product_ids.gather(product),
        "product_name": pl.Series([p.name for p in PRODUCTS]).gather(product),
        "product_family": pl.Series([p.family for p in PRODUCTS]).gather(product),
        "quantity": items["quantity"], "unit_price": items["unit_price"], "total_price": items["total_price"],
    }), "modified_at", source)


def leads_frame(rng: np.random.Generator, leads: Columns, deals: Columns, refs: dict[str, pl.Series],
                source: str) -> pl.DataFrame:
    n = len(leads["created_us"])
    deal = leads["deal"]
    account = np.where(deal >= 0, deals["account"][np.maximum(deal, 0)], -1)
    converted = leads["converted_us"]
    first = decode(rng.integers(0, len(FIRST_NAMES), n), list(FIRST_NAMES))
    last = decode(rng.integers(0, len(LAST_NAMES), n), list(LAST_NAMES))
    company = decode(rng.integers(0, len(COMPANY_WORDS), n), list(COMPANY_WORDS))
    return finish("leads", pl.DataFrame({
        "id": refs["lead_ids"],
        "deleted": leads["deleted"], "modified_at": timestamps(leads["modified_us"]),
        "owner_id": refs["user_ids"].gather(pl.Series(leads["owner"], dtype=pl.UInt32)),
        "created_at": timestamps(leads["created_us"]),
        "lead_source": decode(leads["lead_source"], labels(LEAD_SOURCES)),
        "status": decode(leads["status"], LEAD_STATUS_LABELS),
        "converted_at": masked(timestamps(np.maximum(converted, 0)), converted >= 0),
        "converted_account_id": refer(refs["account_ids"], account),
        "converted_opportunity_id": refer(refs["opportunity_ids"], deal),
        "first_name": first, "last_name": last, "company": company,
        "row": np.arange(n),
    }).with_columns(
        company=pl.when(pl.Series(account >= 0)).then(refs["account_names"].gather(pl.Series(np.maximum(account, 0), dtype=pl.UInt32)))
        .otherwise(pl.concat_str("company", pl.lit(" "), pl.lit("Prospect"))),
        email=pl.concat_str(pl.col("first_name").str.to_lowercase(), pl.lit("."),
                            pl.col("last_name").str.to_lowercase(), pl.col("row").cast(pl.String),
                            pl.lit("@example.net")),
    ), "created_at", source)
