"""The in-process mediator: dispatch by message type through a chain of behaviours."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import structlog
from structlog.testing import capture_logs

from orion.shared_kernel.adapters.mediator import (
    Behaviour,
    Handler,
    HandlerNotFound,
    InProcessMediator,
    log_context,
    map_errors,
)
from orion.shared_kernel.application.messages import Command, Query
from orion.shared_kernel.domain.errors import DependencyUnavailable, DomainError, NotFound


@dataclass(frozen=True, slots=True, kw_only=True)
class Ping(Command[str]):
    text: str


@dataclass(frozen=True, slots=True, kw_only=True)
class CountThings(Query[int]):
    pass


class DatabaseDown(ConnectionError):
    pass


class ThingNotFound(NotFound):
    code = "thing-not-found"


async def echo(message: Ping) -> str:
    return f"pong: {message.text}"


def raising(error: BaseException) -> Handler:
    async def handler(message: Any) -> Any:
        raise error

    return handler


@pytest.fixture(autouse=True)
def clean_contextvars() -> Iterator[None]:
    structlog.contextvars.clear_contextvars()
    yield
    structlog.contextvars.clear_contextvars()


async def test_send_dispatches_to_the_handler_registered_for_the_command() -> None:
    mediator = InProcessMediator()
    mediator.register(Ping, echo)

    assert await mediator.send(Ping(text="hi")) == "pong: hi"


async def test_ask_dispatches_to_the_handler_registered_for_the_query() -> None:
    async def count(query: CountThings) -> int:
        return 42

    mediator = InProcessMediator()
    mediator.register(Ping, echo)
    mediator.register(CountThings, count)

    assert await mediator.ask(CountThings()) == 42


async def test_unregistered_message_raises_handler_not_found() -> None:
    mediator = InProcessMediator()
    mediator.register(Ping, echo)

    with pytest.raises(HandlerNotFound, match="CountThings"):
        await mediator.ask(CountThings())


def test_cannot_register_two_handlers_for_one_message_type() -> None:
    mediator = InProcessMediator()
    mediator.register(Ping, echo)

    with pytest.raises(ValueError, match="Ping"):
        mediator.register(Ping, echo)


async def test_behaviours_run_around_the_handler_outermost_first() -> None:
    calls: list[str] = []

    def recording(name: str) -> Behaviour:
        async def behaviour(message: Any, next_handler: Handler) -> Any:
            calls.append(f"{name} before")
            result = await next_handler(message)
            calls.append(f"{name} after")
            return result

        return behaviour

    async def handler(message: Ping) -> str:
        calls.append("handler")
        return "done"

    mediator = InProcessMediator([recording("outer"), recording("middle"), recording("inner")])
    mediator.register(Ping, handler)

    assert await mediator.send(Ping(text="x")) == "done"
    assert calls == [
        "outer before",
        "middle before",
        "inner before",
        "handler",
        "inner after",
        "middle after",
        "outer after",
    ]


async def test_a_behaviour_can_answer_without_calling_the_handler() -> None:
    async def short_circuit(message: Any, next_handler: Handler) -> Any:
        return "cached"

    mediator = InProcessMediator([short_circuit])
    mediator.register(Ping, raising(AssertionError("handler must not run")))

    assert await mediator.send(Ping(text="x")) == "cached"


async def test_map_errors_turns_a_listed_failure_into_dependency_unavailable() -> None:
    cause = DatabaseDown("connection refused")
    mediator = InProcessMediator([map_errors((DatabaseDown, TimeoutError))])
    mediator.register(Ping, raising(cause))

    with pytest.raises(DependencyUnavailable) as raised:
        await mediator.send(Ping(text="x"))

    assert raised.value.__cause__ is cause
    assert "DatabaseDown" in raised.value.detail
    assert "Ping" in raised.value.detail


async def test_map_errors_leaves_domain_errors_alone() -> None:
    error = ThingNotFound("no such thing")
    mediator = InProcessMediator([map_errors((DatabaseDown,))])
    mediator.register(Ping, raising(error))

    with pytest.raises(ThingNotFound) as raised:
        await mediator.send(Ping(text="x"))

    assert raised.value is error


async def test_map_errors_leaves_unlisted_exceptions_alone() -> None:
    error = KeyError("bug")
    mediator = InProcessMediator([map_errors((DatabaseDown,))])
    mediator.register(Ping, raising(error))

    with pytest.raises(KeyError) as raised:
        await mediator.send(Ping(text="x"))

    assert raised.value is error


async def test_log_context_binds_the_message_name_while_the_handler_runs() -> None:
    seen: dict[str, Any] = {}

    async def handler(message: Ping) -> str:
        seen.update(structlog.contextvars.get_contextvars())
        return "ok"

    mediator = InProcessMediator([log_context])
    mediator.register(Ping, handler)

    assert await mediator.send(Ping(text="x")) == "ok"
    assert seen["message"] == "Ping"
    assert "message" not in structlog.contextvars.get_contextvars()


async def test_log_context_keeps_context_bound_by_the_caller() -> None:
    seen: dict[str, Any] = {}

    async def handler(message: Ping) -> str:
        seen.update(structlog.contextvars.get_contextvars())
        return "ok"

    structlog.contextvars.bind_contextvars(request_id="r-1")
    mediator = InProcessMediator([log_context])
    mediator.register(Ping, handler)

    await mediator.send(Ping(text="x"))

    assert seen == {"request_id": "r-1", "message": "Ping"}
    assert structlog.contextvars.get_contextvars() == {"request_id": "r-1"}


async def test_log_context_reraises_a_domain_error_and_logs_it_as_refused() -> None:
    error = ThingNotFound("no such thing")
    mediator = InProcessMediator([log_context])
    mediator.register(Ping, raising(error))

    with capture_logs() as logs, pytest.raises(ThingNotFound) as raised:
        await mediator.send(Ping(text="x"))

    assert raised.value is error
    assert [(entry["event"], entry.get("error")) for entry in logs] == [
        ("message_refused", "thing-not-found")
    ]
    assert "message" not in structlog.contextvars.get_contextvars()


async def test_log_context_reraises_other_exceptions_and_logs_them_as_failed() -> None:
    error = RuntimeError("boom")
    mediator = InProcessMediator([log_context])
    mediator.register(Ping, raising(error))

    with capture_logs() as logs, pytest.raises(RuntimeError) as raised:
        await mediator.send(Ping(text="x"))

    assert raised.value is error
    assert [entry["event"] for entry in logs] == ["message_failed"]
    assert "message" not in structlog.contextvars.get_contextvars()


async def test_domain_errors_pass_through_the_full_pipeline_unchanged() -> None:
    error = DomainError("rule broken")
    mediator = InProcessMediator([log_context, map_errors((DatabaseDown,))])
    mediator.register(Ping, raising(error))

    with capture_logs(), pytest.raises(DomainError) as raised:
        await mediator.send(Ping(text="x"))

    assert raised.value is error
