"""Journeys through ``orion`` started as a real process, on the embedded default and on the
PostgreSQL server, browsed over HTTP like a client app would."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import asyncpg
import httpx
import psutil
import pytest
from sqlalchemy.engine import make_url

from tests.conftest import SERVER_URL, unavailable
from tests.fakes.loopback import free_port
from tests.log_hygiene import process_log, secret

READY_WITHIN_S = 120  # a deadline: a loaded CI machine starts Python slowly
PASSWORD = "an operator's long passphrase"


def orion_env(**settings: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("ORION_")}
    # a fixed signing key, so that no command writes one into the working directory
    env.update(
        {
            "ORION_LOG_FORMAT": "json",
            "ORION_JWT_KEYS": "e2e:" + secret("e2e signing key", "k" * 40),
            **settings,
        }
    )
    return env


def orion(
    *args: str, env: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orion", *args],
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


class Server:
    def __init__(self, env: dict[str, str], *args: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        # its log goes to a file (a pipe nobody reads fills up and stalls the server), kept
        # with the run's logs for the end-of-run check
        self.log = process_log("serve")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "orion", "serve", "--port", str(self.port), *args],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=self.log,
        )
        self.http = httpx.Client(base_url=self.base, timeout=10)
        self.ops: dict[str, str] = {}  # the other processes' metrics and health, by command

    def log_text(self) -> str:
        return Path(self.log.name).read_text()

    def wait_ready(self) -> None:
        deadline = time.monotonic() + READY_WITHIN_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise AssertionError(f"orion serve exited:\n{self.log_text()}")
            try:
                if self.http.get("/health/ready").status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.2)
        raise AssertionError("orion serve was not ready in time")

    def stop(self) -> int:
        self.http.close()
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            raise
        finally:
            self.log.close()


@pytest.fixture
def embedded(tmp_path: Path) -> Iterator[Server]:
    server = Server(orion_env(ORION_DATA_DIR=str(tmp_path / "data")), "--demo")
    try:
        server.wait_ready()
        yield server
    finally:
        if server.process.poll() is None:
            server.process.kill()


def browse(http: httpx.Client) -> None:
    """What a storefront does: categories, a full walk of the catalog, a product, the docs."""
    categories = http.get("/api/v1/categories").json()["items"]
    assert len(categories) >= 5
    skus: list[str] = []
    cursor = None
    while True:
        params = {"limit": 20, "sort": "-price"} | ({"cursor": cursor} if cursor else {})
        page = http.get("/api/v1/products", params=params).json()
        skus += [item["sku"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert len(skus) >= 50
    assert len(set(skus)) == len(skus)
    assert sum(category["product_count"] for category in categories) == len(skus)
    books = http.get("/api/v1/products", params={"category": "Books", "limit": 100}).json()
    product = books["items"][0]
    detail = http.get(f"/api/v1/products/{product['id']}")
    assert detail.status_code == 200
    assert detail.json() == product
    assert http.get("/docs").status_code == 200
    assert "/api/v1/products" in http.get("/openapi.json").json()["paths"]


def test_serve_demo_on_the_embedded_default(embedded: Server, tmp_path: Path) -> None:
    browse(embedded.http)
    pgdata = str(tmp_path / "data" / "pg")
    assert _postgres_serving(pgdata)
    assert embedded.stop() == 0
    # the embedded PostgreSQL stopped with it
    assert not _postgres_serving(pgdata)


def test_restart_keeps_data_and_does_not_seed_twice(tmp_path: Path) -> None:
    env = orion_env(ORION_DATA_DIR=str(tmp_path / "data"))
    for _ in range(2):
        server = Server(env, "--demo")
        try:
            server.wait_ready()
            categories = server.http.get("/api/v1/categories").json()["items"]
        finally:
            assert server.stop() == 0
        assert sum(category["product_count"] for category in categories) == 55


@contextmanager
def server_database(prefix: str = "orion_e2e") -> Iterator[str]:
    """The URL of a new database on the PostgreSQL server, dropped on leaving."""
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    except (OSError, asyncpg.PostgresError) as error:
        unavailable("PostgreSQL server", error)
    try:
        yield make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def test_serve_on_the_postgresql_server() -> None:
    with server_database() as url:
        env = orion_env(ORION_DATABASE_URL=url)
        assert orion("migrate", env=env).returncode == 0
        made = orion("admin", "create", "--email", "ops@example.com", env=env, stdin=PASSWORD)
        assert made.returncode == 0, made.stderr
        assert "admin ops@example.com" in made.stdout
        seeded = orion("seed", "--demo", env=env)
        assert seeded.returncode == 0, seeded.stderr
        metrics_port = free_port()
        server = Server(env, "--metrics-port", str(metrics_port))
        try:
            server.wait_ready()
            browse(server.http)
            # the operator's numbers on their own port, never on the API's
            assert server.http.get("/metrics").status_code == 404
            metrics = httpx.get(f"http://127.0.0.1:{metrics_port}/metrics", timeout=10)
            assert metrics.status_code == 200
            assert "orion_outbox_pending" in metrics.text
            assert "orion_http_requests_total" in metrics.text
            login = server.http.post(
                "/api/v1/auth/login", json={"email": "ops@example.com", "password": PASSWORD}
            )
            token = login.json()["access_token"]
            created = server.http.post(
                "/api/v1/admin/products",
                headers={"Authorization": f"Bearer {token}"},
                json={
                    "sku": "E2E-1",
                    "name": "E2E",
                    "category": "Books",
                    "price": {"amount": 1, "currency": "EUR"},
                },
            )
            assert created.status_code == 201
        finally:
            assert server.stop() == 0


async def _admin_sql(statement: str) -> None:
    dsn = make_url(SERVER_URL).set(drivername="postgresql")
    connection = await asyncpg.connect(dsn.render_as_string(hide_password=False), timeout=5)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()


def test_commands_beside_a_starting_server_join_it_and_wait_for_its_schema(
    tmp_path: Path,
) -> None:
    """``orion admin create`` run at once after ``orion serve &`` on the embedded default
    waits for the schema the server is still making (rather than advising ``orion migrate``),
    and a command that joined the server neither says it started nor that it stopped it."""
    env = orion_env(ORION_DATA_DIR=str(tmp_path / "data"))
    server = Server(env)
    try:
        early = orion("admin", "create", "--email", "early@example.com", env=env, stdin=PASSWORD)
        assert early.returncode == 0, early.stderr
        assert "embedded_postgres_stopped" not in early.stderr  # the server still serves
        server.wait_ready()
        joined = orion("admin", "create", "--email", "late@example.com", env=env, stdin=PASSWORD)
        assert joined.returncode == 0, joined.stderr
        assert "admin late@example.com" in joined.stdout
        assert "embedded_postgres_started" not in joined.stderr
        assert "embedded_postgres_stopped" not in joined.stderr
        login = server.http.post(
            "/api/v1/auth/login", json={"email": "early@example.com", "password": PASSWORD}
        )
        assert login.status_code == 200, login.text
    finally:
        assert server.stop() == 0
    assert "embedded_postgres_stopped" in server.log_text()


def test_a_port_in_use_is_told_as_such_before_the_database_starts(tmp_path: Path) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        result = orion(
            "serve", "--port", str(port), env=orion_env(ORION_DATA_DIR=str(tmp_path / "data"))
        )
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        f"orion: 127.0.0.1:{port} is already in use (another orion serve?): stop what listens "
        "there, or choose another --port"
    )
    assert not (tmp_path / "data" / "pg").exists()  # no database was started for nothing


@pytest.mark.parametrize(
    ("command", "refusal"),
    [
        (["worker", "--module", "catalog"], "orion: worker needs ORION_BROKER_URL (RabbitMQ)"),
        (["seed"], "orion: seed loads what it is told: --demo (the demo catalog)"),
    ],
)
def test_a_command_that_cannot_run_refuses_before_the_database_starts(
    command: list[str], refusal: str, tmp_path: Path
) -> None:
    result = orion(*command, env=orion_env(ORION_DATA_DIR=str(tmp_path / "data")))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines() == [refusal]
    assert not (tmp_path / "data" / "pg").exists()


def test_seed_help_shows_demo_as_an_option() -> None:
    usage = orion("seed", "--help", env=orion_env()).stdout.splitlines()[0]
    assert usage == "usage: orion seed [-h] [--demo]"


def test_bad_setting_stops_the_start_with_one_line_naming_it() -> None:
    result = orion("migrate", env=orion_env(ORION_DB_POOL_SIZE="many"))
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("orion: invalid setting ORION_DB_POOL_SIZE:")


def test_an_unmigrated_database_is_told_in_one_line() -> None:
    name = f"orion_bare_{uuid.uuid4().hex[:10]}"
    asyncio.run(_admin_sql(f'CREATE DATABASE "{name}"'))
    try:
        url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
        result = orion("outbox", "status", env=orion_env(ORION_DATABASE_URL=url))
    finally:
        asyncio.run(_admin_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    assert result.returncode != 0
    assert result.stderr.strip().splitlines()[-1] == (
        "orion: the database is not migrated yet: run `orion migrate` first"
    )


def test_secret_values_never_reach_the_output(tmp_path: Path) -> None:
    secret = tmp_path / "db-url"
    secret.write_text("postgresql://postgres:hunter2-secret@127.0.0.1:1/none\n")
    result = orion("migrate", env=orion_env(ORION_DATABASE_URL_FILE=str(secret)))
    assert result.returncode != 0  # nothing listens on port 1
    assert "hunter2-secret" not in result.stdout + result.stderr


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["serve"],
        ["worker"],
        ["relay"],
        ["migrate"],
        ["seed"],
        ["outbox"],
        ["outbox", "status"],
        ["outbox", "replay"],
        ["dlq"],
        ["dlq", "list"],
        ["dlq", "show"],
        ["dlq", "replay"],
        ["dlq", "purge"],
        ["admin"],
        ["admin", "create"],
    ],
)
def test_every_command_has_help(command: list[str]) -> None:
    result = orion(*command, "--help", env=orion_env())
    assert result.returncode == 0
    assert "usage: orion" in result.stdout


def _postgres_serving(pgdata: str) -> bool:
    return any(
        process.info["name"] == "postgres"
        and process.info["status"] != psutil.STATUS_ZOMBIE
        and pgdata in " ".join(process.info["cmdline"] or ())
        for process in psutil.process_iter(["name", "status", "cmdline"])
    )
