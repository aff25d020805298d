"""The dashboard's pages at ``/admin``: every one but the sign-in page checks the session
(and with it the admin role) on the server, every write its CSRF token; every answer carries
a strict Content-Security-Policy (scripts and styles from Orion's own files only, nothing
inline) and is never cached."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from quart import Blueprint, Response, g, render_template, request
from werkzeug.exceptions import BadRequest

from orion.modules.analytics.contracts.queries import STATUSES, GetOverview
from orion.modules.dashboard.adapters.http.audit import add_audit_pages
from orion.modules.dashboard.adapters.http.customers import add_customer_pages
from orion.modules.dashboard.adapters.http.notifications import add_notification_pages
from orion.modules.dashboard.adapters.http.operations import OwnAudit, add_operations_pages
from orion.modules.dashboard.adapters.http.orders import add_order_pages
from orion.modules.dashboard.adapters.http.products import add_product_pages
from orion.modules.dashboard.application.sessions import DashboardSessions
from orion.modules.dashboard.domain.errors import AdminsOnly, SignedOut
from orion.shared_kernel.adapters.http.auth import bearer_token
from orion.shared_kernel.adapters.http.problems import status_of
from orion.shared_kernel.adapters.http.ratelimit import client_address
from orion.shared_kernel.adapters.ratelimit import RateLimited
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.errors import DomainError
from orion.shared_kernel.domain.money import Money

COOKIE = "orion_admin"
SECURE_COOKIE = "__Host-orion_admin"  # behind TLS: Secure, this host only, path /
CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
OPEN_PAGES = {"dashboard.sign_in", "dashboard.sign_in_post", "dashboard.static"}
DEFAULT_DAYS = 30


def is_secure() -> bool:
    return request.scheme == "https" or request.headers.get("X-Forwarded-Proto") == "https"


def cookie() -> tuple[str, str]:
    """The session cookie's name and path: behind TLS the ``__Host-`` kind (Secure, path /)."""
    return (SECURE_COOKIE, "/") if is_secure() else (COOKIE, "/admin")


def session_token() -> str | None:
    return request.cookies.get(cookie()[0])


def see_other(location: str) -> Response:
    return Response(status=303, headers={"Location": location})


def money(amount: int, currency: str) -> str:
    """Minor units in the currency's own digits, thousands grouped: ``1,234.50``."""
    return f"{Money(amount=amount, currency=currency).to_decimal():,}"


def change(now: int, before: int) -> str:
    """The change against the previous period, in words a screen reader reads well."""
    if before == 0:
        return "new" if now else "no change"
    percent = round((now - before) * 100 / before)
    return f"{percent:+d}%"


