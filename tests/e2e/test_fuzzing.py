"""No request gets a 500, an undocumented status, a refusal of what the document calls
valid, or an answer that breaks its schema: schemathesis (every check) over the OpenAPI
document a running ``orion serve`` serves, once anonymous and once as an admin, with the
rate limits raised for the run (that the document is valid OpenAPI 3.1 is
tests/contract/catalog/test_http_errors.py's).

Bounded in time (``ORION_FUZZ_SECONDS`` per run, 30 by default) and seeded: the seed is
printed, and ``ORION_FUZZ_SEED=N`` replays a run. Where a schema-valid request may still
be refused (state, or a rule JSON Schema cannot state), ``schemathesis.toml`` says so.
"""

from __future__ import annotations

import os
import secrets
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.test_serve import Server, orion, orion_env, server_database
from tests.log_hygiene import secret

SEED = int(os.environ.get("ORION_FUZZ_SEED") or secrets.randbelow(2**31))
SECONDS = os.environ.get("ORION_FUZZ_SECONDS", "30")
CONFIG = Path(__file__).with_name("schemathesis.toml")
ADMIN = "fuzz-admin@example.com"
PASSWORD = secret("fuzzing admin password", "a long fuzzing passphrase")
UNLIMITED = "1000000/minute"
LIMITS = (
    "RATE_LIMIT_ANONYMOUS",
    "RATE_LIMIT_USER",
    "RATE_LIMIT_AUTH",
    "LOGIN_LIMIT_PER_ACCOUNT",
    "LOGIN_LIMIT_PER_ADDRESS",
    "REGISTER_LIMIT_PER_ADDRESS",
    "RESET_LIMIT_PER_ADDRESS",
)


@pytest.fixture(scope="module")
def shop() -> Iterator[Server]:
    """``orion serve`` on a database of its own, with an admin, limits raised."""
    with server_database("orion_fuzz") as url:
        env = orion_env(ORION_DATABASE_URL=url, **{f"ORION_{limit}": UNLIMITED for limit in LIMITS})
        assert orion("migrate", env=env).returncode == 0
        made = orion("admin", "create", "--email", ADMIN, env=env, stdin=PASSWORD)
        assert made.returncode == 0, made.stderr
        server = Server(env)
        try:
            server.wait_ready()
            yield server
        finally:
            assert server.stop() == 0


@pytest.mark.parametrize("caller", ["anonymous", "admin"])
def test_schemathesis_finds_no_fault(
    shop: Server, caller: str, capsys: pytest.CaptureFixture[str]
) -> None:
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(CONFIG),
        "run",
        f"{shop.base}/openapi.json",
        "--checks",
        "all",
        "--seed",
        str(SEED),
        "--max-time",
        SECONDS,
        "--workers",
        "1",
        "--request-timeout",
        "10",
        "--generation-database",
        "none",
        "--no-color",
    ]
    if caller == "admin":
        login = shop.http.post("/api/v1/auth/login", json={"email": ADMIN, "password": PASSWORD})
        command += ["--header", f"Authorization: Bearer {login.json()['access_token']}"]
    with capsys.disabled():  # the seed shows in every run, passed or failed
        print(f" [schemathesis seed {SEED}, {caller}: ORION_FUZZ_SEED={SEED} replays it]")
    run = subprocess.run(
        command, capture_output=True, text=True, timeout=float(SECONDS) + 120, check=False
    )
    assert run.returncode == 0, f"seed {SEED} ({caller}):\n{run.stdout[-20_000:]}{run.stderr}"
