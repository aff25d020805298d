"""The notifications module's settings (``ORION_<NAME>``)."""

from __future__ import annotations

from urllib.parse import urlsplit

from pydantic import Field, SecretStr, field_validator

from orion.shared_kernel.adapters.settings import PlatformSettings


class NotificationsSettings(PlatformSettings):
    public_url: str = Field(
        default="http://127.0.0.1:8000", description="The shop's address, for links in emails."
    )
    verify_email_url: str | None = Field(
        default=None,
        description="The storefront's page confirming an email address (the emailed link "
        "adds token=...); unset: Orion's own, at public_url/verify-email",
    )
    reset_password_url: str | None = Field(
        default=None,
        description="The storefront's page setting a new password (the emailed link adds "
        "token=...); unset: Orion's own, at public_url/reset-password",
    )
    mail_sender: str = "Orion <no-reply@localhost>"
    smtp_url: SecretStr | None = Field(
        default=None,
        description="smtp://user:password@host:port (STARTTLS when offered) or smtps:// (TLS); "
        "unset: emails are .eml files under the data dir",
    )
    smtp_timeout_s: float = Field(
        default=10, gt=0, le=300, description="How long one email may take to hand over."
    )

    @field_validator("smtp_url")
    @classmethod
    def smtp_only(cls, url: SecretStr | None) -> SecretStr | None:
        if url is None:
            return None
        parts = urlsplit(url.get_secret_value())
        if parts.scheme not in {"smtp", "smtps"} or not parts.hostname:
            raise ValueError("must be an smtp:// or smtps:// URL with a host")
        return url
