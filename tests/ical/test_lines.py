"""The content-line layer: folding, parameters, escaping."""

from __future__ import annotations

import pytest

from bridge.ical.errors import ICalError
from bridge.ical.lines import (
    escape_text,
    fold,
    parse_property,
    quote_param,
    unescape_param,
    unescape_text,
    unfold,
)


def test_fold_never_splits_a_character_and_unfolds_back() -> None:
    line = "SUMMARY:" + "ü€" * 60
    folded = fold(line)
    assert all(len(piece.encode()) <= 75 for piece in folded.split("\r\n"))
    assert unfold(folded) == [line]
    assert fold("SHORT:x") == "SHORT:x"


def test_parse_property_with_quoted_parameters() -> None:
    prop = parse_property('ATTENDEE;CN="Doe; J: x";X-A=1,2:mailto:j@x.org')
    assert prop.name == "ATTENDEE"
    assert prop.param("cn") == "Doe; J: x"
    assert prop.param("X-A") == "1,2"
    assert prop.value == "mailto:j@x.org"
    assert prop.line() == 'ATTENDEE;CN="Doe; J: x";X-A=1,2:mailto:j@x.org'
    with pytest.raises(ICalError):
        parse_property('ATTENDEE;CN="open:mailto:x')


def test_escaping() -> None:
    assert escape_text("a,b;c\\d\r\ne\x07") == "a\\,b\\;c\\\\d\\ne"
    assert quote_param('Doe, "J"') == '"Doe, J"'
    assert quote_param("plain name") == "plain name"


def test_unescape_text_and_params() -> None:
    assert unescape_text(r"a\,b\;c\\n\nd\Ne\:f\tg") == "a,b;c\\n\nd\ne:f\\tg"
    assert unescape_text("plain") == "plain"
    assert unescape_param("a^^b^nc^'d^x") == 'a^b\nc"d^x'
