"""HTTP hygiene for every answer, in one ASGI middleware (no per-route code to forget).

- `X-Content-Type-Options: nosniff` everywhere: a JSON or Turtle answer is never run as a script.
- HTML answers get a Content-Security-Policy that loads nothing from elsewhere and cannot be framed
  (`frame-ancestors 'none'`, and `X-Frame-Options` for older browsers): the pages' one inline style and
  GraphiQL's one inline script are allowed by their hashes, nothing else inline.
- Answers to an authenticated request (an `Authorization` header or a cookie) are `Cache-Control: private,
  no-store`: no shared cache keeps a draft, a token's view or an audit log.

A pure ASGI middleware rather than Starlette's BaseHTTPMiddleware: it only edits the response's start
message, so streamed bodies (dumps, CSV) stay streamed and nothing runs in another task.
"""
from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Iterable

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_INLINE = re.compile(r"<(script|style)>(.*?)</\1>", re.S)


def inline_hashes(html: str) -> dict[str, list[str]]:
    """CSP source expressions ('sha256-…') of a page's inline <script> and <style> blocks, by tag."""
    found: dict[str, list[str]] = {"script": [], "style": []}
    for tag, content in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(content.encode("utf-8")).digest()).decode()
        found[tag].append(f"'sha256-{digest}'")
    return found


def policy(scripts: Iterable[str] = (), styles: Iterable[str] = (), *, style_attributes: bool = False) -> str:
    """A Content-Security-Policy: this site's own files, the inline blocks named by hash, no framing.
    `style_attributes`: scripts set style attributes, which only 'unsafe-inline' allows (and a hash in the
    same directive would switch it off, so none is given then)."""
    style = " ".join(["'self'", *(["'unsafe-inline'"] if style_attributes else styles)])
    return "; ".join([
        "default-src 'none'", "script-src " + " ".join(["'self'", *scripts]), f"style-src {style}",
        "img-src 'self' data:",
        "font-src 'self' data:", "connect-src 'self'", "base-uri 'none'", "form-action 'self'",
        "frame-ancestors 'none'"])


class SecurityHeaders:
    """`policies`: path → CSP for the HTML answers of that path; `default` for every other HTML answer."""

    def __init__(self, app: ASGIApp, default: str, policies: dict[str, str] | None = None) -> None:
        self.app, self.default, self.policies = app, default, policies or {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        names = {name for name, _ in scope.get("headers", ())}
        authenticated = b"authorization" in names or b"cookie" in names
        csp = self.policies.get(scope.get("path", ""), self.default)

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers["X-Content-Type-Options"] = "nosniff"
                if headers.get("content-type", "").startswith("text/html"):
                    headers["Content-Security-Policy"] = csp
                    headers["X-Frame-Options"] = "DENY"
                    headers["Referrer-Policy"] = "same-origin"
                if authenticated:
                    headers["Cache-Control"] = "private, no-store"
                    headers.append("Vary", "Authorization")
            await send(message)

        await self.app(scope, receive, send_with_headers)
