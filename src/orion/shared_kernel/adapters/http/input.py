"""The gate every request's input passes before a route or a model sees it, once for all
routes: a hostile body or query string is refused here with problem+json, never a 500.

- A JSON body must say so (``Content-Type: application/json``, else 415), be UTF-8 (else
  400 ``invalid-encoding``), nest at most ``MAX_JSON_DEPTH`` arrays and objects (else 400
  ``too-deeply-nested``: counted on the raw text, before the parser recurses) and be JSON
  (else 400 ``malformed-request``; ``NaN`` and ``Infinity`` are not JSON). A number with a
  zero fraction (``74.0``) is read as the integer it is, as JSON Schema's ``integer`` says.
- No string of the body, and no query parameter, may hold U+0000 or a lone surrogate: text
  PostgreSQL cannot store would fail the request deep in a transaction. 422
  ``validation-failed`` names each such field, as a model's own validation would.

Quart-schema's ``validate_request`` reads the body through ``Request.get_json``, which
``StrictJsonRequest`` replaces; ``refuse_unsafe_query`` runs before every route.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any, NoReturn

from quart import Request, request

MAX_JSON_DEPTH = 32
UNSAFE_TEXT = "must not contain U+0000 (NUL) or a lone surrogate"

_UNSAFE = re.compile("[\x00\ud800-\udfff]")
# a whole string (possessive: no backtracking), a bracket, or the quote of an unterminated string
_TOKEN = re.compile(r'"(?:[^"\\]++|\\.)*+"|["\[\]{}]')


class InputRefused(Exception):
    """Input refused at the edge; ``problems`` answers it as problem+json."""

    def __init__(
        self,
        status: int,
        code: str,
        title: str,
        detail: str,
        errors: list[dict[str, str]] | None = None,
    ) -> None:
        super().__init__(detail)
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors


class StrictJsonRequest(Request):
    async def get_json(self, force: bool = False, silent: bool = False, cache: bool = True) -> Any:
        if not (force or self.is_json):
            raise InputRefused(
                415,
                "unsupported-media-type",
                "The body must be JSON",
                "send the body as JSON, with Content-Type: application/json",
            )
        return parse_json(await self.get_data(cache, False, False))


def parse_json(raw: bytes) -> Any:
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise InputRefused(
            400,
            "invalid-encoding",
            "The body is not UTF-8",
            f"byte {error.start} is not UTF-8: send JSON encoded as UTF-8",
        ) from None
    if nesting(text) > MAX_JSON_DEPTH:
        raise InputRefused(
            400,
            "too-deeply-nested",
            "The body nests too deeply",
            f"JSON arrays and objects may nest {MAX_JSON_DEPTH} deep at most",
        )
    try:
        document = json.loads(text, parse_constant=_not_json, parse_float=_number)
    except ValueError as error:
        where = (
            f" at line {error.lineno} column {error.colno}"
            if isinstance(error, json.JSONDecodeError)
            else ""
        )
        message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        raise InputRefused(
            400, "malformed-request", "The body is not valid JSON", f"{message}{where}"
        ) from None
    fields = sorted(set(_unsafe_strings(document, ())))
    if fields:
        _refuse_text(fields)
    return document


def nesting(text: str) -> int:
    """How deep the text's arrays and objects nest, brackets inside strings aside: one pass,
    stopped past the bound, and none at all when too few brackets could go that deep."""
    if text.count("[") + text.count("{") <= MAX_JSON_DEPTH:
        return 0
    depth = deepest = 0
    for match in _TOKEN.finditer(text):
        part = match[0]
        if part in ("[", "{"):
            depth += 1
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                break
        elif part in ("]", "}"):
            depth -= 1
        elif part == '"':
            break  # a string that never ends: malformed, and the parser says where
    return deepest


async def refuse_unsafe_query() -> None:
    """Before every route: no query parameter (name or value) may hold unsafe text. A
    coroutine though it awaits nothing: Quart runs a plain function hook in a thread, a
    hand-over to the thread pool and back on every request (issue 14's profile)."""
    fields = sorted(
        {
            key
            for key, value in request.args.items(multi=True)
            if _UNSAFE.search(key) or _UNSAFE.search(value)
        }
    )
    if fields:
        _refuse_text(fields)


def _unsafe_strings(value: Any, path: tuple[str, ...]) -> Iterator[str]:
    if isinstance(value, str):
        if _UNSAFE.search(value):
            yield ".".join(path) or "body"
    elif isinstance(value, dict):
        for key, item in value.items():
            if _UNSAFE.search(key):
                yield ".".join(path) or "body"
            yield from _unsafe_strings(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _unsafe_strings(item, (*path, str(index)))


def _refuse_text(fields: list[str]) -> NoReturn:
    raise InputRefused(
        422,
        "validation-failed",
        "The request has invalid fields",
        f"invalid: {', '.join(fields)}",
        errors=[{"field": field, "message": UNSAFE_TEXT} for field in fields],
    )


def _number(text: str) -> int | float:
    """``74.0`` is the number 74, as JSON Schema's ``integer`` says: an int for the models
    (strict, they take no float for an int) while a float holds it exactly."""
    number = float(text)
    return int(number) if number.is_integer() and abs(number) <= 2**53 else number


def _not_json(constant: str) -> NoReturn:
    raise ValueError(f"{constant} is not a JSON value")
