"""A demo workspace, so that `make run` opens on a calendar that looks lived in.

Two users (`demo` and `colleague`, password ``demo``) share a small CRM of
organizations, people and deals, and own about 200 activities spread from
three weeks ago to five weeks ahead: every default type, timed and all-day
events, undated to-dos, done and open ones, and some private ones (so the
team calendar shows busy blocks). The set is drawn from a seeded random
generator around today's date, so each activity's UID is stable.

Seeding is one transaction that runs only when the `demo` user does not exist
yet: running it again changes nothing, and a half-seeded workspace cannot
happen.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

import sqlalchemy as sa

from bridge.domain import Activity, Attendee, Deal, Organization, Person, User
from bridge.store import crm
from bridge.store.activities import Scope, feed_fingerprint, insert_many
from bridge.store.db import writing
from bridge.store.feeds import create_feed
from bridge.store.users import create_user, find_user

DEMO_LOGIN = "demo"
COLLEAGUE_LOGIN = "colleague"
DEMO_PASSWORD = "demo"
ACTIVITY_COUNT = 200
PAST_DAYS = 21
FUTURE_DAYS = 35
_SEED = 20240611

_USERS = (
    (DEMO_LOGIN, "Dana Demo", "dana.demo@example.com"),
    (COLLEAGUE_LOGIN, "Colin Colleague", "colin.colleague@example.com"),
)

_ORGANIZATIONS = (
    ("Northwind Traders", "Harbour Road 14, Hamburg"),
    ("Bluefin Logistics", "Dockside 3, Rotterdam"),
    ("Kestrel Software", "Innovation Park 7, Leeds"),
    ("Alder & Finch Architects", "Market Square 22, Utrecht"),
    ("Meridian Health Clinics", "Riverside Avenue 90, Dublin"),
)

# (name, e-mail, phone, index into _ORGANIZATIONS)
_PERSONS = (
    ("Amelia Hart", "amelia.hart@northwind.example", "+1 555 0101", 0),
    ("Jonas Becker", "jonas.becker@northwind.example", "+1 555 0102", 0),
    ("Priya Raman", "priya.raman@bluefin.example", "+1 555 0103", 1),
    ("Tom Okafor", "tom.okafor@kestrel.example", "+1 555 0104", 2),
    ("Lena Vos", "lena.vos@alderfinch.example", "+1 555 0105", 3),
    ("Marco Bellini", "marco.bellini@alderfinch.example", "+1 555 0106", 3),
    ("Siobhan Walsh", "siobhan.walsh@meridian.example", "+1 555 0107", 4),
    ("Daniel Kim", "daniel.kim@meridian.example", "+1 555 0108", 4),
)

# (title, value, currency, stage, index into _PERSONS); the organization is the person's
_DEALS = (
    ("Northwind warehouse scanners", 48_000.0, "EUR", "proposal", 0),
    ("Bluefin fleet tracking rollout", 125_000.0, "EUR", "negotiation", 2),
    ("Kestrel support renewal", 18_500.0, "GBP", "qualified", 3),
    ("Alder & Finch site licence", 32_000.0, "EUR", "lead", 4),
    ("Meridian patient portal", 210_000.0, "EUR", "proposal", 6),
    ("Northwind training package", 9_800.0, "EUR", "won", 1),
)

# Subjects per type; {person}, {org} and {deal} are filled from the linked records.
_SUBJECTS = {
    "call": (
        "Discovery call with {person}",
        "Follow-up call: {deal}",
        "Pricing call with {org}",
        "Check in with {person}",
    ),
    "meeting": (
        "Product demo for {org}",
        "Kick-off: {deal}",
        "Quarterly review with {org}",
        "Contract negotiation: {deal}",
    ),
    "task": (
        "Send proposal to {person}",
        "Prepare quote for {deal}",
        "Draft statement of work: {deal}",
        "Update account plan for {org}",
    ),
    "deadline": (
        "Proposal due: {deal}",
        "Contract signature deadline: {org}",
        "RFP submission for {org}",
    ),
    "email": (
        "Email case studies to {person}",
        "Send meeting recap to {person}",
        "Answer {org} security questionnaire",
    ),
    "lunch": ("Lunch with {person}", "Team lunch with {org}"),
}

_DESCRIPTIONS = {
    "call": "Agenda: current setup, pain points, timeline and budget.",
    "meeting": "Agenda:\n- Introductions\n- Walkthrough\n- Open questions\n- Next steps",
    "task": "Use the latest price list and attach the reference customers.",
    "deadline": "Hard deadline from the customer's procurement team.",
    "email": "Keep it short and link the recording.",
    "lunch": "Informal; no slides.",
}

_NOTES = (
    "Decision maker is the CFO; keep any discount under 10%.",
    "A competitor quoted about 15% lower last month.",
    "Budget confirmed for next quarter.",
    "Champion is leaving in the summer; find a second contact.",
    "Legal review usually takes two weeks.",
)

_PRIVATE = (
    ("Dentist appointment", "meeting", "Smile Dental, Elm Street 4"),
    ("Parent-teacher meeting", "meeting", "Riverside Primary School"),
    ("Physiotherapy", "meeting", "PhysioPlus, Station Road 18"),
    ("Call with the landlord about the lease", "call", ""),
    ("Job interview (confidential)", "meeting", ""),
    ("Bank appointment: mortgage", "meeting", "City Savings Bank"),
    ("Car service", "task", "Garage Weber"),
)

_INTERNAL = (
    ("Weekly pipeline review", "meeting", "Meeting room Atlas"),
    ("1:1 with sales manager", "meeting", "Meeting room Borealis"),
    ("Submit expense report", "task", ""),
    ("Forecast update for the board", "deadline", ""),
)

_MINUTES = {
    "call": (15, 30),
    "meeting": (30, 60, 90),
    "email": (15,),
    "lunch": (60, 90),
    "deadline": (0,),
    "task": (30,),
}


@dataclass(frozen=True)
class DemoSummary:
    """What `seed_demo` did; ``feed_token`` is only known on the run that seeded."""

    created: bool
    logins: tuple[str, ...]
    activities: int
    feed_token: str | None = None


@dataclass(frozen=True)
class _Crm:
    organizations: list[Organization]
    persons: list[Person]
    deals: list[Deal]


def seed_demo(engine: sa.Engine, today: dt.date | None = None) -> DemoSummary:
    """Create the demo workspace unless it exists; returns what is there either way."""
    logins = tuple(login for login, _, _ in _USERS)
    with writing(engine) as conn:
        created = find_user(conn, DEMO_LOGIN) is None
        token = None
        if created:
            users = [
                find_user(conn, login)
                or create_user(conn, login, DEMO_PASSWORD, name=name, email=email)
                for login, name, email in _USERS
            ]
            records = _add_crm(conn)
            plan = _Planner(today or dt.date.today(), users, records)
            insert_many(conn, plan.activities(), crm.list_activity_types(conn))
            token = create_feed(conn, users[0].id, "own", "demo")
        count = sum(
            feed_fingerprint(conn, Scope(user.id)).live_count
            for user in (find_user(conn, login) for login in logins)
            if user is not None
        )
    return DemoSummary(created=created, logins=logins, activities=count, feed_token=token)


def _add_crm(conn: sa.Connection) -> _Crm:
    organizations = [
        crm.add_organization(conn, Organization(name, address)) for name, address in _ORGANIZATIONS
    ]
    persons = [
        crm.add_person(conn, Person(name, email, phone, organizations[org].id))
        for name, email, phone, org in _PERSONS
    ]
    deals = [
        crm.add_deal(
            conn,
            Deal(title, value, currency, stage, persons[person].id, persons[person].org_id),
        )
        for title, value, currency, stage, person in _DEALS
    ]
    return _Crm(organizations, persons, deals)


class _Planner:
    """Draws the demo activities; the same seed gives the same set every time."""

    def __init__(self, today: dt.date, users: list[User], records: _Crm) -> None:
        self._today = today
        self._users = users
        self._crm = records
        self._random = random.Random(_SEED)

    def activities(self) -> list[Activity]:
        return [self._activity(number) for number in range(1, ACTIVITY_COUNT + 1)]

    def _activity(self, number: int) -> Activity:
        pick = self._random
        owner = self._users[0] if pick.random() < 0.6 else self._users[1]
        roll = pick.random()
        if roll < 0.1:
            subject, type_key, location = pick.choice(_PRIVATE)
            activity = self._dated(number, owner, subject, type_key, location, private=True)
        elif roll < 0.2:
            subject, type_key, location = pick.choice(_INTERNAL)
            activity = self._dated(number, owner, subject, type_key, location)
        else:
            activity = self._business(number, owner)
        return activity

    def _business(self, number: int, owner: User) -> Activity:
        pick = self._random
        deal = pick.choice(self._crm.deals)
        person = next(p for p in self._crm.persons if p.id == deal.person_id)
        org = next(o for o in self._crm.organizations if o.id == deal.org_id)
        type_key = pick.choice(tuple(_SUBJECTS))
        subject = pick.choice(_SUBJECTS[type_key]).format(
            person=person.name, org=org.name, deal=deal.title
        )
        location = {
            "call": person.phone,
            "meeting": pick.choice((org.address, "Video call")),
            "lunch": pick.choice(("Café Lindner, Main Street 12", "The Olive Tree, Quay 5")),
        }.get(type_key, "")
        activity = self._dated(number, owner, subject, type_key, location)
        activity.public_description = _DESCRIPTIONS[type_key]
        activity.note = pick.choice(_NOTES) if pick.random() < 0.5 else ""
        activity.deal_id = deal.id
        activity.person_id = person.id
        activity.org_id = org.id
        if type_key in ("meeting", "lunch"):
            activity.attendees = [Attendee(person.email, person.name)]
        return activity

    def _dated(
        self,
        number: int,
        owner: User,
        subject: str,
        type_key: str,
        location: str,
        *,
        private: bool = False,
    ) -> Activity:
        """Places an activity in time: undated, all-day or timed, and done when past."""
        pick = self._random
        activity = Activity(
            subject=subject,
            type_key=type_key,
            owner_id=owner.id,
            uid=f"demo-{number}@calbridge",
            location=location,
            private=private,
        )
        if type_key == "task" and pick.random() < 0.4:
            activity.done = pick.random() < 0.2
            return activity
        day = self._today + dt.timedelta(days=pick.randint(-PAST_DAYS, FUTURE_DAYS))
        if not private and day.weekday() >= 5:
            day += dt.timedelta(days=7 - day.weekday())
        activity.due_date = day
        if type_key not in ("deadline", "task") or pick.random() < 0.3:
            activity.due_time = dt.time(pick.randint(7, 16), pick.choice((0, 30)))
            minutes = pick.choice(_MINUTES[type_key])
            activity.duration = dt.timedelta(minutes=minutes) if minutes else None
        activity.done = day < self._today and pick.random() < 0.75
        return activity
