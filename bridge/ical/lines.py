"""The iCalendar content-line grammar (RFC 5545, section 3.1), kept lossless.

Rendering starts from text a client wrote and must keep every line the CRM
does not model exactly as written (alarms, X- properties, attendee
parameters), and splitting a 100,000-event export must be fast. So this module
works on raw unfolded lines in a light component tree, and only the few
properties we model are ever split into name, parameters and value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from bridge.ical.errors import ICalError

CRLF = "\r\n"
_SEPARATORS = (";", ":")
_FOLDED = re.compile(r"\n[ \t]")
_PARAM = re.compile(r';([^=]*)=((?:"[^"]*"|[^";:])*)')
"""`;NAME=value`, the value running to the next ';' or ':' outside double quotes."""
_TZID_PARAM = re.compile(r';TZID=("[^"]*"|[^;:]*)', re.IGNORECASE)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
_TEXT_SPECIAL = re.compile(r"[\\;,\x00-\x1f\x7f]")
_PARAM_UNSAFE = re.compile(r'[\x00-\x08\x0a-\x1f\x7f"]')
_PARAM_QUOTED = re.compile(r"[;:,]")
_ESCAPED = re.compile(r"\\([\\,;:nN])")
_CARETED = re.compile(r"\^[\^n']")
_CARET_CHARS = {"^^": "^", "^n": "\n", "^'": '"'}


@dataclass
class Component:
    """A BEGIN/END block: its raw property lines (unfolded) and its subcomponents."""

    name: str
    properties: list[str] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def lines(self, name: str) -> list[str]:
        """The raw lines of the properties called `name` (any case)."""
        wanted = name.upper()
        size = len(wanted)
        return [
            line
            for line in self.properties
            if line[size : size + 1] in _SEPARATORS and line[:size].upper() == wanted
        ]

    def by_name(self) -> dict[str, list[str]]:
        """The raw lines grouped by upper-case property name: one pass for reading many."""
        grouped: dict[str, list[str]] = {}
        for line in self.properties:
            grouped.setdefault(line_name(line), []).append(line)
        return grouped

    def first(self, name: str) -> Property | None:
        """The first property called `name`, parsed, or None."""
        found = self.lines(name)
        return parse_property(found[0]) if found else None


@dataclass(frozen=True)
class Property:
    """One content line split up; `value` and parameter values are still escaped/quoted."""

    name: str
    params: tuple[tuple[str, str], ...]
    value: str

    def param(self, name: str) -> str | None:
        """A parameter's value without surrounding quotes, or None when absent."""
        wanted = name.upper()
        for key, raw in self.params:
            if key == wanted:
                return raw[1:-1] if len(raw) >= 2 and raw[0] == raw[-1] == '"' else raw
        return None

    def line(self) -> str:
        params = "".join([f";{key}={raw}" for key, raw in self.params])
        return f"{self.name}{params}:{self.value}"


