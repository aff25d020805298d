"""The embedded default's mailer: each email an ``.eml`` file under the data dir, named by
the email's deterministic id, written atomically, so a second send replaces it identically."""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

from orion.modules.notifications.domain.email import Email

from .message import mime_message


class FileMailer:
    def __init__(self, folder: Path, *, sender: str) -> None:
        self._folder = folder
        self._sender = sender

    async def send(self, email: Email) -> None:
        await asyncio.to_thread(self._write, email)

    def _write(self, email: Email) -> None:
        message = mime_message(email, sender=self._sender)
        self._folder.mkdir(parents=True, exist_ok=True)
        target = self._folder / f"{email.id}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(bytes(message))
        os.replace(partial, target)
