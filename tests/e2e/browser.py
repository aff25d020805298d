"""A real Chromium (Debian's ``chromium``, driven by Playwright with ``executable_path``)
for the dashboard's tests: every console error and CSP violation of a page kept, an
accessibility scan by the vendored axe-core, a screenshot of each page looked at."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, sync_playwright

from tests.conftest import IN_CI

AXE = Path(__file__).parent / "vendor" / "axe-core-4.14.1.min.js"
SCREENSHOTS = Path(__file__).parent / "screenshots"  # gitignored: looked at, never committed


def chromium_path() -> str:
    found = shutil.which("chromium")
    if found is None:
        message = (
            "Debian's chromium is not installed (.ci/run installs it: apt-get install chromium)"
        )
        if IN_CI:
            pytest.fail(message + " (CI=true: a missing tool fails the run)", pytrace=False)
        pytest.skip(message)
    return found


@contextmanager
def chromium() -> Iterator[Browser]:
    path = chromium_path()
    with sync_playwright() as playwright:
        # as root (CI) Chromium's sandbox cannot start
        args = ["--no-sandbox"] if os.geteuid() == 0 else []
        browser = playwright.chromium.launch(executable_path=path, args=args)
        try:
            yield browser
        finally:
            browser.close()


class Watched:
    """A page whose console errors (CSP violations are among them) and uncaught errors are
    kept, to be asserted empty."""

    def __init__(self, page: Page) -> None:
        self.page = page
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))

    def _console(self, message: ConsoleMessage) -> None:
        own_status = message.text.startswith("Failed to load resource") and (
            message.location.get("url") == self.page.url
        )  # a refusal's page answered 4xx on purpose; its assets must still load
        if message.type in {"error", "warning"} and not own_status:
            self.problems.append(f"{message.type}: {message.text} ({self.page.url})")

    def screenshot(self, name: str) -> Path:
        SCREENSHOTS.mkdir(exist_ok=True)
        path = SCREENSHOTS / f"{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        return path

    def axe(self) -> list[dict[str, Any]]:
        """The serious and critical violations axe-core finds on the page as it is."""
        # evaluated through the DevTools protocol, as no page script is: the CSP still holds
        self.page.evaluate(AXE.read_text())
        result = self.page.evaluate("axe.run(document, {resultTypes: ['violations']})")
        return [
            {
                "id": item["id"],
                "impact": item["impact"],
                "nodes": [n["target"] for n in item["nodes"]],
            }
            for item in result["violations"]
            if item["impact"] in {"serious", "critical"}
        ]
