"""The OpenAPI 3.1 document as the server behaves: every operation says who may call it and
every answer it can give, each refusal as problem+json.

Quart-schema builds each operation from its route's models; ``OrionOpenAPI`` completes it:

- ``security``: the guards (``require_user``, ``require_admin``) and ``optional_bearer``
  mark their routes, and their 401 and 403;
- error answers: those every route of a kind gives (a JSON body: 400, 413, 415, 422; a query
  string: 422; a path parameter: 404; under ``/api/``: 429 and 503), plus the ones a route
  names with ``answers`` (its business refusals, and a success without a body);
- the request headers a route reads (``headers``), path parameters' formats, query
  parameters without ``null`` (a parameter is absent, never null), and the pattern that
  every string carries: the edge refuses U+0000 in any of them (``input``).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any, TypeVar

from quart_schema import OpenAPIProvider
from werkzeug.routing.converters import BaseConverter, UUIDConverter
from werkzeug.routing.rules import Rule

F = TypeVar("F", bound=Callable[..., Any])

ANSWERS = "_orion_answers"
HEADERS = "_orion_headers"
RESPONSES = "_orion_responses"
PROBLEM_JSON = "application/problem+json"
DOCUMENTED = ("/api/", "/health/")  # the paths the OpenAPI document describes
NO_NUL = "^[^\\u0000]*$"
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457: a stable `type`, and for invalid input the fields in `errors`.",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "examples": ["/problems/validation-failed"]},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "required": ["field", "message"],
                "properties": {"field": {"type": "string"}, "message": {"type": "string"}},
            },
        },
    },
}
RETRY_AFTER = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "string"}}}


def answers(*statuses: int) -> Callable[[F], F]:
    """Documents answers a route gives beyond those of its kind: its business refusals
    (409, 412, 428...) and a success without a body (202, 204)."""

    def mark(view: F) -> F:
        setattr(view, ANSWERS, (*getattr(view, ANSWERS, ()), *statuses))
        return view

    return mark


def headers(*parameters: Mapping[str, Any]) -> Callable[[F], F]:
    """Documents request headers a route reads (OpenAPI parameter objects, ``in: header``)."""

    def mark(view: F) -> F:
        setattr(
            view,
            HEADERS,
            (*getattr(view, HEADERS, ()), *({**p, "in": "header"} for p in parameters)),
        )
        return view

    return mark


def responses(documented: Mapping[int, Mapping[str, Any]]) -> Callable[[F], F]:
    """Documents answers whose body is no model of a route: OpenAPI response objects."""

    def mark(view: F) -> F:
        setattr(view, RESPONSES, {**getattr(view, RESPONSES, {}), **documented})
        return view

    return mark


class OrionOpenAPI(OpenAPIProvider):
    def generate_rules(self) -> Iterable[Rule]:
        """The API and its health checks; pages for people (the dashboard, the emailed links'
        forms) are no part of it."""
        return (rule for rule in super().generate_rules() if rule.rule.startswith(DOCUMENTED))

    def schema(self) -> dict[str, Any]:
        document = super().schema()
        _forbid_nul(document)
        # after: a problem may echo what was refused (a parameter's name holding a NUL)
        document["components"]["schemas"]["Problem"] = PROBLEM_SCHEMA
        return document

    def build_path_parameter(self, name: str, converter: BaseConverter) -> dict[str, Any]:
        parameter = super().build_path_parameter(name, converter)
        if isinstance(converter, UUIDConverter):
            parameter["schema"] = {"type": "string", "format": "uuid"}
        return parameter

    def build_paths(self, rule: Rule) -> tuple[dict[str, Any], dict[str, Any]]:
        paths, components = super().build_paths(rule)
        view = self._app.view_functions[rule.endpoint]
        for operations in paths.values():
            for method, operation in operations.items():
                operations[method] = _complete(dict(operation), view, rule.rule)
        return paths, components


def _complete(operation: dict[str, Any], view: Callable[..., Any], rule: str) -> dict[str, Any]:
    parameters = [_absent_not_null(p) for p in operation.get("parameters", [])]
    parameters += list(getattr(view, HEADERS, ()))
    operation["parameters"] = parameters
    statuses = set(getattr(view, ANSWERS, ()))
    if "requestBody" in operation:
        operation["requestBody"]["required"] = True
        statuses |= {400, 413, 415, 422}
    if any(p["in"] == "query" for p in parameters):
        statuses.add(422)
    if any(p["in"] == "path" for p in parameters):
        statuses.add(404)
    if any(requirement for requirement in operation.get("security", [])):
        statuses.add(401)
    if rule.startswith("/api/"):
        statuses |= {429, 503}
    responses = {**operation["responses"], **getattr(view, RESPONSES, {})}
    for status in sorted(statuses):
        responses.setdefault(status, _response(status))
    operation["responses"] = {str(status): responses[status] for status in sorted(responses)}
    return operation


def _response(status: int) -> dict[str, Any]:
    description = HTTPStatus(status).phrase
    if status < 300:
        return {"description": description}
    response: dict[str, Any] = {
        "description": description,
        "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    if status in (429, 503):
        response["headers"] = RETRY_AFTER
    return response


def _absent_not_null(parameter: dict[str, Any]) -> dict[str, Any]:
    """A query parameter is sent or not: ``anyOf [X, null]`` is X, and no default null."""
    schema = dict(parameter.get("schema", {}))
    variants = schema.pop("anyOf", None)
    if variants is not None:
        kept = [variant for variant in variants if variant.get("type") != "null"]
        if len(kept) == 1:
            schema = {**schema, **kept[0]}
        else:
            schema["anyOf"] = kept
    if schema.get("default", ...) is None:
        del schema["default"]
    return {**parameter, "schema": schema}


def _forbid_nul(node: Any) -> None:
    """Every free-form string says what the edge refuses: U+0000 (``input``)."""
    if isinstance(node, dict):
        if node.get("type") == "string" and not node.keys() & {
            "pattern",
            "format",
            "enum",
            "const",
        }:
            node["pattern"] = NO_NUL
        for value in node.values():
            _forbid_nul(value)
    elif isinstance(node, list):
        for value in node:
            _forbid_nul(value)
