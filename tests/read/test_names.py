"""Names people type for what filters take: countries by CLDR name or ISO code, cities by name or slug,
themes by slug or label — and what the resolver refuses. The country table is Babel's (run this file to
write it again: `python tests/read/test_names.py`)."""
from __future__ import annotations

import sys
from pathlib import Path

import pytest

from graphe.core.errors import GrapheError
from graphe.read import country_names, names
from graphe.service import Graphe

ROOT = Path(__file__).resolve().parents[2]
TABLE = ROOT / "graphe" / "read" / "country_names.py"
BASE = "https://graphe.aimf.asso.fr/"
NOT_COUNTRIES = {"EU", "EZ", "UN", "ZZ", "QO", "XA", "XB"}  # CLDR regions and pseudo-regions with two letters


def cldr() -> dict[str, tuple[str, str]]:
    from babel import Locale

    # The locales graphe/web/formats.py shows country names in: the pages and the filters agree.
    fr, en = Locale.parse("fr").territories, Locale.parse("en_GB").territories
    return {code: (fr[code], en[code]) for code in sorted(fr)
            if len(code) == 2 and code.isalpha() and code not in NOT_COUNTRIES and code in en}


def render() -> str:
    lines = ['"""Country names by ISO 3166-1 alpha-2 code, in French and English. GENERATED from Babel\'s CLDR tables',
             "(the names the pages show, `graphe/web/formats.py`) by `python tests/read/test_names.py` — do not edit;",
             "`tests/read/test_names.py` fails on any difference. Kept as data so that the read side, which may not",
             'import Babel (pyproject.toml\'s import contracts), resolves « Maroc » or "Morocco" to MA."""',
             "", "NAMES: dict[str, tuple[str, str]] = {"]
    lines += [f"    {code!r}: ({fr!r}, {en!r})," for code, (fr, en) in cldr().items()]
    return "\n".join(lines + ["}", ""])


def test_the_country_table_is_cldr_s() -> None:
    assert TABLE.read_text(encoding="utf-8") == render(), "run: python tests/read/test_names.py"
    assert country_names.NAMES["MA"] == ("Maroc", "Morocco") and len(country_names.NAMES) > 240


@pytest.mark.parametrize("value,code", [("FR", "FR"), ("fr", "FR"), (" ma ", "MA"), ("Maroc", "MA"),
                                        ("Morocco", "MA"), ("Sénégal", "SN"), ("senegal", "SN"),
                                        ("SÉNÉGAL", "SN"), ("Suisse", "CH"), ("Switzerland", "CH"),
                                        ("cote d'ivoire", "CI"), ("Côte d’Ivoire", "CI"), ("Cameroun", "CM"),
                                        ("Allemagne", "DE")])
def test_a_country_by_name_in_french_or_english_or_by_code(value: str, code: str) -> None:
    assert names.countries([value]) == (code,)


def test_an_unknown_country_is_refused_with_close_names_in_each_language() -> None:
    with pytest.raises(GrapheError) as raised:
        names.countries(["Marocc"])
    error = raised.value
    assert error.code == "BAD_USER_INPUT"
    assert "« Marocc »" in error.message_fr and "Maroc" in error.message_fr
    assert "'Marocc'" in error.message_en and "Morocco" in error.message_en
    for bad in ("", "F", "FRA", "1" * 10_000, "Fr\x00ance"):
        with pytest.raises(GrapheError) as raised:
            names.countries([bad])
        assert raised.value.code == "BAD_USER_INPUT"
        assert len(raised.value.message_fr) < 400  # a huge value is not echoed whole


def test_too_many_values_are_refused_before_anything_is_read() -> None:
    with pytest.raises(GrapheError) as raised:
        names.countries(["FR"] * (names.MAX_VALUES + 1))
    assert raised.value.code == "BAD_USER_INPUT" and str(names.MAX_VALUES) in raised.value.message_fr
    assert names.countries(["FR", "fr", "France"]) == ("FR",)  # the same country once
    assert names.countries(["ZZ"]) == ("ZZ",)  # two letters are a code, as before: an unassigned one finds nothing


def test_cities_by_name_or_slug_whatever_the_accents_and_case(seeded: Graphe) -> None:
    resolver = names.Names(seeded.store, seeded.cached)
    geneve, montreal = BASE + "id/city/geneve", BASE + "id/city/montreal"
    for value in ("Genève", "geneve", "GENEVE", "Geneva", "geneve ", geneve):
        assert resolver.cities([value]) == (geneve,), value
    assert resolver.cities(["Montreal", "Genève"]) == (geneve, montreal)
    assert resolver.cities(["Atlantis"]) == ()  # like an IRI naming nothing: the list comes out empty
    assert resolver.cities([BASE + "id/city/atlantis"]) == (BASE + "id/city/atlantis",)
    with pytest.raises(GrapheError) as raised:
        resolver.cities(["x" * 10_000])  # longer than any name: refused, not looked up
    assert raised.value.code == "BAD_USER_INPUT"


def test_themes_by_slug_or_label(seeded: Graphe) -> None:
    resolver = names.Names(seeded.store, seeded.cached)
    ai = BASE + "id/theme/ai"
    for value in ("ai", "AI", "Intelligence artificielle", "artificial intelligence", ai):
        assert resolver.themes([value]) == (ai,), value
    assert resolver.themes(["pilot"]) == ()  # a lifecycle status is not a theme


def test_the_tables_are_read_once_per_revision(seeded: Graphe) -> None:
    resolver = names.Names(seeded.store, seeded.cached)
    resolver.cities(["Nantes"])
    before = seeded.store.queries
    assert names.Names(seeded.store, seeded.cached).cities(["Dakar"]) == (BASE + "id/city/dakar",)
    assert seeded.store.queries == before


if __name__ == "__main__":
    TABLE.write_text(render(), encoding="utf-8")
    sys.exit(0)
