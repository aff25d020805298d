"""What the audit trail records of the aggregates a transaction tracked: the values that
changed, before and after; a new aggregate whole; nothing for one left as it was."""

from __future__ import annotations

import uuid

from orion.shared_kernel.adapters.sql.audit import AuditTrail
from orion.shared_kernel.application.context import Actor
from orion.shared_kernel.domain.aggregate import AggregateRoot

ADMIN = Actor(user_id=uuid.uuid4(), email="boss@example.com", action="things.rename")


class Thing(AggregateRoot):
    def __init__(self, name: str) -> None:
        super().__init__(version=1)
        self.id = uuid.UUID(int=7)
        self.name = name
        self.password_hash = "$argon2id$..."  # never in the log

    @property
    def shout(self) -> str:
        return self.name.upper()


def test_a_change_is_recorded_as_the_values_before_and_after() -> None:
    trail, thing = AuditTrail(), Thing("pen")
    trail.track(thing, new=False)
    thing.name = "ink"
    (row,) = trail.rows(ADMIN)
    assert row["before"] == {"name": "pen", "shout": "PEN"}
    assert row["after"] == {"name": "ink", "shout": "INK"}
    assert row["subject"] == f"Thing {thing.id}"
    assert (row["actor_email"], row["action"]) == ("boss@example.com", "things.rename")


def test_an_unchanged_aggregate_is_not_recorded_and_a_new_one_is_whole() -> None:
    trail, kept, made = AuditTrail(), Thing("pen"), Thing("cup")
    trail.track(kept, new=False)
    trail.track(made, new=True)
    (row,) = trail.rows(ADMIN)
    assert row["before"] == {}
    assert row["after"] == {"id": str(made.id), "name": "cup", "shout": "CUP"}  # no hash
