"""Bounded reading of a WebDAV request's XML body, before Radicale builds a tree of it.

Radicale parses a body whole into an element tree and then walks it, once
per requested property, so 200,000 ``<getetag/>`` (or 20,000 namespaces)
in a body well under the size limit keep a thread busy for a minute, and
100,000 nested elements overflow its recursion. `check` reads the same text
with expat, which streams, and stops at the first element past the bounds:
no CalDAV client sends more than a few thousand elements or nests beyond
a dozen levels. A DTD is refused too: no client sends one, and its entities
are how XML bombs are built (Radicale's defusedxml refuses those only after
the fact, with a 500).

Radicale also takes for granted a few parts the RFCs require, and fails
with a 500 without them; `check` asks for those: what a PROPFIND is to
find (RFC 4918, 14.20), the text of every ``href``, the ``name`` of CalDAV
components and filters (RFC 4791, 9.6.1 and 9.7), and the time range of a
free-busy query (RFC 4791, 7.10).
"""

from __future__ import annotations

from http import HTTPStatus
from xml.parsers import expat

MAX_NODES = 10_000
"""Elements, attributes and namespace declarations one body may hold together."""
MAX_DEPTH = 64
"""How deep elements may nest."""
_CHUNK = 64 * 1024
_DAV = "DAV: "
_CALDAV = "urn:ietf:params:xml:ns:caldav "
_HREF = _DAV + "href"
_PROPFIND = _DAV + "propfind"
_FREE_BUSY = _CALDAV + "free-busy-query"
_TIME_RANGE = _CALDAV + "time-range"
_NAMED = frozenset(
    _CALDAV + name for name in ("comp", "comp-filter", "prop-filter", "param-filter")
)


class BadXml(ValueError):
    """A body refused before parsing: `status` is 413 when it is too big, else 400."""

    def __init__(self, message: str, status: HTTPStatus = HTTPStatus.BAD_REQUEST) -> None:
        super().__init__(message)
        self.status = status


class _Reader:
    """Takes what expat reports and raises `BadXml` as soon as a bound or a rule is broken.

    Names come as ``namespace name``. The root's name and its children's
    are kept for the checks that can only be made at the end.
    """

    def __init__(self) -> None:
        self.nodes = 0
        self.depth = 0
        self.root = ""
        self.root_children: set[str] = set()
        self.href_text: list[str] | None = None

    def start(self, name: str, attributes: dict[str, str]) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise BadXml(f"the XML body nests elements deeper than {MAX_DEPTH} levels")
        self.count(1 + len(attributes))
        if self.depth == 1:
            self.root = name
        elif self.depth == 2:
            self.root_children.add(name)
        if name in _NAMED and not attributes.get("name"):
            raise BadXml(f"a {_human(name)} element needs a name attribute")
        if name == _HREF:
            self.href_text = []

    def text(self, data: str) -> None:
        if self.href_text is not None:
            self.href_text.append(data)

    def end(self, name: str) -> None:
        self.depth -= 1
        if name == _HREF:
            if not "".join(self.href_text or ()).strip():
                raise BadXml("an href element is empty")
            self.href_text = None

    def namespace(self, _prefix: str | None, _uri: str) -> None:
        self.count(1)

    def count(self, more: int) -> None:
        self.nodes += more
        if self.nodes > MAX_NODES:
            raise BadXml(
                f"the XML body has more than {MAX_NODES} elements, attributes and namespaces",
                HTTPStatus.REQUEST_ENTITY_TOO_LARGE,
            )

    def check_root(self, method: str) -> None:
        """What the root must hold, once it has been read whole."""
        if method == "PROPFIND" and (self.root != _PROPFIND or not self.root_children):
            raise BadXml(
                "a PROPFIND body is a DAV: propfind element holding prop, allprop or propname"
            )
        if method == "REPORT" and self.root == _FREE_BUSY and _TIME_RANGE not in self.root_children:
            raise BadXml("a free-busy-query needs a time-range")


def _human(name: str) -> str:
    return name.rpartition(" ")[2]


def _no_doctype(*_details: object) -> None:
    raise BadXml("the XML body has a document type declaration (DTD); send none")


def is_text_encoding(name: str) -> bool:
    """Whether Python decodes text with the codec called `name`.

    One byte is decoded to find out: decoding nothing succeeds for any
    name, and a codec that cannot read that byte is still a text codec.
    """
    try:
        b"a".decode(name)
    except UnicodeDecodeError:
        return True
    except (LookupError, ValueError):
        return False
    return True


def _known_encoding(_version: str, encoding: str | None, _standalone: int) -> None:
    """An XML declaration naming an encoding nobody knows is a confused client: refused."""
    if encoding is not None and not is_text_encoding(encoding):
        raise BadXml(f"the XML declaration names an unknown encoding {encoding!r}")


def check(text: str, method: str) -> None:
    """Raise `BadXml` unless `text` is a well-formed `method` body within the bounds, without a DTD.

    `text` is the body as Radicale decodes it, so it is read as UTF-8
    whatever its XML declaration says, as Radicale's own parser does.
    """
    reader = _Reader()
    parser = expat.ParserCreate(encoding="utf-8", namespace_separator=" ")
    parser.StartElementHandler = reader.start
    parser.EndElementHandler = reader.end
    parser.CharacterDataHandler = reader.text
    parser.StartNamespaceDeclHandler = reader.namespace
    parser.StartDoctypeDeclHandler = _no_doctype
    parser.XmlDeclHandler = _known_encoding
    data = text.encode("utf-8", "replace")
    try:
        for offset in range(0, len(data), _CHUNK):
            parser.Parse(data[offset : offset + _CHUNK], False)
        parser.Parse(b"", True)
    except expat.ExpatError as error:
        reason = expat.ErrorString(error.code)
        raise BadXml(f"the XML body is not well-formed: {reason} (line {error.lineno})") from None
    reader.check_root(method)
