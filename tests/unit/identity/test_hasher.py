"""Argon2Hasher: argon2id with OWASP's parameters, rehash detection, and a decoy that costs
what a real verification costs. CPU only: no database, no network."""

from __future__ import annotations

import argon2

from orion.modules.identity.adapters.security.passwords import Argon2Hasher

OWASP = "$argon2id$v=19$m=19456,t=2,p=1$"


async def test_hashes_are_argon2id_with_owasp_parameters_and_verify() -> None:
    hasher = Argon2Hasher()
    hashed = await hasher.hash("correct horse battery staple")
    assert hashed.startswith(OWASP)
    assert await hasher.verify(hashed, "correct horse battery staple")
    assert not await hasher.verify(hashed, "Correct horse battery staple")
    assert not hasher.needs_rehash(hashed)


async def test_a_broken_hash_verifies_nothing() -> None:
    hasher = Argon2Hasher()
    assert not await hasher.verify("not a hash", "anything")
    assert not await hasher.verify("$argon2id$v=19$m=19456,t=2,p=1$broken", "anything")


async def test_other_parameters_need_a_rehash_but_still_verify() -> None:
    weaker = argon2.PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1)
    old = weaker.hash("correct horse battery staple")
    hasher = Argon2Hasher()
    assert hasher.needs_rehash(old)
    assert await hasher.verify(old, "correct horse battery staple")
    assert hasher.needs_rehash(argon2.PasswordHasher(time_cost=3).hash("x" * 8))
