"""Reading the urlencoded forms the pages post, without a multipart parser.

The pages only ever post `application/x-www-form-urlencoded` (no file
uploads), so the standard library parses them; the body is already bounded
by the app's `max_body_bytes`.
"""

from __future__ import annotations

from urllib.parse import parse_qsl

from bridge.errors import InvalidInput

FORM_TYPE = "application/x-www-form-urlencoded"


def is_form(content_type: str | None) -> bool:
    """Whether a Content-Type header names an urlencoded form (any parameters ignored)."""
    return (content_type or "").split(";", 1)[0].strip().lower() == FORM_TYPE


MAX_FIELDS = 100
"""More fields than any page's form has; a body with more is refused."""


class TooManyFields(InvalidInput):
    """A posted form with more fields than any page sends."""


def form_fields(body: bytes) -> list[tuple[str, str]]:
    """The fields of an urlencoded body, in order, repeated names kept (checkboxes).

    Undecodable bytes become replacement characters rather than an error, so a
    garbled form is answered like a wrong one.
    """
    text = body.decode("utf-8", errors="replace")
    try:
        return parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FIELDS)
    except ValueError:
        raise TooManyFields(f"a form has at most {MAX_FIELDS} fields") from None


def parse_form(body: bytes) -> dict[str, str]:
    """The fields of an urlencoded body; the last value wins when a name repeats."""
    return dict(form_fields(body))
