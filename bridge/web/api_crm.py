"""`/api/v1/activities`, `/deals`, `/persons`, `/organizations`: the CRM side of the JSON API.

A script or another CRM pushes its activities in here; what is saved
appears at once over CalDAV and in the feeds (`bridge.crm_service` saves
through the same store functions as CalDAV). Only an activity's owner may
change or delete it; a colleague's private activity is only ever seen as a
busy block. Bodies and filters are read in `bridge.web.api_crm_json`; a bad
field answers 400 `{"error": "<field> ...", "field": "<field>"}`.
"""

from __future__ import annotations

import functools
from collections.abc import Callable

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from bridge.crm_service import CrmService, FieldError
from bridge.errors import NotFoundError
from bridge.web import api_crm_json as body_json
from bridge.web.api_http import BasicAuth, SignedInEndpoint, json_object, resource

MAX_ID = 2**63 - 1


def crm_routes(prefix: str, engine: sa.Engine, auth: BasicAuth) -> list[BaseRoute]:
    """The routes, signed in through `auth`; `prefix` is `/api/v1`."""
    api = _CrmApi(CrmService(engine), prefix)

    def signed(endpoint: SignedInEndpoint) -> Callable:
        return auth(_naming_fields(endpoint))

    activities = f"{prefix}/activities"
    routes = [
        resource(activities, {"GET": signed(api.list_activities), "POST": signed(api.create)}),
        resource(
            f"{activities}/{{id:int}}",
            {"GET": signed(api.show), "PATCH": signed(api.update), "DELETE": signed(api.delete)},
        ),
    ]
    for plural, record in (
        ("deals", _Records.deal),
        ("persons", _Records.person),
        ("organizations", _Records.organization),
    ):
        records = _Records(api.service, f"{prefix}/{plural}", plural, record)
        routes += [
            resource(
                f"{prefix}/{plural}", {"GET": signed(records.list), "POST": signed(records.create)}
            ),
            resource(f"{prefix}/{plural}/{{id:int}}", {"GET": signed(records.show)}),
        ]
    return routes


def _naming_fields(endpoint: SignedInEndpoint) -> SignedInEndpoint:
    """A `FieldError` answered 400 with the field named beside the message."""

    @functools.wraps(endpoint)
    async def answer(request: Request, login: str) -> Response:
        try:
            return await endpoint(request, login)
        except FieldError as error:
            return JSONResponse({"error": str(error), "field": error.field}, status_code=400)

    return answer


def _id(request: Request, what: str) -> int:
    record_id = request.path_params["id"]
    if record_id > MAX_ID:
        raise NotFoundError(f"no {what} {record_id}")
    return record_id


class _CrmApi:
    def __init__(self, service: CrmService, prefix: str) -> None:
        self.service = service
        self.prefix = prefix

    async def list_activities(self, request: Request, login: str) -> Response:
        wanted = body_json.activity_filter(request.query_params)
        page = await run_in_threadpool(self.service.list_activities, login, wanted)
        return JSONResponse(
            {
                "activities": [body_json.activity_json(shown) for shown in page.items],
                "next_cursor": page.next_cursor,
                "more": page.more,
            }
        )

    async def create(self, request: Request, login: str) -> Response:
        changes = body_json.activity_changes(await json_object(request))
        shown = await run_in_threadpool(self.service.create_activity, login, changes)
        location = {"Location": f"{self.prefix}/activities/{shown.activity.id}"}
        return JSONResponse(body_json.activity_json(shown), status_code=201, headers=location)

    async def show(self, request: Request, login: str) -> Response:
        shown = await run_in_threadpool(self.service.activity, login, _id(request, "activity"))
        return JSONResponse(body_json.activity_json(shown))

    async def update(self, request: Request, login: str) -> Response:
        activity_id = _id(request, "activity")
        changes = body_json.activity_changes(await json_object(request))
        shown = await run_in_threadpool(self.service.update_activity, login, activity_id, changes)
        return JSONResponse(body_json.activity_json(shown))

    async def delete(self, request: Request, login: str) -> Response:
        await run_in_threadpool(self.service.delete_activity, login, _id(request, "activity"))
        return Response(status_code=204)


class _Records:
    """List, create and read one kind of CRM record: deals, persons or organizations."""

    def __init__(self, service: CrmService, path: str, plural: str, kind: str) -> None:
        self.service = service
        self.path = path
        self.plural = plural
        self.kind = kind

    deal = "deal"
    person = "person"
    organization = "organization"

    async def list(self, request: Request, _login: str) -> Response:
        for name in request.query_params:
            if name not in ("limit", "offset"):
                raise FieldError(name, "is not a parameter; parameters: limit, offset")
        limit = body_json.limit_param(request.query_params)
        offset = body_json.offset_param(request.query_params)
        lister = getattr(self.service, self.plural)
        found = await run_in_threadpool(lister, limit, offset)
        to_json = getattr(body_json, f"{self.kind}_json")
        return JSONResponse({self.plural: [to_json(record) for record in found]})

    async def create(self, request: Request, _login: str) -> Response:
        record = getattr(body_json, f"{self.kind}_from")(await json_object(request))
        saved = await run_in_threadpool(getattr(self.service, f"add_{self.kind}"), record)
        to_json = getattr(body_json, f"{self.kind}_json")
        location = {"Location": f"{self.path}/{saved.id}"}
        return JSONResponse(to_json(saved), status_code=201, headers=location)

    async def show(self, request: Request, _login: str) -> Response:
        reader = getattr(self.service, self.kind)
        found = await run_in_threadpool(reader, _id(request, self.kind))
        return JSONResponse(getattr(body_json, f"{self.kind}_json")(found))
