"""A failed test's report, as pytest prints it, shows no signed token and no bearer header:
not in the assertion's values, the traceback's locals, the captured output or the captured
logs (tests/redaction.py). A pytest run of its own, on a test made to fail with them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.redaction import SHAPES

ROOT = Path(__file__).parents[2]
JWT = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U"
FAILING = f'''
import logging

def test_me_answers():
    headers = {{"Authorization": "Bearer {JWT}"}}
    print("calling /api/v1/me with", headers)
    logging.getLogger("client").warning("sent %s", headers)
    answer = {{"access_token": "{JWT}", "status": 401}}
    assert answer == {{"status": 200}}
'''


def test_a_failed_tests_output_shows_no_token(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\n")
    (tmp_path / "conftest.py").write_text(
        "from tests.redaction import pytest_runtest_makereport  # noqa: F401\n"
    )
    (tmp_path / "test_leaky.py").write_text(FAILING)

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--showlocals", "-rA"],
        cwd=tmp_path,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    output = run.stdout + run.stderr
    assert run.returncode == 1, output  # the test failed, and was reported
    assert "1 failed" in output
    assert "[redacted]" in output
    assert "Captured stdout call" in output
    assert "Captured log call" in output
    assert [name for name, shape in SHAPES.items() if shape.search(output)] == []
