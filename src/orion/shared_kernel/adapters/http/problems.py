"""Every error as RFC 9457 problem+json with a stable ``type``; never an HTML page, never a 500
for bad input. Unexpected errors are logged with their traceback and answered 500 without it."""

from __future__ import annotations

from typing import Any

import structlog
from pydantic import ValidationError
from quart import Quart, Response, json, request
from quart_schema import RequestSchemaValidationError
from werkzeug.exceptions import HTTPException

from orion.shared_kernel.adapters.http.input import InputRefused
from orion.shared_kernel.adapters.ratelimit import RateLimited
from orion.shared_kernel.adapters.sql.engine import UNAVAILABLE
from orion.shared_kernel.domain.errors import (
    ConcurrencyConflict,
    Conflict,
    DependencyUnavailable,
    DomainError,
    InvalidInput,
    NotAllowed,
    NotAuthenticated,
    NotFound,
    PreconditionRequired,
)

PROBLEM_TYPE_BASE = "/problems/"
PROBLEM_JSON = "application/problem+json"

# Most specific first: the first kind an error is an instance of gives its status.
_STATUS_BY_KIND: tuple[tuple[type[DomainError], int], ...] = (
    (NotFound, 404),
    (ConcurrencyConflict, 412),
    (Conflict, 409),
    (InvalidInput, 422),
    (DependencyUnavailable, 503),
    (PreconditionRequired, 428),
    (NotAuthenticated, 401),
    (NotAllowed, 403),
)

_HTTP_CODES = {
    400: "malformed-request",
    401: "not-authenticated",
    404: "not-found",
    405: "method-not-allowed",
    413: "payload-too-large",
    429: "rate-limited",
    415: "unsupported-media-type",
    428: "precondition-required",
}

log = structlog.get_logger("orion.http")


def problem(
    status: int, code: str, title: str, detail: str | None = None, **extra: Any
) -> Response:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + code,
        "title": title,
        "status": status,
        "instance": request.path,
    }
    if detail:
        body["detail"] = detail
    body.update(extra)
    response = Response(json.dumps(body), status=status, content_type=PROBLEM_JSON)
    if status == 401:
        response.headers["WWW-Authenticate"] = "Bearer"
    if status == 503:
        response.headers["Retry-After"] = "5"
    return response


def status_of(error: DomainError) -> int:
    for kind, status in _STATUS_BY_KIND:
        if isinstance(error, kind):
            return status
    return 400


def field_errors(error: ValidationError) -> list[dict[str, str]]:
    return [
        {"field": ".".join(str(part) for part in item["loc"]) or "body", "message": item["msg"]}
        for item in error.errors(include_url=False)
    ]


def install_problem_handlers(app: Quart) -> None:
    @app.errorhandler(DomainError)
    async def domain_error(error: DomainError) -> Response:
        return problem(status_of(error), error.code, error.title, error.detail)

    @app.errorhandler(RateLimited)
    async def rate_limited(error: RateLimited) -> Response:
        response = problem(429, error.code, error.title, error.detail)
        response.headers["Retry-After"] = str(error.retry_after_s)
        return response

    @app.errorhandler(RequestSchemaValidationError)
    async def invalid_request(error: RequestSchemaValidationError) -> Response:
        cause = error.validation_error
        errors = field_errors(cause) if isinstance(cause, ValidationError) else []
        fields = ", ".join(sorted({item["field"] for item in errors}))
        return problem(
            422,
            "validation-failed",
            "The request has invalid fields",
            f"invalid: {fields}" if fields else str(cause),
            errors=errors,
        )

    @app.errorhandler(InputRefused)
    async def input_refused(error: InputRefused) -> Response:
        extra = {} if error.errors is None else {"errors": error.errors}
        return problem(error.status, error.code, error.title, error.detail, **extra)

    @app.errorhandler(HTTPException)
    async def http_error(error: HTTPException) -> Response:
        status = error.code or 500
        code = _HTTP_CODES.get(status, f"http-{status}")
        response = problem(status, code, error.name, error.description)
        for name, value in error.get_headers():
            if name.lower() != "content-type":
                response.headers[name] = value  # Allow of a 405, Retry-After of a 503...
        return response

    async def unavailable(error: Exception) -> Response:
        """A dependency that failed outside a handler (the session check of a token...)."""
        log.warning("dependency_unavailable", error=type(error).__name__)
        return problem(
            503,
            DependencyUnavailable.code,
            DependencyUnavailable.title,
            f"{type(error).__name__}: try again shortly",
        )

    for kind in UNAVAILABLE:
        app.register_error_handler(kind, unavailable)

    @app.errorhandler(Exception)
    async def unexpected(error: Exception) -> Response:
        log.exception("request_failed")
        return problem(500, "internal-error", "Internal error", "the error was logged")
