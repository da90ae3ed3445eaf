"""The description pushed to external calendars: public text plus, if wanted, CRM context.

The sync worker may add the linked deal, contact and organization so the
event makes sense without opening the CRM. The internal `note` is never used.
"""

from __future__ import annotations

from bridge.domain import Activity, LinkedRecords


def build_description(
    activity: Activity, links: LinkedRecords, *, include_crm_info: bool = True
) -> str:
    """`public_description`, followed by a blank line and the CRM block when there is one."""
    block = _crm_block(links) if include_crm_info else ""
    return "\n\n".join(part for part in (activity.public_description, block) if part)


def _crm_block(links: LinkedRecords) -> str:
    lines = []
    if links.deal is not None:
        lines.append(f"Deal: {links.deal.title} ({links.deal.value:,.2f} {links.deal.currency})")
    if links.person is not None:
        person = links.person
        lines.append(
            "Contact: "
            + ", ".join(part for part in (person.name, person.email, person.phone) if part)
        )
    if links.organization is not None:
        lines.append(f"Organization: {links.organization.name}")
    return "\n".join(lines)
