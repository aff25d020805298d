"""The embedded default's mailer: each email an ``.eml`` file under the data dir, named by
the email's deterministic id, written atomically, so a second send replaces it identically."""

from __future__ import annotations

import asyncio
import os
from email.message import EmailMessage
from pathlib import Path

from orion.modules.notifications.domain.email import Email


class FileMailer:
    def __init__(self, folder: Path, *, sender: str) -> None:
        self._folder = folder
        self._sender = sender

    async def send(self, email: Email) -> None:
        await asyncio.to_thread(self._write, email)

    def _write(self, email: Email) -> None:
        message = EmailMessage()
        message["From"] = self._sender
        message["To"] = email.to
        message["Subject"] = email.subject
        message["Message-ID"] = f"<{email.id}@orion>"
        message.set_content(email.text)
        self._folder.mkdir(parents=True, exist_ok=True)
        target = self._folder / f"{email.id}.eml"
        partial = target.with_suffix(".eml.partial")
        partial.write_bytes(bytes(message))
        os.replace(partial, target)
