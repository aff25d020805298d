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
            while await _read_request(connection, reader):
                status, content, headers = await self._answer()
                head = [("Content-Length", str(len(content))), *headers.items()]
                writer.write(connection.send(h11.Response(status_code=status, headers=head)))
                writer.write(connection.send(h11.Data(data=content)))
                writer.write(connection.send(h11.EndOfMessage()))
                await writer.drain()
                connection.start_next_cycle()
        except (h11.ProtocolError, ConnectionError):
            pass  # the connection ends here, which is all a client can see of it
        finally:
            writer.close()


async def _read_request(connection: h11.Connection, reader: asyncio.StreamReader) -> bool:
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            connection.receive_data(await reader.read(65536))
        elif isinstance(event, h11.EndOfMessage):
            return True
        elif isinstance(event, h11.ConnectionClosed):
            return False


@contextlib.asynccontextmanager
async def rates_publisher(
    document: bytes | None = None, content_type: str = "application/xml"
) -> AsyncIterator[RatesPublisher]:
    """Serves ``document`` (the ECB sample by default) on 127.0.0.1 until the block ends."""
    publisher = RatesPublisher(document or ECB_SAMPLE.read_bytes(), content_type)
    handlers: set[asyncio.Task[None]] = set()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await publisher.serve(reader, writer)
        finally:
            handlers.discard(task)

    server = await asyncio.start_server(connected, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    publisher.url = f"http://{host}:{port}/stats/eurofxref/eurofxref-daily.xml"
    try:
        yield publisher
    finally:
        server.close()
        for task in list(handlers):
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()
