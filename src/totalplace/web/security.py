"""Security headers on every response, a CSP nonce per request, and CSRF tokens on every form.

The Content Security Policy allows scripts only from the service itself and the one
inline line GOV.UK's template needs (by its nonce): no inline script of our own, no
``eval``. Every request that changes something (POST, PUT, PATCH, DELETE) must carry the
session's CSRF token -- a form field ``csrf_token`` or the header ``X-CSRF-Token`` -- or
it is refused with 403 before any route runs.
"""

from __future__ import annotations

import hmac
import secrets
from typing import Any
from urllib.parse import parse_qs

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = ["CSRF_FIELD", "CSRF_HEADER", "SecurityMiddleware", "csrf_token", "nonce_of"]

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "x-csrf-token"
_UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}


def csrf_token(request: Request) -> str:
    """Return the session's CSRF token (made on first use) for a form or the API header."""
    token = request.session.get(CSRF_FIELD)
    if not token:
        token = secrets.token_urlsafe(32)
        request.session[CSRF_FIELD] = token
    return str(token)


def nonce_of(request: Request) -> str:
    """Return this request's CSP nonce (for the template's one inline line)."""
    return str(request.scope.setdefault("csp_nonce", secrets.token_urlsafe(16)))


def _policy(nonce: str) -> str:
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src 'self' 'nonce-{nonce}'",
            "style-src 'self'",
            "img-src 'self' data:",
            "font-src 'self'",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


class SecurityMiddleware:
    """ASGI middleware: refuses unsafe requests without the session's CSRF token, and adds
    the security headers (CSP with this request's nonce, no framing, no sniffing, no referrer
    leaks) to every response. Runs inside the session middleware (it reads the session)."""

    def __init__(self, app: ASGIApp, exempt: tuple[str, ...] = ()) -> None:
        self.app = app
        self.exempt = exempt

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        nonce = scope.setdefault("csp_nonce", secrets.token_urlsafe(16))
        if scope["method"] in _UNSAFE and not scope["path"].startswith(self.exempt):
            receive, ok = await self._check_csrf(scope, receive)
            if not ok:
                refusal = PlainTextResponse(
                    "This form has expired or did not come from this service. Go back, reload the "
                    "page and try again.",
                    status_code=403,
                )
                await self._secured(refusal, nonce)(scope, receive, send)
                return

        async def send_secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                headers += [(k.encode(), v.encode()) for k, v in _headers(nonce).items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_secured)

    def _secured(self, response: Any, nonce: str) -> Any:
        response.headers.update(_headers(nonce))
        return response

    async def _check_csrf(self, scope: Scope, receive: Receive) -> tuple[Receive, bool]:
        expected = str(scope.get("session", {}).get(CSRF_FIELD) or "")
        headers = Headers(scope=scope)
        given = headers.get(CSRF_HEADER, "")
        body = b""
        more = True
        messages: list[Message] = []
        content_type = headers.get("content-type", "")
        if not given and content_type.startswith("application/x-www-form-urlencoded"):
            while more:  # read the form to find the token, then replay it to the route
                message = await receive()
                messages.append(message)
                body += message.get("body", b"")
                more = message.get("more_body", False)
                if len(body) > 1_000_000:
                    break
            given = (parse_qs(body.decode("utf-8", "replace")).get(CSRF_FIELD) or [""])[0]
        elif not given and content_type.startswith("multipart/form-data"):
            given = headers.get(CSRF_HEADER, "") or _query_token(scope)

        async def replay() -> Message:
            if messages:
                return messages.pop(0)
            return await receive()

        ok = bool(expected) and bool(given) and hmac.compare_digest(expected, given)
        return (replay if messages else receive), ok


def _query_token(scope: Scope) -> str:
    """Return the CSRF token of a multipart upload's URL (``?csrf_token=``: the form's action)."""
    query = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    return (query.get(CSRF_FIELD) or [""])[0]


def _headers(nonce: str) -> dict[str, str]:
    return {
        "content-security-policy": _policy(nonce),
        "x-content-type-options": "nosniff",
        "x-frame-options": "DENY",
        "referrer-policy": "same-origin",
        "permissions-policy": "camera=(), microphone=(), geolocation=()",
        "cross-origin-opener-policy": "same-origin",
    }
