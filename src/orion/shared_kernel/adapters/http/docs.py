"""``GET /docs``: Swagger UI over ``/openapi.json``, from files Orion ships (``swagger_ui/``,
pinned and checksummed), loaded with Subresource Integrity under a Content-Security-Policy
that allows scripts from Orion alone and no inline script. Swagger UI sets inline styles
as it renders, hence ``style-src 'unsafe-inline'`` (styles cannot run code)."""

from __future__ import annotations

import base64
import hashlib
from pathlib import Path

from quart import Blueprint, Response, send_file
from quart_schema import hide

SWAGGER_UI_VERSION = "5.36.0"
ASSETS = Path(__file__).parent / "swagger_ui"
SERVED = ("swagger-ui-bundle.js", "swagger-ui.css", "init.js")
DOCS_CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'none'; "
    "frame-ancestors 'none'"
)
PAGE = """<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>{title}</title>
  <link rel="stylesheet" href="/docs/swagger-ui.css" integrity="{swagger-ui.css}">
</head>
<body>
  <div id="swagger-ui"></div>
  <script src="/docs/swagger-ui-bundle.js" integrity="{swagger-ui-bundle.js}"></script>
  <script src="/docs/init.js" integrity="{init.js}"></script>
</body>
</html>
"""


def integrity(path: Path) -> str:
    """The Subresource Integrity value of a file."""
    return "sha384-" + base64.b64encode(hashlib.sha384(path.read_bytes()).digest()).decode()


def docs_blueprint(title: str) -> Blueprint:
    blueprint = Blueprint("docs", __name__)
    page = PAGE.replace("{title}", title)
    for name in SERVED:
        page = page.replace("{" + name + "}", integrity(ASSETS / name))

    @blueprint.get("/docs")
    @hide
    async def swagger_ui() -> Response:
        response = Response(page, content_type="text/html; charset=utf-8")
        response.headers["Content-Security-Policy"] = DOCS_CSP
        return response

    @blueprint.get("/docs/<any(" + ", ".join(f'"{name}"' for name in SERVED) + "):asset>")
    @hide
    async def swagger_asset(asset: str) -> Response:
        response = await send_file(ASSETS / asset)
        response.cache_control.max_age = 86400
        return response

    return blueprint
