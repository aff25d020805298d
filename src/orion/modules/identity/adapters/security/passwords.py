"""argon2id hashing off the event loop, behind a concurrency cap, and the common-password list.

Parameters: OWASP's first recommendation for argon2id (19 MiB, 2 iterations, 1 lane). A hash
made with other parameters is rehashed at the next successful login. At most
``max_concurrent`` hashes run at once (each in a thread: argon2 releases the GIL), so a flood
of logins queues instead of starving the API of its two cores.
"""

from __future__ import annotations

import asyncio
from functools import cache

from argon2 import PasswordHasher as Argon2
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn.frequency_lists import FREQUENCY_LISTS


class Argon2Hasher:
    def __init__(self, *, max_concurrent: int = 2) -> None:
        self._argon2 = Argon2(time_cost=2, memory_cost=19 * 1024, parallelism=1)  # OWASP
        self._slots = asyncio.Semaphore(max_concurrent)
        self._decoy = self._argon2.hash("a password nobody has")

    async def hash(self, password: str) -> str:
        async with self._slots:
            return await asyncio.to_thread(self._argon2.hash, password)

    async def verify(self, password_hash: str, password: str) -> bool:
        async with self._slots:
            try:
                return await asyncio.to_thread(self._argon2.verify, password_hash, password)
            except (VerificationError, InvalidHashError):
                return False

    def needs_rehash(self, password_hash: str) -> bool:
        return self._argon2.check_needs_rehash(password_hash)

    async def waste_time(self, password: str) -> None:
        await self.verify(self._decoy, password)


@cache
def common_passwords() -> frozenset[str]:
    """The 30,000 most common passwords that zxcvbn ships, lower-cased."""
    return frozenset(password.lower() for password in FREQUENCY_LISTS["passwords"])
