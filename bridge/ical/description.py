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


DEAL, CONTACT, ORGANIZATION = "Deal: ", "Contact: ", "Organization: "
_BLOCK_LABELS = (DEAL, CONTACT, ORGANIZATION)


def strip_crm_block(description: str) -> str:
    """`description` without the CRM block CalBridge may have appended when pushing it.

    The block is recognised by its shape (a last paragraph of "Deal:",
    "Contact:" and "Organization:" lines, in that order, each at most once),
    not by its current text: it may have been written under other settings,
    by an earlier connection, or before the deal was renamed. Whatever the
    settings are now, it never becomes activity text.
    """
    text = description.replace("\r\n", "\n").replace("\r", "\n").rstrip()
    head, _, last = text.rpartition("\n\n")
    lines = last.split("\n")
    labels = [
        next((label for label in _BLOCK_LABELS if line.startswith(label)), None) for line in lines
    ]
    if None in labels or labels != sorted(set(labels), key=_BLOCK_LABELS.index):
        return text
    return head.rstrip()


def _crm_block(links: LinkedRecords) -> str:
    lines = []
    if links.deal is not None:
        lines.append(f"{DEAL}{links.deal.title} ({links.deal.value:,.2f} {links.deal.currency})")
    if links.person is not None:
        person = links.person
        lines.append(
            CONTACT + ", ".join(part for part in (person.name, person.email, person.phone) if part)
        )
    if links.organization is not None:
        lines.append(f"{ORGANIZATION}{links.organization.name}")
    return "\n".join(line.replace("\n", " ") for line in lines)
