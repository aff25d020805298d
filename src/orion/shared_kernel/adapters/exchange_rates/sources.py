"""Publishers of reference rates: the ECB's daily XML, a Frankfurter-style JSON API, and the
static file shipped in this package (the embedded default: no network, its date shown).

The HTTP adapters only translate: a timeout, a dropped connection, a 5xx or a 429 (with its
``Retry-After``) becomes ``PublisherUnavailable``, to be retried by ``ResilientRates``; an
answer that cannot be read becomes ``RatesUnavailable`` at once, since asking again gives
the same document.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal, InvalidOperation
from importlib.resources import files
from typing import Any, Literal

import httpx

from orion.shared_kernel.adapters.resilience import retry_after_s
from orion.shared_kernel.domain.exchange import RatesUnavailable, RateTable
from orion.shared_kernel.domain.money import InvalidMoney

ECB_URL = "https://www.ecb.europa.eu/stats/eurofxref/eurofxref-daily.xml"
ECB_NAMESPACE = "{http://www.ecb.int/vocabulary/2002-08-01/eurofxref}"
STATIC_FILE = "static-rates.xml"


class PublisherUnavailable(RatesUnavailable):
    """The publisher gave no answer this time; asking again later may work."""

    def __init__(self, detail: str, *, retry_after_s: float | None = None) -> None:
        super().__init__(detail)
        self.retry_after_s = retry_after_s


def parse_ecb(document: bytes, *, source: str = "ecb") -> RateTable:
    """The ECB's ``eurofxref-daily.xml``: euro reference rates of one day."""
    try:
        root = ET.fromstring(document)  # noqa: S314  # expat >= 2.4 refuses entity bombs; no DTD is fetched
        day = root.find(f"{ECB_NAMESPACE}Cube/{ECB_NAMESPACE}Cube[@time]")
        if day is None:
            raise ValueError("no <Cube time=...> element")
        rates = {
            cube.attrib["currency"]: Decimal(cube.attrib["rate"])
            for cube in day.iter(f"{ECB_NAMESPACE}Cube")
            if "currency" in cube.attrib
        }
        return RateTable(
            base="EUR", as_of=date.fromisoformat(day.attrib["time"]), source=source, rates=rates
        )
    except (ET.ParseError, KeyError, ValueError, InvalidOperation, InvalidMoney) as error:
        raise RatesUnavailable(f"{source} sent rates that cannot be read: {error}") from error


def parse_frankfurter(body: bytes, *, source: str = "frankfurter") -> RateTable:
    """``{"base": "EUR", "date": "2024-11-22", "rates": {"USD": 1.0412, ...}}``; numbers are
    read as decimals from their text, never through a float."""

    try:
        document: dict[str, Any] = json.loads(body, parse_float=Decimal, parse_int=Decimal)
        rates = {str(code): Decimal(rate) for code, rate in document["rates"].items()}
        return RateTable(
            base=str(document["base"]),
            as_of=date.fromisoformat(str(document["date"])),
            source=source,
            rates=rates,
        )
    except (
        ValueError,
        KeyError,
        TypeError,
        AttributeError,
        InvalidOperation,
        InvalidMoney,
    ) as error:
        raise RatesUnavailable(f"{source} sent rates that cannot be read: {error}") from error


class StaticRates:
    """The rates file shipped in the package (the ECB's format): always there, never fresh;
    its ``as_of`` tells how old it is."""

    name = "static"

    def __init__(self) -> None:
        resource = files(__package__ or __name__).joinpath(STATIC_FILE)
        self._table = parse_ecb(resource.read_bytes(), source=self.name)

    async def fetch(self) -> RateTable:
        return self._table


class HttpRates:
    """One publisher over HTTP: ``ecb`` (XML) or ``frankfurter`` (JSON), at ``url``."""

    def __init__(
        self,
        *,
        kind: Literal["ecb", "frankfurter"],
        url: str,
        connect_timeout_s: float = 2.0,
        read_timeout_s: float = 5.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.name: str = kind
        self._url = url
        self._parse = parse_ecb if kind == "ecb" else parse_frankfurter
        self._client = httpx.AsyncClient(
            timeout=httpx.Timeout(
                connect=connect_timeout_s,
                read=read_timeout_s,
                write=read_timeout_s,
                pool=connect_timeout_s,
            ),
            transport=transport,
            headers={"Accept": "application/xml" if kind == "ecb" else "application/json"},
        )

    async def fetch(self) -> RateTable:
        try:
            response = await self._client.get(self._url)
        except httpx.TransportError as error:  # timeouts, refused or dropped connections
            raise PublisherUnavailable(f"GET {self._url} failed: {type(error).__name__}") from error
        status = response.status_code
        if status == httpx.codes.TOO_MANY_REQUESTS or status >= httpx.codes.INTERNAL_SERVER_ERROR:
            raise PublisherUnavailable(
                f"GET {self._url} answered {status}",
                retry_after_s=retry_after_s(response.headers.get("Retry-After")),
            )
        if not response.is_success:
            raise RatesUnavailable(f"GET {self._url} answered {status}")
        return self._parse(response.content, source=self.name)

    async def aclose(self) -> None:
        await self._client.aclose()
