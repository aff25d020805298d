"""The mailer for a real mail server: SMTP through aiosmtplib, one connection per email.

``smtp://user:password@host:port`` upgrades with STARTTLS when the server offers it;
``smtps://`` speaks TLS from the first byte. A refusal, a timeout or a server that cannot be
reached raises: the consumer's message goes down the retry ladder and the notification log
counts the attempt. No retry here, so a worker never sits on one message.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.utils import formatdate
from urllib.parse import unquote, urlsplit

import aiosmtplib

from orion.modules.notifications.domain.email import Email

from .message import mime_message

DEFAULT_PORTS = {"smtp": 25, "smtps": 465}


class InvalidSmtpUrl(ValueError):
    pass


@dataclass(frozen=True, slots=True, kw_only=True)
class SmtpServer:
    host: str
    port: int
    implicit_tls: bool
    username: str | None
    password: str | None

    @classmethod
    def from_url(cls, url: str) -> SmtpServer:
        parts = urlsplit(url)
        if parts.scheme not in DEFAULT_PORTS:
            raise InvalidSmtpUrl("must be an smtp:// or smtps:// URL")
        if not parts.hostname:
            raise InvalidSmtpUrl("names no host")
        try:
            port = parts.port or DEFAULT_PORTS[parts.scheme]
        except ValueError:
            raise InvalidSmtpUrl("has a port that is not a number from 0 to 65535") from None
        return cls(
            host=parts.hostname,
            port=port,
            implicit_tls=parts.scheme == "smtps",
            username=None if parts.username is None else unquote(parts.username),
            password=None if parts.password is None else unquote(parts.password),
        )


class SmtpMailer:
    def __init__(self, server: SmtpServer, *, sender: str, timeout_s: float) -> None:
        self._server = server
        self._sender = sender
        self._timeout_s = timeout_s

    async def send(self, email: Email) -> None:
        message = mime_message(email, sender=self._sender)
        message["Date"] = formatdate(usegmt=True)
        server = self._server
        await aiosmtplib.send(
            message,
            hostname=server.host,
            port=server.port,
            username=server.username,
            password=server.password,
            use_tls=server.implicit_tls,
            start_tls=False if server.implicit_tls else None,  # None: when offered
            timeout=self._timeout_s,
        )
