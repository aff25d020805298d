"""The ``orion`` command (also ``python -m orion``)."""

from __future__ import annotations

import argparse
import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from orion.modules.audit.contracts.commands import REPAIRABLE

ENVIRONMENT = """\
settings come from ORION_* environment variables, ORION_*_FILE naming a file, or
ORION_*_VAULT naming a Vault secret (mount/path#key; Vault from ORION_VAULT_ADDR and
ORION_VAULT_AUTH = token | approle | kubernetes):
  ORION_DATABASE_URL  PostgreSQL server (unset: embedded PostgreSQL under ORION_DATA_DIR)
  ORION_DATA_DIR      where the embedded PostgreSQL keeps its data (default ./.orion)
  ORION_REDIS_URL     Redis server (unset: in-process)
  ORION_BROKER_URL    RabbitMQ server (unset: the in-process broker)
  ORION_JWT_KEYS      kid:secret[,kid:secret] signing tokens (unset: a key in the data dir)
  ORION_LOG_FORMAT    auto | json | console;  ORION_LOG_LEVEL  DEBUG | INFO | WARNING | ERROR
"""


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
    serve.add_argument(
        "--workers",
        type=int,
        default=1,
        metavar="N",
        help="API processes sharing the port (default 1; one per core): the first also runs "
        "the relay, the consumers and --metrics-port; the others answer requests only, and "
        "are started again if one dies",
    )
    # an extra API process of --workers: the port's socket, inherited from the first
    serve.add_argument("--listen-fd", type=int, help=argparse.SUPPRESS)
    serve.add_argument(
        "--metrics-port",
        type=int,
        help="serve /metrics (and /health/live, /health/ready) on this port, apart from the "
        "API: the API's port never serves /metrics (default: none)",
    )
    serve.add_argument(
        "--metrics-host",
        default="127.0.0.1",
        help="address for --metrics-port (default 127.0.0.1)",
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
        help="comma-separated module names, e.g. catalog",
    )

    relay = commands.add_parser(
        "relay",
        help="relay every module's outbox to the broker, no HTTP",
        description="Publish committed events from every module's outbox to RabbitMQ, until "
        "SIGTERM or SIGINT. Several relays may run at once. Needs ORION_BROKER_URL.",
    )
    for process in (worker, relay):
        process.add_argument(
            "--metrics-port",
            type=int,
            help="serve this process's /metrics and /health/live, /health/ready on this port "
            "(default: none)",
        )
        process.add_argument(
            "--host", default="127.0.0.1", help="address for --metrics-port (default 127.0.0.1)"
        )

    commands.add_parser(
        "migrate",
        help="apply every module's database migrations",
        description="Apply every module's migrations (each module has its own schema).",
    )

    seed = commands.add_parser(
        "seed",
        help="load data",
        description="Load data: name what to load (so far only --demo). Idempotent: what "
        "exists is left as it is.",
    )
    seed.add_argument("--demo", action="store_true", help="the demo catalog (55 products)")
    admin = commands.add_parser(
        "admin",
        help="manage admin accounts",
        description="Manage admin accounts.",
    )
    admin_actions = admin.add_subparsers(dest="action", required=True, metavar="ACTION")
    create = admin_actions.add_parser(
        "create",
        help="make an admin, or promote the account with this email",
        description="Make an admin account, or promote the account with this email (its "
        "password is then replaced and its sessions end). The password is read from standard "
        "input when it is not a terminal (one line), else prompted for twice.",
    )
    create.add_argument("--email", required=True, help="the admin's email address")
    create.add_argument("--full-name", default="Administrator", help="(default: Administrator)")
    _add_outbox_commands(commands)
    _add_payments_commands(commands)
    analytics = commands.add_parser(
        "analytics",
        help="the analytics read model: rebuild it",
        description="The analytics read model, fed by the other modules' events.",
    )
    analytics_actions = analytics.add_subparsers(dest="action", required=True, metavar="ACTION")
    analytics_actions.add_parser(
        "rebuild",
        help="make the read model again from the other modules",
        description="Make the analytics read model again from what the other modules answer "
        "through their contracts (orders, payments, customers, stock), never their tables: "
        "for a shop that adds the module late or lost its tables. Idempotent: run twice, it "
        "gives the same figures. Prints what it read.",
    )
    _add_dlq_commands(commands)
    _add_audit_command(commands)
    return root


def _add_audit_command(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    audit = commands.add_parser(
        "audit",
        help="check that the modules agree (payments, stock, messages), or repair",
        description="Check each invariant across modules (docs/audit/) over what last changed "
        "since --since and longer ago than ORION_AUDIT_GRACE_S, and every finding still open; "
        "print each invariant with its count of violations and the first ones (ids only). "
        "The workers do this periodically, from where they stopped. Exits 1 when a violation "
        "is found. With --repair, fix that invariant's violations that have a mechanical fix "
        "(release an orphaned reservation, refund a cancelled order's capture) through the "
        "owning module, each recorded; a second repair finds nothing to do.",
    )
    audit.add_argument(
        "--since",
        type=_since,
        help="only what changed since then: an ISO 8601 time (2026-12-01T00:00Z) or an age "
        "(90m, 6h, 7d) (default: everything)",
    )
    audit.add_argument("--json", action="store_true", help="the report as one JSON object")
    audit.add_argument(
        "--repair",
        metavar="INVARIANT",
        choices=REPAIRABLE,
        help=f"fix the mechanical violations of this invariant: {' or '.join(REPAIRABLE)}",
    )


AGE = re.compile(r"(\d+)([mhd])")
UNITS = {"m": "minutes", "h": "hours", "d": "days"}


def _since(text: str) -> datetime:
    age = AGE.fullmatch(text)
    if age is not None:
        return datetime.now(UTC) - timedelta(**{UNITS[age[2]]: int(age[1])})
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"neither an ISO 8601 time nor an age like 6h: {text!r}"
        ) from None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)


