"""Convert Natural Earth's 1:110m land (TopoJSON, from the npm package `world-atlas`) to `world.svg`.

    cd /tmp && npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python -m support.make_world_map /tmp/package [--tolerance 0.05]

Run once by hand; its output is vendored in `graphe/web/static/map/` (with LICENSE.txt); neither the server
nor the tests run it. Pure Python, no dependency: the TopoJSON arcs (quantized, delta-encoded) are decoded
into rings here, cut at the antimeridian, clipped to the latitudes the map shows (Antarctica goes),
simplified (Douglas–Peucker) and written as one SVG path in the projection of `graphe/web/map.py`:
equirectangular, one unit per degree, x = lon + 180, y = NORTH - lat, coordinates to 0.1 (relative moves
between rounded absolute points, so no drift).
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "graphe" / "web" / "static" / "map"
# Same numbers as graphe/web/map.py (WEST, EAST, NORTH, SOUTH); a test checks world.svg's viewBox against it.
WEST, EAST, NORTH, SOUTH = -180.0, 180.0, 72.0, -56.0
LAND = "#d4cfbf"  # the land's fill; graphe.css's map colours are checked against it (tests/web/test_map.py)

Point = tuple[float, float]


def decode_arcs(topology: dict) -> list[list[Point]]:
    """Each arc as (lon, lat) points: quantized positions are delta-encoded, then scaled and translated."""
    transform = topology.get("transform")
    arcs = []
    for arc in topology["arcs"]:
        if transform is None:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])
            continue
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        x = y = 0
        points = []
        for p in arc:
            x, y = x + p[0], y + p[1]
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def ring(indexes: list[int], arcs: list[list[Point]]) -> list[Point]:
    """A ring from arc indexes: a negative index ~i is arc i reversed; each arc after the first drops its
    first point (the previous arc's last)."""
    points: list[Point] = []
    for i in indexes:
        arc = arcs[i] if i >= 0 else arcs[~i][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def polygons(topology: dict, name: str) -> list[list[list[Point]]]:
    """The polygons (lists of rings) of object `name`, whatever mix of Polygon/MultiPolygon it holds."""
    arcs = decode_arcs(topology)
    obj = topology["objects"][name]
    geometries = obj["geometries"] if obj["type"] == "GeometryCollection" else [obj]
    out = []
    for g in geometries:
        if g["type"] == "Polygon":
            out.append([ring(r, arcs) for r in g["arcs"]])
        elif g["type"] == "MultiPolygon":
            out.extend([ring(r, arcs) for r in p] for p in g["arcs"])
    return out


def unwrap(points: list[Point]) -> list[Point]:
    """The ring with longitudes made continuous: a step of more than 180° crosses the antimeridian, so the
    point is moved by 360° (world-atlas merges land across it: Chukotka, Fiji, Wrangel Island)."""
    out = points[:1]
    for lon, lat in points[1:]:
        previous = out[-1][0]
        while lon - previous > 180:
            lon -= 360
        while previous - lon > 180:
            lon += 360
        out.append((lon, lat))
    return out


def clip(points: list[Point], west: float, east: float, south: float, north: float) -> list[Point]:
    """Sutherland–Hodgman against the box's four sides (a ring in, an open ring out, maybe empty)."""
    def cut(pts: list[Point], axis: int, bound: float, below: bool) -> list[Point]:
        def inside(p: Point) -> bool:
            return p[axis] <= bound if below else p[axis] >= bound

        def cross(a: Point, b: Point) -> Point:
            t = (bound - a[axis]) / (b[axis] - a[axis])
            other = a[1 - axis] + t * (b[1 - axis] - a[1 - axis])
            return (bound, other) if axis == 0 else (other, bound)

        out: list[Point] = []
        for k, cur in enumerate(pts):
            prev = pts[k - 1]
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
        return out

    pts = points[:-1] if len(points) > 1 and points[0] == points[-1] else list(points)
    for axis, bound, below in ((1, north, True), (1, south, False), (0, east, True), (0, west, False)):
        if len(pts) < 3:
            return []
        pts = cut(pts, axis, bound, below)
    return pts


def pieces(points: list[Point]) -> list[list[Point]]:
    """The ring's parts inside the map: unwrapped, then clipped as is and moved by ±360° (a ring across the
    antimeridian gives one piece on each edge). A ring round a pole (Antarctica) lies outside the latitudes."""
    if all(lat < SOUTH for _, lat in points) or all(lat > NORTH for _, lat in points):
        return []
    ring_ = unwrap(points)
    found = []
    for shift in (-360.0, 0.0, 360.0):
        moved = [(lon + shift, lat) for lon, lat in ring_]
        if max(p[0] for p in moved) > WEST and min(p[0] for p in moved) < EAST:
            part = clip(moved, WEST, EAST, SOUTH, NORTH)
            if len(part) >= 3:
                found.append(part)
    return found


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Douglas–Peucker (iterative) on an open line; keeps both ends."""
    if len(points) < 3 or tolerance <= 0:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        dx, dy = bx - ax, by - ay
        norm = (dx * dx + dy * dy) ** 0.5
        worst, index = -1.0, -1
        for k in range(first + 1, last):
            px, py = points[k]
            d = abs(dy * (px - ax) - dx * (py - ay)) / norm if norm else ((px - ax) ** 2 + (py - ay) ** 2) ** 0.5
            if d > worst:
                worst, index = d, k
        if index > 0 and worst > tolerance:
            keep[index] = True
            stack += [(first, index), (index, last)]
    return [p for p, k in zip(points, keep) if k]


def project(lon: float, lat: float) -> tuple[int, int]:
    """The point in tenths of a map unit (integers, so relative moves add up exactly)."""
    return round((lon - WEST) * 10), round((NORTH - lat) * 10)


def path_data(rings: list[list[Point]], tolerance: float) -> str:
    """`M x y l dx dy … z` per ring, numbers to 0.1 without needless characters."""
    def num(tenths: int) -> str:  # 15 → "1.5", -5 → "-.5", 20 → "2", 0 → "0"
        whole, tenth = divmod(abs(tenths), 10)
        text = (str(whole) if whole else "") + (f".{tenth}" if tenth else "")
        return ("-" if tenths < 0 else "") + text if text else "0"

    def pair(x: int, y: int) -> str:
        b = num(y)
        return num(x) + ("" if b.startswith("-") else " ") + b

    parts = []
    for points in rings:
        if len(points) < 3:
            continue
        line = simplify(points + [points[0]], tolerance)
        tenths: list[tuple[int, int]] = []
        for p in line[:-1]:
            q = project(*p)
            if not tenths or tenths[-1] != q:
                tenths.append(q)
        if len(tenths) > 1 and tenths[-1] == tenths[0]:
            tenths.pop()
        if len(tenths) < 3:
            continue
        steps = [pair(*tenths[0])]
        steps += [pair(b[0] - a[0], b[1] - a[1]) for a, b in zip(tenths, tenths[1:])]
        parts.append("M" + steps[0] + "l" + " ".join(steps[1:]).replace(" -", "-") + "z")
    return "".join(parts)


def svg(package: Path, tolerance: float) -> tuple[str, str]:
    """(world.svg's text, world-atlas version)."""
    version = json.loads((package / "package.json").read_text(encoding="utf-8"))["version"]
    topology = json.loads((package / "land-110m.json").read_text(encoding="utf-8"))
    rings = []
    for polygon in polygons(topology, "land"):
        for points in polygon:
            rings += pieces(points)
    width, height = EAST - WEST, NORTH - SOUTH
    text = (f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width:g} {height:g}" width="{width:g}" '
            f'height="{height:g}">\n<!-- Natural Earth 1:110m land (public domain), via world-atlas {version}; '
            f'equirectangular, x = lon + 180, y = {NORTH:g} - lat; made by support/make_world_map.py -->\n'
            f'<path fill="{LAND}" fill-rule="evenodd" d="{path_data(rings, tolerance)}"/>\n</svg>\n')
    return text, version


LICENSE = """world.svg — the land of the world, 1:110m, for Graphe's maps

Source: Natural Earth, 1:110m physical vectors, "land" (https://www.naturalearthdata.com/),
        version 4.1.0, as TopoJSON in the npm package world-atlas {version}
        (https://github.com/topojson/world-atlas, file land-110m.json).
Licence: Natural Earth data is in the public domain ("Made with Natural Earth. Free vector and raster map
        data @ naturalearthdata.com."). The world-atlas packaging is under the ISC licence:

{isc}
Generated by support/make_world_map.py (pure Python): TopoJSON arcs decoded (delta-encoded, quantized,
then the transform), rings clipped to latitudes {north:g}°N..{south:g}°S (Antarctica dropped), simplified by
Douglas–Peucker at {tolerance:g}°, projected equirectangularly (one unit per degree: x = lon + 180,
y = {north:g} - lat; viewBox 0 0 {width:g} {height:g}) and rounded to 0.1. To regenerate:

    cd /tmp && npm pack world-atlas@2 && tar xzf world-atlas-2.*.tgz
    python -m support.make_world_map /tmp/package
"""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("package", type=Path, help="the unpacked world-atlas npm package (its package/ folder)")
    parser.add_argument("--tolerance", type=float, default=0.05, help="Douglas–Peucker tolerance, in degrees")
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args(argv)
    text, version = svg(args.package, args.tolerance)
    isc = (args.package / "LICENSE").read_text(encoding="utf-8")
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "world.svg").write_text(text, encoding="utf-8")
    (args.out / "LICENSE.txt").write_text(LICENSE.format(
        version=version, isc="\n".join("    " + line if line else "" for line in isc.splitlines()) + "\n",
        north=NORTH, south=-SOUTH, tolerance=args.tolerance, width=EAST - WEST, height=NORTH - SOUTH),
        encoding="utf-8")
    print(f"{args.out / 'world.svg'}: {len(text.encode())} bytes (world-atlas {version})", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
