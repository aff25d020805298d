"""Keyset pagination and substring search, the same way for every module's lists.

A page is ordered by (sort key, id); its cursor is the last row's pair, opaque to clients.
The next page starts strictly after it, so rows inserted meanwhile never shift a page.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine

from orion.shared_kernel.adapters.pagination import InvalidCursor, decode_cursor, encode_cursor
from orion.shared_kernel.adapters.sql.compiled import CompiledQuery
from orion.shared_kernel.application.consistency import ChangedBetween

V = TypeVar("V")


def contains(text: str) -> str:
    """An ``ILIKE`` pattern (escape ``\\``) matching ``text`` anywhere, wildcards escaped."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def order_by(
    key: sa.Column[Any], id_column: sa.Column[Any], *, descending: bool
) -> tuple[sa.ColumnElement[Any], ...]:
    return (key.desc(), id_column.desc()) if descending else (key, id_column)


def after(
    key: sa.Column[Any], id_column: sa.Column[Any], cursor: str, *, descending: bool
) -> sa.ColumnElement[bool]:
    """Rows after the cursor's (sort value, id)."""
    return after_position((key, id_column), cursor, descending=descending)


def after_position(
    position: Sequence[sa.ColumnElement[Any]], cursor: str, *, descending: bool
) -> sa.ColumnElement[bool]:
    """Rows whose position (the values the page is ordered by, all one way, the id last)
    comes after the cursor's. The values are typed as their columns, so a forged cursor is a
    422, not a database error."""
    values = decode_cursor(cursor, length=len(position))
    try:
        bound = sa.tuple_(
            *(
                sa.literal(_typed(value, element.type.python_type), element.type)
                for value, element in zip(values, position, strict=True)
            )
        )
    except (TypeError, ValueError):
        raise InvalidCursor("the cursor is not one this API returned") from None
    row = sa.tuple_(*position)
    return row < bound if descending else row > bound


def next_cursor(rows: list[Any], key: sa.Column[Any], limit: int) -> str | None:
    """The cursor of the page's last row when more rows follow (``rows`` holds ``limit + 1``
    at most: the extra one says there is a next page)."""
    return position_cursor(rows, (key.name, "id"), limit)


def position_cursor(rows: list[Any], names: Sequence[str], limit: int) -> str | None:
    """``next_cursor`` for a position of several values, read from the rows by name."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    return encode_cursor([_plain(last[name]) for name in names])


def _typed(value: Any, kind: type) -> Any:
    if kind is datetime:
        return datetime.fromisoformat(value)
    if kind is bool:  # bool("false") is True: a position holds numbers instead
        raise TypeError("no booleans in a position")
    return kind(value)


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value  # ids: encode_cursor


def changed_between(
    statement: sa.Select[Any],
    changed_at: sa.ColumnElement[Any],
    id_column: sa.ColumnElement[Any],
    window: ChangedBetween,
) -> sa.Select[Any]:
    """``statement`` limited to the rows whose ``changed_at`` falls in the window, one page
    of them in (changed_at, id) order: what every module answers the auditor with."""
    statement = statement.where(changed_at < window.before)
    if window.since is not None:
        statement = statement.where(changed_at >= window.since)
    if window.after is not None:
        statement = statement.where(sa.tuple_(changed_at, id_column) > sa.tuple_(*window.after))
    return statement.order_by(changed_at, id_column).limit(window.limit)


def one_of(column: sa.ColumnElement[Any], values: Sequence[Any]) -> sa.ColumnElement[bool]:
    """``column = ANY(:values)``: one array parameter, however many values (``IN`` would
    bind, and compile, one parameter per value)."""
    return column == sa.any_(sa.literal(list(values), ARRAY(column.type)))


async def fetch_as(engine: AsyncEngine, statement: sa.Select[Any], view: type[V]) -> list[V]:
    """The rows as views, each made from its columns by their labels. Run on asyncpg directly
    (``CompiledQuery``): these reads return thousands of rows, and SQLAlchemy's processing
    of each row cost more than the query."""
    query = CompiledQuery(statement)
    return [view(**record) for record in await query.fetch(engine, **query.params)]
