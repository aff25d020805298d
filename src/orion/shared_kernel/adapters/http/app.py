"""The Quart application shell every module's blueprint is mounted on."""

from __future__ import annotations

import contextlib
import re
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

import orjson
import structlog
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from quart import Blueprint, Quart, Response, g, request
from quart.json.provider import DefaultJSONProvider
from quart_schema import QuartSchema

from orion.shared_kernel.adapters.http.docs import docs_blueprint
from orion.shared_kernel.adapters.http.health import ReadinessCheck, health_blueprint
from orion.shared_kernel.adapters.http.input import StrictJsonRequest, refuse_unsafe_query
from orion.shared_kernel.adapters.http.openapi import OrionOpenAPI
from orion.shared_kernel.adapters.http.problems import install_problem_handlers
from orion.shared_kernel.adapters.http.ratelimit import client_address
from orion.shared_kernel.adapters.metrics import HTTP_DURATION, HTTP_REQUESTS
from orion.shared_kernel.adapters.telemetry import tracer
from orion.shared_kernel.application import context

REQUEST_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
# an API answers data, never a page: nothing in it may load or run anything
API_CSP = "default-src 'none'; frame-ancestors 'none'"
# headers that make an answer depend on who asks (a guest cart's token names its owner too)
CREDENTIALS = ("Authorization", "Cookie", "X-Cart-Token")

log = structlog.get_logger("orion.http")
# datetimes through the provider's default (Flask's HTTP date), as json.dumps sent them;
# integer keys turned to strings, as json.dumps does
ORJSON_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    """``jsonify`` through orjson: the same document as the standard library's compact one
    (what it cannot encode goes through ``fallback``'s ``default``: quart-schema's, for
    pydantic models), several times cheaper to make; UTF-8 instead of ``\\u`` escapes."""

    def __init__(self, app: Quart, fallback: DefaultJSONProvider) -> None:
        super().__init__(app)
        self.default = fallback.default

    def dumps(self, obj: Any, **kwargs: Any) -> str:
        return orjson.dumps(obj, default=self.default, option=ORJSON_OPTIONS).decode()

    def response(self, *args: Any, **kwargs: Any) -> Response:
        body = orjson.dumps(
            self._prepare_response_obj(args, kwargs),
            default=self.default,
            option=ORJSON_OPTIONS | orjson.OPT_APPEND_NEWLINE,
        )
        return Response(body, mimetype=self.mimetype)


def create_http_app(
    *,
    version: str,
    max_body_bytes: int,
    blueprints: Iterable[Blueprint],
    readiness_checks: dict[str, ReadinessCheck],
    on_startup: Iterable[Callable[[], Awaitable[None]]] = (),
    on_shutdown: Iterable[Callable[[], Awaitable[None]]] = (),
) -> Quart:
    app = Quart("orion")
    app.request_class = StrictJsonRequest
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    QuartSchema(
        app,
        info={"title": "Orion", "version": version},
        security_schemes={"bearer": {"type": "http", "scheme": "bearer"}},
        redoc_ui_path=None,
        scalar_ui_path=None,
        swagger_ui_path=None,  # served from Orion's own files instead: docs_blueprint
        openapi_provider_class=OrionOpenAPI,
    )
    app.json = OrjsonProvider(app, app.json)  # type: ignore[arg-type]  # QuartSchema's
    install_problem_handlers(app)
    app.register_blueprint(health_blueprint(readiness_checks))
    app.register_blueprint(docs_blueprint("Orion"))
    for blueprint in blueprints:
        app.register_blueprint(blueprint)
    for hook in on_startup:
        app.before_serving(hook)
    for hook in on_shutdown:
        app.after_serving(hook)

    @app.before_request
    async def bind_request_context() -> None:
        given = request.headers.get("X-Request-ID", "")
        request_id = given if REQUEST_ID.match(given) else str(uuid.uuid4())
        given = request.headers.get("X-Correlation-ID", "")
        correlation_id = given if REQUEST_ID.match(given) else request_id
        g.request_id = request_id
        g.started = time.perf_counter()
        # Hypercorn runs each request in a task of its own, so what a request sets ends with it.
        context.correlation_id.set(correlation_id)
        route = request.url_rule.rule if request.url_rule is not None else "unmatched"
        span = tracer.start_span(
            f"{request.method} {route}",
            context=propagate.extract(request.headers),
            kind=SpanKind.SERVER,
            attributes={
                "http.request.method": request.method,
                "http.route": route,
                "url.path": request.path,
                "orion.request_id": request_id,
            },
        )
        g.span = span
        g.route = route
        g.span_token = otel_context.attach(trace.set_span_in_context(span))
        structlog.contextvars.bind_contextvars(
            request_id=request_id,
            correlation_id=correlation_id,
            module=(request.blueprint or "http").partition(".")[0],
        )

    app.before_request(refuse_unsafe_query)  # after the context: its refusal is logged with it

    @app.teardown_request
    async def end_span(error: BaseException | None) -> None:
        span = g.pop("span", None)
        if span is None:
            return
        if error is not None:
            span.set_status(Status(StatusCode.ERROR, type(error).__name__))
        span.end()
        token = g.pop("span_token", None)
        if token is not None:
            with contextlib.suppress(ValueError):  # attached in another context: gone with it
                otel_context.detach(token)

    @app.after_request
    async def finish_request(response: Response) -> Response:
        response.headers["X-Request-ID"] = g.request_id
        _secure(response)
        route = g.get("route", "unmatched")
        HTTP_REQUESTS.labels(request.method, route, str(response.status_code)).inc()
        HTTP_DURATION.labels(request.method, route).observe(time.perf_counter() - g.started)
        span = g.get("span")
        if span is not None:
            span.set_attribute("http.response.status_code", response.status_code)
            if response.status_code >= 500:
                span.set_status(Status(StatusCode.ERROR))
        log.info(
            "request_finished",
            method=request.method,
            path=request.path,
            status=response.status_code,
            client=client_address(),  # behind the gateway, the client's, not the gateway's
            ms=round((time.perf_counter() - g.started) * 1000, 2),
        )
        return response

    return app


def _secure(response: Response) -> None:
    """Headers every answer carries: no content sniffing, a policy that lets nothing load
    (the docs page has its own), and ``no-store`` on what depends on who asks, so that no
    cache between here and the client keeps one person's data for another."""
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers.setdefault("Content-Security-Policy", API_CSP)
    personal = request.method not in ("GET", "HEAD") or any(
        header in request.headers for header in CREDENTIALS
    )
    if personal and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
