"""Maps of cities: the projection, the framing of markers, the `map` macro's SVG, the vendored world outline."""
from __future__ import annotations

import ast
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import rdflib

import graphe.web.map as map_module
from graphe.web.map import HEIGHT, MIN_WIDTH, NORTH, OUTLINE, WIDTH, MapView, Marker, markers_view, project
from graphe.web.templates import _ENV

from conftest import BASE

ROOT = Path(__file__).resolve().parents[2]
STATIC = ROOT / "graphe" / "web" / "static"
SVG = "{http://www.w3.org/2000/svg}"
SCHEMA = rdflib.Namespace("https://schema.org/")
PARIS, CAIRO, DAKAR = (2.3522, 48.8566), (31.2357, 30.0444), (-17.4467, 14.6928)


def seed_markers() -> list[Marker]:
    """The seed cities, as a page would pass them: site-relative href, name, coordinates as floats."""
    g = rdflib.Graph().parse(ROOT / "seeds" / "30-cities.ttl", format="turtle", publicID=BASE)
    found = []
    for city in g.subjects(rdflib.RDF.type, SCHEMA.City):
        lat, lon = g.value(city, SCHEMA.latitude), g.value(city, SCHEMA.longitude)
        found.append(Marker("/" + str(city).removeprefix(BASE), str(g.value(city, SCHEMA.name)),
                            float(lon.toPython()), float(lat.toPython())))
    return sorted(found, key=lambda m: m.label)


def contains(view: MapView, x: float, y: float, r: float = 0.0) -> bool:
    return view.x <= x - r and x + r <= view.x + view.width and view.y <= y - r and y + r <= view.y + view.height


def in_world(view: MapView) -> bool:
    return 0 <= view.x and view.x + view.width <= WIDTH + 0.01 and 0 <= view.y and view.y + view.height <= HEIGHT + 0.01


def render(view: MapView, caption: str = "Villes") -> str:
    return _ENV.from_string('{% from "map.html" import map %}{{ map(view, caption) }}').render(
        view=view, caption=caption)


# --- projection ---

def test_projection_of_known_points() -> None:
    x, y = project(0, 0)
    assert x == WIDTH / 2 and y == NORTH  # the meridian in the middle; the equator NORTH units below the top
    assert project(-180, NORTH) == (0, 0) and project(180, NORTH - HEIGHT) == (WIDTH, HEIGHT)
    assert project(*PARIS)[0] < project(*CAIRO)[0]  # Paris west of Cairo
    assert project(*PARIS)[1] < project(*DAKAR)[1]  # Paris north of Dakar: above it


# --- framing ---

def test_seed_cities_are_framed_together() -> None:
    markers = seed_markers()
    assert len(markers) >= 8 and {m.label for m in markers} >= {"Nantes", "Dakar", "Montréal"}
    view = markers_view(markers)
    assert [p.href for p in view.points] == [m.href for m in markers]
    for p in view.points:
        assert contains(view, p.x, p.y, p.r), p
    assert in_world(view)
    assert view.width < WIDTH  # Québec to Dschang: cropped, not the whole world
    assert view.width / view.height == pytest.approx(WIDTH / HEIGHT, rel=1e-3)
    assert view.view_box == " ".join(f"{v:g}" for v in (view.x, view.y, view.width, view.height))


def test_one_city_gets_its_region_and_focus() -> None:
    nantes = next(m for m in seed_markers() if m.label == "Nantes")
    view = markers_view([nantes], focus=nantes.href)
    assert view.width == MIN_WIDTH and view.height == pytest.approx(MIN_WIDTH * HEIGHT / WIDTH, abs=0.01)
    (p,) = view.points
    assert p.focus and contains(view, p.x, p.y, p.r)
    assert (p.x, p.y) == pytest.approx(project(nantes.lon, nantes.lat), abs=0.01)
    assert p.x == pytest.approx(view.x + view.width / 2, abs=0.01)  # centred
    plain = markers_view([nantes]).points[0]
    assert not plain.focus and p.r > plain.r


def test_no_marker_shows_the_world_and_edges_are_clamped() -> None:
    assert (markers_view([]).view_box, markers_view([]).points) == (f"0 0 {WIDTH:g} {HEIGHT:g}", ())
    # Near the antimeridian and far south: the view stays inside the world, the marker inside the view.
    for lon, lat in [(179.5, -50.0), (-179.0, 71.0), (166.45, -22.27)]:
        view = markers_view([Marker("/x", "X", lon, lat)])
        assert in_world(view) and contains(view, view.points[0].x, view.points[0].y)
    # Beyond the map's latitudes (Svalbard): the marker is kept, on the edge.
    view = markers_view([Marker("/s", "Longyearbyen", 15.6, 78.2)])
    assert view.points[0].y == 0 and in_world(view)
    # Spread over the world: the whole world.
    spread = markers_view([Marker("/a", "A", -175, 70), Marker("/b", "B", 175, -50)])
    assert spread.view_box == f"0 0 {WIDTH:g} {HEIGHT:g}"


