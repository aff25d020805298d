"""``ORION_SMTP_URL``: what the SMTP mailer makes of it, and what settings refuse at start."""

from __future__ import annotations

import pytest
from pydantic import SecretStr, ValidationError

from orion.modules.notifications.adapters.mail.smtp import InvalidSmtpUrl, SmtpServer
from orion.settings import Settings


def test_an_smtp_url_names_the_server_and_its_credentials() -> None:
    server = SmtpServer.from_url("smtp://orion:p%40ss%20word@mail.example.com:2525")
    assert server == SmtpServer(
        host="mail.example.com",
        port=2525,
        implicit_tls=False,
        username="orion",
        password="p@ss word",
    )


@pytest.mark.parametrize(
    ("url", "port", "implicit_tls"),
    [("smtp://mail.example.com", 25, False), ("smtps://mail.example.com", 465, True)],
)
def test_the_scheme_says_tls_and_the_default_port(url: str, port: int, implicit_tls: bool) -> None:
    server = SmtpServer.from_url(url)
    assert (server.port, server.implicit_tls, server.username, server.password) == (
        port,
        implicit_tls,
        None,
        None,
    )


@pytest.mark.parametrize(
    "url", ["http://mail.example.com", "mail.example.com:25", "smtp://", "smtp://h:port"]
)
def test_other_urls_are_refused(url: str) -> None:
    with pytest.raises(InvalidSmtpUrl):
        SmtpServer.from_url(url)


@pytest.mark.parametrize("url", ["http://mail.example.com", "smtp://"])
def test_settings_refuse_an_smtp_url_that_is_not_one(url: str) -> None:
    with pytest.raises(ValidationError, match="must be an smtp:// or smtps:// URL"):
        Settings(smtp_url=SecretStr(url))


def test_settings_keep_an_smtp_url_secret() -> None:
    # a password no setting's name contains (ORION_VAULT_SECRET_ID's does contain "secret")
    settings = Settings(smtp_url=SecretStr("smtps://u:s3cr3t-pw@mail.example.com"))
    assert "s3cr3t-pw" not in repr(settings)
    assert settings.smtp_url is not None
    assert settings.smtp_url.get_secret_value() == "smtps://u:s3cr3t-pw@mail.example.com"
