"""The nesting count of the input gate, on the raw text: brackets in strings (escaped quotes
included) do not count, and a string that never ends stops the count for the parser to
report."""

from __future__ import annotations

import json

import pytest

from orion.shared_kernel.adapters.http.input import (
    MAX_JSON_DEPTH,
    InputRefused,
    nesting,
    parse_json,
)

DEEP = MAX_JSON_DEPTH + 1


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        ("[" * DEEP + "]" * DEEP, DEEP),
        ('{"a": ' * DEEP + "1" + "}" * DEEP, DEEP),
        (json.dumps({"text": "[" * 100 + '\\"{' * 50}), 1),  # the object's own only
        ("[" + json.dumps('x\\"' + "[" * 100) + "," * 40 + "[]" * 40 + "]", 2),
        ('["' + '\\"' * 10_000 + "[" * 100, 1),  # unterminated: counted up to it
    ],
)
def test_nesting_counts_structure_only(text: str, depth: int) -> None:
    assert nesting(text) == depth


def test_too_deep_is_refused_before_parsing() -> None:
    with pytest.raises(InputRefused) as refused:
        parse_json(("[" * 100_000 + "]" * 100_000).encode())
    assert refused.value.code == "too-deeply-nested"


def test_integral_numbers_are_integers_and_others_stay_floats() -> None:
    assert parse_json(b'{"a": 74.0, "b": 1e3, "c": 0.5, "d": 1e300}') == {
        "a": 74,
        "b": 1000,
        "c": 0.5,
        "d": 1e300,
    }
    assert isinstance(parse_json(b"74.0"), int)
