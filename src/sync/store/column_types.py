"""SQL column types for the schema's Python types, so a record table is derived from its pydantic model.

`kpi_engine.dataset.polars_schema` does the same for frames; both read the models, so the store, the frames
and the JSON schema cannot drift apart. A test checks that the migrations build exactly these tables.
"""

from __future__ import annotations

import types
import typing
from datetime import UTC, date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import Dialect


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A UTC instant: `timestamptz` on PostgreSQL; on SQLite (which has no date type) an integer of
    microseconds since 1970-01-01 UTC, read back as an aware UTC datetime. Integers because the compute
    reads columns straight into Arrow, where parsing datetime text took 80 % of reading a table
    (bench/store_read.py); they also compare and sort correctly in SQL. Naive values are refused."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def load_dialect_impl(self, dialect: Dialect) -> sa.types.TypeEngine[Any]:
        if dialect.name == "sqlite":
            return dialect.type_descriptor(sa.BigInteger())
        return dialect.type_descriptor(sa.DateTime(timezone=True))

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | int | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored; give it a time zone")
        if dialect.name == "sqlite":
            return (value - _EPOCH) // _MICROSECOND
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | int | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if isinstance(value, int):
            return _EPOCH + value * _MICROSECOND
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)

_SIMPLE: dict[object, typing.Callable[[], sa.types.TypeEngine[typing.Any]]] = {
    str: sa.String,
    bool: sa.Boolean,
    int: sa.BigInteger,
    float: sa.Float,
    datetime: UtcDateTime,
    date: sa.Date,
}


def sql_type(annotation: object) -> sa.types.TypeEngine[typing.Any]:
    """The column type of a model field's annotation (optionals, Literals and Annotated included)."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return sql_type(typing.get_args(annotation)[0])
    if origin in (typing.Union, types.UnionType):
        (inner,) = [a for a in typing.get_args(annotation) if a is not type(None)]
        return sql_type(inner)
    if origin is typing.Literal:
        return sa.String()
    return _SIMPLE[annotation]()


def model_columns(model: type[BaseModel], *, skip: tuple[str, ...] = ()) -> list[sa.Column[typing.Any]]:
    """One nullable column per model field, in declaration order (the key columns are added by the caller;
    nullability is the model's business: the store keeps what validation let through)."""
    return [
        sa.Column(name, sql_type(field.annotation), nullable=True)
        for name, field in model.model_fields.items()
        if name not in skip
    ]
