"""The notifications module publishes no events and answers no queries yet."""

from __future__ import annotations
