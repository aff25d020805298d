"""The catalog's JSON API."""

from __future__ import annotations
