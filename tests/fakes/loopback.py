"""What the loopback fakes (payment provider, rates publisher) share: an HTTP/1.1 server on
``asyncio.start_server`` and h11, so clients under test meet real sockets, real timeouts
and really dropped connections."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import h11

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


def free_port() -> int:
    """A port on 127.0.0.1 that nothing listens on now: bound, then released (a server of a
    test's own binds it next; nothing listening there makes an unreachable dependency)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@contextlib.asynccontextmanager
async def serving(serve: Serve) -> AsyncIterator[str]:
    """``serve`` each connection on 127.0.0.1, a free port, until the block ends; yields the
    base URL. Open connections (a hanging answer among them) are closed at the end."""
    handlers: set[asyncio.Task[None]] = set()

    async def connected(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        handlers.add(task)
        try:
            await serve(reader, writer)
        finally:
            handlers.discard(task)

    server = await asyncio.start_server(connected, "127.0.0.1", 0)
    host, port = server.sockets[0].getsockname()[:2]
    try:
        yield f"http://{host}:{port}"
    finally:
        server.close()
        for task in list(handlers):
            task.cancel()
        await asyncio.gather(*handlers, return_exceptions=True)
        await server.wait_closed()


async def read_request(
    connection: h11.Connection, reader: asyncio.StreamReader
) -> tuple[h11.Request, bytes] | None:
    """The next request and its body, or None when the client closed the connection."""
    request: h11.Request | None = None
    body = b""
    while True:
        event = connection.next_event()
        if event is h11.NEED_DATA:
            connection.receive_data(await reader.read(65536))
        elif isinstance(event, h11.Request):
            request = event
        elif isinstance(event, h11.Data):
            body += event.data
        elif isinstance(event, h11.EndOfMessage) and request is not None:
            return request, body
        elif isinstance(event, h11.ConnectionClosed):
            return None


async def respond(
    connection: h11.Connection,
    writer: asyncio.StreamWriter,
    status: int,
    content: bytes,
    headers: dict[str, str],
) -> None:
    """One whole response; the connection then waits for the client's next request."""
    head = [("Content-Length", str(len(content))), *headers.items()]
    writer.write(connection.send(h11.Response(status_code=status, headers=head)))
    writer.write(connection.send(h11.Data(data=content)))
    writer.write(connection.send(h11.EndOfMessage()))
    await writer.drain()
    connection.start_next_cycle()
