"""The dashboard publishes no events and answers no other module."""

from __future__ import annotations
