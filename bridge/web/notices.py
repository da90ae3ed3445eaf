"""One-time notices after a redirect: the line the next page shows once ("Saved.").

An action answers 303 back to its page (so a reload does not repeat it) and
the page then says what happened. The text rides in the signed session,
never in the address, so no link can make a page say something CalBridge
did not; the page takes it once (`take_notice`) and it is gone.
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse

NOTICE_KEY = "notice"


def notify(request: Request, text: str, *, failed: bool = False) -> None:
    """Have the next page drawn show `text` once (as an error if `failed`)."""
    request.session[NOTICE_KEY] = {"text": text, "failed": failed}


def redirect_with_notice(
    request: Request, path: str, text: str, *, failed: bool = False
) -> RedirectResponse:
    """303 to `path`, which shows `text` once."""
    notify(request, text, failed=failed)
    return RedirectResponse(path, status_code=303)


def take_notice(request: Request) -> tuple[str | None, str | None]:
    """The waiting notice as (notice, error), and forget it; (None, None) without one."""
    told = request.session.pop(NOTICE_KEY, None)
    if not isinstance(told, dict) or not isinstance(told.get("text"), str):
        return None, None
    if told.get("failed"):
        return None, told["text"]
    return told["text"], None
