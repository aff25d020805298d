"""A real SMTP server on loopback (aiosmtpd, in a thread, on a free port) that keeps what it
receives, can be stopped and started again on its port, or told to refuse mail; and an Orion
that sends through it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from pydantic import SecretStr

from orion.bootstrap import Orion
from tests.conftest import shop_settings
from tests.fakes.loopback import free_port

LOGIN, PASSWORD = "orion", "p@ss word"
SMTP_PASSWORD_IN_URL = "p%40ss%20word"


@dataclass(frozen=True)
class Received:
    sender: str
    recipients: list[str]
    login: str | None
    content: bytes


@dataclass
class SmtpServer:
    """aiosmtpd with LOGIN/PLAIN auth required (no TLS on loopback)."""

    port: int
    received: list[Received] = field(default_factory=list)
    refusing: bool = False  # answer DATA with a transient 451
    _controller: Controller | None = None

    @property
    def url(self) -> str:
        return f"smtp://{LOGIN}:{SMTP_PASSWORD_IN_URL}@127.0.0.1:{self.port}"

    def start(self) -> None:
        self._controller = Controller(
            self,
            hostname="127.0.0.1",
            port=self.port,
            authenticator=self._authenticate,
            auth_required=True,
            auth_require_tls=False,
        )
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802 (aiosmtpd's hook name)
        if self.refusing:
            return "451 4.3.0 Mailbox busy, try again later"
        login = session.auth_data.login if session.authenticated else None
        self.received.append(
            Received(
                sender=envelope.mail_from,
                recipients=list(envelope.rcpt_tos),
                login=None if login is None else login.decode(),
                content=envelope.content,
            )
        )
        return "250 OK"

    @staticmethod
    def _authenticate(
        server: Any, session: Any, envelope: Any, mechanism: str, auth_data: Any
    ) -> AuthResult:
        valid = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == LOGIN.encode()
            and auth_data.password == PASSWORD.encode()
        )
        return AuthResult(success=valid, auth_data=auth_data if valid else None)


@pytest.fixture
def smtp_server() -> Iterator[SmtpServer]:
    server = SmtpServer(port=free_port())
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
async def smtp_shop(
    orion: Orion, database_url: str, smtp_server: SmtpServer
) -> AsyncIterator[Orion]:
    """An Orion whose mailer is SMTP to ``smtp_server`` (``orion`` emptied the tables)."""
    shop = Orion(shop_settings(smtp_url=SecretStr(smtp_server.url), smtp_timeout_s=5), database_url)
    try:
        yield shop
    finally:
        await shop.aclose()
