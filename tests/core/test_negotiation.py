"""The one parser of weighted header lists (`core/negotiation.py`) that every edge uses: Accept-Language for
the reader's languages, Accept for formats (the format choice over HTTP is tested in tests/web/)."""
from __future__ import annotations

import pytest

from graphe.api.context import accept_language
from graphe.core.negotiation import negotiate, parse_accept, preferred, weighted


@pytest.mark.parametrize("header, expected", [
    (None, []),
    ("", []),
    ("fr-CA, fr;q=0.9, en;q=0.8", ["fr-ca", "fr", "en"]),
    ("en;q=0.5, fr", ["fr", "en"]),  # by weight, not by place
    ("de;q=0.7, en;q=0.7", ["de", "en"]),  # a tie keeps the header's order
    ("fr;q=0, en", ["en"]),  # q=0 means "not this"
    ("fr;q=abc, en;q=0.1", ["en"]),  # a malformed weight counts as 0
    ("fr;q=7, en", ["fr", "en"]),  # weights are clamped to [0, 1]
    ("EN-gb ; Q=0.4 , ar", ["ar", "en-gb"]),
    (",,, ;q=1, fr", ["fr"]),
])
def test_preferred_orders_by_weight(header: str | None, expected: list[str]) -> None:
    assert preferred(header) == expected


def test_a_header_is_read_to_a_bounded_length() -> None:
    assert len(weighted(", ".join(f"x{i}" for i in range(10_000)))) == 64


def test_the_wildcard_language_is_no_language() -> None:
    assert accept_language("*, en;q=0.5") == ("en",)
    assert accept_language("fr;q=0, *") == ()


def test_accept_ranges_and_the_format_rule() -> None:
    assert parse_accept("text/html;q=0.9, *, nonsense, image/png;q=0") == [
        ("text/html", 0.9), ("*/*", 1.0), ("image/png", 0.0)]
    assert negotiate("text/turtle;q=0.5, application/ld+json") == "jsonld"
    assert negotiate("*/*;q=0") is None
