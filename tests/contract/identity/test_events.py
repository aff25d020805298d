"""The identity module's published events against their golden JSON."""

from __future__ import annotations

from pathlib import Path

import pytest

from orion.modules.identity.contracts import events
from orion.shared_kernel.application.messages import IntegrationEvent
from tests.contract.golden import (
    BASE,
    assert_golden_decodes,
    assert_matches_golden,
    published_events,
)

GOLDEN = Path(__file__).parent / "golden"
SAMPLES: list[IntegrationEvent] = [
    events.UserRegisteredV1(
        **BASE,
        email="ada@example.com",
        full_name="Ada Lovelace",
        verification_token="verify-token-sample",
    ),
    events.PasswordResetRequestedV1(
        **BASE,
        email="ada@example.com",
        full_name="Ada Lovelace",
        reset_token="reset-token-sample",
        expires_at="2026-01-02T04:04:05.678901+00:00",
    ),
    events.UserChangedV1(**BASE, changes=["disabled", "role"]),
    events.RegistrationAttemptedV1(**BASE, email="ada@example.com", full_name="Ada Lovelace"),
    events.PasswordResetAskedV1(**BASE, email="ada@example.com"),
    events.RegistrationAskedV1(**BASE, email="ada@example.com"),
]


def test_every_published_event_has_a_sample() -> None:
    assert published_events(events) == {type(sample) for sample in SAMPLES}


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_event_matches_its_golden_json(event: IntegrationEvent) -> None:
    assert_matches_golden(event, GOLDEN)


@pytest.mark.parametrize("event", SAMPLES, ids=lambda event: event.wire_name)
def test_golden_json_decodes_back_to_the_event(event: IntegrationEvent) -> None:
    assert_golden_decodes(event, GOLDEN)
