"""Technology at the edges: SQL, HTTP."""

from __future__ import annotations
