"""Small hand-made records for the store tests."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from connectors.base import Batch, Quarantined, RecordTable
from kpi_engine.schema import Account, Activity, Opportunity, User

T0 = datetime(2025, 3, 1, 9, 30, tzinfo=UTC)


def at(day: int, hour: int = 9) -> datetime:
    return datetime(2025, 3, day, hour, 30, tzinfo=UTC)


def user(id: str = "005A", **fields: Any) -> User:
    values: dict[str, Any] = dict(
        source="salesforce",
        id=id,
        modified_at=T0,
        name=f"Rep {id}",
        email=f"{id.lower()}@example.com",
        team="East",
        started_at=date(2024, 1, 1),
    )
    return User(**(values | fields))


def account(id: str = "001A", **fields: Any) -> Account:
    values: dict[str, Any] = dict(
        source="salesforce",
        id=id,
        modified_at=T0,
        name=f"Acme {id}",
        owner_id="005A",
        created_at=datetime(2024, 6, 1, tzinfo=UTC),
        region="EMEA",
    )
    return Account(**(values | fields))


def opportunity(id: str = "006A", **fields: Any) -> Opportunity:
    values: dict[str, Any] = dict(
        source="salesforce",
        id=id,
        modified_at=T0,
        name=f"Deal {id}",
        account_id="001A",
        owner_id="005A",
        stage="Closed Won",
        probability=1.0,
        amount=1200.5,
        amount_original=1100.0,
        currency="EUR",
        created_at=datetime(2025, 1, 10, 8, 0, tzinfo=UTC),
        close_date=date(2025, 2, 14),
        is_closed=True,
        is_won=True,
        type="new_business",
        contract_months=12,
    )
    return Opportunity(**(values | fields))


def activity(id: str, **fields: Any) -> Activity:
    values: dict[str, Any] = dict(
        source="salesforce",
        id=id,
        modified_at=T0,
        kind="call",
        owner_id="005A",
        occurred_at=datetime(2025, 2, 3, 15, 0, 0, 123456, tzinfo=UTC),
    )
    return Activity(**(values | fields))


def batch(
    table: RecordTable,
    records: list[Any],
    cursor: dict[str, Any] | None = None,
    stream: str | None = None,
    quarantined: list[Quarantined] | None = None,
) -> Batch:
    return Batch(
        stream=stream or table,
        table=table,
        records=records,
        cursor=cursor,
        quarantined=quarantined or [],
    )
