"""A real payment provider on loopback, speaking ``docs/payment-provider.md``, for tests.

Not a mock: an HTTP/1.1 server on ``asyncio.start_server`` and h11, so the client under test
meets real sockets, real timeouts and really dropped connections. It keeps charges by
idempotency key like a real provider, counts the charges it actually makes and every call
it receives (with a monotonic timestamp), and can be told to misbehave:

- ``provider.next_charges(fault, times=n)``: the next ``n`` charge calls meet ``fault``;
- ``provider.down = fault``: every call meets ``fault`` until ``provider.down = None``.

Faults: ``answer(500)``, ``answer(429, retry_after="2")``, ``HANG`` (charge, then answer
nothing until the client gives up), ``CHARGE_THEN_DROP`` (charge, then close the connection
before answering) and ``DROP`` (close it without charging).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections import Counter, deque
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import parse_qs, urlsplit

import h11

from tests.fakes.loopback import read_request, respond, serving
from tests.log_hygiene import secret

API_KEY = secret("provider key", "sk_test_orion")
DECLINES = {"tok_declined": "card_declined", "tok_insufficient_funds": "insufficient_funds"}


@dataclass(frozen=True, slots=True, kw_only=True)
class Fault:
    kind: Literal["answer", "hang", "charge_then_drop", "drop"]
    status: int = 0
    retry_after: str | None = None


def answer(status: int, *, retry_after: str | None = None) -> Fault:
    return Fault(kind="answer", status=status, retry_after=retry_after)


HANG = Fault(kind="hang")
CHARGE_THEN_DROP = Fault(kind="charge_then_drop")
DROP = Fault(kind="drop")


@dataclass(frozen=True, slots=True, kw_only=True)
class Call:
    method: str
    path: str
    key: str | None
    at: float


class Dropped(Exception):
    """Raised inside a connection's handler to close it without an answer."""


class FakeProvider:
    def __init__(self) -> None:
        self.url = ""
        self.calls: list[Call] = []
        self.charges_made: Counter[str] = Counter()
        self.down: Fault | None = None
        self._charges: dict[str, dict[str, Any]] = {}
        self._refunds: dict[str, dict[str, Any]] = {}
        self._faults: deque[Fault] = deque()

    def next_charges(self, fault: Fault, *, times: int = 1) -> None:
        self._faults.extend([fault] * times)

    def calls_to(self, method: str, path: str) -> list[Call]:
        return [c for c in self.calls if (c.method, c.path) == (method, path)]

    async def _answer(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, dict[str, Any], dict[str, str]]:
        """One request to (status, JSON body, extra headers); raises ``Dropped``."""
        url = urlsplit(target)
        key = headers.get("idempotency-key") or parse_qs(url.query).get("idempotency_key", [""])[0]
        self.calls.append(Call(method=method, path=url.path, key=key or None, at=time.monotonic()))
        fault = self.down
        if fault is None and (method, url.path) == ("POST", "/v1/charges") and self._faults:
            fault = self._faults.popleft()
        if fault is not None and fault.kind == "answer":
            extra = {"Retry-After": fault.retry_after} if fault.retry_after else {}
            return fault.status, {"error": "provider_unavailable"}, extra
        if fault == DROP:
            raise Dropped
        if headers.get("authorization") != f"Bearer {API_KEY}":
            return 401, {"error": "unauthorized"}, {}
        status, payload = self._route(method, url.path, key, json.loads(body or b"{}"))
        if fault == CHARGE_THEN_DROP:
            raise Dropped
        if fault == HANG:
            await asyncio.Event().wait()  # never answers: cancelled when the provider stops
        return status, payload, {}

    def _route(
        self, method: str, path: str, key: str, body: dict[str, Any]
    ) -> tuple[int, dict[str, Any]]:
        if (method, path) == ("GET", "/v1/charges"):
            charge = self._charges.get(key)
            return (200, charge) if charge else (404, {"error": "no_such_charge"})
        if not key:
            return 400, {"error": "Idempotency-Key header is required"}
        if (method, path) == ("POST", "/v1/charges"):
            return self._charge(key, body)
        if (method, path) == ("POST", "/v1/refunds"):
            return self._refund(key, body)
        return 404, {"error": "no_such_route"}

    def _charge(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if key not in self._charges:
            if not isinstance(body.get("amount"), int) or not isinstance(body.get("source"), str):
                return 400, {"error": "amount (integer) and source (string) are required"}
            self.charges_made[key] += 1
            code = DECLINES.get(body["source"])
            self._charges[key] = {
                "id": f"ch_{len(self._charges) + 1}",
                "status": "declined" if code else "succeeded",
                "decline_code": code,
                "amount": body["amount"],
                "currency": body.get("currency"),
            }
        return 200, self._charges[key]

    def _refund(self, key: str, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
        if key not in self._refunds:
            charge = next(
                (c for c in self._charges.values() if c["id"] == body.get("charge")), None
            )
            if charge is None or charge["status"] != "succeeded":
                return 404, {"error": "no_such_charge"}
            self._refunds[key] = {"id": f"re_{len(self._refunds) + 1}", "status": "succeeded"}
        return 200, self._refunds[key]

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connection = h11.Connection(h11.SERVER)
        try:
            while (request := await read_request(connection, reader)) is not None:
                event, body = request
                headers = {k.decode().lower(): v.decode() for k, v in event.headers}
                status, payload, extra = await self._answer(
                    event.method.decode(), event.target.decode(), headers, body
                )
                content = json.dumps(payload).encode()
                await respond(
                    connection,
                    writer,
                    status,
                    content,
                    {"Content-Type": "application/json", **extra},
                )
        except (Dropped, h11.ProtocolError, ConnectionError):
            pass  # the connection ends here, which is all a client can see of it
        finally:
            writer.close()


@contextlib.asynccontextmanager
async def fake_provider() -> AsyncIterator[FakeProvider]:
    """A provider listening on 127.0.0.1 on a free port until the block ends; its open
    connections (a hanging answer among them) are closed then."""
    provider = FakeProvider()
    async with serving(provider.serve) as url:
        provider.url = url
        yield provider
