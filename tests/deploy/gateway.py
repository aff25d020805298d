"""deploy/nginx run by this machine's nginx on loopback, in front of the tests' API
containers: the same files, with the template filled as the nginx image fills it at start, the
upstream list naming the tests' instances, and a test CA's certificate (trustme)."""

from __future__ import annotations

import re
import shutil
import signal
import socket
import ssl
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import trustme

from tests.fakes.loopback import free_port
from tests.log_hygiene import process_log

NGINX = Path(__file__).parents[2] / "deploy" / "nginx"
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


@dataclass(frozen=True)
class Gateway:
    https_port: int
    http_port: int
    trust: ssl.SSLContext
    access_log: Path

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def client(self, address: str = "127.0.0.1", **options: object) -> httpx.Client:
        """An HTTPS client of the gateway connecting from ``address`` (any of 127.0.0.0/8:
        each address is a client of its own to the gateway's limits)."""
        transport = httpx.HTTPTransport(verify=self.trust, local_address=address)
        return httpx.Client(base_url=self.url, transport=transport, **options)  # type: ignore[arg-type]


def render(template: str, values: dict[str, str]) -> str:
    """``${NAME}`` replaced as envsubst does in the nginx image; a name without a value fails."""
    return PLACEHOLDER.sub(lambda match: values[match[1]], template)


def upstreams(ports: list[int]) -> str:
    """deploy/nginx/orion/upstream.conf with its ``server`` lines naming these loopback ports,
    each with the same parameters as the shipped ones."""
    text = (NGINX / "orion" / "upstream.conf").read_text()
    shipped = re.findall(r"^\s*server \S+(.*)$", text, flags=re.MULTILINE)
    assert shipped, "upstream.conf lists no server"
    servers = "".join(f"    server 127.0.0.1:{port}{shipped[0]}\n" for port in ports)
    text = re.sub(r"^\s*server \S+.*\n", "", text, flags=re.MULTILINE)
    return text.replace("    least_conn;\n", "    least_conn;\n" + servers)


@contextmanager
def running_gateway(directory: Path, api_ports: list[int], **values: str) -> Iterator[Gateway]:
    """nginx with deploy/nginx's files in ``directory``, listening on two free loopback ports."""
    shutil.copytree(NGINX, directory, ignore=shutil.ignore_patterns("templates"))
    https_port, http_port = free_port(), free_port()
    values = {
        "GATEWAY_HTTP_PORT": f"127.0.0.1:{http_port}",
        "GATEWAY_HTTPS_PORT": f"127.0.0.1:{https_port}",
        "ORION_PUBLIC_URL": f"https://localhost:{https_port}",
        "GATEWAY_RATE": "50r/s",
        "GATEWAY_BURST": "100",
        "GATEWAY_CONNECTIONS": "100",
        "GATEWAY_RESOLVER": "127.0.0.1",
        **values,
    }
    template = (NGINX / "templates" / "orion.conf.template").read_text()
    (directory / "orion" / "orion.conf").write_text(render(template, values))
    (directory / "orion" / "upstream.conf").write_text(upstreams(api_ports))
    ca = trustme.CA()
    certificate = ca.issue_cert("localhost", "127.0.0.1")
    tls = directory / "tls"
    tls.mkdir()
    (tls / "fullchain.pem").write_bytes(
        b"".join(pem.bytes() for pem in certificate.cert_chain_pems)
    )
    (tls / "privkey.pem").write_bytes(certificate.private_key_pem.bytes())
    (tls / "chain.pem").write_bytes(ca.cert_pem.bytes())
    trust = ssl.create_default_context()
    ca.configure_trust(trust)

    access_log = directory / "access.log"
    with process_log("nginx") as errors, access_log.open("wb") as access:
        process = subprocess.Popen(
            [
                "nginx", "-p", str(directory), "-c", str(directory / "nginx.conf"),
                "-g", f"daemon off; pid {directory / 'nginx.pid'}; user www-data;",
            ],
            stdout=access, stderr=errors,
        )  # fmt: skip
    try:
        _wait_listening(process, https_port, Path(errors.name))
        yield Gateway(https_port, http_port, trust, access_log)
    finally:
        process.send_signal(signal.SIGQUIT)  # graceful: finishes what it serves
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_listening(process: subprocess.Popen[bytes], port: int, errors: Path) -> None:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"nginx exited: {errors.read_text()}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
        except OSError:
            time.sleep(0.05)
        else:
            return
    raise AssertionError(f"nginx did not listen in time: {errors.read_text()}")