def unfold(text: str) -> list[str]:
    """Logical lines of `text`, whatever its line endings (CRLF, LF or CR)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return _FOLDED.sub("", text).split("\n")


def fold(line: str) -> str:
    """`line` folded at 75 octets without splitting a UTF-8 sequence."""
    if len(line) <= 75 and line.isascii():
        return line
    encoded = line.encode()
    pieces: list[bytes] = []
    limit = 75
    while len(encoded) > limit:
        cut = limit
        while encoded[cut] & 0xC0 == 0x80:
            cut -= 1
        pieces.append(encoded[:cut])
        encoded = encoded[cut:]
        limit = 74
    pieces.append(encoded)
    return "\r\n ".join(piece.decode() for piece in pieces)


def line_name(line: str) -> str:
    """The upper-cased property name of a raw line."""
    return _raw_name(line).upper()


def _raw_name(line: str) -> str:
    """What precedes the first ';' or ':' (two partitions beat a regex on this hot path)."""
    return line.partition(":")[0].partition(";")[0]


def parse_tree(text: str) -> list[Component]:
    """The top-level components of `text`; raises ICalError on broken BEGIN/END nesting.

    Every object is parsed several times on its way through an import, so the
    common case, a property line inside a component, takes the shortest path.
    """
    tops: list[Component] = []
    stack: list[Component] = []
    properties: list[str] | None = None
    for number, line in enumerate(unfold(text), 1):
        if ":" in line and line[0] not in "BbEe" and properties is not None:
            properties.append(line)
            continue
        if not line or line.isspace():
            continue
        head = line[:6].upper() if line[0] in "BbEe" else ""
        if head == "BEGIN:":
            component = Component(line[6:].strip().upper())
            (stack[-1].children if stack else tops).append(component)
            stack.append(component)
        elif head.startswith("END:"):
            name = line[4:].strip().upper()
            if not stack or stack[-1].name != name:
                raise ICalError(f"content line {number}: END:{name} does not close an open {name}")
            stack.pop()
        elif not stack:
            raise ICalError(f"content line {number}: content outside any BEGIN/END block")
        elif ":" not in line:
            raise ICalError(f"content line {number}: not an iCalendar content line: {line[:40]!r}")
        else:
            stack[-1].properties.append(line)
        properties = stack[-1].properties if stack else None
    if stack:
        raise ICalError(f"BEGIN:{stack[-1].name} is never closed")
    return tops


def serialize(component: Component) -> str:
    """The component as folded CRLF text."""
    out: list[str] = []
    _emit(component, out)
    out.append("")
    return CRLF.join(out)


def _emit(component: Component, out: list[str]) -> None:
    out.append(f"BEGIN:{component.name}")
    out.extend(map(fold, component.properties))
    for child in component.children:
        _emit(child, out)
    out.append(f"END:{component.name}")


def pruned(
    component: Component, keep_line: Callable[[str], bool], keep_child: Callable[[Component], bool]
) -> Component:
    """A copy of the tree without the lines and subcomponents the predicates reject."""
    return Component(
        component.name,
        [line for line in component.properties if keep_line(line)],
        [pruned(child, keep_line, keep_child) for child in component.children if keep_child(child)],
    )


def parse_property(line: str) -> Property:
    """Split a raw line into name, parameters and value; quoted values may hold ';' and ':'."""
    end = len(line)
    raw_name = _raw_name(line)
    name = raw_name.upper()
    position = len(raw_name)
    params: list[tuple[str, str]] = []
    while position < end and line[position] == ";":
        param = _PARAM.match(line, position)
        if param is None:
            raise ICalError(f"{name}: parameter without '=' in {line[:60]!r}")
        position = param.end()
        if position < end and line[position] == '"':
            raise ICalError(f"{name}: unterminated quoted parameter in {line[:60]!r}")
        params.append((param[1].upper(), param[2]))
    if position >= end:
        raise ICalError(f"{name}: no ':' before the value in {line[:60]!r}")
    return Property(name, tuple(params), line[position + 1 :])


def escape_text(text: str) -> str:
    """A TEXT value: backslash, ';', ',' and newlines escaped, other control characters dropped."""
    if not _TEXT_SPECIAL.search(text):
        return text
    text = _CONTROL.sub("", text.replace("\r\n", "\n").replace("\r", "\n"))
    return text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def unescape_text(text: str) -> str:
    """A TEXT value's characters: `\\n` and `\\N` are newlines, other escapes their character.

    An unknown escape stays as written, as `icalendar` (which this replaced) left it.
    """
    if "\\" not in text:
        return text
    return _ESCAPED.sub(_unescaped, text)


def _unescaped(match: re.Match[str]) -> str:
    char = match[1]
    return "\n" if char in "nN" else char


def unescape_param(value: str) -> str:
    """An unquoted parameter value's characters: RFC 6868's ^^, ^n and ^' are ^, newline and "."""
    if "^" not in value:
        return value
    return _CARETED.sub(lambda match: _CARET_CHARS[match[0]], value)


def quote_param(value: str) -> str:
    """A parameter value, quoted when it holds ';', ':' or ','; characters never allowed dropped."""
    value = _PARAM_UNSAFE.sub("", value)
    return f'"{value}"' if _PARAM_QUOTED.search(value) else value


def referenced_tzids(components: Iterable[Component]) -> list[str]:
    """The TZIDs the components' lines (and their subcomponents') refer to, in order."""
    found: dict[str, None] = {}
    for component in components:
        for line in component.properties:
            match = _TZID_PARAM.search(line) if ";" in line else None
            if match and match.group(1).strip('"'):
                found[match.group(1).strip('"')] = None
        found.update(dict.fromkeys(referenced_tzids(component.children)))
    return list(found)
