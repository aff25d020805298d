"""Every log line of a test run, kept for one check at its end: no password, token or key.

The test process logs its JSON lines, DEBUG and up, to ``pytest.jsonl`` (``pytest<worker>.jsonl``
under pytest-xdist) in ``LOG_DIR``
(``ORION_TEST_LOG_DIR``, a new directory for each run, else a new temporary directory,
removed after a clean run); each Orion process a test starts writes its output to a file
there too (``process_log``). When the session ends, ``leaks`` looks through them all for the
secrets the tests use (``SECRETS``), for anything shaped like a signed token, a bearer header,
a password hash or a card token, and for an email address in an error line (where SQL
parameters and exception messages end up); ``tests/conftest.py`` fails the run on a find.
"""

from __future__ import annotations

import io
import os
import re
import tempfile
import uuid
from collections.abc import Mapping
from pathlib import Path
from typing import IO, TextIO

from orion.shared_kernel.adapters.logging import configure_logging
from tests.redaction import SHAPES as CREDENTIALS

LOG_DIR = Path(os.environ.get("ORION_TEST_LOG_DIR") or tempfile.mkdtemp(prefix="orion-logs-"))
LOG_DIR.mkdir(parents=True, exist_ok=True)
RUN_LOG = LOG_DIR / f"pytest{os.environ.get('PYTEST_XDIST_WORKER', '')}.jsonl"

# name -> value: what the tests sign in with, sign with and pay with
SECRETS: dict[str, str] = {}
SHAPES = {
    **CREDENTIALS,  # what a failed test's report is cleaned of, too (tests/redaction.py)
    "a password hash": re.compile(r"\$argon2(?:id|i|d)\$"),
    "a card token": re.compile(r"\btok_[A-Za-z0-9_]{3,}"),
}
# a line that reports an error: its level, or a traceback in it
ERROR_LINE = re.compile(r'"level": ?"(?:error|critical)"|"exception": ?"|Traceback \(most recent')
EMAIL = re.compile(r"[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}")


def secret(name: str, value: str) -> str:
    """Registers a value no log line may contain, and returns it."""
    SECRETS[name] = value
    return value


class _Tee(io.TextIOBase):
    def __init__(self, *streams: TextIO) -> None:
        self._streams = streams

    def write(self, text: str) -> int:
        for stream in self._streams:
            stream.write(text)
        return len(text)

    def flush(self) -> None:
        for stream in self._streams:
            stream.flush()


_RUN_STREAM = RUN_LOG.open("a", encoding="utf-8")


def log_to_run(also: TextIO | None = None) -> None:
    """Logging as ``orion serve`` sets it up (JSON), DEBUG and up, into the run's log file,
    and into ``also`` when given (a test that reads its own lines)."""
    stream: TextIO = _RUN_STREAM if also is None else _Tee(_RUN_STREAM, also)  # type: ignore[assignment]
    configure_logging(level="DEBUG", fmt="json", stream=stream, cache=False)


def process_log(name: str) -> IO[bytes]:
    """A file for the output of a process a test starts (``stdout=``/``stderr=``)."""
    return (LOG_DIR / f"{name}-{uuid.uuid4().hex[:8]}.log").open("wb")


def leaks(directory: Path, secrets: Mapping[str, str]) -> list[str]:
    """``file:line: what`` for each line of the directory's logs holding a secret."""
    found: list[str] = []
    for path in sorted(directory.iterdir()):
        with path.open(encoding="utf-8", errors="replace") as log:
            for number, line in enumerate(log, 1):
                named = [name for name, value in secrets.items() if value in line]
                named += [name for name, shape in SHAPES.items() if shape.search(line)]
                if ERROR_LINE.search(line) and EMAIL.search(line):
                    named.append("an email in an error line")
                found += [f"{path.name}:{number}: {name}" for name in named]
    return found
