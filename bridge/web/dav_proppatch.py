"""The 207 answer to a PROPPATCH that a calendar refuses (`bridge.dav_properties`).

RFC 4918 (9.2) makes a PROPPATCH all or nothing and says why per property:
403 with the ``cannot-modify-protected-property`` precondition for a
protected one, 409 for a value the property cannot take (here: too long),
and 424 Failed Dependency for every other property of the request, which
would have been changed had the rest been allowed.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable

from radicale import xmlutils

from bridge.dav_properties import MAX_VALUE_BYTES, PropertiesRefused


def refusal(
    base_prefix: str, path: str, requested: Iterable[str], refused: PropertiesRefused
) -> ET.Element:
    """The multistatus for `path`; `requested` are the properties the request named, in order."""
    others = [
        name
        for name in dict.fromkeys(requested)
        if name not in refused.protected and name not in refused.too_long
    ]
    multistatus = ET.Element(xmlutils.make_clark("D:multistatus"))
    response = ET.SubElement(multistatus, xmlutils.make_clark("D:response"))
    ET.SubElement(response, xmlutils.make_clark("D:href")).text = xmlutils.make_href(
        base_prefix, path
    )
    groups = (
        (refused.protected, 403, "D:cannot-modify-protected-property", None),
        (refused.too_long, 409, None, f"longer than {MAX_VALUE_BYTES} bytes"),
        (others, 424, None, None),
    )
    for names, status, precondition, description in groups:
        if names:
            response.append(_propstat(sorted(names), status, precondition, description))
    return multistatus


def _propstat(
    names: list[str], status: int, precondition: str | None, description: str | None
) -> ET.Element:
    propstat = ET.Element(xmlutils.make_clark("D:propstat"))
    prop = ET.SubElement(propstat, xmlutils.make_clark("D:prop"))
    for name in names:
        ET.SubElement(prop, _clark(name))
    ET.SubElement(propstat, xmlutils.make_clark("D:status")).text = xmlutils.make_response(status)
    if precondition is not None:
        error = ET.SubElement(propstat, xmlutils.make_clark("D:error"))
        ET.SubElement(error, xmlutils.make_clark(precondition))
    if description is not None:
        ET.SubElement(propstat, xmlutils.make_clark("D:responsedescription")).text = description
    return propstat


def _clark(name: str) -> str:
    """The XML tag of a property in Radicale's short form (``tag`` is the resource type)."""
    return xmlutils.make_clark("D:resourcetype" if name == "tag" else name)