def dashboard_blueprint(
    mediator: Mediator, sessions: DashboardSessions, audit: OwnAudit
) -> Blueprint:
    blueprint = Blueprint(
        "dashboard",
        __name__,
        url_prefix="/admin",
        template_folder="templates",
        static_folder="static",
    )
    blueprint.add_app_template_filter(money, "money")

    @blueprint.before_request
    async def signed_in_admin() -> Response | None:
        """A bearer token is no way in (a customer's gets 403); a cookie's session is checked
        with identity on every request; a write must carry the form's CSRF token."""
        if request.endpoint in OPEN_PAGES:
            return None
        if bearer_token() is not None:
            raise AdminsOnly("the dashboard is used signed in at /admin/login, not with a token")
        try:
            g.web_session = await sessions.check(session_token())
        except SignedOut:
            if request.method == "GET":
                return see_other("/admin/login")
            raise
        if request.method == "POST":
            g.web_session.check_csrf((await request.form).get("csrf"))
        return None

    @blueprint.after_request
    async def locked_down(response: Response) -> Response:
        response.headers["Content-Security-Policy"] = CSP
        response.headers["Cache-Control"] = "no-store"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers["X-Frame-Options"] = "DENY"
        return response

    @blueprint.errorhandler(DomainError)
    async def refused(error: DomainError) -> tuple[str, int]:
        page = await render_template("error.html", error=error)
        return page, status_of(error)

    @blueprint.get("/login")
    async def sign_in() -> str:
        return await render_template("login.html", error=None)

    @blueprint.post("/login")
    async def sign_in_post() -> Response | tuple[str, int]:
        """Throttled as the API's login is; a wrong password says no more than the API's."""
        form = await request.form
        try:
            token = await sessions.open(
                email=form.get("email", ""),
                password=form.get("password", ""),
                client_address=client_address(),
            )
        except RateLimited as error:  # as the API's login: 429, and when to try again
            page = await render_template("login.html", error=error, email=form.get("email", ""))
            return Response(page, 429, {"Retry-After": str(error.retry_after_s)})
        except DomainError as error:
            page = await render_template("login.html", error=error, email=form.get("email", ""))
            return page, status_of(error)
        response = see_other("/admin/")
        name, path = cookie()
        response.set_cookie(
            name, token, httponly=True, secure=is_secure(), samesite="Strict", path=path
        )
        return response

    @blueprint.post("/logout")
    async def sign_out() -> Response:
        token = session_token()
        if token is not None:
            await sessions.close(token)
        response = see_other("/admin/login")
        name, path = cookie()
        response.delete_cookie(name, path=path)
        return response

    @blueprint.get("/")
    async def overview() -> str:
        start, end, currency = _period()
        figures = await mediator.ask(GetOverview(start=start, end=end, currency=currency))
        return await render_template(
            "overview.html",
            o=figures,
            statuses=STATUSES,
            change=change,
            charts=_charts(figures),
        )

    add_order_pages(blueprint, mediator)
    add_product_pages(blueprint, mediator)
    add_customer_pages(blueprint, mediator)
    add_notification_pages(blueprint, mediator)
    add_operations_pages(blueprint, mediator, audit)
    add_audit_pages(blueprint, mediator)
    return blueprint


def _period() -> tuple[date, date, str]:
    """The period asked for (default: the last 30 days, today included) and its currency."""
    today = datetime.now(UTC).date()
    try:
        end = date.fromisoformat(request.args.get("end") or today.isoformat())
        start = date.fromisoformat(
            request.args.get("start") or (end - timedelta(days=DEFAULT_DAYS - 1)).isoformat()
        )
    except ValueError:
        raise BadRequest("start and end are dates: YYYY-MM-DD") from None
    currency = (request.args.get("currency") or "EUR").upper()
    if not (len(currency) == 3 and currency.isalpha()):
        raise BadRequest("currency is a three-letter ISO 4217 code")
    return start, end, currency


def _charts(o: Any) -> dict[str, dict[str, Any]]:
    """What each chart draws (``static/dashboard.js``), in the currency's units; each series
    a [name, values] pair, in the order drawn (JSON objects would be sorted by name)."""
    days = [day.day.isoformat() for day in o.days]

    def units(amount: int) -> float:
        return float(Money(amount=amount, currency=o.currency).to_decimal())

    return {
        "revenue": {
            "type": "line",
            "labels": days,
            "series": [
                ["Gross", [units(day.gross) for day in o.days]],
                ["Refunds", [units(day.refunds) for day in o.days]],
                ["Net", [units(day.net) for day in o.days]],
            ],
        },
        "orders": {
            "type": "stacked",
            "labels": days,
            "series": [
                [status.replace("_", " "), [day.orders_by_status[status] for day in o.days]]
                for status in STATUSES
            ],
        },
        "funnel": {
            "type": "bar",
            "labels": ["Placed", "Paid", "Shipped", "Delivered"],
            "series": [
                ["Orders", [o.funnel.placed, o.funnel.paid, o.funnel.shipped, o.funnel.delivered]]
            ],
        },
        "products": {
            "type": "horizontal",
            "labels": [product.name for product in o.top_by_revenue],
            "series": [["Revenue", [units(product.revenue) for product in o.top_by_revenue]]],
        },
        "failures": {
            "type": "bar",
            "labels": list(o.failures_by_code),
            "series": [["Failures", list(o.failures_by_code.values())]],
        },
    }
