"""Every `curl` of docs/pages.md, sent to a running service, answers an HTML page in the language it asks."""
from __future__ import annotations

import re
import shlex
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "pages.md"
TEXT = DOC.read_text(encoding="utf-8")
COMMANDS = [line for block in re.findall(r"```sh\n(.*?)```", TEXT, re.S) for line in block.splitlines()
            if line.startswith("curl ")]


def test_the_guide_has_its_examples() -> None:
    assert len(COMMANDS) >= 5
    for path in ("/recherche", "/id/practice", "/id/city", "/id/charter", "/id/ai-project", "/id/theme", "/comparer"):
        assert f"`{path}" in TEXT, path  # every page type is in the table


@pytest.mark.parametrize("command", COMMANDS, ids=[f"curl-{i}" for i in range(len(COMMANDS))])
def test_each_command_of_the_guide_answers_a_page(api, command: str) -> None:  # type: ignore[no-untyped-def]
    words = shlex.split(command)
    headers = dict(h.split(": ", 1) for flag, h in zip(words, words[1:]) if flag == "-H")
    url = urlsplit(words[-1])
    answer = httpx.get(api.url + url.path + ("?" + url.query if url.query else ""), headers=headers, timeout=60)
    assert answer.status_code == 200, answer.text[:500]
    assert answer.headers["content-type"].startswith("text/html")
    lang = "en" if headers.get("Accept-Language") == "en" else "fr"
    assert f'<html lang="{lang}">' in answer.text and "<main" in answer.text
