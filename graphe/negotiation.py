"""HTTP header lists with weights (`Accept`, `Accept-Language`): one parser for every edge."""
from __future__ import annotations


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
