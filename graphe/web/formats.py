"""Values formatted for people, the French way or the English way: numbers, dates, country names.

Owns the locale data (Babel, the CLDR's tables: the only module that imports it), so that « 323 204 »,
« 17 septembre 2024 » and « Maroc » come from the same source as every other francophone site, not from
tables kept by hand.
"""
from __future__ import annotations

import datetime as dt
import functools

from babel import Locale
from babel.dates import format_date as _format_date
from babel.numbers import format_decimal


@functools.cache
def _locale(lang: str) -> Locale:
    return Locale.parse("en_GB" if lang == "en" else "fr")  # "12 March 2025", as the French order


def number(value: int | float | str, lang: str) -> str:
    """`323204` → « 323 204 » (fr, narrow no-break space) / "323,204" (en); a non-number as it is."""
    try:
        return format_decimal(float(value) if "." in str(value) else int(value), locale=_locale(lang))
    except (TypeError, ValueError):
        return str(value)


def decimal(value: str, lang: str) -> str:
    """An xsd:decimal as written → « 1 200 000 », « 6,5 » (fr) / "1,200,000", "6.5" (en), every decimal kept (no
    rounding through a float); a non-number as it is."""
    import decimal as _decimal

    try:
        number = _decimal.Decimal(value)
    except (_decimal.InvalidOperation, TypeError, ValueError):
        return str(value)
    if not number.is_finite():
        return str(value)
    return format_decimal(number, locale=_locale(lang), decimal_quantization=False)


def country(code: str, lang: str) -> str:
    """An ISO 3166-1 alpha-2 code → the country's name (« Maroc », "Morocco"); an unknown code as it is."""
    return _locale(lang).territories.get(code.upper(), code) if code else code


def date(value: str, lang: str) -> str:
    """`2024-09-17` (or a timestamp) → « 17 septembre 2024 »; `2024-09` → « septembre 2024 »; `2024` → 2024;
    anything else as it is."""
    text = value.strip()
    try:
        if len(text) >= 10:
            return _format_date(dt.date.fromisoformat(text[:10]), format="long", locale=_locale(lang))
        if len(text) == 7:
            return _format_date(dt.date.fromisoformat(text + "-01"), format="MMMM y", locale=_locale(lang))
    except ValueError:
        return value
    return value
