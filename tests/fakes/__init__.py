"""One maintained fake per port, shared by every handler test."""

from __future__ import annotations
