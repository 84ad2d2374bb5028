"""Graphe's own errors: a stable code, a French message first, an English one, and optional details."""
from __future__ import annotations

from typing import Any


class GrapheError(Exception):
    """An error meant for the user. `code` is stable (e.g. ``PARSE_ERROR``); messages are in French and English."""

    def __init__(self, code: str, message_fr: str, message_en: str, details: Any = None) -> None:
        super().__init__(message_fr)
        self.code = code
        self.message_fr = message_fr
        self.message_en = message_en
        self.details = details

    def text(self, lang: str = "fr") -> str:
        return self.message_en if lang.lower().startswith("en") else self.message_fr

    def to_dict(self, lang: str = "fr") -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "message": self.text(lang),
                                "message_fr": self.message_fr, "message_en": self.message_en}
        if self.details is not None:
            data["details"] = self.details
        return data
