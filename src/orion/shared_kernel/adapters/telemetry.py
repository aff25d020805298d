"""OpenTelemetry set-up and the few helpers the adapters share to continue a trace.

The W3C context travels as text: captured into the outbox row when an event is written,
carried in the AMQP headers, and extracted by the consumer. So a worker's span joins the
request's trace even when the relay published the event minutes later. Only the adapters
import OpenTelemetry; ``configure_tracing`` is called once per process by the CLI.

SQL, Redis and outgoing HTTP get their spans from the OpenTelemetry instrumentations, as
children of the current span, recording no value: SQL with its placeholders (never the
bound parameters), Redis commands with every argument as ``?`` (no key, no cached payload),
URLs without their query or user info, and no header unless an operator opts in (ADR 13).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Literal

import httpx
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor, RequestInfo
from opentelemetry.instrumentation.redis import RedisInstrumentor
from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
)
from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased
from opentelemetry.trace import Span, SpanKind, Status, StatusCode

Exporter = Literal["none", "console", "otlp"]

tracer = trace.get_tracer("orion")


def configure_tracing(*, exporter: Exporter, sample_ratio: float, service: str = "orion") -> None:
    """Installs the process's tracer provider. ``none`` still makes spans (their ids are in
    the logs and the outbox) but exports nothing. The ratio applies to new traces; a span
    whose parent came from elsewhere follows its parent's decision, so a trace is whole."""
    provider = TracerProvider(
        resource=Resource.create({"service.name": service}),
        sampler=ParentBased(TraceIdRatioBased(sample_ratio)),
    )
    chosen: SpanExporter | None = None
    if exporter == "console":
        chosen = ConsoleSpanExporter()
    elif exporter == "otlp":  # endpoint and headers from the standard OTEL_EXPORTER_OTLP_* vars
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        chosen = OTLPSpanExporter()
    if chosen is not None:
        provider.add_span_processor(BatchSpanProcessor(chosen))
    trace.set_tracer_provider(provider)
    # Each patches its library's classes or factory, so every Redis and httpx client is
    # traced, and every engine made from now on (``create_engine`` looks the factory up
    # when it is called). SQLAlchemy 2.1 is past the range the instrumentation declares,
    # but the engine events it listens to are unchanged: the tests check its spans.
    SQLAlchemyInstrumentor().instrument(skip_dep_check=True)
    RedisInstrumentor().instrument()
    HTTPXClientInstrumentor().instrument(
        request_hook=_url_without_query, async_request_hook=_async_url_without_query
    )


def _url_without_query(span: Span, request: RequestInfo) -> None:
    """The instrumentation records the whole URL (user info redacted): keep its path, drop
    the query, where a publisher's access key or a charge's idempotency key can travel."""
    recorded = getattr(span, "attributes", None) or {}
    if isinstance(request.url, httpx.URL):
        url = str(request.url.copy_with(query=None, fragment=None, userinfo=b""))
        for key in ("http.url", "url.full"):  # the semconv in force sets one or both
            if key in recorded:
                span.set_attribute(key, url)


async def _async_url_without_query(span: Span, request: RequestInfo) -> None:
    _url_without_query(span, request)


@contextmanager
def sql_span(statement: str, database: str | None) -> Iterator[Span]:
    """The span of SQL run on asyncpg directly (``CompiledQuery``, past SQLAlchemy's events),
    shaped like the instrumentation's: the statement with its placeholders, no value."""
    name = statement.split(maxsplit=1)[0] if statement.strip() else "postgresql"
    attributes = {"db.system": "postgresql", "db.statement": statement, "db.operation": name}
    if database:
        attributes["db.name"] = database
    with tracer.start_as_current_span(name, kind=SpanKind.CLIENT, attributes=attributes) as span:
        yield span


def parent_context(traceparent: str | None, tracestate: str | None) -> otel_context.Context:
    """The context a message's producer captured (an empty one when it had none)."""
    carrier = {"traceparent": traceparent or "", "tracestate": tracestate or ""}
    return propagate.extract({k: v for k, v in carrier.items() if v})


def inject(span: Span) -> tuple[str | None, str | None]:
    """``span``'s W3C ``traceparent`` and ``tracestate``, to carry with a message."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier, context=trace.set_span_in_context(span))
    return carrier.get("traceparent"), carrier.get("tracestate")


@contextmanager
def consumer_span(
    name: str, traceparent: str | None, tracestate: str | None, **attributes: str
) -> Iterator[Span]:
    """The current span while a consumer handles a message, child of its publisher's span."""
    with tracer.start_as_current_span(
        name,
        context=parent_context(traceparent, tracestate),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
    ) as span:
        yield span


def end_span(span: Span, error: BaseException | None = None) -> None:
    if error is not None:
        span.set_status(Status(StatusCode.ERROR, f"{type(error).__name__}: {error}"[:200]))
    span.end()


def current_ids() -> tuple[str, str] | None:
    """The current trace and span ids in hex, for log lines; ``None`` outside a span."""
    return span_ids(trace.get_current_span())


def span_ids(span: Span) -> tuple[str, str] | None:
    span_context = span.get_span_context()
    if not span_context.is_valid:
        return None
    return format(span_context.trace_id, "032x"), format(span_context.span_id, "016x")
