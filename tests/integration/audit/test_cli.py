"""``orion audit``: the report an operator reads (ids only), and its exit status. The
command's own function runs on the test's shop (a subprocess would spend seconds importing)."""

from __future__ import annotations

import json

import pytest

from orion import commands
from orion.__main__ import parser
from orion.bootstrap import Orion
from tests.conftest import Client
from tests.integration.audit.conftest import hold_stock_again, order
from tests.integration.audit.test_repair import cancelled_behind_the_saga


async def orion_audit(orion: Orion, capsys: pytest.CaptureFixture[str], *args: str) -> str:
    """What ``orion audit ARGS`` prints; it exits 1, as it does with a violation left."""
    with pytest.raises(SystemExit) as exited:
        await commands._audit(orion, parser().parse_args(["audit", *args]))
    assert exited.value.code == 1
    return capsys.readouterr().out


async def test_the_report_names_each_invariant_and_the_violating_ids(
    client: Client, orion: Orion, capsys: pytest.CaptureFixture[str]
) -> None:
    declined = await order(client, orion, token="tok_declined")
    await hold_stock_again(orion, declined)
    report = json.loads(await orion_audit(orion, capsys, "--json"))
    results = {result["invariant"]: result for result in report["results"]}
    assert results["reservation_release"]["violations"] == 1
    assert results["reservation_release"]["examples"] == [
        {"subject": str(declined), "problem": "reserved_for_cancelled_order"}
    ]
    assert results["order_payment"] == {
        "invariant": "order_payment",
        "checked": 1,
        "violations": 0,
        "examples": [],
    }
    out = await orion_audit(orion, capsys, "--since", "1h")
    assert f"{declined} (reserved_for_cancelled_order)" in out
    assert "@example.com" not in out  # ids only, never personal data


def test_since_takes_an_age_or_a_time() -> None:
    assert parser().parse_args(["audit", "--since", "2026-12-01T00:00"]).since.tzinfo is not None
    with pytest.raises(SystemExit):
        parser().parse_args(["audit", "--since", "yesterday"])


async def test_repair_prints_what_it_fixed_and_a_second_finds_nothing(
    client: Client, orion: Orion, capsys: pytest.CaptureFixture[str]
) -> None:
    paid = await order(client, orion)
    await cancelled_behind_the_saga(orion, paid)
    await commands._audit(orion, parser().parse_args(["audit", "--repair", "order_payment"]))
    out = capsys.readouterr().out
    assert f"order_payment: repaired 1\n    {paid}  captured_for_cancelled_order" in out
    assert "left (no mechanical fix, see docs/audit/): 0" in out
    await commands._audit(orion, parser().parse_args(["audit", "--repair", "order_payment"]))
    assert "order_payment: repaired 0" in capsys.readouterr().out
