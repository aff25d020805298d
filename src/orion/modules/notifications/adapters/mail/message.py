"""The MIME form of an email, the same for every mailer: multipart/alternative, text first
(the fallback), then HTML; its Message-ID is the email's deterministic id, so a copy sent
again after a crash can be recognised as the same message."""

from __future__ import annotations

from email import policy
from email.message import EmailMessage

from orion.modules.notifications.domain.email import Email

# Lines up to RFC 5322's limit (998), not the 78 it recommends: a body line that fits is sent
# as it is (7bit, or 8bit when not ASCII), so a link in it is never cut by quoted-printable's
# soft line breaks nor its "=" turned into "=3D".
POLICY = policy.default.clone(max_line_length=998)


def mime_message(email: Email, *, sender: str) -> EmailMessage:
    message = EmailMessage(policy=POLICY)
    message["From"] = sender
    message["To"] = email.to
    message["Subject"] = email.subject
    message["Message-ID"] = f"<{email.id}@orion>"
    message.set_content(email.text)
    message.add_alternative(email.html, subtype="html")
    return message
