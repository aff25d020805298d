"""The notifications module publishes no events; the admin dashboard asks it for its log
(``contracts/log.py``)."""

from __future__ import annotations
