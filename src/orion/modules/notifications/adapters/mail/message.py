"""The MIME form of an email, the same for every mailer: multipart/alternative, text first
(the fallback), then HTML; its Message-ID is the email's deterministic id, so a copy sent
again after a crash can be recognised as the same message."""

from __future__ import annotations

from email.message import EmailMessage

from orion.modules.notifications.domain.email import Email


def mime_message(email: Email, *, sender: str) -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = f"<{email.id}@orion>"
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message
