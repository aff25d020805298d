"""Several processes, one /metrics: with PROMETHEUS_MULTIPROC_DIR each process's counters
are summed by whichever process answers the scrape (what several Hypercorn workers need)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

COUNT = """
from orion.shared_kernel.adapters.metrics import HTTP_REQUESTS
HTTP_REQUESTS.labels("GET", "/api/v1/products", "200").inc({n})
"""
SCRAPE = """
import asyncio, sys
from orion.shared_kernel.adapters.metrics import render
body, failed = asyncio.run(render([]))
sys.stdout.write(body.decode())
"""


def python(code: str, multiproc_dir: Path) -> str:
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(multiproc_dir)}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def test_counters_of_several_processes_are_summed_in_one_scrape(tmp_path: Path) -> None:
    python(COUNT.format(n=2), tmp_path)
    python(COUNT.format(n=3), tmp_path)
    text = python(SCRAPE, tmp_path)
    samples = {
        (sample.name, sample.labels.get("route")): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }
    assert samples[("orion_http_requests_total", "/api/v1/products")] == 5
    assert samples[("orion_metrics_probes_failed", None)] == 0
