"""Catalog read benchmark: Orion's GET /api/v1/products/{id} against a bare Quart endpoint.

The servers run side by side in one run, each as a subprocess on the same Hypercorn
configuration (uvloop, access log off, bound to 127.0.0.1; bare Quart in one process, Orion
in --workers processes, one by default):

  orion  `python -m orion serve` on a throwaway PostgreSQL database (127.0.0.1:5432, user
         postgres) migrated and seeded with the demo catalog, ORION_LOG_LEVEL=WARNING;
         without Redis, so the product page comes from its in-process LRU cache;
  redis  the same, with ORION_REDIS_URL (ORION_BENCH_REDIS_URL, default
         redis://127.0.0.1:6379/13): the product page comes from the Redis cache (ADR 14),
         and the rate limits count in Redis too;
  bare   a minimal Quart app returning a constant JSON dict shaped like a product.

wrk (`wrk --latency -t1`, with `many_clients.lua`: each request from a random client
address, forwarded by a trusted proxy, so Orion's default per-address rate limits count many
small clients as behind a gateway) warms each up, then measures them alternately (bare,
orion, bare, orion) so that drift hits both; the table shows the median of the rounds and the ratios
orion / bare for req/s, p50 and p99. The database is dropped at the end.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import shutil
import signal
import statistics
import subprocess
import sys
from dataclasses import dataclass

import uvloop
from hypercorn.asyncio import serve
from hypercorn.config import Config
from quart import Quart, Response, jsonify

from _common import HOST, database_url, fetch, free_port, load_average, server, throwaway_database

REDIS_URL = os.environ.get("ORION_BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")
WARMUP_SECONDS = 2
ROUNDS = 2

# The same fields and about the same size (345 bytes) as a demo product from Orion.
PRODUCT = {
    "id": "01a21759-a86b-7e38-89d7-87009ea63913",
    "sku": "DEMO-BOO-002",
    "name": "Architecture Patterns with Python",
    "description": "DDD and events in Python.",
    "category": "Books",
    "price": {"amount": 3900, "currency": "EUR"},
    "stock": 14,
    "active": True,
    "created_at": "2026-01-01T10:00:00.000000+00:00",
    "updated_at": "2026-01-01T10:00:00.000000+00:00",
    "version": 1,
}


@dataclass(frozen=True, slots=True)
class Sample:
    requests_per_s: float
    p50_ms: float
    p99_ms: float


def bare_app() -> Quart:
    app = Quart("bare")

    @app.get("/product")
    async def product() -> Response:
        return jsonify(PRODUCT)

    return app


async def serve_bare(port: int) -> None:
    """Hypercorn set up line for line as ``_serve`` in ``orion/__main__.py`` sets it up."""
    config = Config()
    config.bind = [f"{HOST}:{port}"]
    config.accesslog = None
    config.errorlog = logging.getLogger("hypercorn.error")
    config.graceful_timeout = 10.0
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    await serve(bare_app(), config, shutdown_trigger=stop.wait)


MANY_CLIENTS = os.path.join(os.path.dirname(os.path.abspath(__file__)), "many_clients.lua")


def run_wrk(url: str, seconds: int, connections: int) -> Sample:
    command = [
        *("wrk", "--latency", "-t1", "-s", MANY_CLIENTS),
        *(f"-c{connections}", f"-d{seconds}s", url),
    ]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        sys.exit(f"wrk saw failed requests on {url}; the figures would be meaningless:\n{output}")
    requests_per_s = re.search(r"^Requests/sec:\s+([\d.]+)", output, re.MULTILINE)
    assert requests_per_s is not None, output
    return Sample(
        requests_per_s=float(requests_per_s[1]),
        p50_ms=latency_ms(output, "50%"),
        p99_ms=latency_ms(output, "99%"),
    )


def latency_ms(wrk_output: str, percentile: str) -> float:
    found = re.search(rf"^\s+{percentile}\s+([\d.]+)(us|ms|s)\s*$", wrk_output, re.MULTILINE)
    assert found is not None, wrk_output
    return float(found[1]) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[found[2]]


def median(samples: list[Sample]) -> Sample:
    return Sample(
        requests_per_s=statistics.median(s.requests_per_s for s in samples),
        p50_ms=statistics.median(s.p50_ms for s in samples),
        p99_ms=statistics.median(s.p99_ms for s in samples),
    )


def benchmark(seconds: int, connections: int, workers: int) -> None:
    orion_port, redis_port, bare_port = free_port(), free_port(), free_port()
    with throwaway_database() as database:
        env = {
            **os.environ,
            "ORION_DATABASE_URL": database_url(database),
            "ORION_LOG_LEVEL": "WARNING",
            # wrk stands for many clients behind a gateway (many_clients.lua)
            "ORION_TRUSTED_PROXIES": HOST,
        }
        orion = [sys.executable, "-m", "orion"]
        subprocess.run([*orion, "migrate"], env=env, check=True)
        subprocess.run([*orion, "seed", "--demo"], env=env, check=True)
        orion_base = f"http://{HOST}:{orion_port}"
        redis_base = f"http://{HOST}:{redis_port}"
        bare_url = f"http://{HOST}:{bare_port}/product"
        redis_env = {**env, "ORION_REDIS_URL": REDIS_URL}
        serve = [*orion, "serve", "--workers", str(workers), "--port"]
        with (
            server([*serve, str(orion_port)], f"{orion_base}/health/live", env),
            server([*serve, str(redis_port)], f"{redis_base}/health/live", redis_env),
            server([sys.executable, __file__, "--serve-bare", str(bare_port)], bare_url, env),
        ):
            first = json.loads(fetch(f"{orion_base}/api/v1/products?limit=1"))["items"][0]
            targets = {
                "bare": bare_url,
                "orion": f"{orion_base}/api/v1/products/{first['id']}",
                "redis": f"{redis_base}/api/v1/products/{first['id']}",
            }
            sizes = {name: len(fetch(url)) for name, url in targets.items()}
            print(f"database {database}; warming up each server for {WARMUP_SECONDS} s")
            for url in targets.values():
                run_wrk(url, WARMUP_SECONDS, connections)
            samples: dict[str, list[Sample]] = {name: [] for name in targets}
            for round_number in range(1, ROUNDS + 1):
                for name, url in targets.items():
                    sample = run_wrk(url, seconds, connections)
                    samples[name].append(sample)
                    print(
                        f"round {round_number} {name:<5} {sample.requests_per_s:>9.1f} req/s"
                        f"  p50 {sample.p50_ms:.2f} ms  p99 {sample.p99_ms:.2f} ms"
                    )
    report(targets, sizes, {name: median(runs) for name, runs in samples.items()}, workers)


def report(
    targets: dict[str, str], sizes: dict[str, int], result: dict[str, Sample], workers: int
) -> None:
    bare = result["bare"]
    print()
    print(
        f"Hypercorn, uvloop, access log off, on 127.0.0.1: bare Quart in 1 process, Orion in "
        f"{workers} (orion serve --workers {workers})."
    )
    print("Orion runs with ORION_LOG_LEVEL=WARNING: its per-request info log lines are off.")
    print(f"Median of {ROUNDS} alternated rounds per target.")
    for name, url in targets.items():
        print(f"  {name:<5} GET {url} ({sizes[name]} bytes of JSON)")
    print()
    print(f"{'':<14}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for name, sample in result.items():
        print(
            f"{name:<14}{sample.requests_per_s:>10.1f}{sample.p50_ms:>10.2f}{sample.p99_ms:>10.2f}"
        )
    for name, sample in result.items():
        if name != "bare":
            print(
                f"{name + ' / bare':<14}{sample.requests_per_s / bare.requests_per_s:>10.2f}"
                f"{sample.p50_ms / bare.p50_ms:>10.2f}{sample.p99_ms / bare.p99_ms:>10.2f}"
            )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per measured wrk run (default 10)"
    )
    parser.add_argument(
        "--connections", type=int, default=32, help="wrk's open connections (default 32)"
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="Orion's API processes (orion serve --workers); bare Quart keeps one (default 1)",
    )
    parser.add_argument("--serve-bare", type=int, metavar="PORT", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve_bare is not None:  # this script, started by itself as the bare server
        uvloop.run(serve_bare(args.serve_bare))
        return
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: apt-get install wrk")
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit("terminated"))  # clean up too
    print(
        f"wrk --latency -t1 -c{args.connections} -d{args.duration}s, "
        f"{ROUNDS} rounds per target, alternated; {load_average()}"
    )
    benchmark(args.duration, args.connections, args.workers)


if __name__ == "__main__":
    main()
