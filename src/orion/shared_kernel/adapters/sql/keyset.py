"""Keyset pagination and substring search, the same way for every module's lists.

A page is ordered by (sort key, id); its cursor is the last row's pair, opaque to clients.
The next page starts strictly after it, so rows inserted meanwhile never shift a page.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import sqlalchemy as sa

from orion.shared_kernel.adapters.pagination import InvalidCursor, decode_cursor, encode_cursor


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
    """Rows after the cursor's (sort value, id). The values are typed as their columns, so a
    forged cursor is a 422, not a database error."""
    last_key, last_id = decode_cursor(cursor, length=2)
    try:
        kind = key.type.python_type
        value = datetime.fromisoformat(last_key) if kind is datetime else kind(last_key)
        bound = sa.tuple_(sa.literal(value, key.type), sa.literal(uuid.UUID(str(last_id))))
    except (TypeError, ValueError):
        raise InvalidCursor("the cursor is not one this API returned") from None
    position = sa.tuple_(key, id_column)
    return position < bound if descending else position > bound


def next_cursor(rows: list[Any], key: sa.Column[Any], limit: int) -> str | None:
    """The cursor of the page's last row when more rows follow (``rows`` holds ``limit + 1``
    at most: the extra one says there is a next page)."""
    if len(rows) <= limit:
        return None
    last = rows[limit - 1]
    value = last[key.name]
    return encode_cursor(
        [value.isoformat() if isinstance(value, datetime) else value, str(last["id"])]
    )
