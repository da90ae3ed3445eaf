"""The description pushed to external calendars."""

from __future__ import annotations

from bridge.domain import Activity, Deal, LinkedRecords, Organization, Person
from bridge.ical.description import build_description

LINKS = LinkedRecords(
    deal=Deal("Big deal", 12500.5, "USD"),
    person=Person("Ada Lovelace", "ada@example.com", "+44 1"),
    organization=Organization("Analytical Engines"),
)


def test_public_description_plus_crm_block() -> None:
    activity = Activity("x", "call", 1, "u", public_description="Agenda", note="SECRET")
    assert build_description(activity, LINKS) == (
        "Agenda\n\n"
        "Deal: Big deal (12,500.50 USD)\n"
        "Contact: Ada Lovelace, ada@example.com, +44 1\n"
        "Organization: Analytical Engines"
    )


def test_without_crm_info_or_links() -> None:
    activity = Activity("x", "call", 1, "u", public_description="Agenda", note="SECRET")
    assert build_description(activity, LINKS, include_crm_info=False) == "Agenda"
    assert build_description(activity, LinkedRecords()) == "Agenda"
    bare = Activity("x", "call", 1, "u", note="SECRET")
    assert build_description(bare, LinkedRecords(person=Person("Bob"))) == "Contact: Bob"
