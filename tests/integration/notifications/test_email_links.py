"""The links in the verification and reset emails open pages that exist, and that complete
the action: followed from the ``.eml`` file as written (the link whole in it, not cut by
quoted-printable), through the page's own form, as a browser without scripts would. A
storefront's page, when set, is where the links go instead."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

import pytest

from orion.bootstrap import Orion
from orion.modules.identity.application.commands import Register, RequestPasswordReset
from tests.conftest import Client, shop_settings
from tests.integration.ordering.helpers import settle
from tests.log_hygiene import secret

EMAIL = "ada@example.com"
PASSWORD = secret("page password", "a long enough passphrase")
NEW_PASSWORD = secret("page new password", "another long passphrase")
LINK = re.compile(rb"https?://[^\s\"<>]+")


class Form(HTMLParser):
    """The page's form: its action and method, and its fields' names and values."""

    def __init__(self, page: str) -> None:
        super().__init__()
        self.action, self.method, self.fields = "", "", dict[str, str]()
        self.scripts = 0
        self.feed(page)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "form":
            self.action, self.method = values.get("action", ""), values.get("method", "get")
        elif tag == "input":
            self.fields[values["name"]] = values.get("value", "")
        elif tag == "script":
            self.scripts += 1


def links_in_eml(orion: Orion, subject: str) -> list[str]:
    """The links in the raw ``.eml`` of that subject, read as the file holds them (so a link
    cut or encoded by quoted-printable is not found whole)."""
    for path in (orion.settings.data_dir / "outbox-mail").glob("*.eml"):
        raw = path.read_bytes()
        if f"Subject: {subject}".encode() in raw:
            # the same link in the text and, its & as &amp;, in the HTML
            return sorted({html.unescape(link.decode()) for link in LINK.findall(raw)})
    raise AssertionError(f"no email {subject!r} in {orion.settings.data_dir}")


async def open_page(client: Client, link: str) -> Form:
    """GET the link's page: HTML under a script-free Content-Security-Policy, with a form."""
    parts = urlsplit(link)
    page = await client.get(parts.path, query_string=dict(parse_qsl(parts.query)))
    assert page.status_code == 200, await page.get_data(as_text=True)
    assert page.content_type.startswith("text/html")
    policy = page.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy
    assert "script-src" not in policy  # so none at all, from anywhere
    assert page.headers["Referrer-Policy"] == "no-referrer"  # the token stays in the link
    form = Form(await page.get_data(as_text=True))
    assert form.scripts == 0
    assert form.method.lower() == "post"
    return form


@pytest.fixture
async def registered(orion: Orion) -> Orion:
    await orion.start_consumers()
    await orion.mediator.send(Register(email=EMAIL, password=PASSWORD, full_name="Ada"))
    await settle(orion)
    return orion


async def test_the_verification_link_opens_a_page_that_verifies(
    registered: Orion, client: Client
) -> None:
    [link] = links_in_eml(registered, "Confirm your email address")
    assert link.startswith("http://127.0.0.1:8000/verify-email?token=")

    form = await open_page(client, link)
    assert form.fields == {"token": link.split("token=", 1)[1]}
    done = await client.post(form.action, form=form.fields)
    assert done.status_code == 200, await done.get_data(as_text=True)
    assert "Your email address is confirmed" in await done.get_data(as_text=True)

    login = await client.post("/api/v1/auth/login", json={"email": EMAIL, "password": PASSWORD})
    token = (await login.get_json())["access_token"]
    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert (await me.get_json())["email_verified"] is True

    again = await client.post(form.action, form=form.fields)  # the link works once
    assert again.status_code == 422  # as the API answers a spent token
    assert "Your email address is not confirmed" in await again.get_data(as_text=True)


async def test_the_reset_link_opens_a_page_that_sets_the_new_password(
    registered: Orion, client: Client
) -> None:
    await registered.mediator.send(RequestPasswordReset(email=EMAIL))
    await settle(registered)
    [link] = links_in_eml(registered, "Reset your password")
    assert link.startswith("http://127.0.0.1:8000/reset-password?token=")

    form = await open_page(client, link)
    assert set(form.fields) == {"token", "password", "password_again"}
    differing = {**form.fields, "password": NEW_PASSWORD, "password_again": "something else"}
    refused = await client.post(form.action, form=differing)
    assert refused.status_code == 422
    weak = {**form.fields, "password": "password123", "password_again": "password123"}
    assert (await client.post(form.action, form=weak)).status_code == 422

    chosen = {**form.fields, "password": NEW_PASSWORD, "password_again": NEW_PASSWORD}
    done = await client.post(form.action, form=chosen)
    assert done.status_code == 200, await done.get_data(as_text=True)
    assert "Your password is changed" in await done.get_data(as_text=True)
    for password, status in ((NEW_PASSWORD, 200), (PASSWORD, 401)):
        login = await client.post("/api/v1/auth/login", json={"email": EMAIL, "password": password})
        assert login.status_code == status


async def test_a_link_without_its_token_says_so(client: Client) -> None:
    for page in ("/verify-email", "/reset-password"):
        response = await client.get(page)
        assert response.status_code == 400
        assert "This link has no token" in await response.get_data(as_text=True)


async def test_with_storefront_pages_set_the_links_go_there(database_url: str) -> None:
    shop = Orion(
        shop_settings(
            verify_email_url="https://shop.example/account/verify?lang=en",
            reset_password_url="https://shop.example/account/password",
        ),
        database_url,
    )
    try:
        await shop.start_consumers()
        email = "grace@example.com"
        await shop.mediator.send(Register(email=email, password=PASSWORD, full_name="Grace"))
        await shop.mediator.send(RequestPasswordReset(email=email))
        await settle(shop)
        [verify] = links_in_eml(shop, "Confirm your email address")
        [reset] = links_in_eml(shop, "Reset your password")
    finally:
        await shop.stop_consumers()
        await shop.aclose()
    assert re.fullmatch(r"https://shop\.example/account/verify\?lang=en&token=[\w-]+", verify)
    assert re.fullmatch(r"https://shop\.example/account/password\?token=[\w-]+", reset)
