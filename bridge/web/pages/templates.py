"""The Jinja2 templates of the pages and what every page gets to render.

Every template sees `user` (the signed-in `User`, or None) and
`csrf_token`, so `base.html` can name the user and every form can carry the
token without each page passing them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.requests import Request
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from bridge.web.pages import csrf

TEMPLATE_DIR = Path(__file__).resolve().parent.parent / "templates"


def _common(request: Request) -> dict[str, Any]:
    return {
        "user": request.scope.get("calbridge.user"),
        "csrf_token": csrf.token(request),
        "csrf_field": csrf.FIELD,
        "csrf_header": csrf.HEADER,
    }


TEMPLATES = Jinja2Templates(directory=TEMPLATE_DIR, context_processors=[_common])


def render(
    request: Request,
    name: str,
    context: dict[str, Any] | None = None,
    *,
    status_code: int = 200,
    headers: dict[str, str] | None = None,
) -> Response:
    """Template `name` rendered for `request`; pages are never cached (they show a user's data)."""
    response = TEMPLATES.TemplateResponse(
        request, name, context or {}, status_code=status_code, headers=headers
    )
    response.headers["Cache-Control"] = "no-store"
    return response
