"""SOQL parsing with lark: the query text becomes a small AST (`Query`), or an `ApiError` with the real
MALFORMED_QUERY message shape (the query, a caret under the offending column, `ERROR at Row:1:Column:N`).

Field names are resolved later, against the store's describe metadata (see `soql_eval`), because custom
fields can appear at any time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any

from lark import Lark, Token, Transformer, v_args
from lark.exceptions import UnexpectedCharacters, UnexpectedEOF, UnexpectedInput, UnexpectedToken

from sandbox.salesforce.errors import ApiError
from sandbox.salesforce.values import BadValue, parse_date, parse_datetime

_PARSER = Lark(Path(__file__).with_name("soql.lark").read_text(), parser="lalr", propagate_positions=True,
               maybe_placeholders=False)


@dataclass(frozen=True)
class Path_:
    """A field reference: `Amount`, `Owner.Email`; `column` (1-based) is where it starts, for errors."""

    parts: tuple[str, ...]
    column: int = 0

    @property
    def text(self) -> str:
        return ".".join(self.parts)


@dataclass(frozen=True)
class DateLiteral:
    """TODAY, LAST_N_DAYS:30, ...: resolved to a [start, end) range of dates when evaluated."""

    name: str
    n: int | None = None


@dataclass
class Comparison:
    path: Path_
    op: str  # = != < <= > >= in not_in like
    value: Any  # a Python value, a DateLiteral, a list for IN, None for null


@dataclass
class BoolOp:
    op: str  # and / or / not
    items: list[Any]


@dataclass
class OrderItem:
    path: Path_
    descending: bool = False
    nulls_last: bool = False


@dataclass
class Query:
    sobject: str
    fields: list[Path_] = field(default_factory=list)
    count: bool = False
    where: Any = None
    order: list[OrderItem] = field(default_factory=list)
    limit: int | None = None
    offset: int | None = None
    sobject_column: int = 0


_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "b": "\b", "f": "\f", "'": "'", '"': '"', "\\": "\\",
            "_": "\\_", "%": "\\%"}


def _unquote(text: str) -> str:
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(1)), text[1:-1])


@v_args(inline=True)
class _ToAst(Transformer):
    def start(self, select: Any, name: Token, *clauses: Any) -> Query:
        q = Query(sobject=str(name), sobject_column=name.column)
        if select == "COUNT":
            q.count = True
        else:
            q.fields = select
        for kind, value in clauses:
            setattr(q, kind, value)
        return q

    def select_list(self, *items: Any) -> Any:
        return "COUNT" if items and items[0] == "COUNT" else list(items)

    def count_all(self) -> str:
        return "COUNT"

    def field_path(self, *names: Token) -> Path_:
        return Path_(tuple(str(n) for n in names), names[0].column)

    def where(self, cond: Any) -> tuple[str, Any]:
        return ("where", cond)

    def and_(self, *items: Any) -> BoolOp:
        return BoolOp("and", list(items))

    def or_(self, *items: Any) -> BoolOp:
        return BoolOp("or", list(items))

    def not_(self, item: Any) -> BoolOp:
        return BoolOp("not", [item])

    def compare(self, path: Path_, op: Token, value: Any) -> Comparison:
        return Comparison(path, "!=" if str(op) == "<>" else str(op), value)

    def in_(self, path: Path_, *values: Any) -> Comparison:
        return Comparison(path, "in", list(values))

    def not_in(self, path: Path_, *values: Any) -> Comparison:
        return Comparison(path, "not_in", list(values))

    def like(self, path: Path_, pattern: Token) -> Comparison:
        return Comparison(path, "like", _unquote(str(pattern)))

    def string(self, tok: Token) -> str:
        return _unquote(str(tok))

    def number(self, tok: Token) -> float:
        return float(tok)

    def datetime(self, tok: Token) -> datetime:
        return parse_datetime(str(tok))

    def date(self, tok: Token) -> date:
        return parse_date(str(tok))

    def null(self) -> None:
        return None

    def true(self) -> bool:
        return True

    def false(self) -> bool:
        return False

    def date_literal_n(self, tok: Token) -> DateLiteral:
        name, n = str(tok).split(":")
        return DateLiteral(name.upper(), int(n))

    def date_literal(self, tok: Token) -> DateLiteral:
        return DateLiteral(str(tok).upper())

    def order(self, *items: OrderItem) -> tuple[str, list[OrderItem]]:
        return ("order", list(items))

    def order_item(self, path: Path_, *mods: Token) -> OrderItem:
        item = OrderItem(path)
        for mod in mods:
            text = str(mod).upper()
            if text == "DESC":
                item.descending = True
            elif text.startswith("NULLS"):
                item.nulls_last = text.endswith("LAST")
        return item

    def limit(self, n: Token) -> tuple[str, int]:
        return ("limit", int(n))

    def offset(self, n: Token) -> tuple[str, int]:
        return ("offset", int(n))


def malformed(soql: str, column: int, detail: str, code: str = "MALFORMED_QUERY") -> ApiError:
    """The real message shape: the query line, a caret under the column, the position, the reason."""
    line = " ".join(soql.split("\n"))
    caret = " " * max(column - 1, 0) + "^"
    return ApiError(400, code, f"\n{line}\n{caret}\nERROR at Row:1:Column:{column}\n{detail}")


def parse(soql: str) -> Query:
    """Parse a SOQL query or raise `ApiError` (400 MALFORMED_QUERY)."""
    text = soql.strip()
    try:
        return _ToAst().transform(_PARSER.parse(text))
    except UnexpectedEOF:
        raise malformed(text, len(text) + 1, "unexpected token: <EOF>") from None
    except UnexpectedToken as exc:
        token = "<EOF>" if exc.token.type == "$END" else str(exc.token)
        column = len(text) + 1 if exc.token.type == "$END" else exc.column
        raise malformed(text, column, f"unexpected token: '{token}'" if token != "<EOF>"
                        else "unexpected token: <EOF>") from None
    except UnexpectedCharacters as exc:
        raise malformed(text, exc.column, f"unexpected token: '{text[exc.pos_in_stream]}'") from None
    except UnexpectedInput as exc:  # pragma: no cover - other lark input errors
        raise malformed(text, getattr(exc, "column", 1), "unexpected token") from None
    except Exception as exc:  # lark wraps transformer errors (bad dates) in VisitError
        cause = getattr(exc, "orig_exc", exc)
        if isinstance(cause, BadValue):
            raise malformed(text, 1, str(cause)) from None
        raise
