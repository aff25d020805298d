"""Integration events between modules: envelope, outbox relay, brokers, consumers, inbox."""

from __future__ import annotations
