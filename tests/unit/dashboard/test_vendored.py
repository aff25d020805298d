"""Each vendored browser library is the file its README names, byte for byte, with its
license beside it."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest

import orion.modules.dashboard.adapters.http as pages

FOLDERS = [
    Path(pages.__file__).parent / "static" / "vendor",
    Path(__file__).parents[2] / "e2e" / "vendor",
]
ROW = re.compile(r"^\| (?P<file>\S+) \|.*\((?P<license>[^)]+)\) \| (?P<sha256>[0-9a-f]{64}) \|$")


def rows(folder: Path) -> list[dict[str, str]]:
    lines = (folder / "README.md").read_text().splitlines()
    return [match.groupdict() for line in lines if (match := ROW.match(line))]


@pytest.mark.parametrize("folder", FOLDERS, ids=lambda folder: folder.parent.name)
def test_every_vendored_file_matches_its_checksum_and_has_its_license(folder: Path) -> None:
    listed = rows(folder)
    assert listed, "the README lists no file"
    scripts = {path.name for path in folder.glob("*.js")}
    assert scripts == {row["file"] for row in listed}
    for row in listed:
        content = (folder / row["file"]).read_bytes()
        assert hashlib.sha256(content).hexdigest() == row["sha256"], row["file"]
        assert (folder / row["license"]).is_file(), row["license"]
