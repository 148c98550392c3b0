"""Rendering the Mandant's Bescheid templates in a sandbox.

A template is configuration that staff maintain, so it gets nothing it could misuse:

* its own template engine whose built-ins are a short allowlist of Django's tags and filters
  plus ours (``euro``, ``datum``) — no ``load``, ``include``, ``extends``, ``block``, ``url``,
  ``csrf_token``, ``debug``, ``autoescape``, no ``safe`` or ``safeseq``; a template that uses
  anything else is refused with the name of the tag or filter;
* autoescaping always on, and a context of plain values (dicts, lists, text, numbers, dates)
  that the Bescheid builds: no model instance, no request, no settings;
* limits on the size of the template and of what it renders.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.template import (
    Context,
    Engine,
    Library,
    TemplateSyntaxError,
    defaultfilters,
    defaulttags,
)
from django.template.base import Lexer, TokenType
from django.utils.translation import gettext as _

from amtsfluss.core.errors import ServiceError

MAX_TEMPLATE_CHARS = 20_000
MAX_OUTPUT_CHARS = 200_000

ALLOWED_TAGS = frozenset(
    {"if", "for", "with", "firstof", "now", "spaceless", "comment", "cycle", "templatetag"}
)
_END_TAGS = frozenset({"elif", "else", "empty", "endif", "endfor", "endwith", "endspaceless"})
_END_TAGS |= {"endcomment"}
ALLOWED_FILTERS = frozenset(
    {
        "add",
        "capfirst",
        "cut",
        "date",
        "default",
        "default_if_none",
        "first",
        "floatformat",
        "join",
        "last",
        "length",
        "linebreaks",
        "linebreaksbr",
        "lower",
        "pluralize",
        "title",
        "truncatechars",
        "upper",
        "wordwrap",
        "yesno",
    }
)

library = Library()
for _name in ALLOWED_TAGS:
    library.tags[_name] = defaulttags.register.tags[_name]
for _name in ALLOWED_FILTERS:
    library.filters[_name] = defaultfilters.register.filters[_name]


@library.filter(is_safe=True)
def euro(value: Any) -> str:
    """An amount (Decimal, int or its text) as German money: ``1.234,50 €``."""
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        return ""
    text = f"{amount:,.2f}".replace(",", " ").replace(".", ",").replace(" ", ".")
    return f"{text} €"


@library.filter(is_safe=True)
def datum(value: Any) -> str:
    """A date (or its ISO text) as ``31.01.2026``."""
    if isinstance(value, str):
        try:
            value = date.fromisoformat(value)
        except ValueError:
            return ""
    if not isinstance(value, date):
        return ""
    return value.strftime("%d.%m.%Y")


ENGINE = Engine(autoescape=True, debug=False, string_if_invalid="")
ENGINE.template_builtins = [library]
ENGINE.template_libraries = {}


def check_template(source: str) -> None:
    """Refuse a template the sandbox does not run (translated message naming the problem)."""
    if len(source) > MAX_TEMPLATE_CHARS:
        raise ServiceError(
            _("The template is longer than %(limit)d characters.") % {"limit": MAX_TEMPLATE_CHARS}
        )
    for token in Lexer(source).tokenize():
        if token.token_type == TokenType.BLOCK:
            name = token.split_contents()[0] if token.contents.strip() else ""
            if name not in ALLOWED_TAGS and name not in _END_TAGS:
                raise ServiceError(
                    _("Line %(line)s: the tag “%(name)s” is not allowed in a Bescheid template.")
                    % {"line": token.lineno, "name": name[:40]}
                )
        elif token.token_type == TokenType.VAR:
            for part in token.contents.split("|")[1:]:
                name = part.split(":", 1)[0].strip()
                if name not in ALLOWED_FILTERS and name not in library.filters:
                    raise ServiceError(
                        _(
                            "Line %(line)s: the filter “%(name)s” is not allowed in a Bescheid"
                            " template."
                        )
                        % {"line": token.lineno, "name": name[:40]}
                    )
    try:
        ENGINE.from_string(source)
    except TemplateSyntaxError as error:
        raise ServiceError(
            _("The template has an error: %(error)s") % {"error": str(error)[:300]}
        ) from error


def render_sandboxed(source: str, context: dict[str, Any]) -> str:
    """``source`` rendered with ``context`` only, autoescaped (checked first)."""
    check_template(source)
    html = ENGINE.from_string(source).render(Context(context, autoescape=True))
    if len(html) > MAX_OUTPUT_CHARS:
        raise ServiceError(_("The Bescheid is too long: the template renders too much text."))
    return html
