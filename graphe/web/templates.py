"""The template engine: Jinja2, owned by this module (the only one that imports it), autoescaping on.

Templates live in `web/templates/`; every value a template writes is escaped unless it is a macro's own
markup. Pages are rendered by `web/html.py`, which prepares plain values (texts, hrefs, rows) for them.
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined

FOLDER = Path(__file__).resolve().parent / "templates"
_ENV = Environment(loader=FileSystemLoader(FOLDER), autoescape=True, undefined=StrictUndefined,
                   trim_blocks=True, lstrip_blocks=True, auto_reload=False, keep_trailing_newline=True)


def render(name: str, **context: Any) -> str:
    """The template `name` (e.g. "entity.html") rendered with `context`."""
    return _ENV.get_template(name).render(**context)
