"""Pages from Jinja2 templates: autoescaped, in the visitor's language, every form carrying
the session's CSRF token."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import jinja2
from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from kinlink_portal.i18n import LANGUAGES
from kinlink_portal.i18n import current_language
from kinlink_portal.i18n import gettext
from kinlink_portal.i18n import ngettext
from kinlink_portal.security import csrf_token
from kinlink_portal.sessions import is_staff
from kinlink_portal.sessions import signed_in_name


def page_context(request: Request) -> dict[str, Any]:
    return {
        "language": current_language(),
        "languages": LANGUAGES,
        "csrf_token": csrf_token(request),
        "signed_in_name": signed_in_name(request),
        "staff": is_staff(request),
    }


def templates() -> Jinja2Templates:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
        autoescape=True,
        extensions=["jinja2.ext.i18n"],
        undefined=jinja2.StrictUndefined,
    )
    env.install_gettext_callables(gettext, ngettext, newstyle=True)  # type: ignore[attr-defined]
    return Jinja2Templates(env=env, context_processors=[page_context])


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> Response:
    found: Jinja2Templates = request.app.state.templates
    return found.TemplateResponse(request, template, context, status_code=status_code)
