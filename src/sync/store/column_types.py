"""SQL column types for the schema's Python types, so a record table is derived from its pydantic model.

`kpi_engine.dataset.polars_schema` does the same for frames; both read the models, so the store, the frames
and the JSON schema cannot drift apart. A test checks that the migrations build exactly these tables.
"""

from __future__ import annotations

import types
import typing
from datetime import UTC, date, datetime

import sqlalchemy as sa
from pydantic import BaseModel
from sqlalchemy.engine import Dialect


class UtcDateTime(sa.types.TypeDecorator[datetime]):
    """A UTC instant: `timestamptz` on PostgreSQL; on SQLite the UTC wall time as text (SQLite has no time
    zones), read back as an aware UTC datetime. Naive values are refused, never guessed."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value.isoformat()} cannot be stored; give it a time zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


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
