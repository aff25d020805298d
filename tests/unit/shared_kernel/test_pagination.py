"""Opaque cursors: what the API hands out comes back intact; anything else is refused."""

from __future__ import annotations

import base64
import json
import uuid

import pytest

from orion.shared_kernel.adapters.pagination import InvalidCursor, decode_cursor, encode_cursor


def _cursor_of(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def test_cursor_round_trips_its_values() -> None:
    values = ["Blue mug", 1250, None, True]

    cursor = encode_cursor(values)

    assert decode_cursor(cursor, length=4) == values


def test_cursor_is_url_safe_without_padding() -> None:
    values = ["???>>>", 12]  # standard base64 of its JSON has "/", "+" and "=="

    cursor = encode_cursor(values)

    assert decode_cursor(cursor, length=2) == values
    assert "=" not in cursor
    assert "+" not in cursor
    assert "/" not in cursor


def test_cursor_values_that_are_not_json_come_back_as_strings() -> None:
    product_id = uuid.UUID("0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b")

    cursor = encode_cursor(["Blue mug", product_id])

    assert decode_cursor(cursor, length=2) == ["Blue mug", str(product_id)]


@pytest.mark.parametrize(
    "cursor",
    [
        "!!!",
        "not a cursor",
        "é",
        _cursor_of(b"{not json"),
        _cursor_of(b"\xff\xfe\x00garbage"),
        "",
    ],
)
def test_garbage_cursor_is_refused(cursor: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, length=2)


@pytest.mark.parametrize("values", [[], ["a"], ["a", "b", "c"]])
def test_cursor_of_the_wrong_length_is_refused(values: list[str]) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(encode_cursor(values), length=2)


@pytest.mark.parametrize("document", [{"a": 1, "b": 2}, "ab", 12, None])
def test_cursor_that_is_not_a_list_is_refused(document: object) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(_cursor_of(json.dumps(document).encode()), length=2)
