"""Ids are UUIDv7 so that new rows land at the end of a B-tree index."""

from __future__ import annotations

import time
import uuid

from orion.shared_kernel.domain.ids import new_id


def test_new_id_is_a_version_7_uuid() -> None:
    product_id = new_id()

    assert isinstance(product_id, uuid.UUID)
    assert product_id.version == 7
    assert product_id.variant == uuid.RFC_4122


def test_new_ids_are_unique() -> None:
    assert len({new_id() for _ in range(1000)}) == 1000


def test_new_ids_sort_by_creation_time() -> None:
    ids = []
    for _ in range(5):
        ids.append(new_id())
        time.sleep(0.002)

    assert ids == sorted(ids)
    assert len(set(ids)) == len(ids)
