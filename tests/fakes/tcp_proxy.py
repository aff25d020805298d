"""A loopback TCP proxy a test puts between Orion and a server (PostgreSQL, RabbitMQ), and
steers: ``latency_s`` added to every answer from the server (so to every round trip),
``stall()`` holding every byte both ways until ``resume()`` (a server that no longer
answers), ``cut()`` closing every open connection at once (a restart, a failover, a
firewall's idle cut), ``go_down()`` cutting and refusing every connection until
``come_back()`` (an outage: the server itself keeps running for everyone else)."""

from __future__ import annotations

import asyncio
import contextlib
from types import TracebackType
from typing import Self


class TcpProxy:
    def __init__(self, upstream_host: str, upstream_port: int) -> None:
        self._upstream = (upstream_host, upstream_port)
        self.latency_s = 0.0
        self._flowing = asyncio.Event()
        self._flowing.set()
        self._down = False
        self._connections: set[asyncio.StreamWriter] = set()
        self._pumps: set[asyncio.Task[None]] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    async def __aenter__(self) -> Self:
        self._server = await asyncio.start_server(self._connected, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        assert self._server is not None
        self._server.close()
        self.resume()
        self.cut()
        await asyncio.gather(*self._pumps, return_exceptions=True)
        await self._server.wait_closed()

    def stall(self) -> None:
        self._flowing.clear()

    def resume(self) -> None:
        self._flowing.set()

    def go_down(self) -> None:
        self._down = True
        self.cut()

    def come_back(self) -> None:
        self._down = False

    def cut(self) -> None:
        """Resets every open connection, both sides (new ones are still accepted)."""
        for writer in list(self._connections):
            writer.transport.abort()
        self._connections.clear()

    async def _connected(
        self, client_r: asyncio.StreamReader, client_w: asyncio.StreamWriter
    ) -> None:
        if self._down:
            client_w.transport.abort()
            return
        try:
            server_r, server_w = await asyncio.open_connection(*self._upstream)
        except OSError:
            client_w.transport.abort()
            return
        self._connections |= {client_w, server_w}
        for task in (
            asyncio.create_task(self._pump(client_r, server_w, delayed=False)),
            asyncio.create_task(self._pump(server_r, client_w, delayed=True)),
        ):
            self._pumps.add(task)
            task.add_done_callback(self._pumps.discard)

    async def _pump(
        self, source: asyncio.StreamReader, sink: asyncio.StreamWriter, *, delayed: bool
    ) -> None:
        with contextlib.suppress(OSError):
            while data := await source.read(65536):
                await self._flowing.wait()
                if delayed and self.latency_s:
                    await asyncio.sleep(self.latency_s)
                sink.write(data)
                await sink.drain()
        sink.transport.abort()  # one side closed or was cut: so is the other
