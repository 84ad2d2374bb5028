"""Paging and the coded refusal of a bad page parameter, shared by the search page and the list pages."""
from __future__ import annotations

import math
from typing import Any
from urllib.parse import urlencode

from .site_texts import texts
from ..core.errors import GrapheError
from ..model.namespaces import VOCABULARIES

PER_PAGE = 20
MAX_PAGE = 500  # a page number beyond is refused (deep paging is for the API and the dumps)
MAX_VALUES = 20  # values per facet a search URL may select
STATUS_CODES = {iri: code for code, iri in VOCABULARIES["LifecycleStatus"].items()}


class BadInput(GrapheError):
    def __init__(self, fr: str, en: str) -> None:
        super().__init__("BAD_USER_INPUT", fr, en)


def page_number(raw: str | None) -> int:
    if raw is None or raw == "":
        return 1
    if not raw.isdigit() or not 1 <= int(raw) <= MAX_PAGE:
        raise BadInput(f"« page » : un nombre entier entre 1 et {MAX_PAGE}.",
                       f"'page': an integer between 1 and {MAX_PAGE}.")
    return int(raw)


def pagination(total: int, current: int, state: list[tuple[str, str]], lang: str,
                path: str = "/recherche") -> dict[str, Any] | None:
    t = texts(lang)
    last = min(MAX_PAGE, max(1, math.ceil(total / PER_PAGE)))
    if last == 1:
        return None

    def href(n: int) -> str:
        return path + "?" + urlencode(state + ([("page", str(n))] if n > 1 else []))
    numbers = sorted({1, last, *range(max(1, current - 2), min(last, current + 2) + 1)})
    return {"previous": href(current - 1) if current > 1 else None,
            "next": href(current + 1) if current < last else None,
            "numbers": [{"n": n, "href": href(n), "current": n == current, "label": t["page_n"].format(n=n)}
                        for n in numbers]}