def _add_payments_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    payments = commands.add_parser(
        "payments",
        help="payment operations: reconcile with the provider",
        description="Payment operations.",
    )
    actions = payments.add_subparsers(dest="action", required=True, metavar="ACTION")
    reconcile = actions.add_parser(
        "reconcile",
        help="ask the provider about payments left unsettled, and converge them",
        description="Ask the payment provider about every payment unsettled for longer than "
        "--after seconds (default ORION_PAYMENT_RECONCILE_AFTER_S): a charge that went "
        "through but whose answer was lost is recorded as captured, never charged again; a "
        "cancelled order's payment is voided or refunded; one never answered for "
        "ORION_PAYMENT_GIVE_UP_AFTER_S fails. The workers also do this periodically. With the "
        "simulated provider only the worker that made the charges knows them.",
    )
    reconcile.add_argument(
        "--after", type=float, metavar="SECONDS", help="only payments untouched this long"
    )


def _add_outbox_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    outbox = commands.add_parser(
        "outbox",
        help="inspect each module's outbox, replay its parked rows",
        description="Inspect each module's outbox (the events committed with their change and "
        "not yet relayed), and replay the rows the relay parked.",
    )
    actions = outbox.add_subparsers(dest="action", required=True, metavar="ACTION")
    status = actions.add_parser(
        "status",
        help="per module: pending, parked, oldest pending age, published not yet cleaned",
        description="Per module: rows pending (the relay will send them, some after a backoff), "
        "rows parked (the relay gave up after ORION_OUTBOX_MAX_ATTEMPTS), the age in seconds "
        "of the oldest pending row, and published rows not yet deleted by the cleanup "
        "(ORION_OUTBOX_RETENTION_HOURS).",
    )
    status.add_argument("--json", action="store_true", help="a JSON list, one object per module")
    replay = actions.add_parser(
        "replay",
        help="un-park parked rows so that the relay sends them again",
        description="Un-park parked rows: attempts back to 0 and due now, so that the next relay "
        "pass sends them again. Their last_error is kept, as the reason they were parked, until "
        "a new attempt replaces it. Prints how many rows were un-parked.",
    )
    replay.add_argument("--module", help="only this module's outbox (default: every module's)")
    replay.add_argument(
        "--id",
        dest="ids",
        metavar="UUID",
        type=uuid.UUID,
        nargs="+",
        action="extend",
        help="only the rows with these message ids (default: every parked row)",
    )


def _add_dlq_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    dlq = commands.add_parser(
        "dlq",
        help="list, show, replay or purge RabbitMQ dead-letter queues",
        description="The dead-letter queue of a queue Q is Q.dlq: where a message lands after its "
        "last attempt, with its failure in its headers. --queue always names Q, the main queue. "
        "Needs ORION_BROKER_URL: the in-process broker has no dead-letter queues.",
    )
    actions = dlq.add_subparsers(dest="action", required=True, metavar="ACTION")
    listing = actions.add_parser(
        "list",
        help="each dead-letter queue with its message count",
        description="Each dead-letter queue with its count of ready messages: those of every "
        "module's subscriptions, or of the queues given with --queue.",
    )
    listing.add_argument(
        "--queue",
        dest="queues",
        metavar="QUEUE",
        action="append",
        help="this queue's dead-letter queue instead (repeatable)",
    )
    listing.add_argument("--json", action="store_true", help="a JSON list, one object per queue")
    show = actions.add_parser(
        "show",
        help="print dead letters without removing them",
        description="Print the first dead letters of QUEUE.dlq without removing them: message id, "
        "type, attempts, failure, failure time and correlation id. AMQP has no peek: every "
        "message of the DLQ is taken and all are given back at once, in their order.",
    )
    show.add_argument("--queue", required=True, help="the main queue Q (its DLQ is Q.dlq)")
    show.add_argument("--limit", type=_positive, default=20, help="how many to print (default 20)")
    show.add_argument("--json", action="store_true", help="a JSON list, one object per message")
    replay = actions.add_parser(
        "replay",
        help="move dead letters back to their queue, to be consumed again",
        description="Move dead letters from QUEUE.dlq back to QUEUE, oldest first, each acked "
        "from the DLQ only once the broker confirmed its copy: a death midway loses nothing "
        "(a message may then be in both queues; the consumer's inbox drops the copy). Their "
        "attempt count starts over; their other headers are kept. Moves at most what the DLQ "
        "held at the start.",
    )
    replay.add_argument("--queue", required=True, help="the main queue Q (its DLQ is Q.dlq)")
    replay.add_argument(
        "--limit", type=_positive, help="move at most this many (default: all of them)"
    )
    purge = actions.add_parser(
        "purge",
        help="delete dead letters for good",
        description="Delete every ready message of QUEUE.dlq, for good.",
    )
    purge.add_argument("--queue", required=True, help="the main queue Q (its DLQ is Q.dlq)")
    purge.add_argument("--yes", action="store_true", help="yes, delete them (required)")


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be 1 or more, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> None:
    args = parser().parse_args(argv)
    from orion.commands import run  # the whole shop, imported once a command is to run

    run(args)


if __name__ == "__main__":
    main()
