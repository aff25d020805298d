"""The ``orion`` command (also ``python -m orion``)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Coroutine, Sequence
from typing import Any

from orion.bootstrap import MODULE_NAMES, UNAVAILABLE, Orion, UnknownModule, database_url
from orion.settings import SettingsError, load_settings
from orion.shared_kernel.adapters.logging import configure_logging
from orion.shared_kernel.adapters.messaging.broker import BrokerUnavailable
from orion.shared_kernel.domain.errors import DependencyUnavailable

ENVIRONMENT = """\
settings come from ORION_* environment variables, or ORION_*_FILE naming a file:
  ORION_DATABASE_URL  PostgreSQL server (unset: embedded PostgreSQL under ORION_DATA_DIR)
  ORION_DATA_DIR      where the embedded PostgreSQL keeps its data (default ./.orion)
  ORION_REDIS_URL     Redis server (unset: in-process)
  ORION_ADMIN_TOKEN   bearer token of the admin API (unset: the admin API refuses all)
  ORION_LOG_FORMAT    auto | json | console;  ORION_LOG_LEVEL  DEBUG | INFO | WARNING | ERROR
"""
UNREACHABLE: tuple[type[BaseException], ...] = (*UNAVAILABLE, DependencyUnavailable)


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="orion",
        description="Orion, an e-commerce backend that cannot lose an order or charge twice.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")

    serve = commands.add_parser(
        "serve",
        help="serve the HTTP API",
        description="Serve the HTTP API. On the embedded default it applies migrations first.",
        epilog=ENVIRONMENT,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, default=8000, help="port to bind (default 8000)")
    serve.add_argument(
        "--demo", action="store_true", help="seed the demo catalog when the catalog is empty"
    )
    serve.add_argument(
        "--no-workers",
        action="store_true",
        help="run no module's consumers here (they run as `orion worker`); needs ORION_BROKER_URL",
    )
    serve.add_argument(
        "--no-relay",
        action="store_true",
        help="run no outbox relay here (it runs as `orion relay`); needs ORION_BROKER_URL",
    )

    worker = commands.add_parser(
        "worker",
        help="run modules' event consumers, no HTTP",
        description="Consume the events the given modules subscribe to, until SIGTERM or SIGINT. "
        "Needs ORION_BROKER_URL.",
    )
    worker.add_argument(
        "--module",
        required=True,
        help=f"comma-separated module names, e.g. {','.join(MODULE_NAMES)}",
    )

    commands.add_parser(
        "relay",
        help="relay every module's outbox to the broker, no HTTP",
        description="Publish committed events from every module's outbox to RabbitMQ, until "
        "SIGTERM or SIGINT. Several relays may run at once. Needs ORION_BROKER_URL.",
    )

    commands.add_parser(
        "migrate",
        help="apply every module's database migrations",
        description="Apply every module's migrations (each module has its own schema).",
    )

    seed = commands.add_parser(
        "seed",
        help="load data",
        description="Load data. Idempotent: what exists is left as it is.",
    )
    seed.add_argument(
        "--demo", action="store_true", required=True, help="the demo catalog (55 products)"
    )
    return root


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.exit(f"orion: invalid setting {error}")
    configure_logging(level=settings.log_level, fmt=settings.log_format)

    try:
        with database_url(settings) as (url, embedded):
            orion = Orion(settings, url)
            if args.command == "serve":
                if (args.no_workers or args.no_relay) and orion.in_process_broker:
                    sys.exit(
                        "orion: --no-workers and --no-relay need ORION_BROKER_URL: the "
                        "in-process broker delivers only inside this process"
                    )
                _run(
                    _serve(
                        orion,
                        args.host,
                        args.port,
                        migrate=embedded,
                        demo=args.demo,
                        workers=not args.no_workers,
                        relay=not args.no_relay,
                    )
                )
            elif args.command in {"worker", "relay"}:
                if orion.in_process_broker:
                    sys.exit(f"orion: {args.command} needs ORION_BROKER_URL (RabbitMQ)")
                modules = args.module.split(",") if args.command == "worker" else []
                _run(_work(orion, modules=modules, relay=args.command == "relay"))
            elif args.command == "migrate":
                _run(_then_close(orion, orion.migrate()))
            elif args.command == "seed":
                _run(_then_close(orion, orion.seed_demo()))
    except UNREACHABLE as error:
        sys.exit(f"orion: cannot reach the database: {type(error).__name__}: {error}")
    except BrokerUnavailable as error:
        sys.exit(f"orion: cannot reach the broker: {error}")
    except UnknownModule as error:
        sys.exit(f"orion: {error}")


def _run(coroutine: Coroutine[Any, Any, None]) -> None:
    try:
        import uvloop
    except ImportError:  # Windows has no uvloop; asyncio's loop serves, slower
        asyncio.run(coroutine)
    else:
        uvloop.run(coroutine)


async def _then_close(orion: Orion, work: Coroutine[Any, Any, Any]) -> None:
    try:
        await work
    finally:
        await orion.aclose()


def _on_signals() -> asyncio.Event:
    received = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, received.set)
    return received


async def _serve(
    orion: Orion, host: str, port: int, *, migrate: bool, demo: bool, workers: bool, relay: bool
) -> None:
    """The API, and unless told otherwise the relay and every module's consumers.

    On SIGTERM: readiness turns 503, consumers stop taking messages and finish the ones in
    flight, the relay finishes its pass, then the server finishes its requests and closes.
    """
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    if migrate:
        await orion.migrate()
    if demo:
        await orion.seed_demo(only_if_empty=True)
    config = Config()
    config.bind = [f"{host}:{port}"]
    config.accesslog = None  # the app logs each request itself, with its context
    config.errorlog = logging.getLogger("hypercorn.error")  # through structlog's handler
    config.graceful_timeout = 10.0
    signalled = _on_signals()
    relay_stop = asyncio.Event()
    relay_task = asyncio.create_task(orion.relay().run(relay_stop)) if relay else None
    if workers:
        await orion.start_consumers()

    async def shutdown_trigger() -> None:
        await signalled.wait()
        orion.draining = True
        if workers:
            await orion.stop_consumers()
        relay_stop.set()
        if relay_task is not None:
            await relay_task

    try:
        await serve(orion.create_app(), config, shutdown_trigger=shutdown_trigger)
    finally:
        relay_stop.set()
        if relay_task is not None and not relay_task.done():
            await relay_task


async def _work(orion: Orion, *, modules: list[str], relay: bool) -> None:
    """A worker (consumers of the given modules) or a relay, until SIGTERM or SIGINT."""
    signalled = _on_signals()
    try:
        if relay:
            await orion.relay().run(signalled)
        else:
            await orion.start_consumers(modules)
            await signalled.wait()
            await orion.stop_consumers()
    finally:
        await orion.aclose()


if __name__ == "__main__":
    main()
