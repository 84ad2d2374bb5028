"""HTTP header lists with weights (`Accept`, `Accept-Language`) and the choice of an RDF or HTML format for
an `Accept` header: one parser and one rule for every edge."""
from __future__ import annotations

from collections.abc import Sequence

# Offered formats; on a tie (same q, same specificity) the first wins, so `*/*` gives Turtle.
OFFERS = ("ttl", "jsonld", "nt", "rdf", "html")
MEDIA_TYPES = {"ttl": "text/turtle", "jsonld": "application/ld+json", "nt": "application/n-triples",
               "rdf": "application/rdf+xml", "html": "text/html"}
ALIASES = {"application/xhtml+xml": "html", "application/json": "jsonld", "application/x-turtle": "ttl"}


def weighted(header: str | None, limit: int = 64) -> list[tuple[str, float]]:
    """`text/html;q=0.9, */*;q=0.1` → [("text/html", 0.9), ("*/*", 0.1)], in header order, lower-cased;
    a malformed q counts as 0, at most `limit` entries are read."""
    out = []
    for part in (header or "").split(",")[:limit]:
        value, *params = (p.strip() for p in part.split(";"))
        if not value:
            continue
        quality = 1.0
        for param in params:
            name, _, number = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(number.strip()), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        out.append((value.lower(), quality))
    return out


def preferred(header: str | None) -> list[str]:
    """The values of a weighted list by decreasing weight (header order breaks ties), q=0 dropped."""
    ranked = sorted((-q, i, v) for i, (v, q) in enumerate(weighted(header)) if q > 0)
    return [v for _, _, v in ranked]


def parse_accept(header: str) -> list[tuple[str, float]]:
    """`text/html;q=0.9, */*;q=0.1` → [("text/html", 0.9), ("*/*", 0.1)]; malformed ranges are skipped."""
    ranges = [("*/*" if media == "*" else media, q) for media, q in weighted(header)]
    return [(media, q) for media, q in ranges if media.count("/") == 1]


def _quality(media_type: str, ranges: Sequence[tuple[str, float]]) -> tuple[float, int]:
    """The q of the most specific range matching `media_type`, and that specificity (2 exact, 1 type/*, 0 */*)."""
    major = media_type.split("/")[0]
    best: tuple[int, float] | None = None
    for media, q in ranges:
        specificity = 2 if media == media_type else 1 if media == major + "/*" else 0 if media == "*/*" else -1
        if specificity >= 0 and (best is None or specificity > best[0]):
            best = (specificity, q)
    return (0.0, -1) if best is None else (best[1], best[0])


def negotiate(accept: str | None) -> str | None:
    """The format name to send for an `Accept` header, or None when nothing offered is acceptable."""
    ranges = parse_accept(accept or "*/*")
    chosen, chosen_key = None, None
    for order, name in enumerate(OFFERS):
        types = [MEDIA_TYPES[name], *(a for a, n in ALIASES.items() if n == name)]
        q, specificity = max(_quality(t, ranges) for t in types)
        if q <= 0:
            continue
        key = (q, specificity, -order)
        if chosen_key is None or key > chosen_key:
            chosen, chosen_key = name, key
    return chosen


PAGE_LANGUAGES = ("fr", "en")


def page_language(asked: str | None, accept_language: str | None) -> str:
    """The language of a page: `asked` (a `?lang=` value) when offered, else the first offered primary
    language in `Accept-Language` by weight, else French."""
    if asked and asked.lower() in PAGE_LANGUAGES:
        return asked.lower()
    for tag in preferred(accept_language):
        primary = tag.split("-")[0]
        if primary in PAGE_LANGUAGES:
            return primary
    return "fr"
