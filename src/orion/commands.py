"""What each ``orion`` command does, once ``__main__`` has parsed it. Kept apart so that
``orion --help`` answers without importing the whole shop."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import errno
import gc
import getpass
import json
import logging
import os
import signal
import subprocess
import sys
from collections.abc import Coroutine, Sequence
from datetime import timedelta
from typing import Any

import sqlalchemy.exc
import structlog

from orion.bootstrap import Orion, UnknownModule
from orion.modules.analytics.contracts.commands import RebuildAnalytics
from orion.modules.audit.contracts.commands import AuditReport, RepairInvariant, RunAudit
from orion.modules.catalog.contracts.commands import SeedDemoCatalog
from orion.modules.identity.contracts.commands import CreateAdmin
from orion.modules.payments.contracts.commands import Reconcile
from orion.settings import SettingsError, load_settings
from orion.shared_kernel.adapters.logging import configure_logging
from orion.shared_kernel.adapters.messaging import operations
from orion.shared_kernel.adapters.messaging.broker import BrokerUnavailable
from orion.shared_kernel.adapters.messaging.rabbitmq import dead_letter_queue
from orion.shared_kernel.adapters.periodic import run_periodically
from orion.shared_kernel.adapters.sql.embedded import database_url
from orion.shared_kernel.adapters.sql.engine import UNAVAILABLE
from orion.shared_kernel.adapters.telemetry import configure_tracing
from orion.shared_kernel.adapters.vault import VaultError
from orion.shared_kernel.domain.errors import DependencyUnavailable, DomainError

log = structlog.get_logger("orion.commands")
UNREACHABLE: tuple[type[BaseException], ...] = (*UNAVAILABLE, DependencyUnavailable)


def run(args: argparse.Namespace) -> None:
    """Carries out the parsed command."""
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.exit(f"orion: invalid setting {error}")
    configure_logging(level=settings.log_level, fmt=settings.log_format)
    configure_tracing(exporter=settings.otel_exporter, sample_ratio=settings.trace_sample_ratio)
    _refuse_early(args, broker=settings.broker_url is not None)
    password = _read_password() if args.command == "admin" else ""
    # bound before anything slow starts, so that a port in use is told at once
    listening: Any = None
    ops_listening: Any = None
    if args.command == "serve":
        listening = (
            _listening(args.host, args.port, flag="--port")
            if args.listen_fd is None
            else _hypercorn_config(f"fd://{args.listen_fd}")
        )
        if args.metrics_port is not None:
            ops_listening = _listening(args.metrics_host, args.metrics_port, flag="--metrics-port")
    elif args.command in {"worker", "relay"} and args.metrics_port is not None:
        listening = _listening(args.host, args.metrics_port, flag="--metrics-port")

    try:
        with database_url(settings.database_url, settings.data_dir) as (url, embedded):
            orion = Orion(settings, url)
            if args.command == "serve":
                _run(
                    _serve(
                        orion,
                        listening,
                        ops=ops_listening,
                        migrate=embedded,
                        demo=args.demo,
                        workers=not args.no_workers,
                        relay=not args.no_relay,
                        apis=args.workers - 1,
                        database=url if embedded else None,
                    )
                )
            elif args.command in {"worker", "relay"}:
                modules = args.module.split(",") if args.command == "worker" else []
                ops = None if args.metrics_port is None else listening
                _run(_work(orion, modules=modules, relay=args.command == "relay", ops=ops))
            else:
                _run(_then_close(orion, _once(orion, args, password, embedded=embedded)))
    except BrokerUnavailable as error:  # before UNREACHABLE: it is an OSError too
        sys.exit(f"orion: cannot reach the broker: {error}")
    except UNREACHABLE as error:
        sys.exit(f"orion: cannot reach the database: {type(error).__name__}: {error}")
    except (UnknownModule, operations.OperationFailed, VaultError) as error:
        sys.exit(f"orion: {error}")
    except DomainError as error:  # e.g. a weak password for `orion admin create`
        sys.exit(f"orion: {error.title}: {error.detail}")
    except sqlalchemy.exc.ProgrammingError as error:
        if "does not exist" not in str(error.orig):
            raise
        sys.exit("orion: the database is not migrated yet: run `orion migrate` first")


def _refuse_early(args: argparse.Namespace, *, broker: bool) -> None:
    """What a command cannot do with these arguments and settings, said before it starts the
    embedded database or reaches any server."""
    if args.command == "serve" and args.workers < 1:
        sys.exit("orion: --workers needs at least 1 (one process per core serves best)")
    if not broker:
        if args.command in {"worker", "relay"}:
            sys.exit(f"orion: {args.command} needs ORION_BROKER_URL (RabbitMQ)")
        extra_api = args.command == "serve" and args.listen_fd is not None
        if args.command == "serve" and (args.no_workers or args.no_relay) and not extra_api:
            sys.exit(
                "orion: --no-workers and --no-relay need ORION_BROKER_URL: the "
                "in-process broker delivers only inside this process"
            )
        if args.command == "dlq":
            sys.exit(
                "orion: dlq needs ORION_BROKER_URL (RabbitMQ): the in-process broker has no "
                "dead-letter queues; what it cannot deliver stays in the outbox "
                "(orion outbox status)"
            )
    if args.command == "seed" and not args.demo:
        sys.exit("orion: seed loads what it is told: --demo (the demo catalog)")
    if args.command == "dlq" and args.action == "purge" and not args.yes:
        sys.exit(f"orion: dlq purge deletes the dead letters of {args.queue} for good: add --yes")


def _listening(host: str, port: int, *, flag: str) -> Any:
    """A Hypercorn config serving on a socket bound now (handed over as ``fd://``): a port in
    use is one line naming it, before the database starts, not a database error after."""
    from hypercorn.config import Config

    config = _hypercorn_config(f"{host}:{port}")
    try:
        (bound,) = config.create_sockets().insecure_sockets
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            sys.exit(
                f"orion: {host}:{port} is already in use (another orion serve?): stop what "
                f"listens there, or choose another {flag}"
            )
        sys.exit(f"orion: cannot listen on {host}:{port}: {error.strerror or error}")
    assert isinstance(config, Config)
    config.bind = [f"fd://{bound.detach()}"]
    return config


async def _once(orion: Orion, args: argparse.Namespace, password: str, *, embedded: bool) -> None:
    """A command that does its work and exits. On the embedded default each migrates first
    (one process at a time: an advisory lock), so that one run beside a starting
    ``orion serve`` waits for its schema rather than finding none."""
    if embedded or args.command == "migrate":
        await orion.migrate()
    if args.command == "seed":
        await _seed_demo(orion)
    elif args.command == "admin":
        await _create_admin(orion, args, password)
    elif args.command == "outbox":
        await _outbox(orion, args)
    elif args.command == "dlq":
        await _dlq(orion, args)
    elif args.command == "payments":
        await _reconcile(orion, args)
    elif args.command == "audit":
        await _audit(orion, args)
    elif args.command == "analytics":
        rebuilt = await orion.mediator.send(RebuildAnalytics())
        print(
            f"analytics rebuilt from {rebuilt.orders} orders, {rebuilt.payments} payments, "
            f"{rebuilt.customers} customers, {rebuilt.products} products"
        )


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
    orion: Orion,
    config: Any,
    *,
    ops: Any,
    migrate: bool,
    demo: bool,
    workers: bool,
    relay: bool,
    apis: int = 0,
    database: str | None = None,
) -> None:
    """The API (``config``: a Hypercorn config on a bound socket), and unless told otherwise
    the relay and every module's consumers; with ``ops`` (another), the metrics and health
    served there; with ``apis``, that many more API processes on the same socket, kept
    running (``database``: the embedded database's URL, which they are given).

    On SIGTERM: readiness turns 503, consumers stop taking messages and finish the ones in
    flight, the relay finishes its pass, the other API processes are sent SIGTERM, then the
    server finishes its requests and closes, once they have.
    """
    from hypercorn.asyncio import serve

    if migrate:
        await orion.migrate()
    if demo:
        await _seed_demo(orion, only_if_empty=True)
    signalled = _on_signals()
    stopping = asyncio.Event()
    socket_fd = int(config.bind[0].removeprefix("fd://"))
    others = [
        asyncio.create_task(_keep_api_running(socket_fd, database, signalled)) for _ in range(apis)
    ]
    relay_task = asyncio.create_task(orion.relay().run(stopping)) if relay else None
    jobs_task = None
    if workers:
        await orion.start_consumers()
        jobs_task = asyncio.create_task(run_periodically(orion.periodic_jobs(), stopping))

    async def shutdown_trigger() -> None:
        await signalled.wait()
        orion.draining = True
        if workers:
            await orion.stop_consumers()
        stopping.set()
        for task in (relay_task, jobs_task, *others):
            if task is not None:
                await task

    app = orion.create_app()
    ops_server = None
    if ops is not None:
        ops_server = asyncio.create_task(
            serve(orion.create_ops_app(shared_state=True), ops, shutdown_trigger=stopping.wait)
        )
    _freeze_startup_objects()
    try:
        await serve(app, config, shutdown_trigger=shutdown_trigger)
    finally:
        stopping.set()
        signalled.set()  # the other API processes too, if this one ends otherwise
        for task in (relay_task, jobs_task, ops_server, *others):
            if task is not None and not task.done():
                await task


async def _keep_api_running(socket_fd: int, database: str | None, stop: asyncio.Event) -> None:
    """One more API process on the socket (``orion serve --listen-fd``, requests only: the
    first process relays what it writes, woken by the database's NOTIFY), started again a
    second after it dies, until ``stop``; then sent SIGTERM and waited for."""
    env = dict(os.environ) | ({} if database is None else {"ORION_DATABASE_URL": database})
    command = [sys.executable, "-m", "orion", "serve", "--no-workers", "--no-relay"]
    while not stop.is_set():
        process = subprocess.Popen(  # noqa: S603, ASYNC220 - orion itself; waited for below
            [*command, "--listen-fd", str(socket_fd)], env=env, pass_fds=(socket_fd,)
        )
        while process.poll() is None and not stop.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), 0.5)
        if stop.is_set():
            process.terminate()
            await asyncio.to_thread(process.wait)
            return
        log.error("api_process_exited", pid=process.pid, exit_code=process.returncode)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), 1)


def _hypercorn_config(bind: str) -> Any:
    from hypercorn.config import Config

    config = Config()
    config.bind = [bind]
    config.accesslog = None  # the app logs each request itself, with its context
    config.errorlog = logging.getLogger("hypercorn.error")  # through structlog's handler
    config.graceful_timeout = 10.0
    return config


# the youngest generation collected every 10,000 net allocations instead of 700: a request
# makes a few thousand short-lived containers, which reference counting frees anyway
GC_THRESHOLDS = (10_000, 10, 10)


def _freeze_startup_objects() -> None:
    """Moves what start-up made (modules, containers, tables) out of the collector's sight:
    otherwise each full collection walks ~150,000 objects and stalls the loop ~100 ms. Then
    collects the young generation less often (``GC_THRESHOLDS``)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*GC_THRESHOLDS)


async def _work(orion: Orion, *, modules: list[str], relay: bool, ops: Any) -> None:
    """A worker (consumers of the given modules) or a relay, until SIGTERM or SIGINT; with
    ``ops`` (a Hypercorn config), its metrics and health served there until it has stopped."""
    from hypercorn.asyncio import serve

    signalled, stopped = _on_signals(), asyncio.Event()
    server = None
    if ops is not None:
        server = asyncio.create_task(
            serve(orion.create_ops_app(), ops, shutdown_trigger=stopped.wait)
        )
    _freeze_startup_objects()
    try:
        if relay:
            await orion.relay().run(signalled)
        else:
            await orion.start_consumers(modules)
            jobs = asyncio.create_task(run_periodically(orion.periodic_jobs(modules), signalled))
            await signalled.wait()
            orion.draining = True
            await orion.stop_consumers()
            await jobs
    finally:
        stopped.set()
        if server is not None:
            await server
        await orion.aclose()


async def _reconcile(orion: Orion, args: argparse.Namespace) -> None:
    after = orion.settings.payment_reconcile_after_s if args.after is None else args.after
    report = await orion.mediator.send(
        Reconcile(
            after=timedelta(seconds=after),
            give_up_after=timedelta(seconds=orion.settings.payment_give_up_after_s),
        )
    )
    print(
        f"payments examined: {report.examined}, settled: {report.settled}, "
        f"still unsettled (provider unreachable): {report.still_unsettled}"
    )


async def _audit(orion: Orion, args: argparse.Namespace) -> None:
    """Prints the report; exits 1 when a violation is left, so that a script can tell."""
    if args.repair is not None:
        repaired = await orion.mediator.send(
            RepairInvariant(invariant=args.repair, since=args.since)
        )
        if args.json:
            print(json.dumps(dataclasses.asdict(repaired), indent=2))
        else:
            print(f"{repaired.invariant}: repaired {len(repaired.repaired)}")
            for example in repaired.repaired:
                print(f"    {example.subject}  {example.problem}")
            print(f"left (no mechanical fix, see docs/audit/): {len(repaired.left)}")
            for example in repaired.left:
                print(f"    {example.subject}  {example.problem}")
        if repaired.left:
            sys.exit(1)
        return
    report = await orion.mediator.send(RunAudit(since=args.since))
    assert isinstance(report, AuditReport)  # only a checkpointed run can find another running
    if args.json:
        print(json.dumps(dataclasses.asdict(report), indent=2, default=str))
    else:
        print(f"settled before {report.before.isoformat()}, since {report.since or 'the start'}")
        print(
            _table(
                ["invariant", "checked", "violations", "first examples"],
                [
                    [
                        r.invariant,
                        r.checked,
                        r.violations,
                        ", ".join(f"{e.subject} ({e.problem})" for e in r.examples) or "-",
                    ]
                    for r in report.results
                ],
            )
        )
    if any(result.violations for result in report.results):
        sys.exit(1)


async def _seed_demo(orion: Orion, *, only_if_empty: bool = False) -> None:
    created = await orion.mediator.send(SeedDemoCatalog(only_if_empty=only_if_empty))
    log.info("demo_catalog_seeded", created=created)


def _read_password() -> str:
    """One line from standard input when it is piped, else a prompt (twice) on the terminal;
    read before the database starts, so that a missing one is told at once."""
    if not sys.stdin.isatty():
        password = sys.stdin.readline().rstrip("\r\n")
    else:
        password = getpass.getpass("Password: ")
        if getpass.getpass("Password again: ") != password:
            sys.exit("orion: the passwords differ")
    if not password:
        sys.exit(
            "orion: no password given: pipe it as the first line of standard input, "
            "or run the command in a terminal to be prompted for it"
        )
    return password


async def _create_admin(orion: Orion, args: argparse.Namespace, password: str) -> None:
    user = await orion.mediator.send(
        CreateAdmin(email=args.email, password=password, full_name=args.full_name)
    )
    print(f"admin {user.email} ({user.user_id})")


async def _outbox(orion: Orion, args: argparse.Namespace) -> None:
    if args.action == "status":
        statuses = await operations.outbox_status(orion.engine, orion.outboxes)
        if args.json:
            print(json.dumps([dataclasses.asdict(status) for status in statuses], indent=2))
            return
        print(
            _table(
                ["module", "pending", "parked", "oldest pending (s)", "published, not cleaned"],
                [
                    [s.module, s.pending, s.parked, _seconds(s.oldest_pending_age_s), s.published]
                    for s in statuses
                ],
            )
        )
        return
    outboxes = orion.outboxes
    if args.module is not None:
        if args.module not in outboxes:
            raise UnknownModule(
                f"no outbox for module {args.module!r} (outboxes: {', '.join(outboxes)})"
            )
        outboxes = {args.module: outboxes[args.module]}
    replayed = await operations.replay_parked(orion.engine, outboxes, args.ids)
    total = sum(replayed.values())
    by_module = ", ".join(f"{module} {count}" for module, count in replayed.items())
    print(f"un-parked rows: {total} ({by_module})")
    if total:
        print("the relay sends them again on its next pass")
    if args.ids is not None and total < len(set(args.ids)):
        print(
            f"{len(set(args.ids)) - total} of the given ids matched no parked row "
            "(unknown, pending or already published)"
        )


async def _dlq(orion: Orion, args: argparse.Namespace) -> None:
    assert orion.settings.broker_url is not None  # checked before the database was reached
    url = orion.settings.broker_url.get_secret_value()
    if args.action == "list":
        queues = args.queues or [subscription.queue for subscription in orion.subscriptions()]
        if not queues:
            print("no module subscribes to events yet, so no dead-letter queue; name one: --queue")
            return
        counts = await operations.dead_letter_counts(url, queues)
        rows = [
            {"queue": queue, "dlq": dead_letter_queue(queue), "messages": count}
            for queue, count in counts.items()
        ]
        if args.json:
            print(json.dumps(rows, indent=2))
            return
        print(
            _table(
                ["queue", "dead-letter queue", "messages"],
                [
                    [
                        row["queue"],
                        row["dlq"],
                        "not declared" if row["messages"] is None else row["messages"],
                    ]
                    for row in rows
                ],
            )
        )
    elif args.action == "show":
        letters = await operations.peek_dead_letters(url, args.queue, args.limit)
        if args.json:
            print(json.dumps([dataclasses.asdict(letter) for letter in letters], indent=2))
            return
        for letter in letters:
            print(
                f"{letter.message_id}  {letter.type}  attempts {letter.attempts}  "
                f"failed at {letter.failed_at}  correlation {letter.correlation_id}\n"
                f"    {letter.error}"
            )
        print(f"{len(letters)} shown, none removed from {dead_letter_queue(args.queue)}")
    elif args.action == "replay":
        moved = await operations.replay_dead_letters(url, args.queue, args.limit)
        print(
            f"moved {moved} dead letters from {dead_letter_queue(args.queue)} back to {args.queue}"
        )
    elif args.action == "purge":
        purged = await operations.purge_dead_letters(url, args.queue)
        print(f"purged {purged} dead letters from {dead_letter_queue(args.queue)}")


def _table(header: Sequence[str], rows: Sequence[Sequence[object]]) -> str:
    cells = [list(header), *([str(value) for value in row] for row in rows)]
    widths = [max(len(row[column]) for row in cells) for column in range(len(header))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)).rstrip()
        for row in cells
    )


def _seconds(age: float | None) -> str:
    return "-" if age is None else f"{age:.1f}"
