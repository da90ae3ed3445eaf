"""Plain text from the HTML Google Calendar's web UI stores in event descriptions.

Descriptions written through the API stay as sent, but the owner's edits in
Google Calendar arrive as HTML (`<br>`, `<b>`, links). The contract wants
plain text, so HTML is recognised by its tags and flattened; text without
tags (everything CalBridge writes) is returned untouched, so our own echoes
keep their content hash.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

TAG = re.compile(r"</?(?:a|b|br|div|em|i|li|ol|p|span|strong|u|ul)\b[^>]*>", re.IGNORECASE)
BLOCKS = frozenset({"p", "div", "li", "ul", "ol"})  # their end is a line break


def plain_text(description: str) -> str:
    """`description` as plain text: HTML flattened (line breaks kept), anything else unchanged."""
    if not TAG.search(description):
        return description
    parser = _Flattener()
    parser.feed(description)
    parser.close()
    return "".join(parser.chunks).strip("\n")


class _Flattener(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.chunks: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "br":
            self.chunks.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in BLOCKS:
            self.chunks.append("\n")

    def handle_data(self, data: str) -> None:
        self.chunks.append(data)
