"""The image: built from the Dockerfile on the Debian-built base, lint-clean, holding the app
and nothing of its build; its roles in containers (read-only, non-root) take an order from the
API to paid with its emails written, and `docker stop` ends each cleanly with nothing pending."""

from __future__ import annotations

import json
import subprocess
import sys
import time
import tomllib
import uuid
from pathlib import Path

import httpx

from tests.deploy.conftest import ADMIN, ORION_UID, ROOT, Shop
from tests.deploy.containers import GRACE_S, docker
from tests.e2e.deployment import ADDRESS, new_pen, shopper, sign_in, subjects

PAID_WITHIN_S = 20


def test_every_dockerfile_is_lint_clean() -> None:
    dockerfiles = [ROOT / "Dockerfile", *sorted((ROOT / "deploy").rglob("Dockerfile"))]
    linted = subprocess.run(
        [str(Path(sys.executable).parent / "hadolint"), *map(str, dockerfiles)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert linted.returncode == 0, linted.stdout + linted.stderr


def test_the_image_holds_the_app_and_nothing_of_its_build(image: str) -> None:
    config = json.loads(docker("image", "inspect", image))[0]["Config"]
    labels = config["Labels"]
    version = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
    assert labels["org.opencontainers.image.version"] == version
    head = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, cwd=ROOT)
    assert labels["org.opencontainers.image.revision"].startswith(head.stdout.strip())
    assert "org.opencontainers.image.source" in labels
    assert config["User"] == f"{ORION_UID}:{ORION_UID}"
    assert config["Entrypoint"] == ["orion"]
    assert config["StopSignal"] == "SIGTERM"
    assert "/health/live" in " ".join(config["Healthcheck"]["Test"])
    probe = (
        "import importlib.util as u, shutil, orion; "
        "print(shutil.which('uv'), shutil.which('gcc'), shutil.which('cc'), "
        "u.find_spec('tests'), u.find_spec('pytest'), orion.__file__)"
    )
    found = docker("run", "--rm", "--read-only", "--entrypoint", "python", image, "-c", probe)
    assert found.split()[:5] == ["None"] * 5, found  # no uv, no compiler, no tests, no dev tools
    assert found.split()[5].startswith("/opt/orion/venv/lib/"), found  # installed, not a checkout


def test_an_order_goes_to_paid_in_containers_and_each_stops_cleanly(shop: Shop) -> None:
    for container in shop.all:
        state = container.inspect()
        assert state["HostConfig"]["ReadonlyRootfs"] is True  # type: ignore[index]
        uid = docker("exec", container.name, "python", "-c", "import os; print(os.getuid())")
        assert int(uid) == ORION_UID
    api = httpx.Client(base_url=shop.apis[0].health.removesuffix("/health/live"), timeout=10)
    admin = sign_in(api, ADMIN)
    pen = new_pen(api, admin, stock=10)
    ada = shopper(api, f"ada-{uuid.uuid4().hex[:6]}")
    assert (
        api.put(f"/api/v1/cart/items/{pen}", json={"quantity": 2}, headers=ada).status_code == 200
    )
    placed = api.post(
        "/api/v1/orders",
        json={"shipping_address": ADDRESS, "payment": {"token": "tok_visa"}},
        headers={**ada, "Idempotency-Key": str(uuid.uuid4())},
    )
    assert placed.status_code == 202, placed.text
    order = placed.json()["id"]
    deadline = time.monotonic() + PAID_WITHIN_S
    while api.get(f"/api/v1/orders/{order}", headers=ada).json()["status"] != "paid":
        assert time.monotonic() < deadline, "the order was not paid in time"
        time.sleep(0.1)
    number = api.get(f"/api/v1/orders/{order}", headers=ada).json()["number"]
    while f"Payment received for order {number}" not in subjects(shop.mail):
        assert time.monotonic() < deadline, f"no payment email: {subjects(shop.mail)}"
        time.sleep(0.1)
    api.close()

    try:
        for container in shop.all:  # the API first, as a rolling restart does
            code, seconds = container.stop()
            assert (container.name, code) == (container.name, 0), container.logs()[-3000:]
            assert seconds < GRACE_S
        outboxes = json.loads(_orion(shop, "outbox", "status", "--json"))
        assert [(o["module"], o["pending"], o["parked"]) for o in outboxes] == [
            (o["module"], 0, 0) for o in outboxes
        ]
        dead = json.loads(_orion(shop, "dlq", "list", "--json"))
        assert [row for row in dead if row["messages"]] == []
    finally:
        for container in shop.all:
            container.start()
        for container in shop.all:
            container.wait_ready()


def _orion(shop: Shop, *args: str) -> str:
    done = shop.orion(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout
