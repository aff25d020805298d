"""Jinja2 templates shipped in the package, two per email: ``<name>.txt`` (its first line is
the subject) and ``<name>.html``. Only the HTML is autoescaped: a customer's name or a
product's name is text in the one and escaped markup in the other."""

from __future__ import annotations

import jinja2

from orion.modules.notifications.application.ports import RenderedEmail
from orion.modules.notifications.domain.errors import UnknownTemplate


class JinjaRenderer:
    def __init__(self) -> None:
        self._environment = jinja2.Environment(
            loader=jinja2.PackageLoader("orion.modules.notifications", "templates"),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html",)),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    def render(self, template: str, **values: object) -> RenderedEmail:
        try:
            text = self._environment.get_template(f"{template}.txt")
            html = self._environment.get_template(f"{template}.html")
        except jinja2.TemplateNotFound:
            raise UnknownTemplate(f"no template {template!r} (text and HTML)") from None
        subject, _, body = text.render(**values).partition("\n")
        subject = subject.strip()
        return RenderedEmail(
            subject=subject, text=body, html=html.render(subject=subject, **values)
        )
