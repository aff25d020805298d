"""What the observability tests capture: the spans of one test (tracing configured as
``orion serve`` configures it, instrumentations included, its spans kept in memory) and the
JSON log lines of one test (logging configured as ``orion serve`` configures it, into a
buffer)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, SpanProcessor, TracerProvider

from orion.shared_kernel.adapters.telemetry import configure_tracing
from tests.log_hygiene import log_to_run


class Recorder(SpanProcessor):
    """Keeps ended spans while a test records (other tests' spans are dropped)."""

    def __init__(self) -> None:
        self.spans: list[ReadableSpan] = []
        self.recording = False

    def on_end(self, span: ReadableSpan) -> None:
        if self.recording:
            self.spans.append(span)


_RECORDER = Recorder()


def _install() -> Recorder:
    """Tracing as ``orion`` configures it (the instrumentations of SQL, Redis and outgoing
    HTTP included), once a process: engines made before the first test here have no SQL
    spans, so a test that wants them makes its ``Orion`` after asking for ``spans``."""
    if not isinstance(trace.get_tracer_provider(), TracerProvider):
        configure_tracing(exporter="none", sample_ratio=1.0)
        provider = trace.get_tracer_provider()
        assert isinstance(provider, TracerProvider)
        provider.add_span_processor(_RECORDER)
    return _RECORDER


@pytest.fixture
def spans() -> Iterator[list[ReadableSpan]]:
    recorder = _install()
    recorder.spans.clear()
    recorder.recording = True
    try:
        yield recorder.spans
    finally:
        recorder.recording = False


class LogLines:
    def __init__(self, buffer: io.StringIO) -> None:
        self._buffer = buffer

    def text(self) -> str:
        return self._buffer.getvalue()

    def lines(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.text().splitlines() if line.strip()]

    def clear(self) -> None:
        self._buffer.seek(0)
        self._buffer.truncate()


@pytest.fixture
def logs() -> Iterator[LogLines]:
    """Every line the process logs during the test, in production's JSON, DEBUG and up."""
    buffer = io.StringIO()
    log_to_run(also=buffer)
    try:
        yield LogLines(buffer)
    finally:
        log_to_run()
