"""A rates publisher on loopback (the ECB's ``eurofxref-daily.xml``, or Frankfurter-style
JSON), for tests: a real HTTP/1.1 server on ``asyncio.start_server`` and h11, so the client
under test meets real sockets and real timeouts. It counts the calls it receives, and is
told how to answer the next ones:

- ``publisher.script(answer(500), answer(429, retry_after="7"), HANG)``: the next calls in
  order, then the document again;
- ``publisher.down = fault``: every call meets ``fault`` until ``publisher.down = None``.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

import h11

from tests.fakes.loopback import read_request, respond, serving

ECB_SAMPLE = Path(__file__).parent.parent / "data" / "eurofxref-daily.xml"


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    kind: Literal["answer", "hang"]
    status: int = 0
    retry_after: str | None = None


def answer(status: int, *, retry_after: str | None = None) -> Fault:
    return Fault(kind="answer", status=status, retry_after=retry_after)


HANG = Fault(kind="hang")


class RatesPublisher:
    def __init__(self, document: bytes, content_type: str) -> None:
        self.url = ""
        self.document = document
        self.content_type = content_type
        self.calls = 0
        self.down: Fault | None = None
        self._script: deque[Fault] = deque()

    def script(self, *faults: Fault) -> None:
        self._script.extend(faults)

    async def _answer(self) -> tuple[int, bytes, dict[str, str]]:
        self.calls += 1
        fault = self.down or (self._script.popleft() if self._script else None)
        if fault is None:
            return 200, self.document, {"Content-Type": self.content_type}
        if fault.kind == "hang":
            await asyncio.Event().wait()  # never answers: cancelled when the server stops
        extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
        return fault.status, b"unavailable", {"Content-Type": "text/plain", **extra}

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = h11.Connection(h11.SERVER)
        try:
            while await read_request(connection, reader) is not None:
                status, content, headers = await self._answer()
                await respond(connection, writer, status, content, headers)
        except (h11.ProtocolError, ConnectionError):
            pass  # the connection ends here, which is all a client can see of it
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def rates_publisher(
    document: bytes | None = None, content_type: str = "application/xml"
) -> AsyncIterator[RatesPublisher]:
    """Serves ``document`` (the ECB sample by default) on 127.0.0.1 until the block ends."""
    publisher = RatesPublisher(document or ECB_SAMPLE.read_bytes(), content_type)
    async with serving(publisher.serve) as url:
        publisher.url = f"{url}/stats/eurofxref/eurofxref-daily.xml"
        yield publisher
