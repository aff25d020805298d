"""What no test output may show: signed tokens and bearer headers. The end-of-run log check
looks for these shapes in the logs (``tests/log_hygiene.py``); the report hook here blanks
them out of what pytest itself prints for a failed test (its traceback, the values its
assertion shows, the captured output and logs), which a CI log keeps for anyone to read.

``tests/conftest.py`` takes the hook in; a conftest of a pytest run of its own may too."""

from __future__ import annotations

import re
from collections.abc import Generator

import pytest

SHAPES = {
    "a JWT": re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{16,}"),
    "a bearer header": re.compile(r"Bearer [A-Za-z0-9._~+/-]{16,}"),
}
REDACTED = "[redacted]"


def redact(text: str) -> str:
    for shape in SHAPES.values():
        text = shape.sub(REDACTED, text)
    return text


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.longrepr is not None:
        shown = str(report.longrepr)
        redacted = redact(shown)
        if redacted != shown:  # the plain text then, without colours
            report.longrepr = redacted
    report.sections = [(title, redact(content)) for title, content in report.sections]
    return report
