"""The notifications module's public surface: the only package other modules may import. It
publishes no events; the consistency auditor asks it which emails went out
(``contracts/queries.py``), the admin dashboard for its log (``contracts/log.py``)."""

from __future__ import annotations
