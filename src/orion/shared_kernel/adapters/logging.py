"""structlog set-up: JSON lines in production, readable lines in a terminal.

Context (request id, correlation id, module, user id, message name...) is bound once with
``bind_contextvars`` and merged into every line, with the current span's ``trace_id`` and
``span_id``. Standard-library loggers (hypercorn, alembic) go through the same renderer.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal, TextIO

import structlog

from orion.shared_kernel.adapters.telemetry import current_ids

LogFormat = Literal["auto", "json", "console"]
# Client libraries that log what goes over the wire, and the lowest level they may log at
# here: at DEBUG an AMQP frame holds an event's payload (a card token, a reset token), and
# httpx's INFO line is each request's whole URL, a publisher's access key included.
WIRE_LOGGERS = {
    "aiormq": logging.INFO,
    "aio_pika": logging.INFO,
    "httpcore": logging.INFO,
    "hpack": logging.INFO,
    "h11": logging.INFO,
    "httpx": logging.WARNING,
}


def configure_logging(
    *,
    level: str = "INFO",
    fmt: LogFormat = "auto",
    stream: TextIO | None = None,
    cache: bool = True,
) -> None:
    """``stream``: where lines go (stderr by default); ``cache=False`` lets a test configure
    logging again later in the same process."""
    stream = sys.stderr if stream is None else stream
    use_json = fmt == "json" or (fmt == "auto" and not stream.isatty())
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        add_trace_ids,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.stdlib.add_logger_name,
    ]
    renderer: structlog.types.Processor = (
        structlog.processors.JSONRenderer()
        if use_json
        else structlog.dev.ConsoleRenderer(colors=stream.isatty())
    )
    structlog.configure(
        processors=[
            *shared,
            structlog.processors.StackInfoRenderer(),
            structlog.processors.format_exc_info if use_json else _identity,
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=cache,
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(
        structlog.stdlib.ProcessorFormatter(
            foreign_pre_chain=shared,
            processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    for name, lowest in WIRE_LOGGERS.items():
        logging.getLogger(name).setLevel(max(lowest, logging.getLevelName(level)))


def add_trace_ids(
    logger: object, method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    """The current span's ids, so that a line leads to its trace (and the trace to its lines)."""
    ids = current_ids()
    if ids is not None:
        event.setdefault("trace_id", ids[0])
        event.setdefault("span_id", ids[1])
    return event


def _identity(
    logger: object, method: str, event: structlog.types.EventDict
) -> structlog.types.EventDict:
    return event
