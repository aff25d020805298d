"""What every answer carries at the edge: no content sniffing, a policy that lets an API
answer load nothing, ``no-store`` on what depends on who asks; and the docs page, Swagger UI
from Orion's own pinned files under a Content-Security-Policy with no inline script."""

from __future__ import annotations

import hashlib
import re
import uuid

from orion.bootstrap import Orion
from orion.shared_kernel.adapters.http.docs import ASSETS, integrity
from tests.conftest import Client
from tests.integration.ordering.helpers import checkout, customer, product, put_item


async def test_every_answer_forbids_sniffing_and_loading(client: Client) -> None:
    for path in ("/api/v1/products", "/health/live", "/api/v1/nowhere", "/openapi.json"):
        response = await client.get(path)
        assert response.headers["X-Content-Type-Options"] == "nosniff", path
        assert response.headers["Content-Security-Policy"].startswith("default-src 'none'"), path


async def test_answers_that_depend_on_who_asks_are_never_stored(
    client: Client, orion: Orion
) -> None:
    headers = await customer(orion)
    await put_item(client, headers, await product(orion))
    placed = await (await checkout(client, headers)).get_json()
    for path in ("/api/v1/me", f"/api/v1/orders/{placed['id']}", "/api/v1/cart"):
        response = await client.get(path, headers=headers)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
    guest = await client.post("/api/v1/carts")
    assert guest.headers["Cache-Control"] == "no-store"  # its token is the guest's own
    public = await client.get("/api/v1/products")
    assert "Cache-Control" not in public.headers  # the same for everyone


async def test_swagger_ui_is_served_from_orion_under_a_strict_policy(client: Client) -> None:
    page = await client.get("/docs")
    assert page.status_code == 200
    html = await page.get_data(as_text=True)
    policy = page.headers["Content-Security-Policy"]
    script_src = re.search(r"script-src ([^;]*)", policy)
    assert script_src is not None
    assert script_src[1] == "'self'"  # no inline script, nothing from elsewhere
    assert "default-src 'none'" in policy
    assert "frame-ancestors 'none'" in policy
    assert "http://" not in html
    assert "https://" not in html
    assert "<script>" not in html  # every script is a file of Orion's
    for name in ("swagger-ui-bundle.js", "swagger-ui.css", "init.js"):
        assert f'integrity="{integrity(ASSETS / name)}"' in html
        asset = await client.get(f"/docs/{name}")
        assert asset.status_code == 200
        assert await asset.get_data() == (ASSETS / name).read_bytes()
    assert (await client.get(f"/docs/{uuid.uuid4()}.js")).status_code == 404


def test_the_vendored_swagger_ui_matches_its_checksums_and_carries_its_license() -> None:
    listed = {}
    for line in (ASSETS / "SHA256SUMS").read_text().splitlines():
        digest, name = line.split()
        listed[name] = digest
    assert {"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE", "NOTICE"} <= listed.keys()
    for name, digest in listed.items():
        assert hashlib.sha256((ASSETS / name).read_bytes()).hexdigest() == digest, name
    assert "Apache License" in (ASSETS / "LICENSE").read_text()
