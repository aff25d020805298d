"""A payment provider over HTTP, speaking the protocol of ``docs/payment-provider.md``.

It only translates: every answer the provider could not give (timeout, dropped connection,
5xx, 429) becomes ``GatewayUnavailable``, to be retried with the same idempotency key; an
answer that says our request is wrong (another 4xx) becomes ``RequestRejected``, which no
retry can fix. Retrying and circuit breaking are ``ResilientGateway``'s business.
"""

from __future__ import annotations

from typing import Any

import httpx

from orion.modules.payments.application.gateway import Charge, ChargeRequest, GatewayUnavailable
from orion.shared_kernel.adapters.resilience import retry_after_s
from orion.shared_kernel.domain.money import Money


class RequestRejected(Exception):
    """The provider refused the request as malformed or unauthorized (a 4xx other than 429):
    a bug or a misconfiguration on our side, so it is not retried here; the message goes down
    the retry ladder to the dead-letter queue with this text."""


class HttpGateway:
    def __init__(
        self,
        *,
        base_url: str,
        api_key: str,
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 10.0,
        name: str = "http",
    ) -> None:
        self.name = name
        self._client = httpx.AsyncClient(
            base_url=base_url,
            headers={"Authorization": f"Bearer {api_key}"},
            timeout=httpx.Timeout(
                connect=connect_timeout_s,
                read=read_timeout_s,
                write=read_timeout_s,
                pool=connect_timeout_s,
            ),
        )

    async def charge(self, request: ChargeRequest) -> Charge:
        body = {
            "amount": request.amount.amount,
            "currency": request.amount.currency,
            "source": request.token,
            "description": request.description,
        }
        response = await self._send(
            "POST", "/v1/charges", json=body, headers={"Idempotency-Key": request.key}
        )
        return _charge(response.json())

    async def find_charge(self, key: str) -> Charge | None:
        response = await self._send(
            "GET", "/v1/charges", params={"idempotency_key": key}, absent_ok=True
        )
        return None if response.status_code == httpx.codes.NOT_FOUND else _charge(response.json())

    async def refund(self, *, key: str, charge_reference: str, amount: Money) -> str:
        body = {"charge": charge_reference, "amount": amount.amount}
        response = await self._send(
            "POST", "/v1/refunds", json=body, headers={"Idempotency-Key": key}
        )
        reference: str = response.json()["id"]
        return reference

    async def aclose(self) -> None:
        await self._client.aclose()

    async def _send(
        self, method: str, path: str, *, absent_ok: bool = False, **options: Any
    ) -> httpx.Response:
        try:
            response = await self._client.request(method, path, **options)
        except httpx.TransportError as error:  # timeouts, refused or dropped connections
            raise GatewayUnavailable(
                f"{method} {path} to {self.name} failed: {type(error).__name__}"
            ) from error
        status = response.status_code
        if status == httpx.codes.TOO_MANY_REQUESTS or status >= httpx.codes.INTERNAL_SERVER_ERROR:
            raise GatewayUnavailable(
                f"{method} {path} to {self.name} answered {status}",
                retry_after_s=retry_after_s(response.headers.get("Retry-After")),
            )
        if response.is_success or (absent_ok and status == httpx.codes.NOT_FOUND):
            return response
        raise RequestRejected(
            f"{method} {path} to {self.name} answered {status}: {response.text[:500]}"
        )


def _charge(body: dict[str, Any]) -> Charge:
    if body["status"] == "succeeded":
        return Charge(reference=body["id"], status="captured")
    return Charge(reference=body["id"], status="declined", decline_code=body["decline_code"])
