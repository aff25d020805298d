"""Markers by folder, and the real services the integration tests talk to.

Service URLs: ORION_TEST_DATABASE_URL (a PostgreSQL server where tests may create
databases), ORION_TEST_BROKER_URL and ORION_TEST_REDIS_URL. A service that cannot be reached
skips its tests with a message naming it; with CI=true it fails them instead.

A run owns what it touches, so that two runs on one machine never meet: every database it
makes has a random name; unless ORION_TEST_BROKER_URL names one, the run makes a RabbitMQ
virtual host of its own (``rabbitmqctl``, as the benchmarks do) and deletes it at the end,
with every queue and exchange in it; and unless ORION_TEST_REDIS_URL names one, each process
holds a Redis database (15 down to 1) alone while it runs, by a lock file.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import subprocess
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager
from pathlib import Path
from typing import IO, Any

import asyncpg
import pytest
import redis.asyncio as aioredis
import sqlalchemy as sa
from dependency_injector import providers
from pydantic import SecretStr
from quart.typing import TestClientProtocol as Client
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.engine import make_url

from orion.bootstrap import Orion
from orion.modules.identity.application.commands import LogIn
from orion.modules.identity.contracts.commands import CreateAdmin
from orion.settings import Settings
from orion.shared_kernel.adapters.platform import PlatformContainer
from orion.shared_kernel.application.exchange_rates import CurrencyConverter
from tests.log_hygiene import LOG_DIR, SECRETS, leaks, log_to_run, secret
from tests.redaction import pytest_runtest_makereport  # noqa: F401  # a failure's report shows no token

TESTS = Path(__file__).parent
JWT_KEYS = "test:" + secret("jwt signing key", "k" * 48)
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = secret("admin password", "correct horse battery staple")
SERVER_URL = os.environ.get(
    "ORION_TEST_DATABASE_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)


def redis_database() -> str:
    """The URL of a Redis database nothing else of any test run uses while this process
    runs (pytest-xdist's workers, another run, the containers of tests/deploy): rate limits
    by address and account, and the payment provider's circuit breaker, are kept in Redis by
    name. Held by a lock file until the process ends, emptied of what an earlier run left."""
    for number in range(15, 0, -1):
        lock = (Path(tempfile.gettempdir()) / f"orion-test-redis-{number}.lock").open("w")
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        _HELD.append(lock)
        with contextlib.suppress(RedisError), Redis(db=number) as client:
            client.flushdb()
        return f"redis://127.0.0.1:6379/{number}"
    raise RuntimeError("every Redis database 1-15 is held by another test process")


_HELD: list[IO[str]] = []
REDIS_URL = os.environ.get("ORION_TEST_REDIS_URL") or redis_database()
IN_CI = os.environ.get("CI", "").lower() == "true"
RUN_VHOST = None if "ORION_TEST_BROKER_URL" in os.environ else f"orion_test_{secrets.token_hex(6)}"
BROKER_URL = os.environ.get(
    "ORION_TEST_BROKER_URL", f"amqp://guest:guest@127.0.0.1:5672/{RUN_VHOST}"
)
MODULE_SCHEMAS = (
    "analytics",
    "audit",
    "catalog",
    "dashboard",
    "identity",
    "notifications",
    "ordering",
    "payments",
)


def pytest_configure(config: pytest.Config) -> None:
    """The run's log lines, as ``orion serve`` writes them but DEBUG and up, into the run's
    log file for the check at the end (``tests/log_hygiene.py``); the run's virtual host."""
    log_to_run()
    if RUN_VHOST is not None and not _rabbitmqctl("add_vhost", RUN_VHOST):
        _rabbitmqctl("set_permissions", "-p", RUN_VHOST, "guest", ".*", ".*", ".*")


def pytest_unconfigure(config: pytest.Config) -> None:
    if RUN_VHOST is not None:
        _rabbitmqctl("delete_vhost", RUN_VHOST)


@contextmanager
def own_vhost(prefix: str) -> Iterator[str]:
    """A broker URL on a RabbitMQ virtual host of its own, deleted on leaving: for processes
    that outlive a test (the containers of tests/deploy), which would otherwise consume the
    messages of the next tests of this process."""
    if RUN_VHOST is None:  # ORION_TEST_BROKER_URL names the broker to use
        yield BROKER_URL
        return
    vhost = f"{prefix}_{secrets.token_hex(6)}"
    if not _rabbitmqctl("add_vhost", vhost):
        _rabbitmqctl("set_permissions", "-p", vhost, "guest", ".*", ".*", ".*")
    try:
        yield BROKER_URL.removesuffix(RUN_VHOST) + vhost
    finally:
        _rabbitmqctl("delete_vhost", vhost)


def _rabbitmqctl(*arguments: str) -> str | None:
    """Runs ``rabbitmqctl``; what went wrong, or None. A broker that is not there shows in
    the tests that need it (skipped, or failed with CI=true), not here."""
    try:
        subprocess.run(
            ["rabbitmqctl", "-q", *arguments], check=True, capture_output=True, timeout=60
        )
    except (OSError, subprocess.CalledProcessError, subprocess.TimeoutExpired) as error:
        return str(error)
    return None


@pytest.hookimpl(trylast=True)  # after the session's fixtures are torn down, their logs kept
def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fails the run if any log line of it holds a password, a token or a key. Each process
    of the run looks through its own logs (an xdist worker knows the secrets its tests
    registered) and a worker hands its findings to the controller, which reports them all."""
    found = leaks(LOG_DIR, SECRETS)
    lines = sum(path.read_bytes().count(b"\n") for path in LOG_DIR.iterdir())
    if not found and "ORION_TEST_LOG_DIR" not in os.environ:
        shutil.rmtree(LOG_DIR, ignore_errors=True)  # kept only when asked for, or to look at
    workeroutput = getattr(session.config, "workeroutput", None)
    if workeroutput is not None:
        workeroutput["log_hygiene"] = (lines, [f"{LOG_DIR}/{leak}" for leak in found])
        workeroutput["told"] = TOLD
        return
    for worker_lines, worker_found in _WORKERS_LOGS:
        lines += worker_lines
        found += worker_found
    if found:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    if reporter is not None:
        reporter.write_line(
            f"log hygiene: {lines} log lines of this run, {len(found)} with a secret"
            + "".join(f"\n  {leak}" for leak in found[:50]),
            red=bool(found),
        )


_WORKERS_LOGS: list[tuple[int, list[str]]] = []
TOLD: list[str] = []  # lines for the end of the run (the image's size), from any process


def pytest_testnodedown(node: Any, error: Any) -> None:
    """An xdist worker's log hygiene findings (``pytest_sessionfinish``) and what its tests
    had to tell, for the controller."""
    _WORKERS_LOGS.append(node.workeroutput.get("log_hygiene", (0, [])))
    TOLD.extend(node.workeroutput.get("told", []))


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    for line in TOLD:
        terminalreporter.write_line(line)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Markers by folder (e2e and deploy are also ``slow``: ``-m "not slow"`` is the quick
    loop of development)."""
    for item in items:
        kind = Path(item.fspath).relative_to(TESTS).parts[0]
        if kind in {"unit", "integration", "contract", "e2e", "deploy"}:
            item.add_marker(getattr(pytest.mark, kind))
        if kind in {"e2e", "deploy"}:
            item.add_marker(pytest.mark.slow)


def unavailable(service: str, error: BaseException) -> None:
    message = f"{service} is unreachable: {type(error).__name__}: {error}"
    if IN_CI:
        pytest.fail(message + " (CI=true: a missing service fails the run)", pytrace=False)
    pytest.skip(message)


def _asyncpg_dsn(url: str) -> str:
    return make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


@pytest.fixture(scope="session")
async def database_url() -> AsyncIterator[str]:
    """A fresh database on the PostgreSQL server, migrated once for the session."""
    name = f"orion_test_{uuid.uuid4().hex[:12]}"
    try:
        admin = await asyncpg.connect(_asyncpg_dsn(SERVER_URL), timeout=5)
    except (OSError, asyncpg.PostgresError) as error:
        unavailable(f"PostgreSQL at {make_url(SERVER_URL).render_as_string()}", error)
    await admin.execute(f'CREATE DATABASE "{name}"')
    url = make_url(SERVER_URL).set(database=name).render_as_string(hide_password=False)
    migrator = Orion(shop_settings(), url)
    await migrator.migrate()
    await migrator.aclose()
    try:
        yield url
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


@pytest.fixture
async def redis() -> AsyncIterator[aioredis.Redis]:
    """A client of the test Redis (``ORION_TEST_REDIS_URL``)."""
    client = aioredis.from_url(REDIS_URL)
    try:
        await client.ping()
    except (RedisError, OSError) as error:
        unavailable(f"Redis at {REDIS_URL}", error)
    try:
        yield client
    finally:
        await client.aclose()


@pytest.fixture
async def orion(database_url: str) -> AsyncIterator[Orion]:
    """A wired Orion on the test database, with every module's tables emptied first (all
    tables of the modules' schemas, so a new table needs no edit here)."""
    async with emptied(Orion(shop_settings(), database_url)) as shop:
        yield shop


@asynccontextmanager
async def emptied(shop: Orion) -> AsyncIterator[Orion]:
    """``shop`` with every table of the modules' schemas emptied, closed on exit."""
    async with shop.engine.begin() as connection:
        tables = await connection.scalar(
            sa.text(
                "SELECT string_agg(format('%I.%I', schemaname, tablename), ', ')"
                " FROM pg_tables WHERE schemaname = ANY(:schemas)"
                " AND tablename <> 'alembic_version'"
            ),
            {"schemas": list(MODULE_SCHEMAS)},
        )
        await connection.exec_driver_sql(f"TRUNCATE {tables}")
    try:
        yield shop
    finally:
        await shop.aclose()


@asynccontextmanager
async def shop_with_rates(
    rates: CurrencyConverter, database_url: str, **overrides: Any
) -> AsyncIterator[Orion]:
    """An Orion whose exchange rates are ``rates`` (the composition root filled with a fake,
    as cosmicpython's ``bootstrap(uow=...)``), closed on exit."""
    with PlatformContainer.exchange_rates.override(providers.Object(rates)):
        shop = Orion(shop_settings(**overrides), database_url)
    try:
        yield shop
    finally:
        await shop.aclose()


def shop_settings(**overrides: Any) -> Settings:
    """Settings for a test Orion: a fixed signing key, and emails under a temporary dir."""
    overrides.setdefault("data_dir", Path(tempfile.mkdtemp(prefix="orion-test-")))
    return Settings(jwt_keys=SecretStr(JWT_KEYS), **overrides)


Shop = Callable[..., AbstractAsyncContextManager[tuple[Orion, Client]]]


@pytest.fixture
def shop(orion: Orion, database_url: str) -> Shop:
    """``async with shop(**settings) as (instance, client)``: an Orion on the test database
    (emptied by ``orion``) with these settings, and a client of its app."""

    @asynccontextmanager
    async def make(**settings: Any) -> AsyncIterator[tuple[Orion, Client]]:
        instance = Orion(shop_settings(**settings), database_url)
        try:
            app = instance.create_app()
            async with app.test_app() as test_app:
                yield instance, test_app.test_client()
        finally:
            await instance.aclose()

    return make


@pytest.fixture
async def admin(orion: Orion) -> dict[str, str]:
    """Authorization headers of a signed-in admin."""
    await orion.mediator.send(
        CreateAdmin(email=ADMIN_EMAIL, password=ADMIN_PASSWORD, full_name="Admin")
    )
    pair = await orion.mediator.send(LogIn(email=ADMIN_EMAIL, password=ADMIN_PASSWORD))
    return {"Authorization": f"Bearer {pair.access_token}"}


@pytest.fixture
async def client(orion: Orion) -> AsyncIterator[Client]:
    app = orion.create_app()
    async with app.test_app() as test_app:
        yield test_app.test_client()
