"""The CRM records activities link to: types, organizations, persons, deals."""

from __future__ import annotations

import sqlalchemy as sa

from bridge.domain import ActivityType, ComponentKind, Deal, LinkedRecords, Organization, Person
from bridge.store.schema import activity_types, deals, organizations, persons


def _to_type(row: sa.Row) -> ActivityType:
    return ActivityType(
        key=row.key,
        name=row.name,
        color=row.color,
        active=row.active,
        kind=ComponentKind(row.kind),
        id=row.id,
    )


def list_activity_types(conn: sa.Connection) -> dict[str, ActivityType]:
    rows = conn.execute(sa.select(activity_types).order_by(activity_types.c.id))
    return {row.key: _to_type(row) for row in rows}


def add_activity_type(conn: sa.Connection, activity_type: ActivityType) -> ActivityType:
    new_id = conn.execute(
        sa.insert(activity_types).values(
            key=activity_type.key,
            name=activity_type.name,
            color=activity_type.color,
            active=activity_type.active,
            kind=activity_type.kind.value,
        )
    ).inserted_primary_key[0]
    return ActivityType(
        activity_type.key,
        activity_type.name,
        activity_type.color,
        activity_type.active,
        activity_type.kind,
        new_id,
    )


def add_organization(conn: sa.Connection, organization: Organization) -> Organization:
    organization.id = conn.execute(
        sa.insert(organizations).values(name=organization.name, address=organization.address)
    ).inserted_primary_key[0]
    return organization


def add_person(conn: sa.Connection, person: Person) -> Person:
    person.id = conn.execute(
        sa.insert(persons).values(
            name=person.name, email=person.email, phone=person.phone, org_id=person.org_id
        )
    ).inserted_primary_key[0]
    return person


def add_deal(conn: sa.Connection, deal: Deal) -> Deal:
    deal.id = conn.execute(
        sa.insert(deals).values(
            title=deal.title,
            value=deal.value,
            currency=deal.currency,
            stage=deal.stage,
            person_id=deal.person_id,
            org_id=deal.org_id,
        )
    ).inserted_primary_key[0]
    return deal


def count_rows(conn: sa.Connection, table: sa.Table) -> int:
    return int(conn.execute(sa.select(sa.func.count()).select_from(table)).scalar_one())


def linked_records(
    conn: sa.Connection, deal_id: int | None, person_id: int | None, org_id: int | None
) -> LinkedRecords:
    """The deal, person and organization an activity points to, for descriptions."""
    deal = conn.execute(sa.select(deals).where(deals.c.id == deal_id)).first() if deal_id else None
    person = (
        conn.execute(sa.select(persons).where(persons.c.id == person_id)).first()
        if person_id
        else None
    )
    org = (
        conn.execute(sa.select(organizations).where(organizations.c.id == org_id)).first()
        if org_id
        else None
    )
    return LinkedRecords(
        deal=Deal(
            title=deal.title,
            value=float(deal.value),
            currency=deal.currency,
            stage=deal.stage,
            person_id=deal.person_id,
            org_id=deal.org_id,
            id=deal.id,
        )
        if deal
        else None,
        person=Person(person.name, person.email, person.phone, person.org_id, person.id)
        if person
        else None,
        organization=Organization(org.name, org.address, org.id) if org else None,
    )


def _deal(row: sa.Row) -> Deal:
    return Deal(
        title=row.title,
        value=float(row.value),
        currency=row.currency,
        stage=row.stage,
        person_id=row.person_id,
        org_id=row.org_id,
        id=row.id,
    )


def _person(row: sa.Row) -> Person:
    return Person(row.name, row.email, row.phone, row.org_id, row.id)


def _organization(row: sa.Row) -> Organization:
    return Organization(row.name, row.address, row.id)


def get_deal(conn: sa.Connection, deal_id: int) -> Deal | None:
    row = conn.execute(sa.select(deals).where(deals.c.id == deal_id)).first()
    return _deal(row) if row else None


def get_person(conn: sa.Connection, person_id: int) -> Person | None:
    row = conn.execute(sa.select(persons).where(persons.c.id == person_id)).first()
    return _person(row) if row else None


def get_organization(conn: sa.Connection, org_id: int) -> Organization | None:
    row = conn.execute(sa.select(organizations).where(organizations.c.id == org_id)).first()
    return _organization(row) if row else None


def list_deals(conn: sa.Connection, limit: int, offset: int = 0) -> list[Deal]:
    query = sa.select(deals).order_by(deals.c.id).limit(limit).offset(offset)
    return [_deal(row) for row in conn.execute(query)]


def list_persons(conn: sa.Connection, limit: int, offset: int = 0) -> list[Person]:
    query = sa.select(persons).order_by(persons.c.id).limit(limit).offset(offset)
    return [_person(row) for row in conn.execute(query)]


def list_organizations(conn: sa.Connection, limit: int, offset: int = 0) -> list[Organization]:
    query = sa.select(organizations).order_by(organizations.c.id).limit(limit).offset(offset)
    return [_organization(row) for row in conn.execute(query)]
