"""The Deals, Persons and Organizations pages: a list of each, with paging, and a form to add one.

They are here so that activities can be linked to something; editing and
deleting records belong to the CRM. Records are read and added through
`CrmService`, and a posted form is read by the API's own reader
(`deal_from`, `person_from`, `organization_from` in `bridge.web.api_crm_json`)
so a record is refused for the same reasons the API refuses it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from bridge.config import Settings
from bridge.crm_service import MAX_LIMIT, CrmService, FieldError
from bridge.domain import User
from bridge.web.api_crm_json import deal_from, organization_from, person_from
from bridge.web.pages.activity_fields import error_text, json_number
from bridge.web.pages.forms import parse_form
from bridge.web.pages.session import signed_in
from bridge.web.pages.templates import render

PAGE_SIZE = 50


@dataclass(frozen=True)
class Field:
    """One input of a record's form, and one column of its list.

    `kind` is text, email, tel, number, or `person` / `organization` for a
    link chosen from those records.
    """

    name: str
    label: str
    kind: str = "text"
    required: bool = False
    default: str = ""


@dataclass(frozen=True)
class RecordKind:
    """Deals, persons or organizations: their pages' wording, fields and the API's reader."""

    plural: str
    singular: str
    fields: tuple[Field, ...]
    read: Callable[[Mapping[str, object]], Any]

    @property
    def title(self) -> str:
        return self.plural.capitalize()

    def body(self, posted: Mapping[str, str]) -> dict[str, object]:
        """The API body a posted form makes; a blank number is left out for the API's default."""
        body: dict[str, object] = {}
        for field in self.fields:
            text = posted.get(field.name, "")
            if field.kind in ("text", "email", "tel"):
                body[field.name] = text
            elif field.kind == "number":
                if text.strip():
                    body[field.name] = json_number(text)
            else:
                body[field.name] = json_number(text)
        return body


KINDS = (
    RecordKind(
        "deals",
        "deal",
        (
            Field("title", "Title", required=True),
            Field("value", "Value", "number", default="0"),
            Field("currency", "Currency", default="EUR"),
            Field("stage", "Stage", default="lead"),
            Field("person_id", "Person", "person"),
            Field("org_id", "Organization", "organization"),
        ),
        deal_from,
    ),
    RecordKind(
        "persons",
        "person",
        (
            Field("name", "Name", required=True),
            Field("email", "Email", "email"),
            Field("phone", "Phone", "tel"),
            Field("org_id", "Organization", "organization"),
        ),
        person_from,
    ),
    RecordKind(
        "organizations",
        "organization",
        (Field("name", "Name", required=True), Field("address", "Address")),
        organization_from,
    ),
)


@dataclass(frozen=True)
class Choices:
    """The records a form can link to, by id: deal titles, person and organization names."""

    deals: dict[int, str]
    persons: dict[int, str]
    organizations: dict[int, str]

    def named(self, kind: str) -> dict[int, str]:
        """The choices for a field of `kind` (deal, person, organization)."""
        return {"deal": self.deals, "person": self.persons, "organization": self.organizations}[
            kind
        ]


def record_choices(service: CrmService) -> Choices:
    """The first records of each kind (as many as one API page holds), for the forms' selects."""
    return Choices(
        deals={deal.id: deal.title for deal in service.deals(MAX_LIMIT, 0)},
        persons={person.id: person.name for person in service.persons(MAX_LIMIT, 0)},
        organizations={org.id: org.name for org in service.organizations(MAX_LIMIT, 0)},
    )


class RecordPages:
    """`GET /<plural>`, `GET /<plural>/new` and `POST /<plural>` for one kind of record."""

    def __init__(self, engine: sa.Engine, kind: RecordKind) -> None:
        self._engine = engine
        self._service = CrmService(engine)
        self._kind = kind

    def listing(self, offset: int) -> dict[str, object]:
        """One page of records, each as its column texts, and the paging links."""
        kind = self._kind
        found = getattr(self._service, kind.plural)(PAGE_SIZE + 1, offset)
        choices = record_choices(self._service)
        rows = [
            [self._cell(getattr(record, field.name), field, choices) for field in kind.fields]
            for record in found[:PAGE_SIZE]
        ]
        path = f"/{kind.plural}"
        previous = None
        if offset > 0:
            earlier = max(0, offset - PAGE_SIZE)
            previous = f"{path}?offset={earlier}" if earlier else path
        return {
            "kind": kind,
            "rows": rows,
            "offset": offset,
            "next_link": f"{path}?offset={offset + PAGE_SIZE}" if len(found) > PAGE_SIZE else None,
            "previous_link": previous,
        }

    @staticmethod
    def _cell(value: object, field: Field, choices: Choices) -> str:
        if field.kind in ("person", "organization"):
            return (
                choices.named(field.kind).get(value, f"#{value}") if isinstance(value, int) else ""
            )
        if field.kind == "number":
            return f"{value:,.2f}"
        return str(value)

    def _form(
        self, request: Request, values: Mapping[str, str], error: FieldError | None = None
    ) -> Response:
        choices = record_choices(self._service)
        context: dict[str, object] = {"kind": self._kind, "values": values, "choices": choices}
        if error is not None:
            labels = {field.name: field.label for field in self._kind.fields}
            context["error"] = error
            context["error_message"] = error_text(error, labels.get(error.field, error.field))
        return render(request, "record_form.html", context, status_code=400 if error else 200)

    def routes(self) -> list[BaseRoute]:
        kind = self._kind

        @signed_in(self._engine)
        async def show(request: Request, _user: User) -> Response:
            text = request.query_params.get("offset", "")
            offset = int(text) if text.isdigit() and len(text) < 10 else 0
            context = await run_in_threadpool(self.listing, offset)
            return render(request, "records_list.html", context)

        @signed_in(self._engine)
        async def new(request: Request, _user: User) -> Response:
            defaults = {field.name: field.default for field in kind.fields}
            return await run_in_threadpool(self._form, request, defaults)

        @signed_in(self._engine)
        async def create(request: Request, _user: User) -> Response:
            posted = parse_form(await request.body())
            try:
                record = kind.read(kind.body(posted))
                await run_in_threadpool(getattr(self._service, f"add_{kind.singular}"), record)
            except FieldError as error:
                return await run_in_threadpool(self._form, request, posted, error)
            return RedirectResponse(f"/{kind.plural}", status_code=303)

        return [
            Route(f"/{kind.plural}", show, methods=["GET", "HEAD"]),
            Route(f"/{kind.plural}/new", new, methods=["GET", "HEAD"]),
            Route(f"/{kind.plural}", create, methods=["POST"]),
        ]


def record_routes(engine: sa.Engine, settings: Settings) -> list[BaseRoute]:
    """The three kinds' pages; `settings` is unused, taken like every page module's."""
    return [route for kind in KINDS for route in RecordPages(engine, kind).routes()]
