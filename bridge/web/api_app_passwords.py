"""`/api/v1/app-passwords`: the signed-in user's app passwords, listed and revoked.

Only the caller's own app passwords are ever seen: another user's id
answers 404 exactly like a missing one. The secrets themselves are shown
once, when created (`calbridge user app-password add`), and never listed.
"""

from __future__ import annotations

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from bridge.errors import NotFoundError
from bridge.store.db import writing
from bridge.store.users import (
    AppPassword,
    NoSuchAppPassword,
    list_app_passwords,
    revoke_app_password,
)
from bridge.web.api_http import BasicAuth, resource


def app_password_routes(prefix: str, engine: sa.Engine, auth: BasicAuth) -> list[BaseRoute]:
    endpoints = _AppPasswords(engine)
    return [
        resource(f"{prefix}/app-passwords", {"GET": auth(endpoints.list)}),
        resource(f"{prefix}/app-passwords/{{id:int}}", {"DELETE": auth(endpoints.revoke)}),
    ]


class _AppPasswords:
    def __init__(self, engine: sa.Engine) -> None:
        self.engine = engine

    async def list(self, _request: Request, login: str) -> Response:
        found = await run_in_threadpool(self._list, login)
        return JSONResponse([_json(entry) for entry in found])

    async def revoke(self, request: Request, login: str) -> Response:
        """204; the password stops working at once, on every process (`bridge.sign_in`)."""
        try:
            await run_in_threadpool(self._revoke, login, request.path_params["id"])
        except NoSuchAppPassword:  # the store's message names the login, which the caller knows
            raise NotFoundError(f"no app password {request.path_params['id']}") from None
        return Response(status_code=204)

    def _list(self, login: str) -> list[AppPassword]:
        with self.engine.connect() as conn:
            return list_app_passwords(conn, login)

    def _revoke(self, login: str, app_password_id: int) -> None:
        with writing(self.engine) as conn:
            revoke_app_password(conn, login, app_password_id)


def _json(entry: AppPassword) -> dict[str, object]:
    return {"id": entry.id, "label": entry.label, "created_at": entry.created_at.isoformat()}
