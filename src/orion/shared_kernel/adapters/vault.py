"""Vault (or OpenBao, its API-compatible fork) through hvac: the settings named by a path
(``ORION_<NAME>_VAULT=mount/path#key``, KV version 2) read once at start, and the database's
short-lived users from its database secrets engine, renewed while the process runs
(docs/adr/0021-secrets-from-vault.md).

Every failure is put in words here, from its kind (unreachable, permission denied, no such
path, no such key), never from Vault's answer: no value, token or password reaches a message
or a log line. hvac blocks: the event loop's side calls it in a thread.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

import hvac
import hvac.exceptions
import requests
import structlog
from pydantic import SecretStr
from tenacity import Retrying, retry_if_exception_type, stop_before_delay, wait_exponential

from orion.shared_kernel.adapters.settings import VaultSettings

log = structlog.get_logger("orion.vault")
T = TypeVar("T")
# A lease is renewed when this share of it has passed; one whose renewal Vault capped (its
# role's max TTL is near) is replaced by new credentials at that point instead.
RENEW_AT = 0.5
# While Vault cannot give new credentials, the keeper asks again this often (seconds).
RETRY_S = 1.0
FAILURES: tuple[type[BaseException], ...] = (
    hvac.exceptions.VaultError,
    requests.exceptions.RequestException,
)


class VaultError(Exception):
    """What could not be had from Vault, and why, in one line without a secret."""


class MissingKey(Exception):
    """The secret at the path exists but lacks the key (maybe not written yet)."""


@dataclass(frozen=True, slots=True)
class SecretReference:
    """``mount/path#key``: the key of the KV version 2 secret at ``path`` in the engine
    mounted at ``mount`` (the first segment)."""

    mount: str
    path: str
    key: str

    @classmethod
    def parse(cls, text: str) -> SecretReference:
        location, _, key = text.strip().partition("#")
        mount, _, path = location.strip("/").partition("/")
        if not (mount and path and key):
            raise ValueError(f"{text!r} is not mount/path#key")
        return cls(mount=mount, path=path, key=key)

    def __str__(self) -> str:
        return f"{self.mount}/{self.path}#{self.key}"


def reason(error: BaseException) -> str:
    """Why a call to Vault failed, from the error's kind alone."""
    if isinstance(error, requests.exceptions.RequestException):
        return f"Vault unreachable ({type(error).__name__})"
    if isinstance(error, hvac.exceptions.Forbidden):
        return "permission denied (a wrong or expired token, or no policy for this path)"
    if isinstance(error, hvac.exceptions.InvalidPath):
        return "no secret at this path"
    if isinstance(error, hvac.exceptions.VaultDown):
        return "Vault is sealed or in maintenance"
    if isinstance(error, MissingKey):
        return str(error)
    if isinstance(error, hvac.exceptions.VaultError):
        return f"Vault refused ({type(error).__name__})"
    return type(error).__name__


class Vault:
    """A client signed in by the configured method; signs in again when refused."""

    def __init__(self, settings: VaultSettings) -> None:
        if settings.vault_addr is None:
            raise VaultError("ORION_VAULT_ADDR is not set")
        self.settings = settings
        self.address = settings.vault_addr
        self._client: Any = None
        self._secrets: dict[tuple[str, str], dict[str, Any]] = {}

    def _signed_in(self) -> Any:
        if self._client is None:
            settings = self.settings
            client = hvac.Client(
                url=settings.vault_addr,
                namespace=settings.vault_namespace,
                verify=str(settings.vault_ca_file) if settings.vault_ca_file else True,
                timeout=5,
            )
            mount = settings.vault_auth_mount or settings.vault_auth
            if settings.vault_auth == "token":
                if settings.vault_token is None:
                    raise VaultError("ORION_VAULT_AUTH=token needs ORION_VAULT_TOKEN")
                client.token = settings.vault_token.get_secret_value()
            elif settings.vault_auth == "approle":
                if settings.vault_role_id is None or settings.vault_secret_id is None:
                    raise VaultError(
                        "ORION_VAULT_AUTH=approle needs ORION_VAULT_ROLE_ID and "
                        "ORION_VAULT_SECRET_ID"
                    )
                client.auth.approle.login(
                    role_id=settings.vault_role_id,
                    secret_id=settings.vault_secret_id.get_secret_value(),
                    mount_point=mount,
                )
            else:
                if settings.vault_kubernetes_role is None:
                    raise VaultError(
                        "ORION_VAULT_AUTH=kubernetes needs ORION_VAULT_KUBERNETES_ROLE"
                    )
                client.auth.kubernetes.login(
                    role=settings.vault_kubernetes_role,
                    jwt=settings.vault_kubernetes_token_file.read_text().strip(),
                    mount_point=mount,
                )
            self._client = client
        return self._client

    def call(self, what: Callable[[Any], T]) -> T:
        """``what(client)``; refused, the client signs in again at the next call."""
        try:
            return what(self._signed_in())
        except hvac.exceptions.Forbidden:
            self._client = None
            raise

    def retried(self, what: Callable[[], T], timeout_s: float) -> T:
        """``what()`` tried again with backoff until it succeeds or ``timeout_s`` has
        passed; then the last failure is raised."""
        retrying = Retrying(
            retry=retry_if_exception_type((*FAILURES, MissingKey)),
            stop=stop_before_delay(timeout_s),
            wait=wait_exponential(multiplier=0.2, max=5),
            reraise=True,
        )
        return retrying(what)

    def read(self, reference: SecretReference) -> str:
        """The referenced value; each secret is read once per process (one version)."""
        where = (reference.mount, reference.path)
        if where not in self._secrets:
            answer = self.call(
                lambda client: client.secrets.kv.v2.read_secret_version(
                    path=reference.path,
                    mount_point=reference.mount,
                    raise_on_deleted_version=True,
                )
            )
            self._secrets[where] = answer["data"]["data"]
        value = self._secrets[where].get(reference.key)
        if value is None:
            self._secrets.pop(where)  # read again at the next try: the key may be added
            raise MissingKey(f"the secret has no key {reference.key!r}")
        return str(value)


