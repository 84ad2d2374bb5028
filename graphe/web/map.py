"""Maps of cities: plain values for the `map` macro (`templates/map.html`), no tile server, no external URL.

The background is `static/map/world.svg`, Natural Earth's 1:110m land vendored once by
`support/make_world_map.py` (see `static/map/LICENSE.txt`), in an equirectangular projection of one unit per
degree: x = lon + 180, y = 72 - lat, latitudes 72°N..56°S (no Antarctica), viewBox `0 0 360 128`. A map of
markers frames them (their bounding box with a margin, at the map's aspect ratio, clamped to the world) and
places each as a link; the page lists the same cities as the map's text alternative.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

# The projected world: the same numbers as support/make_world_map.py (a test checks world.svg against them).
WEST, EAST, NORTH, SOUTH = -180.0, 180.0, 72.0, -56.0
WIDTH, HEIGHT = EAST - WEST, NORTH - SOUTH
ASPECT = WIDTH / HEIGHT
OUTLINE = "/static/map/world.svg"
MARGIN = 6.0       # map units (degrees) kept round the markers' bounding box
MIN_WIDTH = 60.0   # the narrowest view (one city: its region); its height follows the aspect ratio
RADIUS = 1 / 100   # a marker's radius, as a share of the view's width; the page's subject is half as big again


def project(lon: float, lat: float) -> tuple[float, float]:
    """(x, y) of a point in world.svg's coordinates (y grows southwards); outside the map for |lat| beyond
    its latitudes."""
    return lon - WEST, NORTH - lat


@dataclass(frozen=True)
class Marker:
    """A city to show: the page it links to, its name, its WGS 84 coordinates (decimal degrees)."""
    href: str
    label: str
    lon: float
    lat: float


@dataclass(frozen=True)
class Point:
    """A marker placed in the view: `focus` for the page's own subject (drawn larger, `aria-current`)."""
    href: str
    label: str
    x: float
    y: float
    r: float
    focus: bool = False


@dataclass(frozen=True)
class MapView:
    """What the `map` macro draws: the view box (x, y, width, height in world.svg's units), the markers in
    the order given, the outline's href and the world's size (where the outline is drawn)."""
    x: float
    y: float
    width: float
    height: float
    points: tuple[Point, ...]
    outline: str = OUTLINE
    world_width: float = WIDTH
    world_height: float = HEIGHT

    @property
    def view_box(self) -> str:
        """The `viewBox` attribute."""
        return " ".join(_num(v) for v in (self.x, self.y, self.width, self.height))


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _clamp(value: float, low: float, high: float) -> float:
    return max(low, min(high, value))


def markers_view(markers: Iterable[Marker], focus: str | None = None) -> MapView:
    """The view of `markers`: the whole world when there are none or they spread over it, else their bounding
    box with a margin, at least MIN_WIDTH wide, widened to the map's aspect ratio, moved inside the world.
    `focus`: the href of the marker the page is about (drawn larger; the framing is the same)."""
    placed = []
    for m in markers:
        x, y = project(m.lon, m.lat)
        placed.append((m, _clamp(x, 0.0, WIDTH), _clamp(y, 0.0, HEIGHT)))
    x0, y0, width, height = 0.0, 0.0, WIDTH, HEIGHT
    if placed:
        xs, ys = [x for _, x, _ in placed], [y for _, _, y in placed]
        width = max(max(xs) - min(xs) + 2 * MARGIN, MIN_WIDTH)
        height = max(max(ys) - min(ys) + 2 * MARGIN, MIN_WIDTH / ASPECT)
        width, height = max(width, height * ASPECT), max(height, width / ASPECT)
        if width >= WIDTH or height >= HEIGHT:
            x0, y0, width, height = 0.0, 0.0, WIDTH, HEIGHT
        else:
            x0 = _clamp((min(xs) + max(xs) - width) / 2, 0.0, WIDTH - width)
            y0 = _clamp((min(ys) + max(ys) - height) / 2, 0.0, HEIGHT - height)
    r = round(width * RADIUS, 2)
    points = tuple(Point(m.href, m.label, round(x, 2), round(y, 2),
                         round(r * 1.5, 2) if m.href == focus else r, m.href == focus)
                   for m, x, y in placed)
    return MapView(round(x0, 2), round(y0, 2), round(width, 2), round(height, 2), points)