# --- the macro ---

def test_macro_renders_accessible_svg_links() -> None:
    markers = seed_markers() + [Marker("/id/city/x?a=1&b=2", 'Saint-Louis & "<Ndar>"', -16.49, 16.03)]
    out = render(markers_view(markers, focus=markers[0].href), caption="Villes membres & partenaires")
    assert "style=" not in out and "http://" not in out.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "https://" not in out
    figure = ET.fromstring(out)  # well-formed XML, the whole figure
    assert figure.tag == "figure" and figure.get("class") == "map"
    svg = figure.find(f"{SVG}svg")
    assert svg is not None and svg.get("role") is None
    caption = figure.find("figcaption")
    assert caption is not None and svg.get("aria-labelledby") == caption.get("id")
    assert caption.text == "Villes membres & partenaires"
    image = svg.find(f"{SVG}image")
    assert image is not None and image.get("href") == OUTLINE and OUTLINE.startswith("/static/")
    links = svg.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == [m.href for m in markers]
    assert [a.get("aria-label") for a in links] == [m.label for m in markers]
    for a, m in zip(links, markers):
        circle = a.find(f"{SVG}circle")
        assert circle is not None and circle.findtext(f"{SVG}title") == m.label
        assert float(circle.get("r")) > 0
    assert links[0].get("aria-current") == "page" and all(a.get("aria-current") is None for a in links[1:])
    assert "map-focus" in links[0].get("class").split()


def test_macro_without_markers_draws_the_world() -> None:
    svg = ET.fromstring(render(markers_view([]))).find(f"{SVG}svg")
    assert svg.get("viewBox") == f"0 0 {WIDTH:g} {HEIGHT:g}" and svg.findall(f"{SVG}a") == []


# --- the vendored outline, its licence, its colours ---

def test_world_svg_is_small_valid_and_in_the_same_projection() -> None:
    path = STATIC / "map" / "world.svg"
    assert path.stat().st_size < 150_000
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg" and root.get("viewBox") == f"0 0 {WIDTH:g} {HEIGHT:g}"
    (land,) = root.findall(f"{SVG}path")
    d = land.get("d")
    assert d.count("M") > 50 and not re.search(r"\d\.\d\d", d)  # many rings, one decimal
    assert "style=" not in path.read_text(encoding="utf-8")


def test_licence_names_the_source() -> None:
    text = (STATIC / "map" / "LICENSE.txt").read_text(encoding="utf-8")
    assert "Natural Earth" in text and "public domain" in text and "ISC" in text
    assert re.search(r"world-atlas \d+\.\d+\.\d+", text) and "support/make_world_map.py" in text


def _luminance(colour: str) -> float:
    channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
    r, g, b = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    low, high = sorted((_luminance(a), _luminance(b)))
    return (high + 0.05) / (low + 0.05)


def test_markers_contrast_with_land_and_sea_and_show_focus() -> None:
    css = (STATIC / "graphe.css").read_text(encoding="utf-8")
    block = css[css.index("/* map */"):]
    sea = re.search(r"\.map-sea\{fill:(#[0-9a-f]{6})", block).group(1)
    marker = re.search(r"\.map-marker circle\{fill:(#[0-9a-f]{6})", block).group(1)
    land = re.search(r'<path fill="(#[0-9a-f]{6})"', (STATIC / "map" / "world.svg").read_text()).group(1)
    assert _contrast(marker, land) >= 3 and _contrast(marker, sea) >= 3  # WCAG 1.4.11
    assert re.search(r"\.map-marker:focus\{outline:2px solid", block)
    focus_stroke = re.search(r"\.map-marker:focus circle[^{]*\{stroke:(#[0-9a-f]{6})", block).group(1)
    assert _contrast(focus_stroke, land) >= 3 and _contrast(focus_stroke, sea) >= 3


def test_map_module_does_not_import_the_template_engine() -> None:
    tree = ast.parse(Path(map_module.__file__).read_text(encoding="utf-8"))
    names = {a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    names |= {n.module or "" for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert not {n.split(".")[0] for n in names} & {"jinja2", "markupsafe"}