@dataclass(frozen=True, slots=True)
class Lease:
    """Credentials of one short-lived database user, and what Vault said of their lease."""

    user: str
    password: SecretStr
    lease_id: str
    duration_s: float
    capped: bool  # Vault granted less than asked: the role's max TTL is near
    generation: int


class DatabaseCredentials:
    """The database user this process connects as, from Vault's database secrets engine.

    Its lease is renewed at half its duration. When a renewal is refused (the lease was
    revoked or has expired) or capped (its max TTL is near), new credentials are taken and
    their ``generation`` goes up: the engine then opens new connections as the new user and
    retires the old user's as they come back to the pool (``sql/engine.py``). A connection
    refused for its credentials asks for new ones too (``refresh``): a revocation is noticed at
    the next connection or renewal, whichever comes first."""

    def __init__(self, vault: Vault, *, mount: str, role: str, start_timeout_s: float) -> None:
        self._vault, self._mount, self._role = vault, mount, role
        try:
            self._lease = vault.retried(
                lambda: vault.call(lambda client: self._issue(client, 1)), start_timeout_s
            )
        except FAILURES as error:
            raise VaultError(
                f"ORION_VAULT_DATABASE_ROLE: cannot get credentials at {self.where} from Vault "
                f"at {vault.address}: {reason(error)}; gave up after {start_timeout_s:g} s"
            ) from None
        self._lock = asyncio.Lock()
        self._keeper: asyncio.Task[None] | None = None

    @property
    def where(self) -> str:
        return f"{self._mount}/creds/{self._role}"

    def current(self) -> tuple[str, str, int]:
        """User, password and generation to connect with now."""
        lease = self._lease
        return lease.user, lease.password.get_secret_value(), lease.generation

    def _issue(self, client: Any, generation: int) -> Lease:
        answer = client.secrets.database.generate_credentials(
            name=self._role, mount_point=self._mount
        )
        lease = Lease(
            user=answer["data"]["username"],
            password=SecretStr(answer["data"]["password"]),
            lease_id=answer["lease_id"],
            duration_s=float(answer["lease_duration"]),
            capped=False,
            generation=generation,
        )
        log.info(
            "database_credentials_issued",
            user=lease.user,
            lease_s=lease.duration_s,
            generation=generation,
        )
        return lease

    async def refresh(self, stale: int) -> None:
        """New credentials, unless someone replaced generation ``stale`` already."""
        async with self._lock:
            if self._lease.generation == stale:
                self._lease = await asyncio.to_thread(
                    self._vault.call, lambda client: self._issue(client, stale + 1)
                )

    def keep(self) -> None:
        """Starts the renewals in the running loop, once (the engine calls it at connect)."""
        if self._keeper is None:
            self._keeper = asyncio.get_running_loop().create_task(self._keep())

    async def _keep(self) -> None:
        while True:
            lease = self._lease
            await asyncio.sleep(lease.duration_s * RENEW_AT)
            if lease is not self._lease:  # replaced meanwhile (a connection was refused)
                continue
            try:
                if lease.capped:
                    await self.refresh(lease.generation)
                else:
                    await self._renew(lease)
            except FAILURES as error:
                log.warning(
                    "database_credentials_lost",
                    user=lease.user,
                    reason=reason(error),
                    path=self.where,
                )
                await self._replace(lease.generation)

    async def _renew(self, lease: Lease) -> None:
        asked = lease.duration_s
        answer = await asyncio.to_thread(
            self._vault.call,
            lambda client: client.sys.renew_lease(lease_id=lease.lease_id, increment=int(asked)),
        )
        granted = float(answer["lease_duration"])
        async with self._lock:
            if self._lease is lease:
                self._lease = Lease(
                    user=lease.user,
                    password=lease.password,
                    lease_id=lease.lease_id,
                    duration_s=granted,
                    capped=granted < asked,
                    generation=lease.generation,
                )
        log.info("database_credentials_renewed", user=lease.user, lease_s=granted)

    async def _replace(self, stale: int) -> None:
        """New credentials, asked for until Vault gives them; meanwhile the connections
        already open go on serving."""
        while True:
            try:
                await self.refresh(stale)
            except FAILURES as error:
                log.warning("database_credentials_unavailable", reason=reason(error))
                await asyncio.sleep(RETRY_S)
            else:
                return

    async def aclose(self) -> None:
        """Stops the renewals and gives the lease back: the user is dropped now rather than
        at the end of its lease."""
        if self._keeper is not None:
            self._keeper.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._keeper
            self._keeper = None
        lease = self._lease
        started = time.monotonic()
        try:
            await asyncio.to_thread(
                self._vault.call, lambda client: client.sys.revoke_lease(lease_id=lease.lease_id)
            )
        except FAILURES as error:  # it ends with its lease anyway
            log.warning("database_credentials_not_revoked", user=lease.user, reason=reason(error))
        else:
            log.info(
                "database_credentials_revoked",
                user=lease.user,
                ms=round((time.monotonic() - started) * 1000),
            )


def database_credentials(settings: VaultSettings) -> DatabaseCredentials | None:
    """The database's short-lived users when ``ORION_VAULT_DATABASE_ROLE`` is set."""
    if settings.vault_database_role is None:
        return None
    return DatabaseCredentials(
        Vault(settings),
        mount=settings.vault_database_mount,
        role=settings.vault_database_role,
        start_timeout_s=settings.vault_start_timeout_s,
    )
