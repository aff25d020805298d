"""The pages the emailed links open when the shop has no storefront page for them
(``ORION_VERIFY_EMAIL_URL``, ``ORION_RESET_PASSWORD_URL`` unset): confirm an email address,
set a new password. Plain HTML forms posting back to the same address: no script at all, so
the Content-Security-Policy allows none, nor anything from elsewhere.

Opening a link changes nothing (mail scanners open links before people do); the form's
button does. The token stays out of the Referer and out of caches."""

from __future__ import annotations

from typing import Any

from quart import Blueprint, Response, render_template, request

from orion.modules.identity.application.commands import ResetPassword, VerifyEmail
from orion.modules.identity.contracts.pages import RESET_PASSWORD_PAGE, VERIFY_EMAIL_PAGE
from orion.shared_kernel.adapters.http.problems import status_of
from orion.shared_kernel.application.mediator import Mediator
from orion.shared_kernel.domain.errors import DomainError

PAGE_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
}
LINK_CUT = "This link has no token. Open the link from the email again, whole."


def account_pages_blueprint(mediator: Mediator) -> Blueprint:
    blueprint = Blueprint("identity_pages", __name__, template_folder="templates")

    @blueprint.get(VERIFY_EMAIL_PAGE)
    async def verify_email_form() -> Response:
        return await _form("Confirm your email address", "verify")

    @blueprint.post(VERIFY_EMAIL_PAGE)
    async def verify_email() -> Response:
        form = await request.form
        try:
            await mediator.send(VerifyEmail(token=form.get("token", "")))
        except DomainError as error:
            return await _page("Your email address is not confirmed", error=error)
        return await _page(
            "Your email address is confirmed", message="Thank you. You can close this page."
        )

    @blueprint.get(RESET_PASSWORD_PAGE)
    async def reset_password_form() -> Response:
        return await _form("Set a new password", "reset")

    @blueprint.post(RESET_PASSWORD_PAGE)
    async def reset_password() -> Response:
        form = await request.form
        token, password = form.get("token", ""), form.get("password", "")
        again = {"form": "reset", "token": token}
        if password != form.get("password_again", ""):
            return await _page(
                "Set a new password", message="The two passwords differ.", status=422, **again
            )
        try:
            await mediator.send(ResetPassword(token=token, new_password=password))
        except DomainError as error:
            return await _page("Set a new password", error=error, **again)
        return await _page(
            "Your password is changed",
            message="Sign in with it now. Every session you had has ended.",
        )

    return blueprint


async def _form(title: str, form: str) -> Response:
    """The page a link opens: the form, holding the link's token."""
    token = request.args.get("token", "")
    if not token:
        return await _page(title, message=LINK_CUT, status=400)
    return await _page(title, form=form, token=token)


async def _page(
    title: str, *, error: DomainError | None = None, status: int = 200, **values: Any
) -> Response:
    """The one page template; an error's detail as the message, with the error's status."""
    if error is not None:
        values["message"] = error.detail
        status = status_of(error)
    html = await render_template("account_page.html", title=title, action=request.path, **values)
    return Response(html, status=status, headers=PAGE_HEADERS, content_type="text/html")
