"""Jinja2 text templates shipped in the package: the first line is the subject."""

from __future__ import annotations

import jinja2

from orion.modules.notifications.domain.errors import UnknownTemplate


class JinjaRenderer:
    def __init__(self) -> None:
        self._environment = jinja2.Environment(
            loader=jinja2.PackageLoader("orion.modules.notifications", "templates"),
            autoescape=False,  # text emails: nothing here is HTML  # noqa: S701
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=True,
        )

    def render(self, template: str, **values: object) -> tuple[str, str]:
        try:
            rendered = self._environment.get_template(f"{template}.txt").render(**values)
        except jinja2.TemplateNotFound:
            raise UnknownTemplate(f"no template {template!r}") from None
        subject, _, text = rendered.partition("\n")
        return subject.strip(), text
